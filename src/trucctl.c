/*
 * trucctl - the administration tool: imports, lists, cancellations,
 * attendance, sign-in sheets and figures, on trucd's database.
 *
 * Listings are CSV on stdout (RFC 4180, UTF-8, ','; --excel: ';' and a
 * BOM, which LibreOffice and Excel open right).  Imports are all or
 * nothing: every bad row is reported as FILE:LINE: column: what, exit 1,
 * and the database is left untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "app.h"
#include "command.h"
#include "csv.h"
#include "import.h"
#include "log.h"
#include "notify.h"
#include "registry.h"
#include "report.h"
#include "scheduler.h"
#include "sheet.h"
#include "tz.h"
#include "util.h"

#define MAX_POSITIONAL	8
#define MAX_OPTS	32
#define MAX_LIST	512

struct args {
	const char	*conf;
	const char	*now;
	int		 excel;
	int		 all;
	int		 preview;
	const char	*pos[MAX_POSITIONAL];
	int		 npos;
	struct { const char *name, *value; } opts[MAX_OPTS];
	int		 nopts;
	/* --present / --absent take every following word, and may repeat */
	const char	*present[MAX_LIST], *absent[MAX_LIST];
	int		 npresent, nabsent;
};

static void __attribute__((noreturn))
usage_to(FILE *f, int status)
{
	fputs(
"usage: trucctl [-c FILE] [--now 'YYYY-MM-DD HH:MM'] [--excel] COMMAND ...\n"
"\n"
"  session import FILE.csv\n"
"  session add CODE --title T --start 'YYYY-MM-DD HH:MM' --end 'YYYY-MM-DD HH:MM'\n"
"              --capacity N [--place P] [--track K] [--trainer EMAIL] [--description D]\n"
"  session list [--all]\n"
"  session cancel CODE [--reason R]\n"
"  agent import FILE.csv\n"
"  agent list\n"
"  register CODE EMAIL          register an agent by hand\n"
"  unregister CODE EMAIL        cancel an agent's registration by hand\n"
"  registrations CODE\n"
"  outbox\n"
"  proposals\n"
"  sheet CODE -o FILE.pdf        the sign-in sheet\n"
"  attendance CODE --present EMAIL... [--absent EMAIL...]\n"
"  report --year YYYY [--html FILE]\n"
"  programme --preview [--to EMAIL]\n", f);
	exit(status);
}

static void __attribute__((noreturn))
usage(void)
{
	usage_to(stderr, 2);
}

static const char *
opt(const struct args *a, const char *name)
{
	for (int i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return a->opts[i].value;
	return NULL;
}

static void
parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof *a);
	a->conf = getenv("TRUCD_CONF") != NULL ? getenv("TRUCD_CONF") :
	    "/etc/trucd/trucd.conf";
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "-c") == 0 && i + 1 < argc)
			a->conf = argv[++i];
		else if (strcmp(s, "--now") == 0 && i + 1 < argc)
			a->now = argv[++i];
		else if (strcmp(s, "--excel") == 0)
			a->excel = 1;
		else if (strcmp(s, "--all") == 0)
			a->all = 1;
		else if (strcmp(s, "--preview") == 0)
			a->preview = 1;
		else if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0)
			usage_to(stdout, 0);
		else if (strcmp(s, "--present") == 0 ||
		    strcmp(s, "--absent") == 0) {
			const char **list = s[2] == 'p' ? a->present : a->absent;
			int *n = s[2] == 'p' ? &a->npresent : &a->nabsent;

			while (i + 1 < argc && argv[i + 1][0] != '-') {
				if (*n == MAX_LIST) {
					fprintf(stderr, "trucctl: too many "
					    "addresses after %s\n", s);
					exit(2);
				}
				list[(*n)++] = argv[++i];
			}
		} else if (strncmp(s, "--", 2) == 0 || strcmp(s, "-o") == 0) {
			static const char *known[] = { "--title", "--start",
			    "--end", "--capacity", "--place", "--track",
			    "--trainer", "--description", "--reason", "-o",
			    "--year", "--html", "--to" };
			size_t k;

			for (k = 0; k < nitems(known); k++)
				if (strcmp(s, known[k]) == 0)
					break;
			if (k == nitems(known)) {
				fprintf(stderr, "trucctl: unknown option %s\n", s);
				exit(2);
			}
			if (i + 1 >= argc || a->nopts == MAX_OPTS) {
				fprintf(stderr, "trucctl: %s needs a value\n", s);
				exit(2);
			}
			a->opts[a->nopts].name = s;
			a->opts[a->nopts++].value = argv[++i];
		} else if (a->npos < MAX_POSITIONAL)
			a->pos[a->npos++] = s;
		else
			usage();
	}
}

static void
out_start(struct buf *b, const struct args *a, const char *const *header,
    size_t n)
{
	if (a->excel)
		csv_write_bom(b);
	csv_write_row(b, header, n, a->excel);
}

static void
out_flush(struct buf *b)
{
	if (b->len > 0)
		fwrite(b->s, 1, b->len, stdout);
	buf_free(b);
}

static int
read_input(const char *path, char **data, size_t *len)
{
	char *cause = NULL;

	if ((*data = file_read(path, len, &cause)) == NULL) {
		fprintf(stderr, "trucctl: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static void
print_summary(const char *what, const struct import_summary *sum)
{
	printf("%s: %zu added, %zu changed, %zu unchanged\n", what, sum->nadded,
	    sum->nchanged, sum->unchanged);
	for (size_t i = 0; i < sum->nadded; i++)
		printf("added: %s\n", sum->added[i]);
	for (size_t i = 0; i < sum->nchanged; i++)
		printf("changed: %s\n", sum->changed[i]);
}

/* Prints the moves an import or a capacity change caused, then mails them. */
static void
report_notices(struct app *app, const struct notices *ns)
{
	for (size_t i = 0; i < ns->n; i++) {
		const struct notice *n = &ns->v[i];
		struct agent ag;
		struct session s;

		registry_agent_id(app->db, n->agent_id, &ag);
		registry_session_id(app->db, n->session_id, &s);
		switch (n->kind) {
		case NOTICE_DEMOTED:
			printf("over capacity: %s: %s <%s> moved back to the "
			    "waiting list (position %d)\n", s.code, ag.name,
			    ag.email, n->position);
			break;
		case NOTICE_PROMOTED:
			printf("promoted: %s: %s <%s>\n", s.code, ag.name,
			    ag.email);
			break;
		case NOTICE_SESSION_CHANGED:
			printf("told of the change: %s: %s <%s>\n", s.code,
			    ag.name, ag.email);
			break;
		case NOTICE_SESSION_CANCELLED:
			printf("told of the cancellation: %s: %s <%s>\n",
			    s.code, ag.name, ag.email);
			break;
		}
		agent_clear(&ag);
		session_clear(&s);
	}
	notify_notices(app, ns);
}

static int
import_sessions_data(struct app *app, const char *data, size_t len,
    const char *name)
{
	struct session_row *rows = NULL;
	size_t n = 0;
	struct buf errors = BUF_INIT;
	struct import_summary sum = { 0 };
	struct notices ns = { 0 };
	char *why;

	if (import_sessions(data, len, name, &rows, &n, &errors) > 0) {
		fputs(errors.s, stderr);
		fputs("nothing was imported\n", stderr);
		buf_free(&errors);
		return 1;
	}
	buf_free(&errors);
	why = xasprintf("trucctl session import %s", name);
	db_begin(app->db);
	registry_import_sessions(app->db, rows, n, app_now(app), why, &sum,
	    &ns);
	report_notices(app, &ns);
	db_commit(app->db);
	print_summary("sessions", &sum);
	import_summary_free(&sum);
	notices_free(&ns);
	session_rows_free(rows, n);
	free(why);
	return 0;
}

static int
cmd_session_import(struct app *app, const struct args *a)
{
	char *data;
	size_t len;
	int rc;

	if (a->npos != 3)
		usage();
	if (read_input(a->pos[2], &data, &len) == -1)
		return 1;
	rc = import_sessions_data(app, data, len, a->pos[2]);
	free(data);
	return rc;
}

/* session add: the same checks as an import, on a one-row file built from the options. */
static int
cmd_session_add(struct app *app, const struct args *a)
{
	static const char *cols[] = { "code", "title", "start", "end",
	    "capacity", "place", "track", "trainer", "description" };
	const char *vals[9];
	struct buf csv = BUF_INIT;
	struct session s;
	int rc;

	if (a->npos != 3)
		usage();
	vals[0] = a->pos[2];
	vals[1] = opt(a, "--title");
	vals[2] = opt(a, "--start");
	vals[3] = opt(a, "--end");
	vals[4] = opt(a, "--capacity");
	vals[5] = opt(a, "--place");
	vals[6] = opt(a, "--track");
	vals[7] = opt(a, "--trainer");
	vals[8] = opt(a, "--description");
	for (int i = 1; i < 5; i++)
		if (vals[i] == NULL) {
			fprintf(stderr, "trucctl: session add needs --%s\n",
			    cols[i]);
			return 2;
		}
	for (int i = 5; i < 9; i++)
		if (vals[i] == NULL)
			vals[i] = "";
	if (registry_session(app->db, a->pos[2], &s)) {
		session_clear(&s);
		fprintf(stderr, "trucctl: session %s exists already (use "
		    "session import to change it)\n", a->pos[2]);
		return 1;
	}
	csv_write_row(&csv, cols, 9, 0);
	csv_write_row(&csv, vals, 9, 0);
	rc = import_sessions_data(app, csv.s, csv.len, "arguments");
	buf_free(&csv);
	return rc;
}

static int
cmd_session_list(struct app *app, const struct args *a)
{
	static const char *hdr[] = { "code", "title", "track", "start", "end",
	    "place", "capacity", "registered", "waitlisted", "status" };
	sqlite3_stmt *st = db_prepare(app->db, "SELECT id FROM sessions "
	    "WHERE ?1 OR (status = 'planned' AND end_at > ?2) "
	    "ORDER BY start_at, code");
	struct buf out = BUF_INIT;

	out_start(&out, a, hdr, nitems(hdr));
	db_bind_int(st, 1, a->all);
	db_bind_int(st, 2, app_now(app));
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct session s;
		char start[32], end[32], cap[16], reg[16], wait[16];
		const char *row[10];

		registry_session_id(app->db, sqlite3_column_int64(st, 0), &s);
		tz_format_local(s.start, start, sizeof start);
		tz_format_local(s.end, end, sizeof end);
		snprintf(cap, sizeof cap, "%d", s.capacity);
		snprintf(reg, sizeof reg, "%d", s.registered);
		snprintf(wait, sizeof wait, "%d", s.waiting);
		row[0] = s.code;
		row[1] = s.title;
		row[2] = s.track;
		row[3] = start;
		row[4] = end;
		row[5] = s.place;
		row[6] = cap;
		row[7] = reg;
		row[8] = wait;
		row[9] = s.cancelled ? "cancelled" : "planned";
		csv_write_row(&out, row, 10, a->excel);
		session_clear(&s);
	}
	sqlite3_reset(st);
	out_flush(&out);
	return 0;
}

/* A code as the mail commands read it ("Session-42", "#42"); caller frees. */
static char *
arg_code(const char *arg)
{
	char *code = code_normalise(arg);

	return code != NULL ? code : xstrdup(arg);
}

static int
cmd_session_cancel(struct app *app, const struct args *a)
{
	struct notices ns = { 0 };
	const char *reason = opt(a, "--reason");
	char *why, *code;

	if (a->npos != 3)
		usage();
	code = arg_code(a->pos[2]);
	why = xasprintf("trucctl session cancel %s", code);
	db_begin(app->db);
	if (registry_cancel_session(app->db, code, reason, app_now(app),
	    why, &ns) == -1) {
		db_rollback(app->db);
		fprintf(stderr, "trucctl: no planned session %s\n", code);
		free(why);
		free(code);
		return 1;
	}
	report_notices(app, &ns);
	db_commit(app->db);
	printf("session %s cancelled; %zu agents told\n", code, ns.n);
	notices_free(&ns);
	free(why);
	free(code);
	return 0;
}

static int
cmd_agent_import(struct app *app, const struct args *a)
{
	struct agent_row *rows = NULL;
	size_t n = 0, len;
	struct buf errors = BUF_INIT;
	struct import_summary sum = { 0 };
	char *data;

	if (a->npos != 3)
		usage();
	if (read_input(a->pos[2], &data, &len) == -1)
		return 1;
	if (import_agents(data, len, a->pos[2], &rows, &n, &errors) > 0) {
		fputs(errors.s, stderr);
		fputs("nothing was imported\n", stderr);
		buf_free(&errors);
		free(data);
		return 1;
	}
	buf_free(&errors);
	db_begin(app->db);
	registry_import_agents(app->db, rows, n, app_now(app), &sum);
	db_commit(app->db);
	printf("agents: %zu added, %zu updated\n", sum.nadded, sum.unchanged);
	import_summary_free(&sum);
	agent_rows_free(rows, n);
	free(data);
	return 0;
}

static int
cmd_agent_list(struct app *app, const struct args *a)
{
	static const char *hdr[] = { "email", "name", "service", "programme",
	    "status" };
	sqlite3_stmt *st = db_prepare(app->db, "SELECT email, name, service, "
	    "programme, bounced, bounce_reason FROM agents ORDER BY email");
	struct buf out = BUF_INIT;

	out_start(&out, a, hdr, nitems(hdr));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row[5];

		row[0] = db_col_text(st, 0);
		row[1] = db_col_text(st, 1);
		row[2] = db_col_text(st, 2);
		row[3] = sqlite3_column_int(st, 3) ? "yes" : "no";
		row[4] = sqlite3_column_int(st, 4) ? "undeliverable" : "ok";
		csv_write_row(&out, row, 5, a->excel);
	}
	sqlite3_reset(st);
	out_flush(&out);
	return 0;
}

/* The session a code names. */
static int
session_by_arg(struct app *app, const char *arg, struct session *s)
{
	char *code = arg_code(arg);
	int found = registry_session(app->db, code, s);

	if (!found)
		fprintf(stderr, "trucctl: no session %s\n", arg);
	free(code);
	return found;
}

static int
cmd_registrations(struct app *app, const struct args *a)
{
	static const char *hdr[] = { "email", "name", "status", "position",
	    "since" };
	struct session s;
	sqlite3_stmt *st;
	struct buf out = BUF_INIT;
	int pos = 0;

	if (a->npos != 2)
		usage();
	if (!session_by_arg(app, a->pos[1], &s))
		return 1;
	st = db_prepare(app->db, "SELECT a.email, a.name, r.status, r.since "
	    "FROM registrations r JOIN agents a ON a.id = r.agent_id "
	    "WHERE r.session_id = ? ORDER BY CASE r.status WHEN 'waitlisted' "
	    "THEN 1 WHEN 'cancelled' THEN 2 ELSE 0 END, r.seq");
	db_bind_int(st, 1, s.id);
	out_start(&out, a, hdr, nitems(hdr));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row[5];
		char position[16] = "", since[32];

		row[0] = db_col_text(st, 0);
		row[1] = db_col_text(st, 1);
		row[2] = db_col_text(st, 2);
		if (strcmp(row[2], "waitlisted") == 0)
			snprintf(position, sizeof position, "%d", ++pos);
		row[3] = position;
		tz_format_local((time_t)sqlite3_column_int64(st, 3), since,
		    sizeof since);
		row[4] = since;
		csv_write_row(&out, row, 5, a->excel);
	}
	sqlite3_reset(st);
	session_clear(&s);
	out_flush(&out);
	return 0;
}

static int
cmd_outbox(struct app *app, const struct args *a)
{
	static const char *hdr[] = { "id", "to", "subject", "status",
	    "attempts", "next_attempt", "last_error" };
	sqlite3_stmt *st = db_prepare(app->db, "SELECT id, rcpt, subject, "
	    "status, attempts, next_attempt, last_error FROM outbox "
	    "ORDER BY id");
	struct buf out = BUF_INIT;

	out_start(&out, a, hdr, nitems(hdr));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row[7];
		char id[24], attempts[16], next[32] = "";

		snprintf(id, sizeof id, "%lld",
		    (long long)sqlite3_column_int64(st, 0));
		snprintf(attempts, sizeof attempts, "%d",
		    sqlite3_column_int(st, 4));
		row[0] = id;
		row[1] = db_col_text(st, 1);
		row[2] = db_col_text(st, 2);
		row[3] = db_col_text(st, 3);
		row[4] = attempts;
		if (strcmp(row[3], "pending") == 0)
			tz_format_local((time_t)sqlite3_column_int64(st, 5), next,
			    sizeof next);
		row[5] = next;
		row[6] = db_col_text(st, 6);
		csv_write_row(&out, row, 7, a->excel);
	}
	sqlite3_reset(st);
	out_flush(&out);
	return 0;
}

static int
agent_by_arg(struct app *app, const char *arg, struct agent *ag)
{
	char *email = addr_normalise(arg);
	int found;

	if (email == NULL) {
		fprintf(stderr, "trucctl: %s is not an e-mail address\n", arg);
		return 0;
	}
	found = registry_agent(app->db, email, ag);
	if (!found)
		fprintf(stderr, "trucctl: no agent %s\n", email);
	free(email);
	return found;
}

static int
cmd_register(struct app *app, const struct args *a, int on)
{
	struct agent ag;
	struct reg_result res;
	struct notices ns = { 0 };
	char *why, *code;
	int rc = 0;

	if (a->npos != 3)
		usage();
	if (!agent_by_arg(app, a->pos[2], &ag))
		return 1;
	code = arg_code(a->pos[1]);
	why = xasprintf("trucctl %s %s %s", a->pos[0], code, ag.email);
	db_begin(app->db);
	if (on) {
		enum reg_outcome o = registry_register(app->db, code,
		    ag.id, app_now(app), why, &res);

		switch (o) {
		case OUT_REGISTERED:
			printf("registered\n");
			break;
		case OUT_WAITLISTED:
			printf("waitlisted, position %d\n", res.position);
			break;
		case OUT_ALREADY_REGISTERED:
			printf("already registered\n");
			break;
		case OUT_ALREADY_WAITLISTED:
			printf("already waitlisted, position %d\n",
			    res.position);
			break;
		default:
			fprintf(stderr, "trucctl: refused: %s\n",
			    o == OUT_UNKNOWN_SESSION ? "no such session" :
			    o == OUT_REFUSED_CANCELLED ? "session cancelled" :
			    o == OUT_REFUSED_STARTED ? "session started" :
			    "session over");
			rc = 1;
		}
	} else {
		enum unreg_outcome o = registry_unregister(app->db, code,
		    ag.id, app_now(app), why, &res, &ns);

		if (o == UNREG_CANCELLED || o == UNREG_LEFT_WAITLIST)
			printf("cancelled\n");
		else {
			fprintf(stderr, "trucctl: nothing to cancel\n");
			rc = 1;
		}
		report_notices(app, &ns);
	}
	db_commit(app->db);
	reg_result_clear(&res);
	notices_free(&ns);
	agent_clear(&ag);
	free(why);
	free(code);
	return rc;
}

static int
cmd_proposals(struct app *app, const struct args *a)
{
	static const char *hdr[] = { "date", "email", "name", "title",
	    "description" };
	sqlite3_stmt *st = db_prepare(app->db, "SELECT at, email, name, title, "
	    "description FROM proposals ORDER BY at, id");
	struct buf out = BUF_INIT;

	out_start(&out, a, hdr, nitems(hdr));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row[5];
		char at[32];

		tz_format_local((time_t)sqlite3_column_int64(st, 0), at, sizeof at);
		row[0] = at;
		for (int i = 1; i < 5; i++)
			row[i] = db_col_text(st, i);
		csv_write_row(&out, row, 5, a->excel);
	}
	sqlite3_reset(st);
	out_flush(&out);
	return 0;
}

static int
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");

	if (f == NULL) {
		fprintf(stderr, "trucctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fwrite(data, 1, len, f) != len || (f != stdout && fclose(f) != 0)) {
		fprintf(stderr, "trucctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int
cmd_sheet(struct app *app, const struct args *a)
{
	const char *out = opt(a, "-o");
	struct session s;
	char *pdf, *cause = NULL;
	size_t len;
	int rc;

	if (a->npos != 2 || out == NULL)
		usage();
	if (!session_by_arg(app, a->pos[1], &s))
		return 1;
	pdf = sheet_pdf(app, &s, &len, &cause);
	session_clear(&s);
	if (pdf == NULL) {
		fprintf(stderr, "trucctl: sign-in sheet: %s\n", cause);
		free(cause);
		return 1;
	}
	rc = write_file(out, pdf, len);
	free(pdf);
	return rc;
}

static int
cmd_attendance(struct app *app, const struct args *a)
{
	struct session s;
	char *why;
	int rc = 0;

	if (a->npos != 2 || a->npresent + a->nabsent == 0)
		usage();
	if (!session_by_arg(app, a->pos[1], &s))
		return 1;
	why = xasprintf("trucctl attendance %s", s.code);
	db_begin(app->db);
	for (int k = 0; k < 2; k++) {
		const char *const *list = k == 0 ? a->present : a->absent;
		int n = k == 0 ? a->npresent : a->nabsent;

		for (int i = 0; i < n; i++) {
			struct agent ag;

			if (!agent_by_arg(app, list[i], &ag)) {
				rc = 1;
				continue;
			}
			if (registry_mark(app->db, s.id, ag.id, k == 0 ?
			    RS_ATTENDED : RS_ABSENT, app_now(app), why) == -1) {
				fprintf(stderr, "trucctl: %s is not registered "
				    "for %s\n", ag.email, s.code);
				rc = 1;
			} else
				printf("%s: %s\n", ag.email, k == 0 ?
				    "attended" : "absent");
			agent_clear(&ag);
		}
	}
	/* All or nothing, like the imports. */
	if (rc == 0)
		db_commit(app->db);
	else {
		db_rollback(app->db);
		fputs("nothing was recorded\n", stderr);
	}
	free(why);
	session_clear(&s);
	return rc;
}

static int
cmd_report(struct app *app, const struct args *a)
{
	const char *year = opt(a, "--year"), *html = opt(a, "--html");
	struct report_stats st;
	char *text;
	int y, rc = 0;

	if (year == NULL || sscanf(year, "%d", &y) != 1 || y < 2000 ||
	    y > 2200)
		usage();
	if (report_compute_at(app->db, y, app_now(app), &st) == -1) {
		fprintf(stderr, "trucctl: cannot compute the figures of %d\n",
		    y);
		return 1;
	}
	text = report_text(&st);
	fputs(text, stdout);
	free(text);
	if (html != NULL) {
		char *page = report_html(&st, app->conf->school_name);

		rc = write_file(html, page, strlen(page));
		free(page);
	}
	report_stats_clear(&st);
	return rc;
}

static int
cmd_programme(struct app *app, const struct args *a)
{
	char *text, *to = NULL;

	if (!a->preview) {
		fputs("trucctl: programme needs --preview (trucd sends it at "
		    "the configured time)\n", stderr);
		return 2;
	}
	if (opt(a, "--to") != NULL && (to = addr_normalise(opt(a, "--to"))) ==
	    NULL) {
		fprintf(stderr, "trucctl: %s is not an e-mail address\n",
		    opt(a, "--to"));
		return 2;
	}
	text = programme_preview(app, to);
	fputs(text, stdout);
	free(text);
	free(to);
	return 0;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct app app;
	int rc;

	log_init("trucctl", getenv("TRUCD_DEBUG") != NULL);
	parse_args(argc, argv, &a);
	if (a.npos == 0)
		usage();
	app_open(&app, a.conf, a.now, APP_TEMPLATES);
#define IS(i, s) (a.npos > (i) && strcmp(a.pos[i], (s)) == 0)
	if (IS(0, "session") && IS(1, "import"))
		rc = cmd_session_import(&app, &a);
	else if (IS(0, "session") && IS(1, "add"))
		rc = cmd_session_add(&app, &a);
	else if (IS(0, "session") && IS(1, "list"))
		rc = cmd_session_list(&app, &a);
	else if (IS(0, "session") && IS(1, "cancel"))
		rc = cmd_session_cancel(&app, &a);
	else if (IS(0, "agent") && IS(1, "import"))
		rc = cmd_agent_import(&app, &a);
	else if (IS(0, "agent") && IS(1, "list"))
		rc = cmd_agent_list(&app, &a);
	else if (IS(0, "registrations"))
		rc = cmd_registrations(&app, &a);
	else if (IS(0, "outbox"))
		rc = cmd_outbox(&app, &a);
	else if (IS(0, "register"))
		rc = cmd_register(&app, &a, 1);
	else if (IS(0, "unregister"))
		rc = cmd_register(&app, &a, 0);
	else if (IS(0, "proposals"))
		rc = cmd_proposals(&app, &a);
	else if (IS(0, "sheet"))
		rc = cmd_sheet(&app, &a);
	else if (IS(0, "attendance"))
		rc = cmd_attendance(&app, &a);
	else if (IS(0, "report"))
		rc = cmd_report(&app, &a);
	else if (IS(0, "programme"))
		rc = cmd_programme(&app, &a);
	else {
		app_close(&app);
		usage();
	}
#undef IS
	app_close(&app);
	sheet_cleanup();
	return rc;
}
