/*
 * db.h - the SQLite edge: opening, numbered migrations (PRAGMA
 * user_version), transactions, and a cache of prepared statements.
 *
 * Every query in trucd goes through db_prepare() with bound parameters;
 * statements are keyed by the address of their SQL text, so callers pass
 * string literals.  A statement handed out is reset and its bindings
 * cleared before it is returned; it stays owned by the db.
 *
 * Errors are fatal by design only where the database itself is broken
 * (fatalx with the SQLite message); constraint and busy errors are returned
 * to the caller as -1.
 */
#ifndef TRUCD_DB_H
#define TRUCD_DB_H

#include <sqlite3.h>
#include <stdint.h>
#include <time.h>

struct db;

/* Opens (creating it and its schema if needed) the database at path, with WAL, foreign keys and a busy timeout. NULL + *cause on failure. */
struct db	*db_open(const char *path, char **cause);
void		 db_close(struct db *);
int		 db_schema_version(struct db *);
#define DB_SCHEMA_VERSION 6

sqlite3_stmt	*db_prepare(struct db *, const char *sql);
sqlite3		*db_handle(struct db *);

/* Transactions nest: only the outermost BEGIN/COMMIT reaches SQLite; the
 * inner levels are savepoints, so one message's effects can be rolled back
 * inside a batch transaction. */
void		 db_begin(struct db *);
void		 db_commit(struct db *);
void		 db_rollback(struct db *);
int		 db_in_transaction(struct db *);
/* PRAGMA synchronous: 2 (FULL, the default: a commit survives a power
 * cut) or 1 (NORMAL: in WAL mode it survives the process being killed). */
void		 db_set_synchronous(struct db *, int level);
/* Gives the page cache back before a long sleep. */
void		 db_release_memory(struct db *);

/* Runs a statement with no result rows; returns the sqlite3_step code
 * turned into 0 (SQLITE_DONE) or -1. */
int		 db_exec_stmt(struct db *, sqlite3_stmt *);
/* Single-value helpers; the stmt must be prepared and bound. */
int64_t		 db_one_int(struct db *, sqlite3_stmt *, int64_t dflt);

/* A small key/value table for daemon state (UIDVALIDITY, ...). */
char		*db_state_get(struct db *, const char *key);	/* caller frees; NULL if unset */
void		 db_state_set(struct db *, const char *key, const char *value);

/* Convenience binders: NULL text binds SQL NULL. */
void		 db_bind_text(sqlite3_stmt *, int idx, const char *);
void		 db_bind_int(sqlite3_stmt *, int idx, int64_t);
/* Column as text, never NULL ("" for SQL NULL); valid until the next step. */
const char	*db_col_text(sqlite3_stmt *, int col);

#endif
