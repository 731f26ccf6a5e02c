/*
 * reporttool - renders the year's figures from fixed numbers (a plausible
 * year of six tracks, or an empty one), without a database; for
 * tests/t/t0610-report.sh.
 *
 *	reporttool html|text [-e] [-s SCHOOL] [-o FILE]
 *
 * -e: a year without any data.  Writes to FILE or standard output.
 * Exit status 0, or 1 with a message on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

#define S(s)	((char *)(uintptr_t)(s))

static struct report_track tracks[] = {
	{ S("Bureautique"), 14, 118, 168, 131 },
	{ S("Management"), 6, 52, 72, 58 },
	{ S("Numérique responsable et accessibilité des services en ligne"),
	    3, 21, 36, 24 },
	{ S("Prévention et sécurité"), 9, 97, 108, 104 },
	{ S("Relation aux usagers"), 7, 60, 84, 66 },
	{ S(""), 2, 11, 24, 13 },
};

static struct report_trainer trainers[] = {
	{ S("hdubœuf@ville.example"), S("Hélène Dubœuf"), 9 },
	{ S("jlefevre@ville.example"), S("Jérôme Lefèvre"), 6 },
	{ S("mcastex@ville.example"), S(""), 2 },
};

static void
fixed(struct report_stats *rs)
{
	static const int monthly[12] = { 30, 35, 42, 28, 31, 40, 8, 0, 45,
	    50, 39, 11 };

	memset(rs, 0, sizeof *rs);
	rs->year = 2026;
	rs->sessions_held = 41;
	rs->sessions_cancelled = 3;
	rs->sessions_upcoming = 4;
	rs->participations = 359;
	rs->participants = 187;
	rs->attended = 301;
	rs->absent = 23;
	rs->places_offered = 492;
	rs->places_taken = 396;
	memcpy(rs->monthly, monthly, sizeof monthly);
	rs->tracks = tracks;
	rs->ntracks = nitems(tracks);
	rs->trainers = trainers;
	rs->ntrainers = nitems(trainers);
}

int
main(int argc, char **argv)
{
	struct report_stats rs;
	const char *school = "TRUC² — école interne de la Ville", *out = NULL;
	char *doc;
	int c, empty = 0, html;
	FILE *f = stdout;

	if (argc < 2 || (strcmp(argv[1], "html") != 0 &&
	    strcmp(argv[1], "text") != 0))
		goto usage;
	html = strcmp(argv[1], "html") == 0;
	optind = 2;
	while ((c = getopt(argc, argv, "es:o:")) != -1) {
		switch (c) {
		case 'e':
			empty = 1;
			break;
		case 's':
			school = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (empty) {
		memset(&rs, 0, sizeof rs);
		rs.year = 2031;
	} else
		fixed(&rs);
	doc = html ? report_html(&rs, school) : report_text(&rs);
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		perror(out);
		free(doc);
		return 1;
	}
	if (fputs(doc, f) == EOF || (out != NULL && fclose(f) != 0)) {
		perror(out != NULL ? out : "stdout");
		free(doc);
		return 1;
	}
	free(doc);
	return 0;
usage:
	fprintf(stderr, "usage: reporttool html|text [-e] [-s SCHOOL] "
	    "[-o FILE]\n");
	return 1;
}
