/*
 * conf.c - reading trucd.conf with libconfuse.
 *
 * Syntax errors and unknown keys stop libconfuse at the first one; value
 * checks run as libconfuse validation callbacks, which know the line, and
 * record the problem instead of failing so that one run reports them all.
 */
#include <confuse.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "log.h"
#include "schedule.h"
#include "tz.h"
#include "util.h"

/* The run of conf_load in progress: libconfuse callbacks have no user data. */
static struct {
	struct buf	*problems;
	int		 errors;
	const char	*path;
} cur;

static void
problem(cfg_t *cfg, int is_warning, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(cfg_t *cfg, int is_warning, const char *fmt, ...)
{
	va_list ap;
	int line = cfg != NULL ? cfg->line : 0;

	char *msg, *full;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	full = xasprintf("%s:%d: %s%s\n", cur.path, line,
	    is_warning ? "warning: " : "", msg);
	/* libconfuse may validate a list twice: say each thing once. */
	if (cur.problems->s == NULL || strstr(cur.problems->s, full) == NULL) {
		buf_adds(cur.problems, full);
		if (!is_warning)
			cur.errors++;
	}
	free(full);
	free(msg);
}

static void
confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);

	problem(cfg, 0, "%s", msg);
	free(msg);
}

static int
check_timezone(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (!tz_valid(v))
		problem(cfg, 0, "timezone: unknown time zone \"%s\" "
		    "(expected a name such as Europe/Paris)", v);
	return 0;
}

static int
check_language(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(v, "fr") != 0 && strcmp(v, "en") != 0)
		problem(cfg, 0, "language: \"%s\" is not \"fr\" or \"en\"", v);
	return 0;
}

static int
check_tls(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(v, "required") != 0 && strcmp(v, "none") != 0)
		problem(cfg, 0, "%s.tls: \"%s\" is not \"required\" or \"none\"",
		    cfg->name, v);
	return 0;
}

static int
check_url(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	const char *want = strcmp(cfg->name, "imap") == 0 ? "imap" : "smtp";
	char plain[16], tls[16];

	snprintf(plain, sizeof plain, "%s://", want);
	snprintf(tls, sizeof tls, "%ss://", want);
	if (strncmp(v, plain, strlen(plain)) != 0 &&
	    strncmp(v, tls, strlen(tls)) != 0)
		problem(cfg, 0, "%s.url: \"%s\" must start with %s or %s",
		    cfg->name, v, plain, tls);
	return 0;
}

static int
check_password_file(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	struct stat st;
	FILE *f;

	if (v == NULL || *v == '\0')
		return 0;
	if ((f = fopen(v, "r")) == NULL) {
		problem(cfg, 0, "%s.password_file: cannot read %s: %s",
		    cfg->name, v, strerror(errno));
		return 0;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
		problem(cfg, 0, "%s.password_file: %s is readable by other "
		    "users (mode %03o); chmod 600 it", cfg->name, v,
		    (unsigned)(st.st_mode & 0777));
	fclose(f);
	return 0;
}

static int
check_password(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (v != NULL && *v != '\0')
		problem(cfg, 1, "%s.password is written in the configuration; "
		    "prefer password_file (mode 600)", cfg->name);
	return 0;
}

static int
check_positive(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v <= 0)
		problem(cfg, 0, "%s: must be a positive number, not %ld",
		    opt->name, v);
	return 0;
}

static const char *day_names[] = { "sunday", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday" };
static const char *day_names_fr[] = { "dimanche", "lundi", "mardi",
    "mercredi", "jeudi", "vendredi", "samedi" };

static int
day_index(const char *v)
{
	for (int i = 0; i < 7; i++)
		if (ascii_strcasecmp(v, day_names[i]) == 0 ||
		    ascii_strcasecmp(v, day_names_fr[i]) == 0)
			return i;
	return -1;
}

static int
check_day(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (day_index(v) < 0)
		problem(cfg, 0, "programme.day: \"%s\" is not a day of the week "
		    "(monday … sunday)", v);
	return 0;
}

static int
parse_hhmm(const char *v, int *h, int *m)
{
	int n = 0;

	if (sscanf(v, "%2d:%2d%n", h, m, &n) != 2 || v[n] != '\0' ||
	    *h < 0 || *h > 23 || *m < 0 || *m > 59)
		return -1;
	return 0;
}

static int
check_time(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	int h, m;

	if (parse_hhmm(v, &h, &m) == -1)
		problem(cfg, 0, "programme.time: \"%s\" is not a time such as "
		    "08:00", v);
	return 0;
}

static int
check_group_by(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(v, "day") != 0 && strcmp(v, "track") != 0)
		problem(cfg, 0, "programme.group_by: \"%s\" is not \"day\" or "
		    "\"track\"", v);
	return 0;
}

static int
check_reminders(cfg_t *cfg, cfg_opt_t *opt)
{
	for (unsigned i = 0; i < cfg_opt_size(opt); i++) {
		const char *v = cfg_opt_getnstr(opt, i), *why;
		struct offset off;

		if (sched_parse_offset(v, &off, &why) == -1)
			problem(cfg, 0, "reminders: \"%s\": %s", v, why);
	}
	return 0;
}

static int
check_address(cfg_t *cfg, cfg_opt_t *opt)
{
	for (unsigned i = 0; i < cfg_opt_size(opt); i++) {
		const char *v = cfg_opt_getnstr(opt, i);
		const char *at = strchr(v, '@');

		if (at == NULL || at == v || strchr(at + 1, '.') == NULL ||
		    strpbrk(v, " <>,;\"") != NULL)
			problem(cfg, 0, "%s: \"%s\" is not an e-mail address",
			    opt->name, v);
	}
	return 0;
}

static char *
read_secret(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (f == NULL)
		return xstrdup("");
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return xstrdup(line);
}

static void
endpoint_load(cfg_t *sec, struct conf_tls_endpoint *ep)
{
	const char *pwfile = cfg_getstr(sec, "password_file");

	ep->url = xstrdup(cfg_getstr(sec, "url"));
	ep->tls_none = strcmp(cfg_getstr(sec, "tls"), "none") == 0;
	ep->ca_file = xstrdup(cfg_getstr(sec, "ca_file"));
	ep->user = xstrdup(cfg_getstr(sec, "user"));
	if (pwfile != NULL && *pwfile != '\0')
		ep->password = read_secret(pwfile);
	else
		ep->password = xstrdup(cfg_getstr(sec, "password"));
}

static char **
list_copy(cfg_t *cfg, const char *name, size_t *n)
{
	char **v;

	*n = cfg_size(cfg, name);
	v = xcalloc(*n + 1, sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = xstrdup(cfg_getnstr(cfg, name, (unsigned)i));
	return v;
}

int
conf_load(const char *path, struct conf **out, struct buf *problems)
{
#define ENDPOINT_OPTS(def_url)						\
		CFG_STR("url", def_url, CFGF_NONE),			\
		CFG_STR("tls", "required", CFGF_NONE),			\
		CFG_STR("ca_file", "", CFGF_NONE),			\
		CFG_STR("user", "", CFGF_NONE),				\
		CFG_STR("password", "", CFGF_NONE),			\
		CFG_STR("password_file", "", CFGF_NONE)
	cfg_opt_t school_opts[] = {
		CFG_STR("name", "TRUC²", CFGF_NONE),
		CFG_STR("address", "truc@ville.example", CFGF_NONE),
		CFG_STR_LIST("coordinators", "{}", CFGF_NONE),
		CFG_STR_LIST("domains", "{}", CFGF_NONE),
		CFG_STR("trusted_authserv_id", "", CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t imap_opts[] = {
		ENDPOINT_OPTS("imaps://localhost"),
		CFG_STR("mailbox", "INBOX", CFGF_NONE),
		CFG_STR("done_mailbox", "Traités", CFGF_NONE),
		CFG_STR("error_mailbox", "Erreurs", CFGF_NONE),
		CFG_INT("poll_interval", 60, CFGF_NONE),
		CFG_INT("batch_size", 100, CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t smtp_opts[] = {
		ENDPOINT_OPTS("smtp://localhost:587"),
		CFG_INT("batch_size", 1000, CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t programme_opts[] = {
		CFG_STR("day", "monday", CFGF_NONE),
		CFG_STR("time", "08:00", CFGF_NONE),
		CFG_INT("weeks", 2, CFGF_NONE),
		CFG_STR("group_by", "day", CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t limits_opts[] = {
		CFG_INT("max_commands", 20, CFGF_NONE),
		CFG_INT("replies_per_hour", 10, CFGF_NONE),
		CFG_INT("max_message_size", 10 * 1024 * 1024, CFGF_NONE),
		CFG_INT("max_body_lines", 2000, CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t opts[] = {
		CFG_STR("database", "/var/lib/trucd/trucd.db", CFGF_NONE),
		CFG_STR("templates", "/usr/share/trucd/templates", CFGF_NONE),
		CFG_STR("timezone", "Europe/Paris", CFGF_NONE),
		CFG_STR("language", "fr", CFGF_NONE),
		CFG_SEC("school", school_opts, CFGF_NONE),
		CFG_SEC("imap", imap_opts, CFGF_NONE),
		CFG_SEC("smtp", smtp_opts, CFGF_NONE),
		CFG_SEC("programme", programme_opts, CFGF_MULTI),
		CFG_SEC("limits", limits_opts, CFGF_NONE),
		CFG_STR_LIST("reminders", "{1d, 2h}", CFGF_NONE),
		CFG_END()
	};
	cfg_t *cfg;
	struct conf *c;
	int rc, errors;
	const char *at;

	*out = NULL;
	cur.problems = problems;
	cur.errors = 0;
	cur.path = path;

	cfg = cfg_init(opts, CFGF_NONE);
	cfg_set_error_function(cfg, confuse_error);
	cfg_set_validate_func(cfg, "timezone", check_timezone);
	cfg_set_validate_func(cfg, "language", check_language);
	cfg_set_validate_func(cfg, "reminders", check_reminders);
	cfg_set_validate_func(cfg, "school|address", check_address);
	cfg_set_validate_func(cfg, "school|coordinators", check_address);
	cfg_set_validate_func(cfg, "imap|tls", check_tls);
	cfg_set_validate_func(cfg, "smtp|tls", check_tls);
	cfg_set_validate_func(cfg, "imap|url", check_url);
	cfg_set_validate_func(cfg, "smtp|url", check_url);
	cfg_set_validate_func(cfg, "imap|password_file", check_password_file);
	cfg_set_validate_func(cfg, "smtp|password_file", check_password_file);
	cfg_set_validate_func(cfg, "imap|password", check_password);
	cfg_set_validate_func(cfg, "smtp|password", check_password);
	cfg_set_validate_func(cfg, "imap|poll_interval", check_positive);
	cfg_set_validate_func(cfg, "imap|batch_size", check_positive);
	cfg_set_validate_func(cfg, "smtp|batch_size", check_positive);
	cfg_set_validate_func(cfg, "programme|day", check_day);
	cfg_set_validate_func(cfg, "programme|time", check_time);
	cfg_set_validate_func(cfg, "programme|weeks", check_positive);
	cfg_set_validate_func(cfg, "programme|group_by", check_group_by);
	cfg_set_validate_func(cfg, "limits|max_commands", check_positive);
	cfg_set_validate_func(cfg, "limits|replies_per_hour", check_positive);
	cfg_set_validate_func(cfg, "limits|max_message_size", check_positive);
	cfg_set_validate_func(cfg, "limits|max_body_lines", check_positive);

	rc = cfg_parse(cfg, path);
	if (rc == CFG_FILE_ERROR) {
		buf_addf(problems, "%s: cannot read the configuration: %s\n",
		    path, strerror(errno));
		cfg_free(cfg);
		return cur.errors + 1;
	}
	if (rc == CFG_PARSE_ERROR && cur.errors == 0)
		problem(NULL, 0, "syntax error");
	if (rc == CFG_SUCCESS && cfg_size(cfg, "programme") > 1)
		problem(NULL, 0, "programme: only one programme section is "
		    "allowed");
	if (rc != CFG_SUCCESS || cur.errors > 0) {
		errors = cur.errors;
		cfg_free(cfg);
		return errors;
	}

	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->database = xstrdup(cfg_getstr(cfg, "database"));
	c->templates = xstrdup(cfg_getstr(cfg, "templates"));
	c->timezone = xstrdup(cfg_getstr(cfg, "timezone"));
	c->language = xstrdup(cfg_getstr(cfg, "language"));
	{
		cfg_t *s = cfg_getsec(cfg, "school");

		c->school_name = xstrdup(cfg_getstr(s, "name"));
		c->school_address = xstrdup(cfg_getstr(s, "address"));
		at = strchr(c->school_address, '@');
		c->school_domain = xstrdup(at != NULL ? at + 1 : "localhost");
		c->coordinators = list_copy(s, "coordinators",
		    &c->ncoordinators);
		c->domains = list_copy(s, "domains", &c->ndomains);
		c->trusted_authserv_id =
		    xstrdup(cfg_getstr(s, "trusted_authserv_id"));
	}
	{
		cfg_t *s = cfg_getsec(cfg, "imap");

		endpoint_load(s, &c->imap);
		c->mailbox = xstrdup(cfg_getstr(s, "mailbox"));
		c->done_mailbox = xstrdup(cfg_getstr(s, "done_mailbox"));
		c->error_mailbox = xstrdup(cfg_getstr(s, "error_mailbox"));
		c->poll_interval = (int)cfg_getint(s, "poll_interval");
		c->imap_batch = (int)cfg_getint(s, "batch_size");
	}
	{
		cfg_t *s = cfg_getsec(cfg, "smtp");

		endpoint_load(s, &c->smtp);
		c->smtp_batch = (int)cfg_getint(s, "batch_size");
	}
	/* No programme section in the file: no weekly programme. */
	c->programme_enabled = cfg_size(cfg, "programme") > 0;
	c->programme_wday = 1;
	c->programme_hour = 8;
	c->programme_weeks = 2;
	if (c->programme_enabled) {
		cfg_t *s = cfg_getnsec(cfg, "programme", 0);

		c->programme_wday = day_index(cfg_getstr(s, "day"));
		parse_hhmm(cfg_getstr(s, "time"), &c->programme_hour,
		    &c->programme_min);
		c->programme_weeks = (int)cfg_getint(s, "weeks");
		c->programme_group_by = xstrdup(cfg_getstr(s, "group_by"));
	} else
		c->programme_group_by = xstrdup("day");
	{
		cfg_t *s = cfg_getsec(cfg, "limits");

		c->max_commands = (int)cfg_getint(s, "max_commands");
		c->replies_per_hour = (int)cfg_getint(s, "replies_per_hour");
		c->max_message_size = cfg_getint(s, "max_message_size");
		c->max_body_lines = (int)cfg_getint(s, "max_body_lines");
	}
	c->reminders = list_copy(cfg, "reminders", &c->nreminders);
	if (c->ncoordinators > 0 && c->trusted_authserv_id[0] == '\0')
		buf_addf(problems, "%s: warning: school.trusted_authserv_id "
		    "is not set: coordinator commands will always ask for a "
		    "confirmation code\n", path);
	cfg_free(cfg);
	*out = c;
	return 0;
#undef ENDPOINT_OPTS
}

static void
endpoint_free(struct conf_tls_endpoint *ep)
{
	free(ep->url);
	free(ep->ca_file);
	free(ep->user);
	if (ep->password != NULL)
		explicit_bzero(ep->password, strlen(ep->password));
	free(ep->password);
}

static void
list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->database);
	free(c->templates);
	free(c->timezone);
	free(c->language);
	free(c->school_name);
	free(c->school_address);
	free(c->school_domain);
	list_free(c->coordinators, c->ncoordinators);
	list_free(c->domains, c->ndomains);
	free(c->trusted_authserv_id);
	endpoint_free(&c->imap);
	free(c->mailbox);
	free(c->done_mailbox);
	free(c->error_mailbox);
	endpoint_free(&c->smtp);
	free(c->programme_group_by);
	list_free(c->reminders, c->nreminders);
	free(c);
}

int
conf_is_coordinator(const struct conf *c, const char *addr)
{
	for (size_t i = 0; i < c->ncoordinators; i++)
		if (ascii_strcasecmp(c->coordinators[i], addr) == 0)
			return 1;
	return 0;
}

int
conf_domain_known(const struct conf *c, const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

	if (at == NULL)
		return 0;
	for (size_t i = 0; i < c->ndomains; i++)
		if (ascii_strcasecmp(c->domains[i], at + 1) == 0)
			return 1;
	return 0;
}
