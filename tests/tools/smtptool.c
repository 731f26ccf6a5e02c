/*
 * smtptool - drive src/smtp.c by hand and from tests/t/t0150-smtp.sh.
 *
 *   smtptool [options] URL FROM TO FILE...
 *   smtptool [options] --gen N URL FROM TO
 *
 * Each FILE is one mail (sent as is, bare LF turned into CRLF by smtp.c); an
 * argument "--to=ADDR" among the files changes the recipient of the files
 * after it.  --gen N makes N small mails in memory instead (for timing).
 * All mails go in one batch over one session; --batches K sends that batch
 * K times on the same session, sleeping --pause S seconds in between.
 *
 * Prints "N sent|tempfail|permfail REPLY" per mail (-q: only the failures),
 * then "elapsed SECONDS s, C connection(s), S/T sent".  Exit status: 0 all
 * sent, 1 some not sent, 2 usage or setup error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "smtp.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: smtptool [--tls-none] [--ca FILE] "
	    "[--capath DIR] [--user U --password P] [--helo D] [--timeout S]\n"
	    "                [-q] [--batches K] [--pause S] "
	    "[--gen N] URL FROM TO [FILE | --to=ADDR]...\n");
	exit(2);
}

static char *
read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		fatal("%s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f))
		fatal("%s", path);
	fclose(f);
	*len = b.len;
	return buf_detach(&b);
}

static char *
gen_mail(size_t i, const char *from, const char *to, size_t *len)
{
	char *m = xasprintf(
	    "From: <%s>\r\n"
	    "To: <%s>\r\n"
	    "Subject: smtptool %zu\r\n"
	    "Message-ID: <smtptool.%zu@example.test>\r\n"
	    "Date: Mon, 30 Nov 2026 08:00:00 +0100\r\n"
	    "\r\n"
	    "Message %zu of a timing run.  La de da de da de da de da de da.\r\n"
	    "La de da de da de da de da de da.  La de da de da de da de da.\r\n"
	    "La de da de da de da de da de da.  La de da de da de da de da.\r\n",
	    from, to, i, i, i);

	*len = strlen(m);
	return m;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const char *names[] = { "sent", "tempfail", "permfail" };
	struct smtp_conf conf = { .timeout = 10 };
	struct smtp_item *items;
	struct smtp *s;
	const char *from, *to;
	char **datas;
	size_t n = 0, gen = 0, sent = 0, total = 0;
	int i, quiet = 0, batches = 1, pause = 0, rc = 0;
	double t0, elapsed;

	log_init("smtptool", getenv("SMTPTOOL_DEBUG") != NULL);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (strcmp(o, "-q") == 0)
			quiet = 1;
		else if (strcmp(o, "--tls-none") == 0)
			conf.tls_none = 1;
		else if (strcmp(o, "--") == 0) {
			i++;
			break;
		} else if (i + 1 >= argc)
			usage();
		else if (strcmp(o, "--ca") == 0)
			conf.ca_file = argv[++i];
		else if (strcmp(o, "--capath") == 0)
			conf.ca_path = argv[++i];
		else if (strcmp(o, "--user") == 0)
			conf.user = argv[++i];
		else if (strcmp(o, "--password") == 0)
			conf.password = argv[++i];
		else if (strcmp(o, "--helo") == 0)
			conf.helo_domain = argv[++i];
		else if (strcmp(o, "--timeout") == 0)
			conf.timeout = atoi(argv[++i]);
		else if (strcmp(o, "--batches") == 0)
			batches = atoi(argv[++i]);
		else if (strcmp(o, "--pause") == 0)
			pause = atoi(argv[++i]);
		else if (strcmp(o, "--gen") == 0)
			gen = strtoul(argv[++i], NULL, 10);
		else
			usage();
	}
	if (argc - i < 3 || batches < 1 || batches > 1000 || pause < 0)
		usage();
	conf.url = argv[i];
	from = argv[i + 1];
	to = argv[i + 2];
	i += 3;
	if (gen == 0 && i >= argc)
		usage();

	items = xcalloc(gen + (size_t)(argc - i), sizeof *items);
	datas = xcalloc(gen + (size_t)(argc - i), sizeof *datas);
	for (; n < gen; n++) {
		datas[n] = gen_mail(n + 1, from, to, &items[n].len);
		items[n].from = from;
		items[n].to = to;
		items[n].data = datas[n];
	}
	for (; i < argc; i++) {
		if (strncmp(argv[i], "--to=", 5) == 0) {
			to = argv[i] + 5;
			continue;
		}
		datas[n] = read_file(argv[i], &items[n].len);
		items[n].from = from;
		items[n].to = to;
		items[n].data = datas[n];
		n++;
	}

	if (smtp_global_init() == -1) {
		rc = 2;
		goto done;
	}
	if ((s = smtp_open(&conf)) == NULL) {
		smtp_global_cleanup();
		rc = 2;
		goto done;
	}
	t0 = now();
	for (int b = 0; b < batches; b++) {
		if (b > 0 && pause > 0)
			sleep((unsigned)pause);
		sent += smtp_send_batch(s, items, n);
		total += n;
		for (size_t k = 0; k < n; k++) {
			if (items[k].status != SMTP_SENT)
				rc = 1;
			if (quiet && items[k].status == SMTP_SENT)
				continue;
			printf("%zu %s%s%s\n", k + 1, names[items[k].status],
			    items[k].reply != NULL ? " " : "",
			    items[k].reply != NULL ? items[k].reply : "");
		}
	}
	elapsed = now() - t0;
	printf("elapsed %.3f s, %ld connection(s), %zu/%zu sent\n", elapsed,
	    smtp_connects(s), sent, total);
	smtp_close(s);
	smtp_global_cleanup();

done:
	for (size_t k = 0; k < n; k++) {
		free(items[k].reply);
		free(datas[k]);
	}
	free(items);
	free(datas);
	return rc;
}
