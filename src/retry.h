/*
 * retry.h - when to try a failed delivery again.  Pure: no clock, no I/O.
 *
 * The outbox keeps a message's attempt count; after each temporary failure
 * it asks retry_next() for the earliest time of the next attempt.
 */
#ifndef TRUCD_RETRY_H
#define TRUCD_RETRY_H

#include <time.h>

#define RETRY_FIRST	60	/* seconds after the first failure */
#define RETRY_MAX	3600	/* never wait longer than this */

/*
 * The time of the next attempt after `attempts` failures (1 = the first
 * failure): now + 1 min, 2 min, 4 min, ... doubling, capped at one hour.
 * attempts < 1 is taken as 1.
 */
time_t	retry_next(time_t now, int attempts);

/* The delay alone, in seconds (what retry_next adds to now). */
long	retry_delay(int attempts);

#endif
