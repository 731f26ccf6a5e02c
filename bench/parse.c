/*
 * parse.c - parse rate of the mail parser: loads every .eml under
 * mail-corpus, then parses and classifies them over and over on one core
 * for a few seconds and prints messages per second of CPU time (so that
 * other load on the machine does not count against it).  The target is
 * more than 5,000 messages/s on a release build (build/bench/parse).
 *
 * usage: parse [mail-corpus-dir [seconds]]
 *   the directory defaults to $SHARED/mail-corpus, the time to 3 seconds.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "classify.h"
#include "message.h"
#include "util.h"

struct mail {
	char	*raw;
	size_t	 len;
};

static struct mail	*mails;
static size_t		 nmails;

static void
load(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char		*path;
		struct stat	 st;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			load(path);
		else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    strlen(e->d_name) > 4 &&
		    strcmp(e->d_name + strlen(e->d_name) - 4, ".eml") == 0) {
			FILE	*f = fopen(path, "rb");
			char	*raw = xmalloc((size_t)st.st_size + 1);
			size_t	 n = f ? fread(raw, 1, (size_t)st.st_size, f) : 0;

			if (f != NULL)
				fclose(f);
			mails = xreallocarray(mails, nmails + 1, sizeof(*mails));
			mails[nmails].raw = raw;
			mails[nmails++].len = n;
		}
		free(path);
	}
	closedir(d);
}

static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	const char	*shared = getenv("SHARED");
	char		*dir;
	double		 seconds = 3, start, cpu0, elapsed, cpu;
	size_t		 parsed = 0, bytes = 0, failed = 0, total = 0;

	if (argc > 1)
		dir = xstrdup(argv[1]);
	else
		dir = xasprintf("%s/mail-corpus", shared && *shared ? shared :
		    "../shared");
	if (argc > 2)
		seconds = atof(argv[2]);
	load(dir);
	if (nmails == 0) {
		fprintf(stderr, "parse: no .eml under %s\n", dir);
		return 1;
	}
	for (size_t i = 0; i < nmails; i++)
		total += mails[i].len;

	start = now(CLOCK_MONOTONIC);
	cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (size_t i = 0; i < nmails; i++) {
			struct message		*m;
			struct classification	 c;
			char			*cause;

			if (message_parse(mails[i].raw, mails[i].len, NULL, &m,
			    &cause) == 0) {
				classify(m, "formation@mairie.example", &c);
				classification_free(&c);
				message_free(m);
			} else {
				free(cause);
				failed++;
			}
			parsed++;
			bytes += mails[i].len;
		}
		cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	} while (cpu < seconds);
	elapsed = now(CLOCK_MONOTONIC) - start;

	printf("%zu messages (%zu bytes) from %s\n", nmails, total, dir);
	printf("%zu parses in %.2f s of CPU (%.2f s wall): %.0f messages/s, "
	    "%.1f MB/s, %zu refused\n", parsed, cpu, elapsed,
	    (double)parsed / cpu, (double)bytes / cpu / 1e6, failed);
	for (size_t i = 0; i < nmails; i++)
		free(mails[i].raw);
	free(mails);
	free(dir);
	return 0;
}
