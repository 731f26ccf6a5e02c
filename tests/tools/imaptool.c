/*
 * imaptool - drive src/imap.c from shell tests.
 *
 *   imaptool [options] URL USER PASS CMD [ARG...] [, CMD [ARG...]]...
 *   imaptool --parse-url URL
 *   imaptool --utf7 STRING
 *
 * Options: --ca FILE, --tls-none, --timeout SEC, --no-move, --no-uidplus,
 * --no-idle (behave as if the server lacked them).
 *
 * Commands, run in order on one connection (login happens first, always);
 * MAILBOX "." means the one selected by an earlier command (no SELECT):
 *   login                      nothing more (exit 0 once logged in)
 *   caps                       "caps MOVE UIDPLUS IDLE" (those in use)
 *   select MAILBOX             "uidvalidity N"
 *   list MAILBOX               "uidvalidity N" then "uids U1 U2 ..."
 *   fetch MAILBOX [--out DIR] UID...|all
 *                              one "UID LENGTH SHA256" line per message,
 *                              ascending; with --out, DIR/UID holds the bytes
 *   fetchall MAILBOX BATCH     fetch everything, BATCH UIDs per command;
 *                              "fetched N messages B bytes in T ms"
 *   move MAILBOX DEST UID...|all
 *   idle MAILBOX SECONDS [--after FILE] [--stamp FILE]
 *                              prints "selected", waits for FILE to exist if
 *                              --after, prints "idling", then "changed",
 *                              "timeout", "stopped" (SIGTERM/SIGINT) or
 *                              "lost"; with --stamp FILE (holding `date
 *                              +%s%N`), "latency_ms N" after "changed"
 *   noop
 *   pause SECONDS
 * Exit status 0, or 1 with the cause on stderr as soon as a command fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "imap.h"
#include "log.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: imaptool [--ca FILE] [--tls-none] "
	    "[--timeout SEC] [--no-move] [--no-uidplus] [--no-idle]\n"
	    "                URL USER PASS CMD [ARG...] [, CMD [ARG...]]...\n"
	    "       imaptool --parse-url URL\n"
	    "       imaptool --utf7 STRING\n");
	exit(2);
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t
parse_uid(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > UINT32_MAX) {
		fprintf(stderr, "imaptool: bad UID \"%s\"\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

static int
die_cause(char *cause)
{
	fprintf(stderr, "imaptool: %s\n", cause);
	free(cause);
	return 1;
}

/* UIDs from argv, or every UID of the selected mailbox for "all". */
static int
get_uids(struct imap *im, char **av, int ac, uint32_t **uids, size_t *n)
{
	char *cause = NULL;

	if (ac == 1 && strcmp(av[0], "all") == 0) {
		if (imap_list_uids(im, uids, n, &cause) == -1)
			return die_cause(cause);
		return 0;
	}
	*uids = xcalloc(ac > 0 ? (size_t)ac : 1, sizeof **uids);
	for (int i = 0; i < ac; i++)
		(*uids)[i] = parse_uid(av[i]);
	*n = (size_t)ac;
	return 0;
}

static void
print_msg(const struct imap_msg *m, const char *outdir)
{
	unsigned char dig[32];
	char hex[65];
	FILE *f;
	char *path;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, m->data, m->len, dig) < 0)
		fatalx("gnutls_hash_fast failed");
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	printf("%u %zu %s\n", (unsigned)m->uid, m->len, hex);
	if (outdir == NULL)
		return;
	path = xasprintf("%s/%u", outdir, (unsigned)m->uid);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(m->data, 1, m->len, f) != m->len || fclose(f) != 0)
		fatal("%s", path);
	free(path);
}

static int
cmd_select(struct imap *im, const char *mb)
{
	uint32_t uidvalidity;
	char *cause = NULL;

	if (strcmp(mb, ".") == 0)	/* keep the mailbox selected before */
		return 0;
	if (imap_select(im, mb, &uidvalidity, &cause) == -1)
		return die_cause(cause);
	printf("uidvalidity %u\n", (unsigned)uidvalidity);
	return 0;
}

static int
cmd_list(struct imap *im, const char *mb)
{
	uint32_t *uids;
	size_t n;
	char *cause = NULL;

	if (cmd_select(im, mb) != 0)
		return 1;
	if (imap_list_uids(im, &uids, &n, &cause) == -1)
		return die_cause(cause);
	printf("uids");
	for (size_t i = 0; i < n; i++)
		printf(" %u", (unsigned)uids[i]);
	printf("\n");
	free(uids);
	return 0;
}

static int
cmd_fetch(struct imap *im, char **av, int ac)
{
	const char *outdir = NULL;
	struct imap_msg *msgs;
	uint32_t *uids;
	size_t n, nmsgs;
	char *cause = NULL;
	int rc;

	if (ac < 1)
		usage();
	if (cmd_select(im, av[0]) != 0)
		return 1;
	av++, ac--;
	if (ac >= 2 && strcmp(av[0], "--out") == 0) {
		outdir = av[1];
		av += 2, ac -= 2;
	}
	if ((rc = get_uids(im, av, ac, &uids, &n)) != 0)
		return rc;
	if (imap_fetch(im, uids, n, &msgs, &nmsgs, &cause) == -1) {
		free(uids);
		return die_cause(cause);
	}
	for (size_t i = 0; i < nmsgs; i++)
		print_msg(&msgs[i], outdir);
	imap_msgs_free(msgs, nmsgs);
	free(uids);
	return 0;
}

static int
cmd_fetchall(struct imap *im, const char *mb, const char *batchs)
{
	struct imap_msg *msgs;
	uint32_t *uids;
	size_t n, nmsgs, total = 0, bytes = 0, batch;
	char *cause = NULL;
	int64_t t0;

	batch = parse_uid(batchs);
	if (cmd_select(im, mb) != 0)
		return 1;
	t0 = mono_ms();
	if (imap_list_uids(im, &uids, &n, &cause) == -1)
		return die_cause(cause);
	for (size_t i = 0; i < n; i += batch) {
		size_t k = n - i < batch ? n - i : batch;

		if (imap_fetch(im, uids + i, k, &msgs, &nmsgs, &cause) == -1) {
			free(uids);
			return die_cause(cause);
		}
		total += nmsgs;
		for (size_t j = 0; j < nmsgs; j++)
			bytes += msgs[j].len;
		imap_msgs_free(msgs, nmsgs);
	}
	printf("fetched %zu messages %zu bytes in %lld ms\n", total, bytes,
	    (long long)(mono_ms() - t0));
	free(uids);
	return 0;
}

static int
cmd_move(struct imap *im, char **av, int ac)
{
	uint32_t *uids;
	size_t n;
	char *cause = NULL;
	int rc;

	if (ac < 2)
		usage();
	if (cmd_select(im, av[0]) != 0)
		return 1;
	if ((rc = get_uids(im, av + 2, ac - 2, &uids, &n)) != 0)
		return rc;
	rc = imap_move(im, uids, n, av[1], &cause);
	free(uids);
	if (rc == -1)
		return die_cause(cause);
	return 0;
}

static int
cmd_idle(struct imap *im, char **av, int ac)
{
	const char *after = NULL, *stampf = NULL;
	int64_t until;
	int secs, r;

	if (ac < 2)
		usage();
	secs = atoi(av[1]);
	for (int i = 2; i + 1 < ac; i += 2) {
		if (strcmp(av[i], "--after") == 0)
			after = av[i + 1];
		else if (strcmp(av[i], "--stamp") == 0)
			stampf = av[i + 1];
		else
			usage();
	}
	if (cmd_select(im, av[0]) != 0)
		return 1;
	printf("selected\n");
	fflush(stdout);
	if (after != NULL) {
		until = mono_ms() + 20000;
		while (access(after, F_OK) == -1 && mono_ms() < until && !stop)
			usleep(10000);
	}
	printf("idling\n");
	fflush(stdout);
	r = imap_idle(im, secs, &stop);
	if (r == 1) {
		int64_t now = wall_ms();
		FILE *f;
		long long ns;

		printf("changed\n");
		if (stampf != NULL && (f = fopen(stampf, "r")) != NULL) {
			if (fscanf(f, "%lld", &ns) == 1)
				printf("latency_ms %lld\n",
				    (long long)(now - ns / 1000000));
			fclose(f);
		}
	} else if (r == 0)
		printf(stop ? "stopped\n" : "timeout\n");
	else
		printf("lost\n");
	fflush(stdout);
	return 0;
}

static int
run(struct imap *im, char **av, int ac)
{
	const char *cmd = av[0];
	char *cause = NULL;

	if (strcmp(cmd, "login") == 0)
		return 0;
	if (strcmp(cmd, "caps") == 0) {
		int c = imap_caps(im);

		printf("caps%s%s%s\n", c & IMAP_CAP_MOVE ? " MOVE" : "",
		    c & IMAP_CAP_UIDPLUS ? " UIDPLUS" : "",
		    c & IMAP_CAP_IDLE ? " IDLE" : "");
		return 0;
	}
	if (strcmp(cmd, "select") == 0 && ac == 2)
		return cmd_select(im, av[1]);
	if (strcmp(cmd, "list") == 0 && ac == 2)
		return cmd_list(im, av[1]);
	if (strcmp(cmd, "fetch") == 0)
		return cmd_fetch(im, av + 1, ac - 1);
	if (strcmp(cmd, "fetchall") == 0 && ac == 3)
		return cmd_fetchall(im, av[1], av[2]);
	if (strcmp(cmd, "move") == 0)
		return cmd_move(im, av + 1, ac - 1);
	if (strcmp(cmd, "idle") == 0)
		return cmd_idle(im, av + 1, ac - 1);
	if (strcmp(cmd, "noop") == 0) {
		if (imap_noop(im, &cause) == -1)
			return die_cause(cause);
		return 0;
	}
	if (strcmp(cmd, "pause") == 0 && ac == 2) {
		int64_t until = mono_ms() + (int64_t)atoi(av[1]) * 1000;

		while (mono_ms() < until && !stop)
			usleep(10000);
		return 0;
	}
	usage();
	return 2;
}

int
main(int argc, char **argv)
{
	struct imap_conf conf;
	struct sigaction sa;
	struct imap *im;
	char *cause = NULL, *host;
	uint16_t port;
	int disable = 0, implicit, rc = 0, i = 1;

	log_init("imaptool", getenv("IMAPTOOL_DEBUG") != NULL);
	memset(&conf, 0, sizeof conf);
	conf.timeout = 10;

	if (argc == 3 && strcmp(argv[1], "--parse-url") == 0) {
		if (imap_parse_url(argv[2], &implicit, &host, &port,
		    &cause) == -1)
			return die_cause(cause);
		printf("%s %s %u\n", implicit ? "imaps" : "imap", host,
		    (unsigned)port);
		free(host);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--utf7") == 0) {
		char *s = imap_utf7_encode(argv[2]);

		if (s == NULL) {
			fprintf(stderr, "imaptool: not UTF-8\n");
			return 1;
		}
		printf("%s\n", s);
		free(s);
		return 0;
	}

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc)
			conf.ca_file = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			conf.timeout = atoi(argv[++i]);
		else if (strcmp(argv[i], "--tls-none") == 0)
			conf.tls_none = 1;
		else if (strcmp(argv[i], "--no-move") == 0)
			disable |= IMAP_CAP_MOVE;
		else if (strcmp(argv[i], "--no-uidplus") == 0)
			disable |= IMAP_CAP_UIDPLUS;
		else if (strcmp(argv[i], "--no-idle") == 0)
			disable |= IMAP_CAP_IDLE;
		else
			usage();
	}
	if (argc - i < 4)
		usage();
	conf.url = argv[i];
	conf.user = argv[i + 1];
	conf.password = argv[i + 2];
	i += 3;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake poll() */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((im = imap_connect(&conf, &cause)) == NULL)
		return die_cause(cause);
	imap_disable_caps(im, disable);
	while (i < argc && rc == 0) {
		int j = i;

		while (j < argc && strcmp(argv[j], ",") != 0)
			j++;
		if (j > i)
			rc = run(im, argv + i, j - i);
		fflush(stdout);
		i = j + 1;
	}
	imap_close(im);
	return rc;
}
