/*
 * programme.h - the programme of the coming weeks, as template variables
 * for one agent (what they are registered for, free places, the command
 * line and mailto: link of each session).
 *
 * programme_load() reads the sessions once; programme_vars() is then cheap
 * enough to run for 10,000 agents.
 */
#ifndef TRUCD_PROGRAMME_H
#define TRUCD_PROGRAMME_H

#include <stdint.h>
#include <time.h>

struct app;
struct programme;
struct tpl_vars;

struct programme *programme_load(struct app *, time_t now);
size_t		  programme_count(const struct programme *);
/*
 * Fills v with: weeks, count, and `days` (one item per day, or per track
 * when group_by = "track"): {day, group, sessions: {code, title, track,
 * day, start_time, end_time, place, trainer, free, waiting, full,
 * registered, waitlisted, command_line, mailto}}.  agent_id 0: nobody.
 */
void		  programme_vars(const struct programme *, struct app *,
		    int64_t agent_id, const char *lang, struct tpl_vars *v);
void		  programme_free(struct programme *);

#endif
