/*
 * compose.c - rate of the weekly programme's CPU work per agent: rendering
 * templates/fr/programme.txt and programme.html against 36 sessions, and
 * composing the resulting mail (text + HTML alternative, about 48 KB, French
 * accents throughout) into SMTP-ready bytes; and building that context
 * (tpl_set and tpl_add_item, as programme_vars() does for each agent).
 * Each loop runs on one core
 * for a few seconds of CPU time and prints its rate per CPU second, so
 * other load on the machine does not count against it.
 *
 * usage: compose [templates-dir [seconds]]
 *   the directory defaults to $TRUCD_TOP/templates (else ./templates), the
 *   time to 2 seconds per loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compose.h"
#include "template.h"
#include "util.h"

#define NSESSIONS	36
#define PER_DAY		4

static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What programme_vars() and vars_session() set for one agent. */
static struct tpl_vars *
programme_context(void)
{
	static const char *const days[] = { "lundi", "mardi", "mercredi",
	    "jeudi", "vendredi" };
	static const char *const titles[] = {
		"Les marchés publics expliqués aux agents",
		"Excel : tableaux croisés dynamiques",
		"Accueil du public : désamorcer les tensions",
		"Premiers secours : gestes qui sauvent",
		"Rédiger un courrier administratif clair",
		"Sécurité des données : hameçonnage et mots de passe",
	};
	static const char *const places[] = { "Salle Jean-Jaurès, bâtiment B",
	    "Médiathèque, salle de conférence", "Hôtel de ville, 2e étage" };
	static const char *const trainers[] = { "Sophie Martin",
	    "Jérôme Lefèvre", "Hélène Béranger", "Zoé Castagné" };
	struct tpl_vars	*v = tpl_vars_new(), *day = NULL, *it;

	tpl_set(v, "school", "TRUC²");
	tpl_set(v, "school_address", "truc@ville.example");
	tpl_set(v, "help_line", "AIDE");
	tpl_set(v, "lang", "fr");
	tpl_set(v, "greeting_name", "Marie-Hélène Lécuyer");
	tpl_set(v, "period", "du 7 au 18 décembre");
	tpl_set(v, "weeks", "2");
	tpl_setf(v, "count", "%d", NSESSIONS);
	for (int i = 0; i < NSESSIONS; i++) {
		char code[32], when[64];

		if (i % PER_DAY == 0) {
			day = tpl_add_item(v, "days");
			snprintf(when, sizeof(when), "%s %d décembre 2026",
			    days[(i / PER_DAY) % 5], 7 + i / PER_DAY);
			tpl_set(day, "day", when);
			tpl_set(day, "group", when);
		}
		it = tpl_add_item(day, "sessions");
		snprintf(code, sizeof(code), "session-%d", 40 + i);
		tpl_set(it, "code", code);
		tpl_set(it, "title", titles[i % nitems(titles)]);
		tpl_set(it, "track", "Bureautique");
		tpl_set(it, "day", when);
		tpl_setf(it, "date", "2026-12-%02d", 7 + i / PER_DAY);
		tpl_setf(it, "start_time", "%02d:00", 9 + 2 * (i % PER_DAY));
		tpl_setf(it, "end_time", "%02d:30", 10 + 2 * (i % PER_DAY));
		tpl_set(it, "place", places[i % nitems(places)]);
		tpl_set(it, "trainer", trainers[i % nitems(trainers)]);
		tpl_set(it, "trainer_email", "formateur@ville.example");
		tpl_set(it, "description", "Une présentation pratique, "
		    "exemples à l'appui, suivie d'échanges.");
		if (i % 5 != 3)
			tpl_setf(it, "free", "%d", 1 + i % 9);
		else
			tpl_set(it, "full", "1");
		tpl_setf(it, "waiting", "%d", i % 5 == 3 ? 2 : 0);
		if (i % 11 == 4)
			tpl_set(it, "registered", "1");
		if (i % 13 == 6)
			tpl_set(it, "waitlisted", "2");
		tpl_setf(it, "command_line", "INSCRIPTION %s", code);
		tpl_setf(it, "mailto", "mailto:truc@ville.example?subject="
		    "INSCRIPTION%%20%s", code);
	}
	return v;
}

static void
render_or_die(const struct templates *ts, const char *name,
    const struct tpl_vars *v, char **body, char **subject)
{
	char *cause = NULL;

	if ((*body = tpl_render(ts, "fr", name, v, subject, &cause)) == NULL) {
		fprintf(stderr, "compose: %s: %s\n", name, cause);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	const char		*top = getenv("TRUCD_TOP");
	char			*dir, *cause = NULL, *text, *html, *subject;
	char			*m;
	struct templates	*ts;
	struct tpl_vars		*v;
	struct outgoing		 o;
	double			 seconds = 2, cpu0, cpu;
	size_t			 n, bytes = 0, tbytes = 0, mlen;

	if (argc > 1)
		dir = xstrdup(argv[1]);
	else if (top != NULL && *top != '\0')
		dir = xasprintf("%s/templates", top);
	else
		dir = xstrdup("templates");
	if (argc > 2)
		seconds = atof(argv[2]);
	if ((ts = templates_load(dir, &cause)) == NULL) {
		fprintf(stderr, "compose: %s\n", cause);
		return 1;
	}
	v = programme_context();
	render_or_die(ts, "programme", v, &text, &subject);
	render_or_die(ts, "programme.html", v, &html, NULL);

	memset(&o, 0, sizeof(o));
	o.from_name = "TRUC² de la Ville";
	o.from_addr = "truc@ville.example";
	o.to_name = "Marie-Hélène Lécuyer";
	o.to_addr = "marie-helene.lecuyer@ville.example";
	o.subject = subject;
	o.auto_submitted = "auto-generated";
	o.precedence = "bulk";
	o.list_unsubscribe = "<mailto:truc@ville.example?subject=STOP%20"
	    "PROGRAMME>";
	o.message_id = "1796000000.4242.1.0123456789abcdef@ville.example";
	o.msgid_domain = "ville.example";
	o.lang = "fr";
	o.date = 1796025600;
	o.text = text;
	o.html = html;
	if ((m = compose(&o, NULL, &cause)) == NULL) {
		fprintf(stderr, "compose: %s\n", cause);
		return 1;
	}
	mlen = strlen(m);
	free(m);
	printf("programme mail: %d sessions, text %zu B + HTML %zu B, "
	    "composed %zu B\n", NSESSIONS, strlen(text), strlen(html), mlen);

	/* Composing: the whole mail, as the outbox gets it. */
	n = 0;
	cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (int k = 0; k < 20; k++) {
			m = compose(&o, NULL, &cause);
			bytes += strlen(m);
			free(m);
			n++;
		}
		cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	} while (cpu < seconds);
	printf("compose: %zu mails in %.2f s of CPU: %.0f mails/s, "
	    "%.1f MB/s\n", n, cpu, (double)n / cpu, (double)bytes / cpu / 1e6);

	/* Rendering: both files with their subject, per agent. */
	n = 0;
	cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (int k = 0; k < 20; k++) {
			char *b, *s;

			render_or_die(ts, "programme", v, &b, &s);
			tbytes += strlen(b);
			free(b);
			free(s);
			render_or_die(ts, "programme.html", v, &b, &s);
			tbytes += strlen(b);
			free(b);
			free(s);
			n += 2;
		}
		cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	} while (cpu < seconds);
	printf("render: %zu templates (programme.txt + programme.html) in "
	    "%.2f s of CPU: %.0f renders/s, %.1f MB/s\n", n, cpu,
	    (double)n / cpu, (double)tbytes / cpu / 1e6);

	/* The context itself, built per agent by programme_vars(). */
	n = 0;
	cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (int k = 0; k < 20; k++) {
			tpl_vars_free(programme_context());
			n++;
		}
		cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	} while (cpu < seconds);
	printf("context: %zu contexts of %d sessions built in %.2f s of CPU: "
	    "%.0f contexts/s\n", n, NSESSIONS, cpu, (double)n / cpu);

	free(text);
	free(html);
	free(subject);
	tpl_vars_free(v);
	templates_free(ts);
	free(dir);
	return 0;
}
