/*
 * ical.h - calendar invitations sent with a confirmation (iMIP, RFC 6047)
 * and the replies calendar clients send back.
 *
 * ical_request() and ical_cancel() write a whole VCALENDAR object (RFC 5545,
 * methods of RFC 5546): CRLF line ends, lines folded at 75 octets without
 * cutting a UTF-8 character, user text escaped, DTSTART/DTEND in the
 * configured zone with a VTIMEZONE generated from the system tz database.
 * The object goes in a text/calendar part whose method parameter is the
 * same (REQUEST or CANCEL).
 */
#ifndef TRUCD_ICAL_H
#define TRUCD_ICAL_H

#include <stddef.h>
#include <time.h>

struct ical_event {
	const char	*uid;		/* ical_uid(); required */
	int		 sequence;	/* raised on every change of time or place */
	time_t		 start, end;	/* UTC instants */
	time_t		 dtstamp;	/* when this version was made; 0: now */
	const char	*summary;	/* NULL: no such property */
	const char	*location;
	const char	*description;
	const char	*organizer_addr; /* required (the school's address) */
	const char	*organizer_name; /* NULL: no CN */
	const char	*attendee_addr;	/* required */
	const char	*attendee_name;
	/*
	 * The configured zone (tz.h), e.g. "Europe/Paris"; NULL: tz_name().
	 * It must name the zone tz_set() made current: the local times are
	 * computed in that zone.  "UTC" writes UTC times and no VTIMEZONE.
	 */
	const char	*tzid;
};

/*
 * The UID of one agent's registration to one session:
 * "<code>.<16 hex digits>@<domain>", the hex digits a hash of the address
 * (compared without case), so that the same agent and session always get
 * the same UID and the address does not show in it.  Characters outside
 * [A-Za-z0-9.-] in code and domain are dropped.  The caller frees it.
 */
char	*ical_uid(const char *code, const char *agent_email,
	    const char *domain);

/*
 * METHOD:REQUEST: the event, STATUS:CONFIRMED, one ATTENDEE with
 * ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE.  Never NULL; the
 * caller frees it.  A NULL uid, organizer_addr or attendee_addr is a
 * programming error (fatalx).
 */
char	*ical_request(const struct ical_event *);
/*
 * METHOD:CANCEL: the same UID with STATUS:CANCELLED; the caller raises
 * the SEQUENCE above that of the last REQUEST.  Frees as above.
 */
char	*ical_cancel(const struct ical_event *);

enum partstat {
	PARTSTAT_OTHER,		/* NEEDS-ACTION, DELEGATED, absent, unknown */
	PARTSTAT_ACCEPTED,
	PARTSTAT_DECLINED,
	PARTSTAT_TENTATIVE
};

struct ical_reply {
	char		*uid;
	char		*attendee;	/* lower case, without "mailto:" */
	enum partstat	 partstat;
	int		 sequence;	/* 0 when absent */
};

/*
 * Parses a METHOD:REPLY object (text need not be NUL-terminated) as
 * Outlook, outlook.com (no ORGANIZER), Gmail, Thunderbird and Apple
 * Calendar write them: folded lines, CRLF or LF, any case of "mailto:",
 * quoted parameters, an address given only in an EMAIL parameter.  The
 * attendee is the first ATTENDEE of the first VEVENT that carries a
 * PARTSTAT.  Returns 0 and fills *out (release it with ical_reply_free()),
 * or -1 with *cause set to an English reason that the caller frees, when
 * the text is not iCalendar, not a REPLY, or lacks a UID or an ATTENDEE
 * with a mail address.
 */
int	 ical_parse_reply(const char *text, size_t len, struct ical_reply *out,
	    char **cause);
/* Frees the strings of *r (not r itself); safe on a zeroed struct. */
void	 ical_reply_free(struct ical_reply *r);

#endif
