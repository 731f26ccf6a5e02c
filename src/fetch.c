/* fetch.c - the mailbox pass. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "fetch.h"
#include "imap.h"
#include "log.h"
#include "process.h"
#include "util.h"

static int
move(struct imap *imap, const uint32_t *uids, size_t n, const char *to)
{
	char *cause = NULL;

	if (n == 0)
		return 0;
	if (imap_move(imap, uids, n, to, &cause) == -1) {
		log_warnx("cannot move %zu messages to %s: %s", n, to, cause);
		free(cause);
		return -1;
	}
	return 0;
}

int
fetch_pass(struct app *app, struct imap *imap, volatile sig_atomic_t *stop,
    void (*after_batch)(struct app *), struct fetch_stats *stats)
{
	uint32_t uidvalidity = 0, *uids = NULL, *done = NULL, *bad = NULL;
	size_t nuids = 0, batch = (size_t)app->conf->imap_batch;
	char *cause = NULL, *known, now_uv[16];
	int rc = 0;

	memset(stats, 0, sizeof *stats);
	if (imap_select(imap, app->conf->mailbox, &uidvalidity, &cause) == -1 ||
	    imap_list_uids(imap, &uids, &nuids, &cause) == -1) {
		log_warnx("mailbox %s: %s", app->conf->mailbox, cause);
		free(cause);
		return -1;
	}
	/*
	 * Handled messages are recognised by their key, not their UID, so a
	 * new UIDVALIDITY loses nothing; it is worth a line in the log.
	 */
	snprintf(now_uv, sizeof now_uv, "%" PRIu32, uidvalidity);
	known = db_state_get(app->db, "uidvalidity");
	if (known == NULL || strcmp(known, now_uv) != 0) {
		if (known != NULL)
			log_notice("mailbox %s has a new UIDVALIDITY (%s, was "
			    "%s)", app->conf->mailbox, now_uv, known);
		db_state_set(app->db, "uidvalidity", now_uv);
	}
	free(known);
	done = xcalloc(batch, sizeof *done);
	bad = xcalloc(batch, sizeof *bad);
	for (size_t off = 0; off < nuids && !*stop; off += batch) {
		size_t n = nuids - off < batch ? nuids - off : batch;
		size_t nmsgs = 0, ndone = 0, nbad = 0;
		struct imap_msg *msgs = NULL;

		if (imap_fetch(imap, uids + off, n, &msgs, &nmsgs, &cause) ==
		    -1) {
			log_warnx("fetch: %s", cause);
			free(cause);
			rc = -1;
			break;
		}
		/* The batch commits once; each message is a savepoint inside. */
		db_begin(app->db);
		for (size_t i = 0; i < nmsgs && !*stop; i++) {
			switch (process_message(app, msgs[i].data, msgs[i].len,
			    msgs[i].uid)) {
			case PROCESS_DONE:
				done[ndone++] = msgs[i].uid;
				stats->done++;
				break;
			case PROCESS_ALREADY:
				done[ndone++] = msgs[i].uid;
				stats->already++;
				break;
			case PROCESS_UNPARSABLE:
				bad[nbad++] = msgs[i].uid;
				stats->errors++;
				break;
			}
			stats->seen++;
		}
		db_commit(app->db);
		imap_msgs_free(msgs, nmsgs);
		if (move(imap, done, ndone, app->conf->done_mailbox) == -1 ||
		    move(imap, bad, nbad, app->conf->error_mailbox) == -1) {
			rc = -1;
			break;
		}
		if (after_batch != NULL)
			after_batch(app);
	}
	free(done);
	free(bad);
	free(uids);
	if (stats->seen > 0)
		log_info("mailbox: %zu read, %zu handled, %zu seen before, %zu "
		    "unreadable", stats->seen, stats->done, stats->already,
		    stats->errors);
	return rc;
}
