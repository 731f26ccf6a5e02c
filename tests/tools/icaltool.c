/*
 * icaltool - prints an invitation built by ical.c, or reads a reply with
 * it; for tests/t/t0060-ical-validate.sh.
 *
 *	icaltool request|cancel [--tz ZONE] --start 'YYYY-MM-DD HH:MM'
 *	    --end '…' [--uid UID | --code CODE --domain DOMAIN]
 *	    [--seq N] [--dtstamp '…'] [--summary S] [--location L]
 *	    [--description D] --organizer ADDR [--organizer-name N]
 *	    --attendee ADDR [--attendee-name N]
 *	icaltool reply [FILE]		prints uid, attendee, partstat,
 *					sequence, one per line (stdin if no FILE)
 *	icaltool uid CODE EMAIL DOMAIN
 *
 * Exit status 0, or 1 with a message on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ical.h"
#include "tz.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: icaltool request|cancel [options], "
	    "icaltool reply [FILE], icaltool uid CODE EMAIL DOMAIN\n");
	exit(1);
}

static time_t
local_time(const char *opt, const char *s)
{
	const char *why;
	time_t t;

	if (tz_parse_local(s, &t, &why) == -1) {
		fprintf(stderr, "icaltool: --%s %s: %s\n", opt, s, why);
		exit(1);
	}
	return t;
}

static int
reply(const char *path)
{
	static const char *names[] = { "OTHER", "ACCEPTED", "DECLINED",
	    "TENTATIVE" };
	struct buf b = BUF_INIT;
	struct ical_reply r;
	FILE *f = stdin;
	char chunk[4096], *cause;
	size_t n;
	int rc;

	if (path != NULL && (f = fopen(path, "rb")) == NULL) {
		perror(path);
		return 1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (f != stdin)
		fclose(f);
	rc = ical_parse_reply(b.s != NULL ? b.s : "", b.len, &r, &cause);
	buf_free(&b);
	if (rc == -1) {
		fprintf(stderr, "icaltool: %s\n", cause);
		free(cause);
		return 1;
	}
	printf("uid=%s\nattendee=%s\npartstat=%s\nsequence=%d\n", r.uid,
	    r.attendee, names[r.partstat], r.sequence);
	ical_reply_free(&r);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tz", required_argument, NULL, 'z' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "uid", required_argument, NULL, 'u' },
		{ "code", required_argument, NULL, 'c' },
		{ "domain", required_argument, NULL, 'd' },
		{ "seq", required_argument, NULL, 'q' },
		{ "dtstamp", required_argument, NULL, 't' },
		{ "summary", required_argument, NULL, 'S' },
		{ "location", required_argument, NULL, 'L' },
		{ "description", required_argument, NULL, 'D' },
		{ "organizer", required_argument, NULL, 'o' },
		{ "organizer-name", required_argument, NULL, 'O' },
		{ "attendee", required_argument, NULL, 'a' },
		{ "attendee-name", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	struct ical_event ev;
	const char *zone = "Europe/Paris", *start = NULL, *end = NULL;
	const char *code = NULL, *domain = NULL, *dtstamp = NULL;
	char *uid = NULL, *out;
	int ch, cancel;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "reply") == 0)
		return reply(argc > 2 ? argv[2] : NULL);
	if (strcmp(argv[1], "uid") == 0) {
		if (argc != 5)
			usage();
		out = ical_uid(argv[2], argv[3], argv[4]);
		printf("%s\n", out);
		free(out);
		return 0;
	}
	if (strcmp(argv[1], "request") == 0)
		cancel = 0;
	else if (strcmp(argv[1], "cancel") == 0)
		cancel = 1;
	else
		usage();

	memset(&ev, 0, sizeof ev);
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'z': zone = optarg; break;
		case 's': start = optarg; break;
		case 'e': end = optarg; break;
		case 'u': ev.uid = optarg; break;
		case 'c': code = optarg; break;
		case 'd': domain = optarg; break;
		case 'q': ev.sequence = atoi(optarg); break;
		case 't': dtstamp = optarg; break;
		case 'S': ev.summary = optarg; break;
		case 'L': ev.location = optarg; break;
		case 'D': ev.description = optarg; break;
		case 'o': ev.organizer_addr = optarg; break;
		case 'O': ev.organizer_name = optarg; break;
		case 'a': ev.attendee_addr = optarg; break;
		case 'A': ev.attendee_name = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || start == NULL || end == NULL ||
	    ev.organizer_addr == NULL || ev.attendee_addr == NULL)
		usage();
	if (tz_set(zone) == -1) {
		fprintf(stderr, "icaltool: unknown time zone %s\n", zone);
		return 1;
	}
	ev.tzid = zone;
	ev.start = local_time("start", start);
	ev.end = local_time("end", end);
	if (dtstamp != NULL)
		ev.dtstamp = local_time("dtstamp", dtstamp);
	if (ev.uid == NULL) {
		if (code == NULL || domain == NULL)
			usage();
		ev.uid = uid = ical_uid(code, ev.attendee_addr, domain);
	}
	out = cancel ? ical_cancel(&ev) : ical_request(&ev);
	fputs(out, stdout);
	free(out);
	free(uid);
	return 0;
}
