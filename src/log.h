/*
 * log.h - one line per event on stderr, prefixed with the syslog priority
 * ("<6>") so that journald keeps the levels.
 *
 * log_warn() and fatal() append strerror(errno); the -x variants do not.
 * fatal() and fatalx() exit with status 1 (or the status set by
 * log_set_fatal_status()).
 */
#ifndef TRUCD_LOG_H
#define TRUCD_LOG_H

#include <stdarg.h>

void	log_init(const char *progname, int debug);
void	log_set_fatal_status(int);
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
