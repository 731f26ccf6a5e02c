/* log.c - stderr logging with syslog priority prefixes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *log_progname = "trucd";
static int log_debug_enabled;
static int log_fatal_status = 1;

void
log_init(const char *progname, int debug)
{
	log_progname = progname;
	log_debug_enabled = debug;
}

void
log_set_fatal_status(int status)
{
	log_fatal_status = status;
}

static void
vlog(int prio, int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[2048];

	vsnprintf(msg, sizeof msg, fmt, ap);
	/* A log line is one line: user input must not forge a second one. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (with_errno)
		fprintf(stderr, "<%d>%s: %s: %s\n", prio, log_progname, msg,
		    strerror(saved));
	else
		fprintf(stderr, "<%d>%s: %s\n", prio, log_progname, msg);
	errno = saved;
}

#define LOGFN(name, prio, with_errno)			\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	vlog(prio, with_errno, fmt, ap);		\
	va_end(ap);					\
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_enabled)
		return;
	va_start(ap, fmt);
	vlog(7, 0, fmt, ap);
	va_end(ap);
}

LOGFN(log_info, 6, 0)
LOGFN(log_notice, 5, 0)
LOGFN(log_warn, 4, 1)
LOGFN(log_warnx, 4, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(2, 1, fmt, ap);
	va_end(ap);
	exit(log_fatal_status);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(2, 0, fmt, ap);
	va_end(ap);
	exit(log_fatal_status);
}
