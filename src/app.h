/*
 * app.h - what trucd and trucctl share at start-up: the configuration, the
 * time zone, the database, the templates, and the current time (real, or
 * --now for tests and catching up).
 */
#ifndef TRUCD_APP_H
#define TRUCD_APP_H

#include <time.h>

#include "conf.h"
#include "db.h"

struct templates;

struct app {
	struct conf	 *conf;
	struct db	 *db;
	struct templates *templates;
	time_t		  fixed_now;	/* 0: the real clock */
};

#define EXIT_TEMPFAIL	75	/* EX_TEMPFAIL: mail waits in the outbox */
#define EXIT_CONFIG	78	/* EX_CONFIG */

/*
 * Loads the configuration (exits 78 with every problem on stderr when it
 * is wrong), sets the time zone, parses now_str ("YYYY-MM-DD HH:MM", may be
 * NULL), opens the database (exits 1 on failure) and, with APP_TEMPLATES,
 * loads the templates (exits 78).  Warnings (an inline password...) are
 * printed with APP_WARNINGS only: the daemon says them once at start,
 * trucctl keeps its output for its listings.
 */
#define APP_TEMPLATES	0x01	/* load the templates (exit 78 if broken) */
#define APP_WARNINGS	0x02	/* print the configuration's warnings */
void	 app_open(struct app *, const char *conf_path, const char *now_str,
	    int flags);
void	 app_close(struct app *);
time_t	 app_now(const struct app *);
/* Re-reads configuration and templates (SIGHUP); keeps the old ones on error. */
int	 app_reload(struct app *);

#endif
