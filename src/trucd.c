/*
 * trucd - reads sign-up commands from the school's IMAP mailbox, applies
 * them, and answers by SMTP; sends the weekly programme and reminders.
 *
 * One loop does all the work; signal handlers only set flags.  The loop
 * sleeps in IMAP IDLE (or between polls) until the next due thing: new
 * mail, a scheduled mail, or an outbox retry.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "deliver.h"
#include "fetch.h"
#include "imap.h"
#include "log.h"
#include "outbox.h"
#include "scheduler.h"
#include "smtp.h"
#include "template.h"
#include "util.h"

#define TRUCD_VERSION	"0.1.0"
/*
 * Re-IDLE well before the 29-minute limit, and look at the outbox at least
 * this often: trucctl may queue mail (a cancelled session's notices).
 */
#define IDLE_MAX	(5 * 60)
#define BACKOFF_MAX	300

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;
static volatile sig_atomic_t wake;	/* any signal: leave IDLE or sleep */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
	wake = 1;
}

static void __attribute__((noreturn))
usage(int status)
{
	fputs("usage: trucd [-c FILE] [--once] [--now 'YYYY-MM-DD HH:MM'] "
	    "[--check-config] [-d] [--version] [--help]\n", status ? stderr :
	    stdout);
	exit(status);
}

static int
check_config(const char *path)
{
	struct buf problems = BUF_INIT;
	struct conf *c = NULL;
	int errors = conf_load(path, &c, &problems);

	if (c != NULL)
		errors += templates_check(c->templates, &problems);
	if (problems.len > 0)
		fputs(problems.s, stderr);
	buf_free(&problems);
	conf_free(c);
	if (errors > 0) {
		fprintf(stderr, "%s: %d problem%s\n", path, errors,
		    errors > 1 ? "s" : "");
		return EXIT_CONFIG;
	}
	printf("%s: configuration OK\n", path);
	return 0;
}

static struct imap *
connect_imap(struct app *app)
{
	struct imap_conf ic;
	struct imap *imap;
	char *cause = NULL;

	memset(&ic, 0, sizeof ic);
	ic.url = app->conf->imap.url;
	ic.tls_none = app->conf->imap.tls_none;
	ic.ca_file = app->conf->imap.ca_file;
	ic.user = app->conf->imap.user;
	ic.password = app->conf->imap.password;
	ic.timeout = 60;
	if ((imap = imap_connect(&ic, &cause)) == NULL) {
		log_warnx("IMAP %s: %s", app->conf->imap.url, cause);
		free(cause);
	}
	return imap;
}

static void
deliver(struct app *app)
{
	struct deliver_stats ds;

	if (deliver_outbox(app, &ds) == -1)
		log_warnx("SMTP %s: nothing could be delivered (see above); "
		    "the mail stays in the outbox", app->conf->smtp.url);
}

/* --once: everything once, then exit 0, 75 (mail still waiting) or 1. */
static int
run_once(struct app *app)
{
	struct imap *imap = connect_imap(app);
	struct fetch_stats fs;
	int rc = 0;
	time_t next;

	if (imap == NULL)
		rc = 1;
	else {
		if (fetch_pass(app, imap, &stop_requested, deliver, &fs) == -1)
			rc = 1;
		imap_close(imap);
	}
	scheduled_run(app);
	deliver(app);
	if (rc == 0 && outbox_pending(app->db, &next) > 0)
		rc = EXIT_TEMPFAIL;
	return rc;
}

static time_t
min_time(time_t a, time_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/*
 * Sleeps until `until`, in one sleep: a signal cuts it short (the handlers
 * are installed without SA_RESTART) and the loop looks at the flags again.
 * With --now the clock stands still: a second, not to spin.
 */
static void
sleep_until(struct app *app, time_t until)
{
	time_t now;

	if (app->fixed_now != 0)
		until = time(NULL) + 1;
	while (!stop_requested && !reload_requested &&
	    (now = time(NULL)) < until)
		sleep((unsigned)(until - now));
}

static int
run_daemon(struct app *app)
{
	struct imap *imap = NULL;
	int backoff = 1;

	log_info("trucd %s started: mailbox %s on %s", TRUCD_VERSION,
	    app->conf->mailbox, app->conf->imap.url);
	while (!stop_requested) {
		struct fetch_stats fs;
		time_t now, next, pending_next;
		int wait;

		if (reload_requested) {
			reload_requested = 0;
			app_reload(app);
			if (imap != NULL) {
				imap_close(imap);
				imap = NULL;
			}
		}
		if (imap == NULL && (imap = connect_imap(app)) == NULL) {
			scheduled_run(app);
			deliver(app);
			log_info("IMAP reconnect in %d s", backoff);
			sleep_until(app, time(NULL) + backoff);
			backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
			    backoff * 2;
			continue;
		}
		if (fetch_pass(app, imap, &stop_requested, deliver, &fs) == -1) {
			imap_close(imap);
			imap = NULL;
			continue;
		}
		backoff = 1;
		scheduled_run(app);
		deliver(app);
		if (stop_requested)
			break;
		/* Sleep until the next due thing. */
		now = app_now(app);
		next = scheduled_next(app);
		if (outbox_pending(app->db, &pending_next) > 0)
			next = min_time(next, pending_next);
		wait = next == 0 ? IDLE_MAX : (int)(next - now);
		if (wait < 1)
			wait = 1;
		/* Idle memory goes back to the system while we wait. */
		db_release_memory(app->db);
		malloc_trim(0);
		if (imap_has_idle(imap)) {
			if (wait > IDLE_MAX)
				wait = IDLE_MAX;
			wake = stop_requested || reload_requested;
			if (imap_idle(imap, wait, &wake) == -1) {
				log_warnx("IMAP connection lost during IDLE");
				imap_close(imap);
				imap = NULL;
			}
		} else {
			if (wait > app->conf->poll_interval)
				wait = app->conf->poll_interval;
			sleep_until(app, time(NULL) + wait);
		}
	}
	if (imap != NULL)
		imap_close(imap);
	log_info("trucd stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	const char *conf_path = "/etc/trucd/trucd.conf", *now_str = NULL;
	int once = 0, check = 0, debug = 0, rc;
	struct app app;
	struct sigaction sa;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf_path = argv[++i];
		else if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
			now_str = argv[++i];
		else if (strcmp(argv[i], "--check-config") == 0 ||
		    strcmp(argv[i], "-n") == 0)
			check = 1;
		else if (strcmp(argv[i], "-d") == 0)
			debug = 1;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("trucd %s\n", TRUCD_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			usage(0);
		else
			usage(2);
	}
	log_init("trucd", debug);
	if (check)
		return check_config(conf_path);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	app_open(&app, conf_path, now_str, APP_TEMPLATES | APP_WARNINGS);
	if (app.conf->imap.tls_none)
		log_warnx("imap.tls = \"none\": the IMAP password travels in "
		    "clear (loopback tests only)");
	if (app.conf->smtp.tls_none)
		log_warnx("smtp.tls = \"none\": mail travels in clear "
		    "(loopback tests only)");
	smtp_global_init();
	rc = once ? run_once(&app) : run_daemon(&app);
	smtp_global_cleanup();
	app_close(&app);
	return rc;
}
