/*
 * The registration engine on a real (in-memory) SQLite database: the
 * outcomes of each rule, and thousands of random register / cancel /
 * capacity steps with the invariants checked after every one:
 *   - never more places held than the capacity;
 *   - never a free place while someone waits;
 *   - waiting-list positions are 1..n, first come first served;
 *   - every change of a registration has its history row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "import.h"
#include "registry.h"
#include "util.h"

#define NOW	1796000000	/* 2026-11-29 */
#define DAY	86400

static struct db *
fresh_db(void)
{
	char *cause = NULL;
	struct db *db = db_open(":memory:", &cause);

	assert_non_null(db);
	assert_int_equal(db_schema_version(db), DB_SCHEMA_VERSION);
	return db;
}

static void
add_session(struct db *db, const char *code, time_t start, time_t end,
    int capacity)
{
	struct session_row r = { 0 };
	struct import_summary sum = { 0 };

	r.code = (char *)(uintptr_t)code;
	r.title = (char *)(uintptr_t)"Titre";
	r.start = start;
	r.end = end;
	r.capacity = capacity;
	registry_import_sessions(db, &r, 1, NOW, "test", &sum, NULL);
	assert_int_equal(sum.nadded, 1);
	import_summary_free(&sum);
}

static int64_t
agent(struct db *db, int i)
{
	char email[64];

	snprintf(email, sizeof email, "agent%d@ville.example", i);
	return registry_agent_ensure(db, email, "Agent", NOW);
}

static void
test_outcomes(void **state)
{
	struct db *db = fresh_db();
	struct reg_result res;
	struct notices ns = { 0 };
	int64_t a = agent(db, 1), b = agent(db, 2), c = agent(db, 3);

	(void)state;
	add_session(db, "session-1", NOW + DAY, NOW + DAY + 3600, 1);
	add_session(db, "session-2", NOW + DAY + 1800, NOW + DAY + 5400, 5);
	add_session(db, "old", NOW - DAY, NOW - DAY + 3600, 5);
	add_session(db, "now", NOW - 60, NOW + 3600, 5);
	db_begin(db);
	assert_int_equal(registry_register(db, "session-1", a, NOW, "t", &res),
	    OUT_REGISTERED);
	reg_result_clear(&res);
	assert_int_equal(registry_register(db, "session-1", a, NOW, "t", &res),
	    OUT_ALREADY_REGISTERED);
	reg_result_clear(&res);
	assert_int_equal(registry_register(db, "session-1", b, NOW, "t", &res),
	    OUT_WAITLISTED);
	assert_int_equal(res.position, 1);
	reg_result_clear(&res);
	assert_int_equal(registry_register(db, "session-1", c, NOW, "t", &res),
	    OUT_WAITLISTED);
	assert_int_equal(res.position, 2);
	reg_result_clear(&res);
	assert_int_equal(registry_register(db, "session-1", c, NOW, "t", &res),
	    OUT_ALREADY_WAITLISTED);
	assert_int_equal(res.position, 2);
	reg_result_clear(&res);
	/* Overlap: registered, and the clash is reported. */
	assert_int_equal(registry_register(db, "session-2", a, NOW, "t", &res),
	    OUT_REGISTERED);
	assert_int_equal(res.nclashes, 1);
	assert_string_equal(res.clashes[0].code, "session-1");
	reg_result_clear(&res);
	assert_int_equal(registry_register(db, "old", a, NOW, "t", &res),
	    OUT_REFUSED_PAST);
	reg_result_clear(&res);
	assert_int_equal(registry_register(db, "now", a, NOW, "t", &res),
	    OUT_REFUSED_STARTED);
	reg_result_clear(&res);
	assert_int_equal(registry_register(db, "nope", a, NOW, "t", &res),
	    OUT_UNKNOWN_SESSION);
	reg_result_clear(&res);
	/* Cancelling promotes the first waiting, atomically. */
	assert_int_equal(registry_unregister(db, "session-1", a, NOW, "t",
	    &res, &ns), UNREG_CANCELLED);
	reg_result_clear(&res);
	assert_int_equal(ns.n, 1);
	assert_int_equal(ns.v[0].kind, NOTICE_PROMOTED);
	assert_int_equal(ns.v[0].agent_id, b);
	notices_free(&ns);
	assert_int_equal(registry_state(db, 1, c, NULL), RS_WAITLISTED);
	assert_int_equal(registry_unregister(db, "session-1", a, NOW, "t",
	    &res, &ns), UNREG_NOT_REGISTERED);
	reg_result_clear(&res);
	/* Lowering and raising the capacity. */
	assert_int_equal(registry_set_capacity(db, "session-1", 2, NOW, "t",
	    &ns), 0);
	assert_int_equal(ns.n, 1);
	assert_int_equal(ns.v[0].kind, NOTICE_PROMOTED);
	notices_free(&ns);
	assert_int_equal(registry_set_capacity(db, "session-1", 1, NOW, "t",
	    &ns), 0);
	assert_int_equal(ns.n, 1);
	assert_int_equal(ns.v[0].kind, NOTICE_DEMOTED);
	assert_int_equal(ns.v[0].agent_id, c);	/* the latest registered */
	assert_int_equal(ns.v[0].position, 1);
	notices_free(&ns);
	/* Cancelling the session tells everyone. */
	assert_int_equal(registry_cancel_session(db, "session-1", "grève",
	    NOW, "t", &ns), 0);
	assert_int_equal(ns.n, 2);
	notices_free(&ns);
	assert_int_equal(registry_register(db, "session-1", a, NOW, "t", &res),
	    OUT_REFUSED_CANCELLED);
	reg_result_clear(&res);
	db_commit(db);
	db_close(db);
}

static void
check_invariants(struct db *db, int nsessions, size_t step)
{
	for (int s = 1; s <= nsessions; s++) {
		struct session ss;
		sqlite3_stmt *st;

		assert_true(registry_session_id(db, s, &ss));
		if (ss.registered > ss.capacity || (ss.waiting > 0 &&
		    ss.registered < ss.capacity))
			fail_msg("step %zu: session %d has %d registered, %d "
			    "waiting, capacity %d", step, s, ss.registered,
			    ss.waiting, ss.capacity);
		session_clear(&ss);
		/* Queue places are distinct (the model checks their order). */
		st = db_prepare(db, "SELECT COUNT(DISTINCT seq) = COUNT(*) FROM "
		    "registrations WHERE session_id = ? AND status = "
		    "'waitlisted'");
		db_bind_int(st, 1, s);
		assert_int_equal(db_one_int(db, st, 0), 1);
	}
}

static void
test_random_invariants(void **state)
{
	struct db *db = fresh_db();
	const int nsessions = 3, nagents = 40;
	const size_t steps = 4000;
	int64_t agents[40];
	size_t changes = 0;
	unsigned seed = 20261130;
	sqlite3_stmt *st;
	/* The waiting list in our own model, to check first come first served. */
	int64_t queue[3][40];
	int qlen[3] = { 0, 0, 0 };

	(void)state;
	for (int i = 0; i < nagents; i++)
		agents[i] = agent(db, i);
	add_session(db, "s1", NOW + DAY, NOW + DAY + 3600, 3);
	add_session(db, "s2", NOW + DAY, NOW + DAY + 3600, 7);
	add_session(db, "s3", NOW + 2 * DAY, NOW + 2 * DAY + 3600, 1);
	db_begin(db);
	for (size_t step = 0; step < steps; step++) {
		int s = rand_r(&seed) % nsessions;
		int a = rand_r(&seed) % nagents;
		int op = rand_r(&seed) % 10;
		char code[8];
		struct reg_result res;
		struct notices ns = { 0 };

		snprintf(code, sizeof code, "s%d", s + 1);
		if (op < 5) {
			enum reg_outcome o = registry_register(db, code,
			    agents[a], NOW, "random", &res);

			if (o == OUT_REGISTERED || o == OUT_WAITLISTED)
				changes++;
			if (o == OUT_WAITLISTED) {
				queue[s][qlen[s]++] = agents[a];
				assert_int_equal(res.position, qlen[s]);
			}
			reg_result_clear(&res);
		} else if (op < 9) {
			enum unreg_outcome o = registry_unregister(db, code,
			    agents[a], NOW, "random", &res, &ns);

			if (o == UNREG_CANCELLED || o == UNREG_LEFT_WAITLIST)
				changes++;
			if (o == UNREG_LEFT_WAITLIST) {
				int k = 0;

				while (queue[s][k] != agents[a])
					k++;
				memmove(&queue[s][k], &queue[s][k + 1],
				    (size_t)(qlen[s] - k - 1) * sizeof queue[s][0]);
				qlen[s]--;
			}
			reg_result_clear(&res);
		} else {
			int cap = 1 + rand_r(&seed) % 8;

			assert_int_equal(registry_set_capacity(db, code, cap,
			    NOW, "random", &ns), 0);
		}
		/* Promotions take the head of the queue, demotions go back to it. */
		for (size_t i = 0; i < ns.n; i++) {
			changes++;
			if (ns.v[i].kind == NOTICE_PROMOTED) {
				assert_true(qlen[s] > 0);
				assert_int_equal(ns.v[i].agent_id, queue[s][0]);
				memmove(&queue[s][0], &queue[s][1],
				    (size_t)(qlen[s] - 1) * sizeof queue[s][0]);
				qlen[s]--;
			}
		}
		{
			/* Demoted, most recent first, go to the head in seq order. */
			size_t nd = 0;

			for (size_t i = 0; i < ns.n; i++)
				if (ns.v[i].kind == NOTICE_DEMOTED)
					nd++;
			if (nd > 0) {
				memmove(&queue[s][nd], &queue[s][0],
				    (size_t)qlen[s] * sizeof queue[s][0]);
				for (size_t i = 0, k = nd; i < ns.n; i++)
					if (ns.v[i].kind == NOTICE_DEMOTED)
						queue[s][--k] = ns.v[i].agent_id;
				qlen[s] += (int)nd;
			}
		}
		notices_free(&ns);
		check_invariants(db, nsessions, step);
		/* The database's queue is our model's queue. */
		st = db_prepare(db, "SELECT agent_id FROM registrations WHERE "
		    "session_id = ? AND status = 'waitlisted' ORDER BY seq");
		db_bind_int(st, 1, s + 1);
		for (int k = 0; k < qlen[s]; k++) {
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int64(st, 0),
			    queue[s][k]);
		}
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	db_commit(db);
	st = db_prepare(db, "SELECT COUNT(*) FROM history WHERE why = 'random'");
	assert_int_equal(db_one_int(db, st, -1), (int64_t)changes);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_random_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
