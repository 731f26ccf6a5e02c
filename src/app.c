/* app.c - start-up shared by trucd and trucctl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "template.h"
#include "tz.h"
#include "util.h"

static struct conf *
load_conf(const char *path, int fatal_on_error, int warnings)
{
	struct buf problems = BUF_INIT;
	struct conf *c = NULL;
	int errors = conf_load(path, &c, &problems);

	if (problems.len > 0 && (errors > 0 || warnings))
		fputs(problems.s, stderr);
	buf_free(&problems);
	if (errors > 0 && fatal_on_error)
		exit(EXIT_CONFIG);
	return c;
}

void
app_open(struct app *app, const char *conf_path, const char *now_str,
    int flags)
{
	char *cause = NULL;

	memset(app, 0, sizeof *app);
	app->conf = load_conf(conf_path, 1, flags & APP_WARNINGS);
	if (tz_set(app->conf->timezone) == -1) {
		fprintf(stderr, "%s: unknown time zone %s\n", conf_path,
		    app->conf->timezone);
		exit(EXIT_CONFIG);
	}
	if (now_str != NULL) {
		const char *why;

		if (tz_parse_local(now_str, &app->fixed_now, &why) == -1) {
			fprintf(stderr, "--now %s: %s\n", now_str, why);
			exit(1);
		}
	}
	if (flags & APP_TEMPLATES) {
		app->templates = templates_load(app->conf->templates, &cause);
		if (app->templates == NULL) {
			fprintf(stderr, "%s\n", cause);
			free(cause);
			exit(EXIT_CONFIG);
		}
	}
	if ((app->db = db_open(app->conf->database, &cause)) == NULL) {
		fprintf(stderr, "cannot open the database %s\n", cause);
		free(cause);
		exit(1);
	}
}

void
app_close(struct app *app)
{
	db_close(app->db);
	if (app->templates != NULL)
		templates_free(app->templates);
	conf_free(app->conf);
	memset(app, 0, sizeof *app);
}

time_t
app_now(const struct app *app)
{
	return app->fixed_now != 0 ? app->fixed_now : time(NULL);
}

int
app_reload(struct app *app)
{
	struct conf *c = load_conf(app->conf->path, 0, 1);
	struct templates *t;
	char *cause = NULL;

	if (c == NULL) {
		log_warnx("reload: configuration has errors; keeping the old one");
		return -1;
	}
	if ((t = templates_load(c->templates, &cause)) == NULL) {
		log_warnx("reload: %s; keeping the old configuration", cause);
		free(cause);
		conf_free(c);
		return -1;
	}
	if (strcmp(c->database, app->conf->database) != 0)
		log_warnx("reload: a new database path needs a restart");
	if (tz_set(c->timezone) == -1)
		log_warnx("reload: unknown time zone %s", c->timezone);
	if (app->templates != NULL)
		templates_free(app->templates);
	conf_free(app->conf);
	app->conf = c;
	app->templates = t;
	log_info("configuration and templates reloaded");
	return 0;
}
