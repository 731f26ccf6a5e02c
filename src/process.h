/*
 * process.h - what happens to one incoming mail, between the IMAP edge
 * and the outbox: parse, tell robots from people, read the commands, apply
 * them, queue exactly one reply (and the notices others must get).
 *
 * process_message() runs inside the caller's batch transaction, in a
 * savepoint of its own: a message's effects, the record that it was
 * handled, and every mail it causes commit together or not at all.  A
 * message already handled (seen again after a crash) changes nothing.
 */
#ifndef TRUCD_PROCESS_H
#define TRUCD_PROCESS_H

#include <stddef.h>
#include <stdint.h>

struct app;

enum process_status {
	PROCESS_DONE,		/* handled now: move it to done_mailbox */
	PROCESS_ALREADY,	/* handled before: only move it */
	PROCESS_UNPARSABLE,	/* move it to error_mailbox */
};

enum process_status process_message(struct app *, const char *raw,
		    size_t len, uint32_t uid);

#endif
