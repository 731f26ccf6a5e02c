/*
 * coordinator.c - the coordinator's commands by mail, behind the trust
 * check.  A forged From: never reaches the functions below the check: it
 * either fails DMARC (process.c drops it), or it lacks our server's pass
 * and gets a one-time code mailed to the real coordinator's address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "addr.h"
#include "app.h"
#include "auth.h"
#include "command.h"
#include "coordinator.h"
#include "csv.h"
#include "db.h"
#include "fold.h"
#include "import.h"
#include "log.h"
#include "mailer.h"
#include "message.h"
#include "notify.h"
#include "quote.h"
#include "registry.h"
#include "spawn.h"
#include "template.h"
#include "tz.h"
#include "util.h"

#define CODE_LIFETIME	(24 * 3600)

void
reply_files_add(struct reply_files *f, const char *filename,
    const char *content_type, char *data, size_t len)
{
	if (f->n >= REPLY_MAX_ATTACHMENTS) {
		free(data);
		return;
	}
	f->data[f->n] = data;
	f->name[f->n] = xstrdup(filename);
	f->v[f->n].filename = f->name[f->n];
	f->v[f->n].content_type = content_type;
	f->v[f->n].data = data;
	f->v[f->n].len = len;
	f->n++;
}

void
reply_files_free(struct reply_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->data[i]);
		free(f->name[i]);
	}
	memset(f, 0, sizeof *f);
}

static void
block(struct coord_ctx *c, const char *name, struct tpl_vars *v)
{
	mailer_block(c->app, c->lang, name, v, c->outcomes);
}

static void
simple_block(struct coord_ctx *c, const char *name, const char *key,
    const char *value)
{
	struct tpl_vars *v = tpl_vars_new();

	if (key != NULL)
		tpl_set(v, key, value != NULL ? value : "");
	block(c, name, v);
	tpl_vars_free(v);
}

static char *
new_code(void)
{
	/* No 0/O/1/I/L: read aloud and retyped from a phone. */
	static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	unsigned char rnd[8];
	char *code = xmalloc(9);

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		fatal("getrandom");
	for (int i = 0; i < 8; i++)
		code[i] = alphabet[rnd[i] % (sizeof alphabet - 1)];
	code[8] = '\0';
	return code;
}

/* Keeps the whole message until the code comes back. */
static void
ask_confirmation(struct coord_ctx *c, const struct command *cmd)
{
	struct tpl_vars *v;
	sqlite3_stmt *st;
	char *code;

	if (c->code_sent)
		return;
	c->code_sent = 1;
	code = new_code();
	st = db_prepare(c->app->db, "INSERT INTO confirmations (code, email, "
	    "created_at, raw) VALUES (?, ?, ?, ?)");
	db_bind_text(st, 1, code);
	db_bind_text(st, 2, c->sender);
	db_bind_int(st, 3, c->now);
	sqlite3_bind_blob(st, 4, c->raw, (int)c->rawlen, SQLITE_TRANSIENT);
	db_exec_stmt(c->app->db, st);
	v = tpl_vars_new();
	tpl_set(v, "code", code);
	tpl_setf(v, "confirm_line", "CONFIRMER %s", code);
	tpl_set(v, "command", cmd->line != NULL ? cmd->line :
	    cmd_kind_name(cmd->kind));
	block(c, "confirm_needed", v);
	tpl_vars_free(v);
	log_notice("coordinator command from %s not authenticated: "
	    "confirmation code sent to that address", c->sender);
	free(code);
}

static int
is_trainer_of(struct coord_ctx *c, const char *code)
{
	struct session s;
	int yes = 0;

	if (registry_session(c->app->db, code, &s)) {
		yes = s.trainer[0] != '\0' && addr_equal(s.trainer, c->sender);
		session_clear(&s);
	}
	return yes;
}

static void
do_announce(struct coord_ctx *c, const struct command *cmd)
{
	const struct message *m = c->msg;
	int64_t *ids = NULL;
	size_t n = 0, sent = 0;
	const char *subject = cmd->arg != NULL && *cmd->arg ? cmd->arg :
	    c->app->conf->school_name;
	const char *text = !cmd->from_subject && cmd->rest != NULL ?
	    cmd->rest : m->text;
	struct out_attachment *att = NULL;
	struct tpl_vars *v;

	/* The attachments go with it as sent. */
	if (m->nattachments > 0) {
		att = xcalloc(m->nattachments, sizeof *att);
		for (size_t i = 0; i < m->nattachments; i++) {
			att[i].filename = m->attachments[i].filename;
			att[i].content_type = m->attachments[i].content_type;
			att[i].data = m->attachments[i].data;
			att[i].len = m->attachments[i].len;
		}
	}
	ids = registry_programme_agents(c->app->db, &n);
	for (size_t i = 0; i < n; i++) {
		struct agent ag;
		struct mail_opts o;

		if (!registry_agent_id(c->app->db, ids[i], &ag))
			continue;
		memset(&o, 0, sizeof o);
		o.subject = subject;
		o.text = text;
		o.html = cmd->from_subject ? m->html : NULL;
		o.attachments = att;
		o.nattachments = m->nattachments;
		o.list_unsubscribe = 1;
		o.precedence = "bulk";
		v = tpl_vars_new();
		if (mailer_queue(c->app, "announcement", "announcement",
		    agent_lang(c->app, &ag), v, ag.email, ag.name, &o,
		    c->now) == 0)
			sent++;
		tpl_vars_free(v);
		agent_clear(&ag);
	}
	free(ids);
	free(att);
	v = tpl_vars_new();
	tpl_setf(v, "count", "%zu", sent);
	tpl_set(v, "subject", subject);
	block(c, "announcement_receipt", v);
	tpl_vars_free(v);
	log_info("announcement \"%s\" from %s queued for %zu agents", subject,
	    c->sender, sent);
}

static const struct attachment *
find_csv(const struct message *m)
{
	for (size_t i = 0; i < m->nattachments; i++) {
		const struct attachment *a = &m->attachments[i];
		const char *fn = a->filename != NULL ? a->filename : "";
		size_t l = strlen(fn);

		if ((l > 4 && ascii_strcasecmp(fn + l - 4, ".csv") == 0) ||
		    (a->content_type != NULL &&
		    (strcmp(a->content_type, "text/csv") == 0 ||
		    strcmp(a->content_type, "application/csv") == 0 ||
		    strcmp(a->content_type, "text/comma-separated-values") == 0)))
			return a;
	}
	return NULL;
}

static void
do_import(struct coord_ctx *c)
{
	const struct attachment *a = find_csv(c->msg);
	struct session_row *rows = NULL;
	size_t n = 0;
	struct buf errors = BUF_INIT;
	struct import_summary sum = { 0 };
	struct tpl_vars *v;
	const char *fn;

	if (a == NULL) {
		simple_block(c, "import_failed", "errors",
		    "(aucun fichier CSV joint / no CSV file attached)");
		return;
	}
	fn = a->filename != NULL ? a->filename : "import.csv";
	if (import_sessions(a->data, a->len, fn, &rows, &n, &errors) > 0) {
		simple_block(c, "import_failed", "errors", errors.s);
		buf_free(&errors);
		return;
	}
	buf_free(&errors);
	registry_import_sessions(c->app->db, rows, n, c->now, c->why, &sum,
	    c->notices);
	v = tpl_vars_new();
	tpl_setf(v, "added_count", "%zu", sum.nadded);
	tpl_setf(v, "changed_count", "%zu", sum.nchanged);
	tpl_setf(v, "unchanged_count", "%zu", sum.unchanged);
	for (size_t i = 0; i < sum.nadded; i++)
		tpl_set(tpl_add_item(v, "added"), "line", sum.added[i]);
	for (size_t i = 0; i < sum.nchanged; i++)
		tpl_set(tpl_add_item(v, "changed"), "line", sum.changed[i]);
	for (size_t i = 0; i < c->notices->n; i++) {
		const struct notice *nt = &c->notices->v[i];
		struct agent ag;
		struct session s;

		if (nt->kind != NOTICE_DEMOTED)
			continue;
		registry_agent_id(c->app->db, nt->agent_id, &ag);
		registry_session_id(c->app->db, nt->session_id, &s);
		tpl_setf(tpl_add_item(v, "over"), "line",
		    "%s: %s <%s> (liste d'attente / waiting list %d)", s.code,
		    ag.name, ag.email, nt->position);
		agent_clear(&ag);
		session_clear(&s);
	}
	block(c, "import_done", v);
	tpl_vars_free(v);
	import_summary_free(&sum);
	session_rows_free(rows, n);
}

/* registrations CSV, as trucctl registrations --excel writes it. */
static char *
registrations_csv(struct app *app, const struct session *s, size_t *len)
{
	static const char *hdr[] = { "email", "name", "service", "status",
	    "position", "since" };
	struct buf out = BUF_INIT;
	sqlite3_stmt *st = db_prepare(app->db, "SELECT a.email, a.name, "
	    "a.service, r.status, r.since FROM registrations r JOIN agents a "
	    "ON a.id = r.agent_id WHERE r.session_id = ? AND r.status <> "
	    "'cancelled' ORDER BY r.status = 'waitlisted', r.seq");
	int pos = 0;

	csv_write_bom(&out);
	csv_write_row(&out, hdr, nitems(hdr), 1);
	db_bind_int(st, 1, s->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row[6];
		char position[16] = "", since[32];

		row[0] = db_col_text(st, 0);
		row[1] = db_col_text(st, 1);
		row[2] = db_col_text(st, 2);
		row[3] = db_col_text(st, 3);
		if (strcmp(row[3], "waitlisted") == 0)
			snprintf(position, sizeof position, "%d", ++pos);
		row[4] = position;
		tz_format_local((time_t)sqlite3_column_int64(st, 4), since,
		    sizeof since);
		row[5] = since;
		csv_write_row(&out, row, 6, 1);
	}
	sqlite3_reset(st);
	*len = out.len;
	return buf_detach(&out);
}

static void
do_list(struct coord_ctx *c, const char *code)
{
	struct session s;
	struct tpl_vars *v;
	char *csv, *fn;
	size_t len;

	if (!registry_session(c->app->db, code, &s)) {
		simple_block(c, "unknown_code", "code", code);
		return;
	}
	csv = registrations_csv(c->app, &s, &len);
	fn = xasprintf("inscriptions-%s.csv", s.code);
	reply_files_add(c->files, fn, "text/csv", csv, len);
	v = tpl_vars_new();
	vars_session(v, &s, c->lang);
	tpl_setf(v, "registered", "%d", s.registered);
	tpl_setf(v, "waiting", "%d", s.waiting);
	tpl_set(v, "filename", fn);
	block(c, "list_sent", v);
	tpl_vars_free(v);
	free(fn);
	session_clear(&s);
}

static void
do_sheet(struct coord_ctx *c, const char *code)
{
	struct session s;
	struct tpl_vars *v;
	char *pdf, *fn, *cause = NULL;
	size_t len;

	if (!registry_session(c->app->db, code, &s)) {
		simple_block(c, "unknown_code", "code", code);
		return;
	}
	{
		/* trucctl draws it: pango and cairo stay out of the daemon. */
		char *path = spawn_trucctl_path();
		char *argv[] = { path, "-c", c->app->conf->path, "sheet",
		    s.code, "-o", "-", NULL };

		pdf = spawn_capture(argv, 60, &len, &cause);
		free(path);
	}
	if (pdf == NULL) {
		log_warnx("sign-in sheet for %s: %s", code, cause);
		simple_block(c, "sheet_failed", "code", code);
		free(cause);
		session_clear(&s);
		return;
	}
	fn = xasprintf("emargement-%s.pdf", s.code);
	reply_files_add(c->files, fn, "application/pdf", pdf, len);
	v = tpl_vars_new();
	vars_session(v, &s, c->lang);
	tpl_set(v, "filename", fn);
	block(c, "sheet_sent", v);
	tpl_vars_free(v);
	free(fn);
	session_clear(&s);
}

static void
do_cancel_session(struct coord_ctx *c, const struct command *cmd,
    const char *code)
{
	struct session s;
	struct tpl_vars *v;
	size_t before = c->notices->n;

	if (!registry_session(c->app->db, code, &s)) {
		simple_block(c, "unknown_code", "code", code);
		return;
	}
	v = tpl_vars_new();
	vars_session(v, &s, c->lang);
	tpl_set(v, "reason", cmd->arg != NULL ? cmd->arg : "");
	if (registry_cancel_session(c->app->db, code, cmd->arg, c->now, c->why,
	    c->notices) == -1)
		tpl_set(v, "already", "1");
	tpl_setf(v, "count", "%zu", c->notices->n - before);
	block(c, "session_cancelled_done", v);
	tpl_vars_free(v);
	session_clear(&s);
}

/* Does this line (a name or an address) name that agent? */
static int
line_names(const char *line, const char *email, const char *name)
{
	char *addr = addr_normalise(line);
	int yes = 0;

	if (addr != NULL) {
		yes = addr_equal(addr, email);
		free(addr);
		return yes;
	}
	if (name[0] != '\0') {
		char *a = fold_text(line), *b = fold_text(name);
		char *ta = str_trim(a), *tb = str_trim(b);

		yes = strcmp(ta, tb) == 0;
		free(a);
		free(b);
	}
	return yes;
}

static void
do_present(struct coord_ctx *c, const struct command *cmd, const char *code)
{
	struct session s;
	struct tpl_vars *v;
	sqlite3_stmt *st;
	struct { int64_t id; char *email, *name; int marked; } *regs = NULL;
	size_t n = 0;
	char *rest, *line, *save = NULL;

	if (!registry_session(c->app->db, code, &s)) {
		simple_block(c, "unknown_code", "code", code);
		return;
	}
	st = db_prepare(c->app->db, "SELECT a.id, a.email, a.name, r.status "
	    "FROM registrations r JOIN agents a ON a.id = r.agent_id WHERE "
	    "r.session_id = ? AND r.status IN ('registered', 'attended', "
	    "'absent') ORDER BY a.name");
	db_bind_int(st, 1, s.id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		regs = xreallocarray(regs, n + 1, sizeof *regs);
		regs[n].id = sqlite3_column_int64(st, 0);
		regs[n].email = xstrdup(db_col_text(st, 1));
		regs[n].name = xstrdup(db_col_text(st, 2));
		regs[n].marked = strcmp(db_col_text(st, 3), "registered") != 0;
		n++;
	}
	sqlite3_reset(st);
	v = tpl_vars_new();
	vars_session(v, &s, c->lang);
	rest = xstrdup(cmd->rest != NULL ? cmd->rest : "");
	for (line = strtok_r(rest, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *t = str_trim(line);
		int found = 0;

		if (*t == '\0')
			continue;
		for (size_t i = 0; i < n; i++) {
			if (!line_names(t, regs[i].email, regs[i].name))
				continue;
			registry_mark(c->app->db, s.id, regs[i].id, RS_ATTENDED,
			    c->now, c->why);
			regs[i].marked = 1;
			tpl_setf(tpl_add_item(v, "recorded"), "line", "%s <%s>",
			    regs[i].name, regs[i].email);
			found = 1;
			break;
		}
		if (!found)
			tpl_set(tpl_add_item(v, "unknown"), "line", t);
	}
	for (size_t i = 0; i < n; i++) {
		if (!regs[i].marked)
			tpl_setf(tpl_add_item(v, "unmarked"), "line", "%s <%s>",
			    regs[i].name, regs[i].email);
		free(regs[i].email);
		free(regs[i].name);
	}
	block(c, "attendance_recorded", v);
	tpl_vars_free(v);
	free(regs);
	free(rest);
	session_clear(&s);
}

static void
run_trusted(struct coord_ctx *c, const struct command *cmd)
{
	const char *code = cmd->ncodes > 0 ? cmd->codes[0] : "";

	switch (cmd->kind) {
	case CMD_ANNOUNCE:
		do_announce(c, cmd);
		break;
	case CMD_IMPORT:
		do_import(c);
		break;
	case CMD_LIST:
		do_list(c, code);
		break;
	case CMD_SHEET:
		do_sheet(c, code);
		break;
	case CMD_CANCEL_SESSION:
		do_cancel_session(c, cmd, code);
		break;
	case CMD_PRESENT:
		do_present(c, cmd, code);
		break;
	default:
		break;
	}
}

/* CONFIRMER <code>: run the coordinator commands of the kept message. */
static void
do_confirm(struct coord_ctx *c, const struct command *cmd)
{
	sqlite3_stmt *st = db_prepare(c->app->db, "SELECT raw, created_at, "
	    "used_at IS NOT NULL, email FROM confirmations WHERE code = ?");
	char *raw = NULL, *cause = NULL, *code;
	size_t rawlen = 0;
	time_t created = 0;
	int used = 0, owner = 0;
	struct message *m = NULL;
	struct command_list cl;
	char *words, *subject;
	struct coord_ctx inner;

	/* Codes are made upper-case; a phone may have typed it otherwise. */
	code = xstrdup(cmd->arg != NULL ? cmd->arg : "");
	for (char *p = code; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	db_bind_text(st, 1, code);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rawlen = (size_t)sqlite3_column_bytes(st, 0);
		raw = xmalloc(rawlen + 1);
		if (rawlen > 0)
			memcpy(raw, sqlite3_column_blob(st, 0), rawlen);
		raw[rawlen] = '\0';
		created = (time_t)sqlite3_column_int64(st, 1);
		used = sqlite3_column_int(st, 2);
		owner = addr_equal(db_col_text(st, 3), c->sender);
	}
	sqlite3_reset(st);
	if (raw == NULL || !owner) {
		simple_block(c, "confirm_invalid", NULL, NULL);
		log_warnx("%s sent an unknown confirmation code", c->sender);
		free(raw);
		free(code);
		return;
	}
	if (used || c->now - created > CODE_LIFETIME) {
		simple_block(c, used ? "confirm_used" : "confirm_expired",
		    NULL, NULL);
		log_warnx("%s sent a %s confirmation code", c->sender,
		    used ? "used" : "expired");
		free(raw);
		free(code);
		return;
	}
	st = db_prepare(c->app->db, "UPDATE confirmations SET used_at = ? "
	    "WHERE code = ?");
	db_bind_int(st, 1, c->now);
	db_bind_text(st, 2, code);
	db_exec_stmt(c->app->db, st);
	if (message_parse(raw, rawlen, NULL, &m, &cause) == -1) {
		free(cause);
		free(raw);
		free(code);
		simple_block(c, "confirm_invalid", NULL, NULL);
		return;
	}
	words = own_words(m->text);
	subject = subject_strip(m->subject);
	commands_parse(subject, words, (size_t)c->app->conf->max_commands, &cl);
	inner = *c;
	inner.msg = m;
	inner.raw = raw;
	inner.rawlen = rawlen;
	inner.trusted = 1;
	for (size_t i = 0; i < cl.n; i++)
		if (cmd_is_coordinator(cl.v[i].kind))
			run_trusted(&inner, &cl.v[i]);
	log_notice("%s confirmed the commands of a kept message", c->sender);
	commands_free(&cl);
	free(words);
	free(subject);
	message_free(m);
	free(raw);
	free(code);
}

void
coordinator_apply(struct coord_ctx *c, const struct command *cmd)
{
	int coordinator = conf_is_coordinator(c->app->conf, c->sender);

	if (cmd->kind == CMD_CONFIRM) {
		if (coordinator)
			do_confirm(c, cmd);
		else
			simple_block(c, "coordinator_only", NULL, NULL);
		return;
	}
	if (cmd->kind == CMD_PRESENT && !coordinator && cmd->ncodes > 0 &&
	    is_trainer_of(c, cmd->codes[0])) {
		do_present(c, cmd, cmd->codes[0]);
		return;
	}
	if (!coordinator) {
		simple_block(c, "coordinator_only", "command",
		    cmd_kind_name(cmd->kind));
		return;
	}
	if (!c->trusted && auth_check(c->msg,
	    c->app->conf->trusted_authserv_id, c->sender) != AUTH_PASS) {
		ask_confirmation(c, cmd);
		return;
	}
	run_trusted(c, cmd);
}
