/*
 * db.c - SQLite: schema migrations, transactions, statement cache.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

struct stmt_slot {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct db {
	sqlite3		*h;
	struct stmt_slot *slots;
	size_t		 nslots;
	int		 depth;		/* transaction nesting level */
};

/*
 * Migrations: entry i brings the schema from version i to i + 1.  Never
 * edit a released entry; add a new one.  Times are UTC seconds.
 */
static const char *migrations[] = {
	/* 0 -> 1: the registration engine */
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  track TEXT NOT NULL DEFAULT '',"
	"  start_at INTEGER NOT NULL,"
	"  end_at INTEGER NOT NULL CHECK (end_at > start_at),"
	"  place TEXT NOT NULL DEFAULT '',"
	"  capacity INTEGER NOT NULL CHECK (capacity > 0),"
	"  trainer TEXT NOT NULL DEFAULT '',"
	"  description TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'planned'"
	"    CHECK (status IN ('planned', 'cancelled')),"
	"  cancel_reason TEXT NOT NULL DEFAULT '',"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX sessions_start ON sessions (start_at);"
	"CREATE TABLE agents ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  service TEXT NOT NULL DEFAULT '',"
	"  manager TEXT NOT NULL DEFAULT '',"
	"  programme INTEGER NOT NULL DEFAULT 1,"
	"  bounced INTEGER NOT NULL DEFAULT 0,"
	"  bounce_reason TEXT NOT NULL DEFAULT '',"
	"  lang TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE registrations ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions (id),"
	"  agent_id INTEGER NOT NULL REFERENCES agents (id),"
	"  status TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted',"
	"    'cancelled', 'attended', 'absent')),"
	"  seq INTEGER NOT NULL,"	/* first come, first served */
	"  since INTEGER NOT NULL,"
	"  UNIQUE (session_id, agent_id));"
	"CREATE INDEX registrations_queue ON registrations (session_id, status, seq);"
	"CREATE INDEX registrations_agent ON registrations (agent_id, status);"
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  session_id INTEGER NOT NULL,"
	"  agent_id INTEGER NOT NULL,"
	"  old_status TEXT,"
	"  new_status TEXT NOT NULL,"
	"  why TEXT NOT NULL);"
	"CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);",

	/* 1 -> 2: the mail loop */
	"CREATE TABLE handled ("
	"  key TEXT PRIMARY KEY,"	/* Message-ID or sha256 of the raw mail */
	"  at INTEGER NOT NULL,"
	"  sender TEXT NOT NULL DEFAULT '',"
	"  outcome TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  created_at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL DEFAULT 'reply',"
	"  mail_from TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  message_id TEXT NOT NULL DEFAULT '',"
	"  data BLOB NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (status IN ('pending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  sent_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox (status, next_attempt);"
	"CREATE TABLE replies_sent (rcpt TEXT NOT NULL COLLATE NOCASE, at INTEGER NOT NULL);"
	"CREATE INDEX replies_sent_rcpt ON replies_sent (rcpt, at);"
	"CREATE TABLE proposals ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  email TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  title TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '');",

	/* 2 -> 3: scheduled mail and coordinator confirmations */
	"CREATE TABLE scheduled ("
	"  key TEXT PRIMARY KEY,"	/* e.g. programme:2026-11-30, reminder:42:1d */
	"  at INTEGER NOT NULL,"
	"  outcome TEXT NOT NULL DEFAULT 'sent');"
	"CREATE TABLE confirmations ("
	"  code TEXT PRIMARY KEY,"
	"  email TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  used_at INTEGER,"
	"  raw BLOB NOT NULL);",

	/* 3 -> 4: an invitation's SEQUENCE counts a registration's history */
	"CREATE INDEX history_registration ON history (session_id, agent_id);",

	/* 4 -> 5: a new place in a queue looks up the session's last seq */
	"CREATE INDEX registrations_seq ON registrations (session_id, seq);",

	/*
	 * 5 -> 6: mail composed when it is sent (the weekly programme: 10,000
	 * bodies of 50 KB need not go through the database)
	 */
	"ALTER TABLE outbox ADD COLUMN render TEXT NOT NULL DEFAULT '';",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == DB_SCHEMA_VERSION,
    "one migration per schema version");

static int
exec_sql(sqlite3 *h, const char *sql, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xstrdup(err != NULL ? err : sqlite3_errmsg(h));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int
user_version(sqlite3 *h)
{
	sqlite3_stmt *st;
	int v = 0;

	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
migrate(sqlite3 *h, char **cause)
{
	int v = user_version(h);

	if (v < 0) {
		*cause = xstrdup(sqlite3_errmsg(h));
		return -1;
	}
	if (v > DB_SCHEMA_VERSION) {
		*cause = xasprintf("the database has schema version %d, newer "
		    "than this trucd (%d)", v, DB_SCHEMA_VERSION);
		return -1;
	}
	for (; v < DB_SCHEMA_VERSION; v++) {
		char *sql;
		int rc;

		/* Each step and its version bump commit together. */
		sql = xasprintf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; "
		    "COMMIT;", migrations[v], v + 1);
		rc = exec_sql(h, sql, cause);
		free(sql);
		if (rc == -1) {
			sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

struct db *
db_open(const char *path, char **cause)
{
	sqlite3 *h = NULL;
	struct db *db;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", path,
		    h != NULL ? sqlite3_errmsg(h) : "cannot open");
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 10000);
	/*
	 * WAL with synchronous=FULL: a commit is on disk before we move the
	 * mail it came from or tell the SMTP server it is done.
	 */
	if (exec_sql(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    " PRAGMA foreign_keys = ON;", cause) == -1 ||
	    migrate(h, cause) == -1) {
		char *c = xasprintf("%s: %s", path, *cause);

		free(*cause);
		*cause = c;
		sqlite3_close(h);
		return NULL;
	}
	db = xcalloc(1, sizeof *db);
	db->h = h;
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->nslots; i++)
		sqlite3_finalize(db->slots[i].stmt);
	free(db->slots);
	sqlite3_close(db->h);
	free(db);
}

int
db_schema_version(struct db *db)
{
	return user_version(db->h);
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

sqlite3_stmt *
db_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt *st;

	for (size_t i = 0; i < db->nslots; i++) {
		if (db->slots[i].sql == sql) {
			st = db->slots[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		fatalx("sqlite: %s in: %s", sqlite3_errmsg(db->h), sql);
	db->slots = xreallocarray(db->slots, db->nslots + 1,
	    sizeof *db->slots);
	db->slots[db->nslots].sql = sql;
	db->slots[db->nslots].stmt = st;
	db->nslots++;
	return st;
}

static void
exec_or_die(struct db *db, const char *sql)
{
	char *cause;

	if (exec_sql(db->h, sql, &cause) == -1)
		fatalx("sqlite: %s: %s", sql, cause);
}

void
db_begin(struct db *db)
{
	if (db->depth == 0)
		exec_or_die(db, "BEGIN IMMEDIATE");
	else {
		char sql[64];

		snprintf(sql, sizeof sql, "SAVEPOINT sp%d", db->depth);
		exec_or_die(db, sql);
	}
	db->depth++;
}

void
db_commit(struct db *db)
{
	if (db->depth <= 0)
		fatalx("db_commit outside a transaction");
	db->depth--;
	if (db->depth == 0)
		exec_or_die(db, "COMMIT");
	else {
		char sql[64];

		snprintf(sql, sizeof sql, "RELEASE sp%d", db->depth);
		exec_or_die(db, sql);
	}
}

void
db_rollback(struct db *db)
{
	if (db->depth <= 0)
		fatalx("db_rollback outside a transaction");
	db->depth--;
	if (db->depth == 0)
		exec_or_die(db, "ROLLBACK");
	else {
		char sql[96];

		snprintf(sql, sizeof sql, "ROLLBACK TO sp%d; RELEASE sp%d",
		    db->depth, db->depth);
		exec_or_die(db, sql);
	}
}

void
db_set_synchronous(struct db *db, int level)
{
	exec_or_die(db, level >= 2 ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL");
}

void
db_release_memory(struct db *db)
{
	sqlite3_db_release_memory(db->h);
}

int
db_in_transaction(struct db *db)
{
	return db->depth > 0;
}

int
db_exec_stmt(struct db *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(st);
		return 0;
	}
	log_warnx("sqlite: %s", sqlite3_errmsg(db->h));
	sqlite3_reset(st);
	return -1;
}

int64_t
db_one_int(struct db *db, sqlite3_stmt *st, int64_t dflt)
{
	int64_t v = dflt;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_warnx("sqlite: %s", sqlite3_errmsg(db->h));
	sqlite3_reset(st);
	return v;
}

char *
db_state_get(struct db *db, const char *key)
{
	sqlite3_stmt *st = db_prepare(db,
	    "SELECT value FROM state WHERE key = ?");
	char *v = NULL;

	db_bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = xstrdup(db_col_text(st, 0));
	sqlite3_reset(st);
	return v;
}

void
db_state_set(struct db *db, const char *key, const char *value)
{
	sqlite3_stmt *st = db_prepare(db,
	    "INSERT INTO state (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value");

	db_bind_text(st, 1, key);
	db_bind_text(st, 2, value);
	db_exec_stmt(db, st);
}

void
db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

void
db_bind_int(sqlite3_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(st, idx, v);
}

const char *
db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? (const char *)s : "";
}
