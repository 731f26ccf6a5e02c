/*
 * deliver.h - the outbox to the SMTP server: every due mail, in batches of
 * smtp.batch_size over one connection each; accepted mails are marked
 * sent, refused ones (5xx) failed with the server's answer, the others
 * retried later with backoff (retry.h).
 */
#ifndef TRUCD_DELIVER_H
#define TRUCD_DELIVER_H

#include <stddef.h>

struct app;

struct deliver_stats {
	size_t	sent, failed, deferred;
};

/* Returns 0, or -1 when the SMTP server could not be reached at all. */
int	 deliver_outbox(struct app *, struct deliver_stats *);

#endif
