/* retry.c - exponential backoff for the outbox.  See retry.h. */
#include "retry.h"

long
retry_delay(int attempts)
{
	long delay = RETRY_FIRST;

	/* Doubling in a loop rather than a shift: no overflow whatever
	 * attempts is, and the loop stops at the cap (at most 6 turns). */
	for (int i = 1; i < attempts && delay < RETRY_MAX; i++)
		delay *= 2;
	return delay < RETRY_MAX ? delay : RETRY_MAX;
}

time_t
retry_next(time_t now, int attempts)
{
	return now + (time_t)retry_delay(attempts);
}
