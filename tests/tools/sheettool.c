/*
 * sheettool - renders a sign-in sheet with sheet_render(), without a
 * database; for tests/t/t0600-sheet.sh.
 *
 *	sheettool [-x small|large|db | -f FILE] [-b N | -F N] -o OUT.pdf
 *
 * -x small: 3 agents; -x large: 75 agents with long accented names and
 * services and a long title; -x db: sheet_pdf() on an in-memory database
 * (agents inserted out of order, some waiting or cancelled, one without a
 * name, the trainer in the directory), zone Europe/Paris.  -f FILE reads "key=value" lines: school,
 * title, day, times, place, trainer, code, blank, and one "row=Name|Service"
 * per agent (in the order given; '#' lines are comments).  -b N sets the
 * blank rows; -F N asks sheet_fill_rows() for at least N, filling the last
 * page.  Prints the number of blank rows used on standard output.
 *
 * Exit status 0, or 1 with a message on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "registry.h"
#include "sheet.h"
#include "tz.h"
#include "util.h"

struct input {
	struct sheet_info	 info;
	struct sheet_row	*rows;
	size_t			 nrows;
	char			**strings;	/* everything to free */
	size_t			 nstrings;
};

static const char *
keep(struct input *in, char *s)
{
	in->strings = xreallocarray(in->strings, in->nstrings + 1,
	    sizeof *in->strings);
	in->strings[in->nstrings++] = s;
	return s;
}

static void
add_row(struct input *in, const char *name, const char *service)
{
	in->rows = xreallocarray(in->rows, in->nrows + 1, sizeof *in->rows);
	in->rows[in->nrows].name = name;
	in->rows[in->nrows].service = service;
	in->nrows++;
}

static void
fixture_small(struct input *in)
{
	in->info.school = "TRUC² — école interne de la Ville";
	in->info.title = "Tableur : les formules de base";
	in->info.day = "lundi 7 décembre 2026";
	in->info.times = "14:00 – 16:00";
	in->info.place = "Salle du conseil, 1er étage";
	in->info.trainer = "Hélène Dubœuf";
	in->info.code = "tableur-1";
	in->info.blank_rows = 5;
	add_row(in, "Chloé Bénard", "État civil");
	add_row(in, "Jérôme Lefèvre", "Espaces verts");
	add_row(in, "Zoé Œuvray", "Médiathèque");
}

static void
fixture_large(struct input *in)
{
	static const char *first[] = { "Anaïs", "Benoît", "Céline", "Désiré",
	    "Élodie", "François", "Gaëlle", "Hélène", "Inès", "Jérôme",
	    "Loïc", "Maëlys", "Noël", "Océane", "Pierre-Étienne" };
	static const char *last[] = { "Bénard", "Château", "Dupré",
	    "Écuyer", "Fèvre", "Gérard", "Hervé", "Lefèvre", "Mégret",
	    "Noël-Ducœur" };
	static const char *services[] = { "État civil", "Espaces verts",
	    "Médiathèque", "Direction de l’éducation, de l’enfance et de la "
	    "jeunesse — service périscolaire et restauration scolaire",
	    "Police municipale", "Régie des eaux" };
	int i;

	in->info.school = "TRUC² — école interne de la Ville";
	in->info.title = "Prévenir et gérer les situations d’agressivité à "
	    "l’accueil du public : écoute active, désamorçage, protection de "
	    "soi et des collègues, suivi des incidents et déclaration à la "
	    "hiérarchie (session longue, deux demi-journées)";
	in->info.day = "jeudi 10 décembre 2026";
	in->info.times = "09:00 – 12:30";
	in->info.place = "Hôtel de ville, salle des mariages (entrée par la "
	    "cour, accès handicapé côté jardin)";
	in->info.trainer = "Marie-Thérèse Éléonore de Saint-Exupéry-Lévêque";
	in->info.code = "agressivite-accueil-2";
	in->info.blank_rows = 5;
	/* Sorted as sheet_pdf() sorts: by name, accents ignored. */
	for (i = 0; i < 75; i++) {
		const char *f = first[i / 5 % nitems(first)];
		const char *l = last[i % nitems(last)];
		char *name;

		if (i == 7)
			name = xasprintf("%s Marie-Bénédicte Géraldine de "
			    "La Tour-d’Auvergne-Lauraguais-Châteaubriant", f);
		else
			name = xasprintf("%s %s", f, l);
		add_row(in, keep(in, name), services[i % nitems(services)]);
	}
}

static const char db_fixture[] =
    "INSERT INTO sessions (id, code, title, track, start_at, end_at, place,"
    "  capacity, trainer, created_at, updated_at) VALUES"
    /* 2026-12-07 14:00 to 16:30 in Paris */
    "  (1, 'tableur-1', 'Tableur : les formules', 'Bureautique',"
    "   1796648400, 1796657400, 'Salle 2', 8, 'HDuboeuf@Ville.Example',"
    "   0, 0);"
    "INSERT INTO agents (id, email, name, service, created_at) VALUES"
    "  (1, 'z@ville.example', 'Zoé Faure', 'Médiathèque', 0),"
    "  (2, 'e@ville.example', 'Émile Dupré', 'État civil', 0),"
    "  (3, 'a@ville.example', 'agathe Martin', 'Régie', 0),"
    "  (4, 'w@ville.example', 'Wanda Waiting', 'Attente', 0),"
    "  (5, 'c@ville.example', 'Claude Cancelled', 'Annulé', 0),"
    "  (6, 'sans.nom@ville.example', '', 'Voirie', 0),"
    "  (7, 'hduboeuf@ville.example', 'Hélène Dubœuf', 'Formation', 0),"
    "  (8, 'b@ville.example', 'Édith Bénard', 'Écoles', 0),"
    "  (9, 'x@ville.example', 'Éric Absent', 'Sports', 0);"
    "INSERT INTO registrations (session_id, agent_id, status, seq, since)"
    "  VALUES (1, 1, 'registered', 1, 0), (1, 2, 'attended', 2, 0),"
    "  (1, 3, 'registered', 3, 0), (1, 4, 'waitlisted', 4, 0),"
    "  (1, 5, 'cancelled', 5, 0), (1, 6, 'registered', 6, 0),"
    "  (1, 8, 'registered', 7, 0), (1, 9, 'absent', 8, 0);";

/* sheet_pdf() over db_fixture; returns the PDF or NULL + *cause. */
static char *
from_db(size_t *len, char **cause)
{
	struct conf conf;
	struct app app;
	struct session s;
	char *err = NULL, *pdf = NULL;

	memset(&conf, 0, sizeof conf);
	memset(&app, 0, sizeof app);
	conf.school_name = (char *)(uintptr_t)"TRUC²";
	app.conf = &conf;
	if (tz_set("Europe/Paris") == -1) {
		*cause = xstrdup("no zone Europe/Paris");
		return NULL;
	}
	if ((app.db = db_open(":memory:", cause)) == NULL)
		return NULL;
	if (sqlite3_exec(db_handle(app.db), db_fixture, NULL, NULL, &err) !=
	    SQLITE_OK) {
		*cause = xstrdup(err != NULL ? err : "sqlite");
		sqlite3_free(err);
	} else if (!registry_session(app.db, "tableur-1", &s))
		*cause = xstrdup("no session tableur-1");
	else {
		pdf = sheet_pdf(&app, &s, len, cause);
		session_clear(&s);
	}
	db_close(app.db);
	return pdf;
}

static int
read_file(struct input *in, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		char *eq, *v;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			fprintf(stderr, "%s:%d: no '='\n", path, lineno);
			free(line);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		v = xstrdup(eq + 1);
		keep(in, v);
		if (strcmp(line, "school") == 0)
			in->info.school = v;
		else if (strcmp(line, "title") == 0)
			in->info.title = v;
		else if (strcmp(line, "day") == 0)
			in->info.day = v;
		else if (strcmp(line, "times") == 0)
			in->info.times = v;
		else if (strcmp(line, "place") == 0)
			in->info.place = v;
		else if (strcmp(line, "trainer") == 0)
			in->info.trainer = v;
		else if (strcmp(line, "code") == 0)
			in->info.code = v;
		else if (strcmp(line, "blank") == 0)
			in->info.blank_rows = atoi(v);
		else if (strcmp(line, "row") == 0) {
			char *bar = strchr(v, '|');

			if (bar != NULL)
				*bar++ = '\0';
			add_row(in, v, bar != NULL ? bar : "");
		} else {
			fprintf(stderr, "%s:%d: unknown key %s\n", path,
			    lineno, line);
			free(line);
			fclose(f);
			return -1;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

static void
input_free(struct input *in)
{
	for (size_t i = 0; i < in->nstrings; i++)
		free(in->strings[i]);
	free(in->strings);
	free(in->rows);
}

int
main(int argc, char **argv)
{
	struct input in;
	const char *fixture = NULL, *file = NULL, *out = NULL;
	char *pdf, *cause = NULL;
	size_t len;
	int c, blank = -1, fill = -1, rc = 1;
	FILE *f;

	memset(&in, 0, sizeof in);
	while ((c = getopt(argc, argv, "x:f:b:F:o:")) != -1) {
		switch (c) {
		case 'x':
			fixture = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'b':
			blank = atoi(optarg);
			break;
		case 'F':
			fill = atoi(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (out == NULL || (fixture == NULL) == (file == NULL))
		goto usage;
	if (fixture != NULL && strcmp(fixture, "small") == 0)
		fixture_small(&in);
	else if (fixture != NULL && strcmp(fixture, "large") == 0)
		fixture_large(&in);
	else if (fixture != NULL && strcmp(fixture, "db") == 0)
		;
	else if (fixture != NULL)
		goto usage;
	else if (read_file(&in, file) == -1)
		goto done;
	in.info.rows = in.rows;
	in.info.nrows = in.nrows;
	if (blank >= 0)
		in.info.blank_rows = blank;
	if (fill >= 0)
		in.info.blank_rows = sheet_fill_rows(&in.info, fill);

	if (fixture != NULL && strcmp(fixture, "db") == 0)
		pdf = from_db(&len, &cause);
	else
		pdf = sheet_render(&in.info, &len, &cause);
	if (pdf == NULL) {
		fprintf(stderr, "sheettool: %s\n", cause);
		free(cause);
		goto done;
	}
	if ((f = fopen(out, "wb")) == NULL ||
	    fwrite(pdf, 1, len, f) != len || fclose(f) != 0) {
		perror(out);
		free(pdf);
		goto done;
	}
	free(pdf);
	if (fixture == NULL || strcmp(fixture, "db") != 0)
		printf("%d\n", in.info.blank_rows);
	rc = 0;
done:
	input_free(&in);
	sheet_cleanup();
	return rc;
usage:
	fprintf(stderr, "usage: sheettool [-x small|large|db | -f FILE] "
	    "[-b N | -F N] -o OUT.pdf\n");
	input_free(&in);
	return 1;
}
