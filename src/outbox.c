/* outbox.c - the queue of mail to send. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "outbox.h"
#include "retry.h"
#include "util.h"

int64_t
outbox_add(struct db *db, const char *kind, const char *from, const char *rcpt,
    const char *subject, const char *message_id, const char *data, size_t len,
    time_t now)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO outbox (created_at, "
	    "kind, mail_from, rcpt, subject, message_id, data, next_attempt) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

	db_bind_int(st, 1, now);
	db_bind_text(st, 2, kind);
	db_bind_text(st, 3, from);
	db_bind_text(st, 4, rcpt);
	db_bind_text(st, 5, subject != NULL ? subject : "");
	db_bind_text(st, 6, message_id != NULL ? message_id : "");
	sqlite3_bind_blob(st, 7, data, (int)len, SQLITE_TRANSIENT);
	db_bind_int(st, 8, now);
	if (db_exec_stmt(db, st) == -1)
		fatalx("cannot queue mail to %s", rcpt);
	return sqlite3_last_insert_rowid(db_handle(db));
}

int64_t
outbox_add_deferred(struct db *db, const char *kind, const char *from,
    const char *rcpt, const char *subject, const char *render, time_t now)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO outbox (created_at, "
	    "kind, mail_from, rcpt, subject, data, next_attempt, render) "
	    "VALUES (?, ?, ?, ?, ?, X'', ?, ?)");

	db_bind_int(st, 1, now);
	db_bind_text(st, 2, kind);
	db_bind_text(st, 3, from);
	db_bind_text(st, 4, rcpt);
	db_bind_text(st, 5, subject != NULL ? subject : "");
	db_bind_int(st, 6, now);
	db_bind_text(st, 7, render);
	if (db_exec_stmt(db, st) == -1)
		fatalx("cannot queue mail to %s", rcpt);
	return sqlite3_last_insert_rowid(db_handle(db));
}

void
outbox_set_header(struct db *db, int64_t id, const char *subject,
    const char *message_id)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE outbox SET subject = ?, "
	    "message_id = ? WHERE id = ?");

	db_bind_text(st, 1, subject);
	db_bind_text(st, 2, message_id);
	db_bind_int(st, 3, id);
	db_exec_stmt(db, st);
}

size_t
outbox_due(struct db *db, time_t now, size_t max, struct outbox_item **items)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, mail_from, rcpt, data, "
	    "attempts, render FROM outbox WHERE status = 'pending' AND "
	    "next_attempt <= ? ORDER BY next_attempt, id LIMIT ?");
	size_t n = 0, total = 0;

	*items = NULL;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, (int64_t)max);
	while (total < OUTBOX_BATCH_BYTES && sqlite3_step(st) == SQLITE_ROW) {
		struct outbox_item *it;
		int len = sqlite3_column_bytes(st, 3);

		/* A deferred body will weigh about as much once composed. */
		total += len > 0 ? (size_t)len : OUTBOX_DEFERRED_GUESS;
		*items = xreallocarray(*items, n + 1, sizeof **items);
		it = &(*items)[n++];
		it->id = sqlite3_column_int64(st, 0);
		it->from = xstrdup(db_col_text(st, 1));
		it->rcpt = xstrdup(db_col_text(st, 2));
		it->len = (size_t)len;
		it->data = xmalloc(it->len + 1);
		/* An empty blob (a deferred mail) comes back as NULL. */
		if (it->len > 0)
			memcpy(it->data, sqlite3_column_blob(st, 3), it->len);
		it->data[it->len] = '\0';
		it->attempts = sqlite3_column_int(st, 4);
		it->render = xstrdup(db_col_text(st, 5));
	}
	sqlite3_reset(st);
	return n;
}

void
outbox_items_free(struct outbox_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].from);
		free(items[i].rcpt);
		free(items[i].data);
		free(items[i].render);
	}
	free(items);
}

void
outbox_sent(struct db *db, int64_t id, time_t now)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE outbox SET status = 'sent', "
	    "attempts = attempts + 1, sent_at = ?, last_error = '' "
	    "WHERE id = ?");

	db_bind_int(st, 1, now);
	db_bind_int(st, 2, id);
	db_exec_stmt(db, st);
}

void
outbox_failed(struct db *db, int64_t id, const char *reply, time_t now)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE outbox SET status = 'failed', "
	    "attempts = attempts + 1, last_error = ?, next_attempt = ? "
	    "WHERE id = ?");

	db_bind_text(st, 1, reply != NULL ? reply : "");
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, id);
	db_exec_stmt(db, st);
}

void
outbox_retry(struct db *db, int64_t id, int attempts, const char *reply,
    time_t now)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT created_at FROM outbox "
	    "WHERE id = ?");

	/* Like an MTA, give up after some days: the news would be stale. */
	db_bind_int(st, 1, id);
	if (now - (time_t)db_one_int(db, st, now) > OUTBOX_GIVE_UP) {
		char *why = xasprintf("gave up after %d attempts over %d days: "
		    "%s", attempts + 1, OUTBOX_GIVE_UP / 86400,
		    reply != NULL ? reply : "");

		log_warnx("mail %lld: %s", (long long)id, why);
		outbox_failed(db, id, why, now);
		free(why);
		return;
	}
	st = db_prepare(db, "UPDATE outbox SET attempts = ?, "
	    "last_error = ?, next_attempt = ? WHERE id = ?");

	db_bind_int(st, 1, attempts + 1);
	db_bind_text(st, 2, reply != NULL ? reply : "");
	db_bind_int(st, 3, retry_next(now, attempts + 1));
	db_bind_int(st, 4, id);
	db_exec_stmt(db, st);
}

size_t
outbox_pending(struct db *db, time_t *next_attempt)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT COUNT(*), MIN(next_attempt) "
	    "FROM outbox WHERE status = 'pending'");
	size_t n = 0;

	*next_attempt = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = (size_t)sqlite3_column_int64(st, 0);
		*next_attempt = (time_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return n;
}

void
outbox_compact(struct db *db, time_t since)
{
	/*
	 * A body is no longer needed once the server has it; freeing its
	 * pages for a whole run in one statement costs far less than one by
	 * one as each mail goes.
	 */
	sqlite3_stmt *st = db_prepare(db, "UPDATE outbox SET data = X'' "
	    "WHERE status = 'sent' AND sent_at >= ?");

	db_begin(db);
	db_bind_int(st, 1, since);
	db_exec_stmt(db, st);
	db_commit(db);
}
