/* rules.c - registration decisions (pure). */
#include <string.h>

#include "rules.h"

int
reg_state_holds_place(enum reg_state s)
{
	return s == RS_REGISTERED || s == RS_ATTENDED || s == RS_ABSENT;
}

enum reg_outcome
rules_register(const struct session_view *s, enum reg_state current,
    time_t now)
{
	if (reg_state_holds_place(current))
		return OUT_ALREADY_REGISTERED;
	if (current == RS_WAITLISTED)
		return OUT_ALREADY_WAITLISTED;
	if (s->cancelled)
		return OUT_REFUSED_CANCELLED;
	if (now >= s->end)
		return OUT_REFUSED_PAST;
	if (now >= s->start)
		return OUT_REFUSED_STARTED;
	/* A place is free only when nobody waits for it (FIFO). */
	if (s->registered < s->capacity && s->waiting == 0)
		return OUT_REGISTERED;
	return OUT_WAITLISTED;
}

enum unreg_outcome
rules_unregister(const struct session_view *s, enum reg_state current,
    time_t now)
{
	if (!reg_state_holds_place(current) && current != RS_WAITLISTED)
		return UNREG_NOT_REGISTERED;
	if (!s->cancelled && now >= s->end)
		return UNREG_REFUSED_PAST;
	if (!s->cancelled && now >= s->start)
		return UNREG_REFUSED_STARTED;
	return current == RS_WAITLISTED ? UNREG_LEFT_WAITLIST : UNREG_CANCELLED;
}

int
rules_promotions(const struct session_view *s)
{
	int free_places = s->capacity - s->registered;

	if (s->cancelled || free_places <= 0 || s->waiting <= 0)
		return 0;
	return free_places < s->waiting ? free_places : s->waiting;
}

int
rules_overflow(const struct session_view *s)
{
	return s->registered > s->capacity ? s->registered - s->capacity : 0;
}

int
rules_overlap(time_t a0, time_t a1, time_t b0, time_t b1)
{
	return a0 < b1 && b0 < a1;
}

static const char *state_names[] = {
	[RS_NONE] = "none",
	[RS_REGISTERED] = "registered",
	[RS_WAITLISTED] = "waitlisted",
	[RS_CANCELLED] = "cancelled",
	[RS_ATTENDED] = "attended",
	[RS_ABSENT] = "absent",
};

const char *
reg_state_name(enum reg_state s)
{
	return state_names[s];
}

enum reg_state
reg_state_parse(const char *name)
{
	for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
		if (strcmp(state_names[i], name) == 0)
			return (enum reg_state)i;
	return RS_NONE;
}
