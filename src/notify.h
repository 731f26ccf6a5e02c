/*
 * notify.h - telling people about changes they did not ask for in the
 * mail being answered: promotions from the waiting list, demotions after a
 * capacity cut, cancelled or moved sessions.  Mails are queued in the
 * caller's transaction.
 */
#ifndef TRUCD_NOTIFY_H
#define TRUCD_NOTIFY_H

struct app;
struct notices;

/* The reason shown for a cancelled session is the one stored with it. */
void	 notify_notices(struct app *, const struct notices *);

#endif
