/*
 * outbox.h - mail waiting for the SMTP server, in the database.
 *
 * A mail is queued inside the transaction that caused it (the command's
 * effects and its reply commit together), and leaves the queue only when
 * the SMTP server has accepted it (sent) or refused it for good (failed).
 */
#ifndef TRUCD_OUTBOX_H
#define TRUCD_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct db;

/* Queues one mail (data: the whole RFC 5322 message). Returns its id. */
int64_t	 outbox_add(struct db *, const char *kind, const char *from,
	    const char *rcpt, const char *subject, const char *message_id,
	    const char *data, size_t len, time_t now);

/*
 * Queues a mail to be composed when it goes (render names how, e.g.
 * "programme"): the row holds no body; deliver asks scheduler.c for it.
 */
int64_t	 outbox_add_deferred(struct db *, const char *kind, const char *from,
	    const char *rcpt, const char *subject, const char *render,
	    time_t now);

struct outbox_item {
	int64_t	 id;
	char	*from, *rcpt;
	char	*render;	/* "" for a composed mail */
	char	*data;
	size_t	 len;
	int	 attempts;
};
/* Bodies loaded at once by outbox_due (at least one mail, whatever its size). */
#define OUTBOX_BATCH_BYTES	(1024 * 1024)
#define OUTBOX_DEFERRED_GUESS	(64 * 1024)
/* Up to max mails (and about OUTBOX_BATCH_BYTES) due at now (pending, next_attempt <= now), oldest first. Caller frees with outbox_items_free. */
size_t	 outbox_due(struct db *, time_t now, size_t max,
	    struct outbox_item **items);
void	 outbox_items_free(struct outbox_item *, size_t);
void	 outbox_sent(struct db *, int64_t id, time_t now);
/* A deferred mail got its Message-ID and subject when it was composed. */
void	 outbox_set_header(struct db *, int64_t id, const char *subject,
	    const char *message_id);
void	 outbox_failed(struct db *, int64_t id, const char *reply, time_t now);
/* How long a mail is retried before it is marked failed. */
#define OUTBOX_GIVE_UP	(5 * 86400)
/* A temporary failure: attempts + 1, next try per retry_next(); past
 * OUTBOX_GIVE_UP since it was queued, failed for good. */
void	 outbox_retry(struct db *, int64_t id, int attempts, const char *reply,
	    time_t now);
/* Drops the bodies of the mails sent since `since` (the server has them). */
void	 outbox_compact(struct db *, time_t since);
/* Pending mails (all, due or not), and the earliest next attempt (0 if none). */
size_t	 outbox_pending(struct db *, time_t *next_attempt);

#endif
