/*
 * fetch.h - one pass over the school's mailbox: fetch every message in
 * batches, process each (process.h), commit the batch, and only then move
 * the messages to done_mailbox (or error_mailbox).
 *
 * The order is what makes a crash safe: a message is moved only after its
 * effects are on disk; one seen again after a crash is recognised by its
 * key and only moved.
 */
#ifndef TRUCD_FETCH_H
#define TRUCD_FETCH_H

#include <signal.h>
#include <stddef.h>

struct app;
struct imap;

struct fetch_stats {
	size_t	seen, done, already, errors;
};

/*
 * 0 when the pass ended (all handled, or *stop set between messages), -1
 * when the connection failed (the caller reconnects; nothing is lost).
 * after_batch, when not NULL, runs after each batch is committed and moved
 * (trucd delivers the outbox there: one SMTP connection per batch).
 */
int	 fetch_pass(struct app *, struct imap *, volatile sig_atomic_t *stop,
	    void (*after_batch)(struct app *), struct fetch_stats *);

#endif
