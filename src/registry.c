/*
 * registry.c - sessions, agents and registrations, applying rules.c.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "registry.h"
#include "rules.h"
#include "util.h"

#define SESSION_COLUMNS							\
	"s.id, s.code, s.title, s.track, s.place, s.trainer, "		\
	"s.description, s.cancel_reason, s.status = 'cancelled', "	\
	"s.start_at, s.end_at, s.capacity, s.sequence, "		\
	"(SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id "\
	"  AND r.status IN ('registered', 'attended', 'absent')), "	\
	"(SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id "\
	"  AND r.status = 'waitlisted'), "					\
	"COALESCE((SELECT NULLIF(a.name, '') FROM agents a "		\
	"  WHERE a.email = s.trainer), s.trainer) "

static void
session_from_row(sqlite3_stmt *st, struct session *s)
{
	s->id = sqlite3_column_int64(st, 0);
	s->code = xstrdup(db_col_text(st, 1));
	s->title = xstrdup(db_col_text(st, 2));
	s->track = xstrdup(db_col_text(st, 3));
	s->place = xstrdup(db_col_text(st, 4));
	s->trainer = xstrdup(db_col_text(st, 5));
	s->description = xstrdup(db_col_text(st, 6));
	s->cancel_reason = xstrdup(db_col_text(st, 7));
	s->cancelled = sqlite3_column_int(st, 8);
	s->start = (time_t)sqlite3_column_int64(st, 9);
	s->end = (time_t)sqlite3_column_int64(st, 10);
	s->capacity = sqlite3_column_int(st, 11);
	s->sequence = sqlite3_column_int(st, 12);
	s->registered = sqlite3_column_int(st, 13);
	s->waiting = sqlite3_column_int(st, 14);
	s->trainer_name = xstrdup(db_col_text(st, 15));
}

void
session_clear(struct session *s)
{
	free(s->code);
	free(s->title);
	free(s->track);
	free(s->place);
	free(s->trainer);
	free(s->trainer_name);
	free(s->description);
	free(s->cancel_reason);
	memset(s, 0, sizeof *s);
}

static int
session_fetch(sqlite3_stmt *st, struct session *s)
{
	int found = 0;

	memset(s, 0, sizeof *s);
	if (sqlite3_step(st) == SQLITE_ROW) {
		session_from_row(st, s);
		found = 1;
	}
	sqlite3_reset(st);
	return found;
}

int
registry_session(struct db *db, const char *code, struct session *s)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " SESSION_COLUMNS
	    "FROM sessions s WHERE s.code = ?");

	db_bind_text(st, 1, code);
	return session_fetch(st, s);
}

int
registry_session_id(struct db *db, int64_t id, struct session *s)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " SESSION_COLUMNS
	    "FROM sessions s WHERE s.id = ?");

	db_bind_int(st, 1, id);
	return session_fetch(st, s);
}

static void
agent_from_row(sqlite3_stmt *st, struct agent *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->email = xstrdup(db_col_text(st, 1));
	a->name = xstrdup(db_col_text(st, 2));
	a->service = xstrdup(db_col_text(st, 3));
	a->manager = xstrdup(db_col_text(st, 4));
	a->lang = xstrdup(db_col_text(st, 5));
	a->programme = sqlite3_column_int(st, 6);
	a->bounced = sqlite3_column_int(st, 7);
}

void
agent_clear(struct agent *a)
{
	free(a->email);
	free(a->name);
	free(a->service);
	free(a->manager);
	free(a->lang);
	memset(a, 0, sizeof *a);
}

static int
agent_fetch(sqlite3_stmt *st, struct agent *a)
{
	int found = 0;

	memset(a, 0, sizeof *a);
	if (sqlite3_step(st) == SQLITE_ROW) {
		agent_from_row(st, a);
		found = 1;
	}
	sqlite3_reset(st);
	return found;
}

int
registry_agent(struct db *db, const char *email, struct agent *a)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, email, name, service, "
	    "manager, lang, programme, bounced FROM agents WHERE email = ?");

	db_bind_text(st, 1, email);
	return agent_fetch(st, a);
}

int
registry_agent_id(struct db *db, int64_t id, struct agent *a)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, email, name, service, "
	    "manager, lang, programme, bounced FROM agents WHERE id = ?");

	db_bind_int(st, 1, id);
	return agent_fetch(st, a);
}

int64_t
registry_agent_ensure(struct db *db, const char *email, const char *name,
    time_t now)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id FROM agents "
	    "WHERE email = ?");
	int64_t id;

	db_bind_text(st, 1, email);
	if ((id = db_one_int(db, st, 0)) != 0)
		return id;
	st = db_prepare(db, "INSERT INTO agents (email, name, created_at) "
	    "VALUES (?, ?, ?)");
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, name != NULL ? name : "");
	db_bind_int(st, 3, now);
	if (db_exec_stmt(db, st) == -1)
		fatalx("cannot add agent %s", email);
	return sqlite3_last_insert_rowid(db_handle(db));
}

char **
registry_codes(struct db *db, time_t now, size_t *n)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT code FROM sessions "
	    "WHERE status = 'planned' AND end_at > ? ORDER BY code");
	char **v = NULL;

	*n = 0;
	db_bind_int(st, 1, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(db_col_text(st, 0));
	}
	sqlite3_reset(st);
	return v;
}

enum reg_state
registry_state(struct db *db, int64_t session_id, int64_t agent_id,
    int *position)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT r.status, "
	    "(SELECT COUNT(*) FROM registrations w WHERE w.session_id = "
	    "r.session_id AND w.status = 'waitlisted' AND w.seq <= r.seq) "
	    "FROM registrations r WHERE r.session_id = ? AND r.agent_id = ?");
	enum reg_state rs = RS_NONE;

	db_bind_int(st, 1, session_id);
	db_bind_int(st, 2, agent_id);
	if (position != NULL)
		*position = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		rs = reg_state_parse(db_col_text(st, 0));
		if (position != NULL && rs == RS_WAITLISTED)
			*position = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return rs;
}

static void
history(struct db *db, int64_t session_id, int64_t agent_id,
    enum reg_state from, enum reg_state to, time_t now, const char *why)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO history (at, "
	    "session_id, agent_id, old_status, new_status, why) "
	    "VALUES (?, ?, ?, ?, ?, ?)");

	db_bind_int(st, 1, now);
	db_bind_int(st, 2, session_id);
	db_bind_int(st, 3, agent_id);
	db_bind_text(st, 4, from == RS_NONE ? NULL : reg_state_name(from));
	db_bind_text(st, 5, reg_state_name(to));
	db_bind_text(st, 6, why);
	if (db_exec_stmt(db, st) == -1)
		fatalx("cannot write history");
}

/* Sets the status (new row or update); a new place in a queue gets a new seq. */
static void
set_state(struct db *db, int64_t session_id, int64_t agent_id,
    enum reg_state from, enum reg_state to, int new_seq, time_t now,
    const char *why)
{
	sqlite3_stmt *st;

	if (from == RS_NONE) {
		st = db_prepare(db, "INSERT INTO registrations (session_id, "
		    "agent_id, status, seq, since) VALUES (?1, ?2, ?3, "
		    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM registrations "
		    "WHERE session_id = ?1), ?4)");
	} else if (new_seq) {
		st = db_prepare(db, "UPDATE registrations SET status = ?3, "
		    "seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM registrations "
		    "WHERE session_id = ?1), since = ?4 "
		    "WHERE session_id = ?1 AND agent_id = ?2");
	} else {
		st = db_prepare(db, "UPDATE registrations SET status = ?3, "
		    "since = ?4 WHERE session_id = ?1 AND agent_id = ?2");
	}
	db_bind_int(st, 1, session_id);
	db_bind_int(st, 2, agent_id);
	db_bind_text(st, 3, reg_state_name(to));
	db_bind_int(st, 4, now);
	if (db_exec_stmt(db, st) == -1)
		fatalx("cannot change registration");
	history(db, session_id, agent_id, from, to, now, why);
}

static void
notice_add(struct notices *out, enum notice_kind kind, int64_t agent_id,
    int64_t session_id, int position)
{
	struct notice *n;

	if (out == NULL)
		return;
	out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
	n = &out->v[out->n++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->agent_id = agent_id;
	n->session_id = session_id;
	n->position = position;
}

void
notices_free(struct notices *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i].old_place);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

static void
view_of(const struct session *s, struct session_view *v)
{
	v->cancelled = s->cancelled;
	v->start = s->start;
	v->end = s->end;
	v->capacity = s->capacity;
	v->registered = s->registered;
	v->waiting = s->waiting;
}

void
registry_balance(struct db *db, int64_t session_id, time_t now,
    const char *why, struct notices *out)
{
	struct session s;
	struct session_view v;
	sqlite3_stmt *st;
	int n;

	if (!registry_session_id(db, session_id, &s))
		return;
	view_of(&s, &v);
	session_clear(&s);

	/* Promote the first waiting, in queue order. */
	for (n = rules_promotions(&v); n > 0; n--) {
		int64_t agent;

		st = db_prepare(db, "SELECT agent_id FROM registrations "
		    "WHERE session_id = ? AND status = 'waitlisted' "
		    "ORDER BY seq LIMIT 1");
		db_bind_int(st, 1, session_id);
		if ((agent = db_one_int(db, st, 0)) == 0)
			break;
		set_state(db, session_id, agent, RS_WAITLISTED, RS_REGISTERED,
		    0, now, why);
		notice_add(out, NOTICE_PROMOTED, agent, session_id, 0);
	}
	/*
	 * Too many places held: the latest registered go back to the head of
	 * the waiting list, keeping their seq (older than every waiter's), so
	 * nobody is dropped and nobody is passed.
	 */
	for (n = rules_overflow(&v); n > 0; n--) {
		int64_t agent;
		int pos;

		st = db_prepare(db, "SELECT agent_id FROM registrations "
		    "WHERE session_id = ? AND status = 'registered' "
		    "ORDER BY seq DESC LIMIT 1");
		db_bind_int(st, 1, session_id);
		if ((agent = db_one_int(db, st, 0)) == 0)
			break;
		set_state(db, session_id, agent, RS_REGISTERED, RS_WAITLISTED,
		    0, now, why);
		registry_state(db, session_id, agent, &pos);
		notice_add(out, NOTICE_DEMOTED, agent, session_id, pos);
	}
	/* Positions of the demoted shift as others join the head: recompute. */
	if (out != NULL)
		for (size_t i = 0; i < out->n; i++)
			if (out->v[i].kind == NOTICE_DEMOTED &&
			    out->v[i].session_id == session_id)
				registry_state(db, session_id,
				    out->v[i].agent_id, &out->v[i].position);
}

static void
find_clashes(struct db *db, const struct session *s, int64_t agent_id,
    struct reg_result *res)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " SESSION_COLUMNS
	    "FROM sessions s JOIN registrations r ON r.session_id = s.id "
	    "WHERE r.agent_id = ? AND r.status = 'registered' "
	    "AND s.status = 'planned' AND s.id <> ? "
	    "AND s.start_at < ? AND ? < s.end_at ORDER BY s.start_at");

	db_bind_int(st, 1, agent_id);
	db_bind_int(st, 2, s->id);
	db_bind_int(st, 3, s->end);
	db_bind_int(st, 4, s->start);
	while (sqlite3_step(st) == SQLITE_ROW) {
		res->clashes = xreallocarray(res->clashes, res->nclashes + 1,
		    sizeof *res->clashes);
		session_from_row(st, &res->clashes[res->nclashes++]);
	}
	sqlite3_reset(st);
}

void
reg_result_clear(struct reg_result *res)
{
	session_clear(&res->session);
	for (size_t i = 0; i < res->nclashes; i++)
		session_clear(&res->clashes[i]);
	free(res->clashes);
	memset(res, 0, sizeof *res);
}

enum reg_outcome
registry_register(struct db *db, const char *code, int64_t agent_id,
    time_t now, const char *why, struct reg_result *res)
{
	struct session_view v;
	enum reg_state cur;
	enum reg_outcome out;

	memset(res, 0, sizeof *res);
	if (!registry_session(db, code, &res->session))
		return OUT_UNKNOWN_SESSION;
	view_of(&res->session, &v);
	cur = registry_state(db, res->session.id, agent_id, &res->position);
	out = rules_register(&v, cur, now);
	switch (out) {
	case OUT_REGISTERED:
		set_state(db, res->session.id, agent_id, cur, RS_REGISTERED, 1,
		    now, why);
		res->session.registered++;
		find_clashes(db, &res->session, agent_id, res);
		break;
	case OUT_WAITLISTED:
		set_state(db, res->session.id, agent_id, cur, RS_WAITLISTED, 1,
		    now, why);
		res->session.waiting++;
		registry_state(db, res->session.id, agent_id, &res->position);
		break;
	case OUT_ALREADY_REGISTERED:
		find_clashes(db, &res->session, agent_id, res);
		break;
	default:
		break;
	}
	return out;
}

enum unreg_outcome
registry_unregister(struct db *db, const char *code, int64_t agent_id,
    time_t now, const char *why, struct reg_result *res, struct notices *out)
{
	struct session_view v;
	enum reg_state cur;
	enum unreg_outcome o;

	memset(res, 0, sizeof *res);
	if (!registry_session(db, code, &res->session))
		return UNREG_UNKNOWN_SESSION;
	view_of(&res->session, &v);
	cur = registry_state(db, res->session.id, agent_id, NULL);
	o = rules_unregister(&v, cur, now);
	if (o == UNREG_CANCELLED || o == UNREG_LEFT_WAITLIST) {
		set_state(db, res->session.id, agent_id, cur, RS_CANCELLED, 0,
		    now, why);
		registry_balance(db, res->session.id, now, why, out);
	}
	return o;
}

int
registry_cancel_session(struct db *db, const char *code, const char *reason,
    time_t now, const char *why, struct notices *out)
{
	struct session s;
	sqlite3_stmt *st;
	int64_t *agents = NULL;
	enum reg_state *states = NULL;
	size_t n = 0;

	if (!registry_session(db, code, &s))
		return -1;
	if (s.cancelled) {
		session_clear(&s);
		return -1;
	}
	st = db_prepare(db, "SELECT agent_id, status FROM registrations "
	    "WHERE session_id = ? AND status IN ('registered', 'waitlisted') "
	    "ORDER BY status, seq");
	db_bind_int(st, 1, s.id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		agents = xreallocarray(agents, n + 1, sizeof *agents);
		states = xreallocarray(states, n + 1, sizeof *states);
		agents[n] = sqlite3_column_int64(st, 0);
		states[n++] = reg_state_parse(db_col_text(st, 1));
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		set_state(db, s.id, agents[i], states[i], RS_CANCELLED, 0, now,
		    why);
		notice_add(out, NOTICE_SESSION_CANCELLED, agents[i], s.id, 0);
		if (out != NULL)
			out->v[out->n - 1].was_waiting =
			    states[i] == RS_WAITLISTED;
	}
	st = db_prepare(db, "UPDATE sessions SET status = 'cancelled', "
	    "cancel_reason = ?, sequence = sequence + 1, updated_at = ? "
	    "WHERE id = ?");
	db_bind_text(st, 1, reason != NULL ? reason : "");
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, s.id);
	db_exec_stmt(db, st);
	free(agents);
	free(states);
	session_clear(&s);
	return 0;
}

int
registry_mark(struct db *db, int64_t session_id, int64_t agent_id,
    enum reg_state to, time_t now, const char *why)
{
	enum reg_state cur = registry_state(db, session_id, agent_id, NULL);

	if (!reg_state_holds_place(cur))
		return -1;
	if (cur != to)
		set_state(db, session_id, agent_id, cur, to, 0, now, why);
	return 0;
}

int64_t *
registry_programme_agents(struct db *db, size_t *n)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id FROM agents WHERE "
	    "programme = 1 AND bounced = 0 ORDER BY id");
	int64_t *ids = NULL;

	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, *n + 1, sizeof *ids);
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return ids;
}

int
registry_set_programme(struct db *db, int64_t agent_id, int on)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE agents SET programme = ? "
	    "WHERE id = ?");

	db_bind_int(st, 1, on);
	db_bind_int(st, 2, agent_id);
	return db_exec_stmt(db, st);
}

int
registry_mark_bounced(struct db *db, const char *email, const char *reason)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE agents SET bounced = 1, "
	    "bounce_reason = ? WHERE email = ?");

	db_bind_text(st, 1, reason);
	db_bind_text(st, 2, email);
	if (db_exec_stmt(db, st) == -1)
		return -1;
	return sqlite3_changes(db_handle(db)) > 0 ? 0 : -1;
}

#include "import.h"

static void
strv_add(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

void
import_summary_free(struct import_summary *sum)
{
	for (size_t i = 0; i < sum->nadded; i++)
		free(sum->added[i]);
	for (size_t i = 0; i < sum->nchanged; i++)
		free(sum->changed[i]);
	free(sum->added);
	free(sum->changed);
	memset(sum, 0, sizeof *sum);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

void
registry_import_sessions(struct db *db, const struct session_row *rows,
    size_t n, time_t now, const char *why, struct import_summary *sum,
    struct notices *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct session_row *r = &rows[i];
		struct session old;
		sqlite3_stmt *st;
		struct buf what = BUF_INIT;
		int moved;

		if (!registry_session(db, r->code, &old)) {
			st = db_prepare(db, "INSERT INTO sessions (code, title, "
			    "track, start_at, end_at, place, capacity, trainer, "
			    "description, created_at, updated_at) VALUES "
			    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
			db_bind_text(st, 1, r->code);
			db_bind_text(st, 2, r->title);
			db_bind_text(st, 3, nz(r->track));
			db_bind_int(st, 4, r->start);
			db_bind_int(st, 5, r->end);
			db_bind_text(st, 6, nz(r->place));
			db_bind_int(st, 7, r->capacity);
			db_bind_text(st, 8, nz(r->trainer));
			db_bind_text(st, 9, nz(r->description));
			db_bind_int(st, 10, now);
			db_bind_int(st, 11, now);
			if (db_exec_stmt(db, st) == -1)
				fatalx("cannot add session %s", r->code);
			strv_add(&sum->added, &sum->nadded, xstrdup(r->code));
			continue;
		}
		moved = old.start != r->start || old.end != r->end ||
		    strcmp(old.place, nz(r->place)) != 0;
		if (old.start != r->start || old.end != r->end)
			buf_adds(&what, "time, ");
		if (strcmp(old.place, nz(r->place)) != 0)
			buf_adds(&what, "place, ");
		if (old.capacity != r->capacity)
			buf_addf(&what, "capacity %d -> %d, ", old.capacity,
			    r->capacity);
		if (strcmp(old.title, r->title) != 0)
			buf_adds(&what, "title, ");
		if (strcmp(old.track, nz(r->track)) != 0 ||
		    strcmp(old.trainer, nz(r->trainer)) != 0 ||
		    strcmp(old.description, nz(r->description)) != 0)
			buf_adds(&what, "details, ");
		if (what.len == 0) {
			sum->unchanged++;
			session_clear(&old);
			buf_free(&what);
			continue;
		}
		what.s[what.len - 2] = '\0';
		strv_add(&sum->changed, &sum->nchanged,
		    xasprintf("%s: %s", r->code, what.s));
		buf_free(&what);
		st = db_prepare(db, "UPDATE sessions SET title = ?, track = ?, "
		    "start_at = ?, end_at = ?, place = ?, capacity = ?, "
		    "trainer = ?, description = ?, sequence = sequence + ?, "
		    "updated_at = ? WHERE id = ?");
		db_bind_text(st, 1, r->title);
		db_bind_text(st, 2, nz(r->track));
		db_bind_int(st, 3, r->start);
		db_bind_int(st, 4, r->end);
		db_bind_text(st, 5, nz(r->place));
		db_bind_int(st, 6, r->capacity);
		db_bind_text(st, 7, nz(r->trainer));
		db_bind_text(st, 8, nz(r->description));
		db_bind_int(st, 9, moved);
		db_bind_int(st, 10, now);
		db_bind_int(st, 11, old.id);
		if (db_exec_stmt(db, st) == -1)
			fatalx("cannot update session %s", r->code);
		if (moved && out != NULL) {
			st = db_prepare(db, "SELECT agent_id FROM registrations "
			    "WHERE session_id = ? AND status = 'registered' "
			    "ORDER BY seq");
			db_bind_int(st, 1, old.id);
			while (sqlite3_step(st) == SQLITE_ROW) {
				struct notice *nt;

				notice_add(out, NOTICE_SESSION_CHANGED,
				    sqlite3_column_int64(st, 0), old.id, 0);
				nt = &out->v[out->n - 1];
				nt->old_start = old.start;
				nt->old_end = old.end;
				nt->old_place = xstrdup(old.place);
			}
			sqlite3_reset(st);
		}
		if (old.capacity != r->capacity)
			registry_balance(db, old.id, now, why, out);
		session_clear(&old);
	}
}

void
registry_import_agents(struct db *db, const struct agent_row *rows, size_t n,
    time_t now, struct import_summary *sum)
{
	for (size_t i = 0; i < n; i++) {
		const struct agent_row *r = &rows[i];
		sqlite3_stmt *st;
		int64_t existing;

		st = db_prepare(db, "SELECT id FROM agents WHERE email = ?");
		db_bind_text(st, 1, r->email);
		existing = db_one_int(db, st, 0);
		st = db_prepare(db, "INSERT INTO agents (email, name, service, "
		    "manager, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
		    "ON CONFLICT (email) DO UPDATE SET name = ?2, "
		    "service = ?3, manager = ?4");
		db_bind_text(st, 1, r->email);
		db_bind_text(st, 2, r->name);
		db_bind_text(st, 3, nz(r->service));
		db_bind_text(st, 4, nz(r->manager));
		db_bind_int(st, 5, now);
		if (db_exec_stmt(db, st) == -1)
			fatalx("cannot import agent %s", r->email);
		if (existing == 0)
			strv_add(&sum->added, &sum->nadded, xstrdup(r->email));
		else if (sqlite3_changes(db_handle(db)) > 0)
			sum->unchanged++;
	}
}

int
registry_set_capacity(struct db *db, const char *code, int capacity,
    time_t now, const char *why, struct notices *out)
{
	struct session s;
	sqlite3_stmt *st;

	if (capacity < 1 || !registry_session(db, code, &s))
		return -1;
	st = db_prepare(db, "UPDATE sessions SET capacity = ?, updated_at = ? "
	    "WHERE id = ?");
	db_bind_int(st, 1, capacity);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, s.id);
	db_exec_stmt(db, st);
	registry_balance(db, s.id, now, why, out);
	session_clear(&s);
	return 0;
}
