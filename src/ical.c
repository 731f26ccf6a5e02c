/*
 * ical.c - iCalendar invitations and replies, written and read by hand
 * (libical, tried first, pulls ICU and the C++ runtime into the daemon:
 * 4 MB of resident memory for four properties).
 *
 * The VTIMEZONE is generated here from the system tz database (through
 * localtime_r in the process zone) rather than taken from libical's
 * icaltimezone_get_builtin_timezone(): libical 3.0 names the zone
 * "/freeassociation.sourceforge.net/Europe/Paris" and writes its whole
 * history since 1891 (about 190 lines, offsets with seconds such as
 * +000921, rules split at 2037), which clients like Outlook map poorly.
 * What we write is what Outlook and Google write themselves: one STANDARD
 * and one DAYLIGHT with a yearly RRULE, checked against the actual
 * transitions of the years around the event; when a zone follows no such
 * rule there, each transition is written out.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "ical.h"
#include "log.h"
#include "tz.h"
#include "util.h"

#define PRODID		"-//trucd//trucd//FR"
#define FOLD_AT		75		/* octets per line, CRLF excluded */
#define REPLY_MAX	(1024 * 1024)	/* larger replies are refused */
#define MAX_TRANS	64		/* transitions kept in a window */
#define WINDOW_YEARS	4		/* event year - 1 .. event year + 2 */

/* --- Writing lines ------------------------------------------------------ */

/*
 * Length of the well-formed UTF-8 character at s (n bytes left) and its
 * code point, or 0 when the bytes are not UTF-8.
 */
static size_t
utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t v, min;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		v = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		v = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		v = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

enum clean {
	CLEAN_TEXT,	/* TEXT value: \\ \; \, and \n, controls dropped */
	CLEAN_PARAM,	/* inside a quoted parameter: no DQUOTE, no controls */
	CLEAN_ADDR	/* a mail address in a URI: no blanks, no controls */
};

/*
 * Appends user text s in the form `how` allows.  Bytes that are not UTF-8
 * become U+FFFD, so that the result is always UTF-8 and folding can go by
 * characters.
 */
static void
add_clean(struct buf *b, const char *s, enum clean how)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;
	uint32_t cp;

	while (left > 0) {
		n = utf8_char(p, left, &cp);
		if (n == 0) {
			buf_adds(b, "\xef\xbf\xbd");
			p++;
			left--;
			continue;
		}
		if (cp == '\r' || cp == '\n') {
			/* CRLF, LF or a lone CR: one line break. */
			if (cp == '\r' && left > 1 && p[1] == '\n') {
				p++;
				left--;
			}
			if (how == CLEAN_TEXT)
				buf_adds(b, "\\n");
			else if (how == CLEAN_PARAM)
				buf_addc(b, ' ');
		} else if (cp == '\t' && how == CLEAN_TEXT)
			buf_addc(b, '\t');
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			if (how == CLEAN_PARAM)
				buf_addc(b, ' ');
		} else if (how == CLEAN_TEXT &&
		    (cp == '\\' || cp == ';' || cp == ',')) {
			buf_addc(b, '\\');
			buf_addc(b, (int)cp);
		} else if (how == CLEAN_PARAM && cp == '"')
			buf_addc(b, '\'');
		else if (how == CLEAN_ADDR && (cp == ' ' || cp == '"' ||
		    cp == '<' || cp == '>'))
			;
		else
			buf_add(b, p, n);
		p += n;
		left -= n;
	}
}

/*
 * Appends one content line folded at FOLD_AT octets (RFC 5545 3.1): the
 * continuation starts with a space, and a break never falls inside a
 * UTF-8 character (the line is UTF-8 by construction).
 */
static void
add_folded(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, col = 0, n;
	unsigned char c;

	while (i < len) {
		c = (unsigned char)s[i];
		n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (n > len - i)
			n = len - i;
		if (col + n > FOLD_AT) {
			buf_add(out, "\r\n ", 3);
			col = 1;
		}
		buf_add(out, s + i, n);
		col += n;
		i += n;
	}
	buf_add(out, "\r\n", 2);
}

struct writer {
	struct buf	out;
	struct buf	line;	/* the content line being built */
};

static void
line_end(struct writer *w)
{
	add_folded(&w->out, w->line.s != NULL ? w->line.s : "", w->line.len);
	buf_reset(&w->line);
}

static void
emit(struct writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line of our own (ASCII) making. */
static void
emit(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_adds(&w->line, s);
	free(s);
	line_end(w);
}

/* NAME:escaped text; nothing when the text is NULL or empty. */
static void
emit_text(struct writer *w, const char *name, const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	buf_adds(&w->line, name);
	buf_addc(&w->line, ':');
	add_clean(&w->line, text, CLEAN_TEXT);
	line_end(w);
}

/* ;CN="name" when there is a name. */
static void
add_cn(struct buf *b, const char *name)
{
	if (name == NULL || *name == '\0')
		return;
	buf_adds(b, ";CN=\"");
	add_clean(b, name, CLEAN_PARAM);
	buf_addc(b, '"');
}

static void
add_mailto(struct buf *b, const char *addr)
{
	buf_adds(b, ":mailto:");
	add_clean(b, addr, CLEAN_ADDR);
}

/* --- Time zone ---------------------------------------------------------- */

struct trans {
	time_t	at;		/* first second of the new offset */
	long	from, to;	/* UTC offsets, seconds east */
	char	name[16];	/* abbreviation after it, e.g. "CEST" */
};

static long
offset_at(time_t t, char *name, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	if (name != NULL)
		snprintf(name, len, "%s", tm.tm_zone != NULL ? tm.tm_zone : "");
	return tm.tm_gmtoff;
}

/*
 * The changes of UTC offset in [lo, hi), found by probing once a day and
 * bisecting to the second: zones do not change twice in a day.
 */
static size_t
find_transitions(time_t lo, time_t hi, struct trans *tr, size_t max)
{
	size_t n = 0;
	time_t t = lo, u, l, r, m;
	long a, b;

	a = offset_at(t, NULL, 0);
	while (t < hi && n < max) {
		u = t + 86400 < hi ? t + 86400 : hi;
		b = offset_at(u, NULL, 0);
		if (b == a) {
			t = u;
			continue;
		}
		for (l = t, r = u; r - l > 1; ) {
			m = l + (r - l) / 2;
			if (offset_at(m, NULL, 0) == a)
				l = m;
			else
				r = m;
		}
		tr[n].at = r;
		tr[n].from = a;
		tr[n].to = offset_at(r, tr[n].name, sizeof tr[n].name);
		a = tr[n].to;
		t = r;
		n++;
	}
	return n;
}

/* The wall-clock time at which a transition happens, in the old offset. */
static void
trans_local(const struct trans *t, struct tm *tm)
{
	time_t local = t->at + t->from;

	gmtime_r(&local, tm);
}

static int
mdays(int year, int mon0)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (mon0 == 1 && ((year % 4 == 0 && year % 100 != 0) ||
	    year % 400 == 0))
		return 29;
	return d[mon0];
}

struct rule {
	int	 mon0, wday, nth;	/* nth 1-4, or -1 for the last */
	int	 hms;			/* seconds after local midnight */
};

/*
 * The yearly rule that the transitions of one kind follow (one each year
 * of the window, same month, weekday, week and time, same offsets), or -1.
 */
static int
derive_rule(const struct trans *tr, size_t n, int daylight, int y0,
    struct rule *out)
{
	const struct trans *first = NULL;
	struct tm tm;
	int count[WINDOW_YEARS] = { 0 };
	int last_ok = 1, nth_ok = 1, nth = 0, hms, i;
	size_t k;

	for (k = 0; k < n; k++) {
		if ((tr[k].to > tr[k].from) != daylight)
			continue;
		trans_local(&tr[k], &tm);
		i = tm.tm_year + 1900 - y0;
		if (i < 0 || i >= WINDOW_YEARS)
			return -1;
		count[i]++;
		hms = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		if (first == NULL) {
			first = &tr[k];
			out->mon0 = tm.tm_mon;
			out->wday = tm.tm_wday;
			out->hms = hms;
			nth = (tm.tm_mday - 1) / 7 + 1;
		} else if (tm.tm_mon != out->mon0 || tm.tm_wday != out->wday ||
		    hms != out->hms || tr[k].from != first->from ||
		    tr[k].to != first->to)
			return -1;
		if ((tm.tm_mday - 1) / 7 + 1 != nth || nth > 4)
			nth_ok = 0;
		if (tm.tm_mday + 7 <= mdays(tm.tm_year + 1900, tm.tm_mon))
			last_ok = 0;
	}
	for (i = 0; i < WINDOW_YEARS; i++)
		if (count[i] != 1)
			return -1;
	/* "Last" first: 25-28 fit both, and rules say "last" far more. */
	if (last_ok)
		out->nth = -1;
	else if (nth_ok)
		out->nth = nth;
	else
		return -1;
	return 0;
}

static void
fmt_offset(char *buf, size_t len, long off)
{
	char sign = off < 0 ? '-' : '+';
	long a = off < 0 ? -off : off;

	if (a % 60 != 0)
		snprintf(buf, len, "%c%02ld%02ld%02ld", sign, a / 3600,
		    a / 60 % 60, a % 60);
	else
		snprintf(buf, len, "%c%02ld%02ld", sign, a / 3600, a / 60 % 60);
}

static void
emit_observance(struct writer *w, const struct trans *t,
    const struct rule *r)
{
	static const char *days[] = { "SU", "MO", "TU", "WE", "TH", "FR",
	    "SA" };
	const char *kind = t->to > t->from ? "DAYLIGHT" : "STANDARD";
	char from[64], to[64];
	struct tm tm;

	trans_local(t, &tm);
	fmt_offset(from, sizeof from, t->from);
	fmt_offset(to, sizeof to, t->to);
	emit(w, "BEGIN:%s", kind);
	emit(w, "DTSTART:%04d%02d%02dT%02d%02d%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	emit(w, "TZOFFSETFROM:%s", from);
	emit(w, "TZOFFSETTO:%s", to);
	emit_text(w, "TZNAME", t->name);
	if (r != NULL)
		emit(w, "RRULE:FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s",
		    r->mon0 + 1, r->nth, days[r->wday]);
	emit(w, "END:%s", kind);
}

/*
 * The VTIMEZONE of the process zone for an event starting at `when`:
 * enough to convert any time of the event's year and the next.
 */
static void
emit_vtimezone_uncached(struct writer *w, const char *tzid, int y0);

/*
 * Every invitation of a run carries the same few VTIMEZONE blocks, and
 * finding the transitions costs a localtime_r() per day of the window:
 * keep the last blocks made, keyed by zone and first year.
 */
#define VTZ_CACHE 4
static struct {
	char	*tzid, *zone;	/* TZID written, process zone used */
	int	 y0;
	char	*text;
	size_t	 len;
} vtz_cache[VTZ_CACHE];
static unsigned vtz_next;

static void
emit_vtimezone(struct writer *w, const char *tzid, time_t when)
{
	struct writer tmp;
	struct tm tm;
	int y0;
	unsigned i;

	tz_local(when, &tm);
	y0 = tm.tm_year + 1900 - 1;
	for (i = 0; i < VTZ_CACHE; i++)
		if (vtz_cache[i].text != NULL && vtz_cache[i].y0 == y0 &&
		    strcmp(vtz_cache[i].tzid, tzid) == 0 &&
		    strcmp(vtz_cache[i].zone, tz_name()) == 0) {
			buf_add(&w->out, vtz_cache[i].text, vtz_cache[i].len);
			return;
		}
	memset(&tmp, 0, sizeof tmp);
	emit_vtimezone_uncached(&tmp, tzid, y0);
	buf_free(&tmp.line);
	i = vtz_next++ % VTZ_CACHE;
	free(vtz_cache[i].tzid);
	free(vtz_cache[i].zone);
	free(vtz_cache[i].text);
	vtz_cache[i].tzid = xstrdup(tzid);
	vtz_cache[i].zone = xstrdup(tz_name());
	vtz_cache[i].y0 = y0;
	vtz_cache[i].len = tmp.out.len;
	vtz_cache[i].text = buf_detach(&tmp.out);
	buf_add(&w->out, vtz_cache[i].text, vtz_cache[i].len);
}

static void
emit_vtimezone_uncached(struct writer *w, const char *tzid, int y0)
{
	struct trans tr[MAX_TRANS], before;
	struct rule rs, rd;
	struct tm tm;
	time_t lo, hi;
	size_t n, k;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y0 - 1900;
	tm.tm_mday = 1;
	lo = timegm(&tm);
	tm.tm_year += WINDOW_YEARS;
	hi = timegm(&tm);
	n = find_transitions(lo, hi, tr, MAX_TRANS);

	emit(w, "BEGIN:VTIMEZONE");
	buf_adds(&w->line, "TZID:");
	add_clean(&w->line, tzid, CLEAN_TEXT);
	line_end(w);
	if (n > 0 && derive_rule(tr, n, 0, y0, &rs) == 0 &&
	    derive_rule(tr, n, 1, y0, &rd) == 0) {
		/* The first of each kind is in y0, the rule carries it on. */
		for (k = 0; k < n && tr[k].to > tr[k].from; k++)
			;
		emit_observance(w, &tr[k], &rs);
		for (k = 0; k < n && tr[k].to < tr[k].from; k++)
			;
		emit_observance(w, &tr[k], &rd);
	} else {
		/*
		 * No rule: the offset in force at the start of the window
		 * (from 1970, so that nothing is left undefined), then every
		 * transition.
		 */
		memset(&before, 0, sizeof before);
		before.from = before.to = offset_at(lo, before.name,
		    sizeof before.name);
		before.at = -before.from;	/* 19700101T000000 local */
		emit_observance(w, &before, NULL);
		for (k = 0; k < n; k++)
			emit_observance(w, &tr[k], NULL);
	}
	emit(w, "END:VTIMEZONE");
}

/* --- Invitations -------------------------------------------------------- */

static int
is_utc(const char *tzid)
{
	return tzid == NULL || *tzid == '\0' || strcmp(tzid, "UTC") == 0 ||
	    strcmp(tzid, "Etc/UTC") == 0;
}

static void
emit_time(struct writer *w, const char *name, time_t t, const char *tzid)
{
	struct tm tm;

	if (is_utc(tzid)) {
		gmtime_r(&t, &tm);
		emit(w, "%s:%04d%02d%02dT%02d%02d%02dZ", name,
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		return;
	}
	tz_local(t, &tm);
	buf_adds(&w->line, name);
	buf_adds(&w->line, ";TZID=");
	if (strpbrk(tzid, ";:,\"") != NULL) {
		buf_addc(&w->line, '"');
		add_clean(&w->line, tzid, CLEAN_PARAM);
		buf_addc(&w->line, '"');
	} else
		add_clean(&w->line, tzid, CLEAN_PARAM);
	buf_addf(&w->line, ":%04d%02d%02dT%02d%02d%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	line_end(w);
}

static char *
make_event(const struct ical_event *ev, int cancel)
{
	struct writer w = { BUF_INIT, BUF_INIT };
	const char *tzid = ev->tzid != NULL ? ev->tzid : tz_name();

	if (ev->uid == NULL || ev->organizer_addr == NULL ||
	    ev->attendee_addr == NULL)
		fatalx("%s: event without uid, organizer or attendee",
		    __func__);

	emit(&w, "BEGIN:VCALENDAR");
	emit(&w, "PRODID:%s", PRODID);
	emit(&w, "VERSION:2.0");
	emit(&w, "CALSCALE:GREGORIAN");
	emit(&w, "METHOD:%s", cancel ? "CANCEL" : "REQUEST");
	if (!is_utc(tzid))
		emit_vtimezone(&w, tzid, ev->start);
	emit(&w, "BEGIN:VEVENT");
	emit_text(&w, "UID", ev->uid);
	emit_time(&w, "DTSTAMP", ev->dtstamp != 0 ? ev->dtstamp : time(NULL),
	    NULL);
	emit_time(&w, "DTSTART", ev->start, tzid);
	if (ev->end > ev->start)
		emit_time(&w, "DTEND", ev->end, tzid);
	emit(&w, "SEQUENCE:%d", ev->sequence > 0 ? ev->sequence : 0);
	emit_text(&w, "SUMMARY", ev->summary);
	emit_text(&w, "LOCATION", ev->location);
	emit_text(&w, "DESCRIPTION", ev->description);

	buf_adds(&w.line, "ORGANIZER");
	add_cn(&w.line, ev->organizer_name);
	add_mailto(&w.line, ev->organizer_addr);
	line_end(&w);

	buf_adds(&w.line, "ATTENDEE");
	add_cn(&w.line, ev->attendee_name);
	buf_adds(&w.line, ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT");
	if (!cancel)
		buf_adds(&w.line, ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE");
	add_mailto(&w.line, ev->attendee_addr);
	line_end(&w);

	emit(&w, "STATUS:%s", cancel ? "CANCELLED" : "CONFIRMED");
	if (!cancel)
		emit(&w, "TRANSP:OPAQUE");
	emit(&w, "END:VEVENT");
	emit(&w, "END:VCALENDAR");
	buf_free(&w.line);
	return buf_detach(&w.out);
}

char *
ical_request(const struct ical_event *ev)
{
	return make_event(ev, 0);
}

char *
ical_cancel(const struct ical_event *ev)
{
	return make_event(ev, 1);
}

/* FNV-1a, 64 bits: stable across builds and machines, which is all a UID needs. */
static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h ^= c;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
add_token(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.')
			buf_addc(b, *s);
}

char *
ical_uid(const char *code, const char *agent_email, const char *domain)
{
	struct buf b = BUF_INIT;
	const char *p;
	char *addr;

	/* Blanks around the address must not change the UID. */
	while (*agent_email == ' ' || *agent_email == '\t')
		agent_email++;
	p = agent_email + strlen(agent_email);
	while (p > agent_email && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	addr = xstrndup(agent_email, (size_t)(p - agent_email));
	add_token(&b, code);
	buf_addf(&b, ".%016llx@", (unsigned long long)fnv1a(addr));
	free(addr);
	add_token(&b, domain);
	return buf_detach(&b);
}

/* --- Replies ------------------------------------------------------------ */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * "mailto:Jean.Dupont@Ville.example" (any case, %-escapes, <>) into
 * "jean.dupont@ville.example"; NULL when it is no mail address.
 */
static char *
reply_address(const char *v)
{
	struct buf b = BUF_INIT;
	const char *at;
	char *s;
	size_t n;
	int hi, lo;

	if (v == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	if (ascii_strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	for (; *v != '\0'; v++) {
		if (*v == '%' && (hi = hexval((unsigned char)v[1])) >= 0 &&
		    (lo = hexval((unsigned char)v[2])) >= 0) {
			buf_addc(&b, hi * 16 + lo);
			v += 2;
		} else if (*v != '<' && *v != '>')
			buf_addc(&b, *v);
	}
	s = buf_detach(&b);
	for (n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t');)
		s[--n] = '\0';
	ascii_lower(s);
	at = strchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') ||
	    strlen(s) > 254 || strpbrk(s, " \t\r\n\"(),:;[\\]") != NULL) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * One content line "NAME;P1=V1;P2="V 2":VALUE" (already unfolded) split
 * in place: *name, the parameters string (may be ""), *value.  0, or -1
 * when there is no ':' outside quotes.
 */
static int
split_line(char *line, char **name, char **params, char **value)
{
	int quoted = 0;

	*name = line;
	for (char *p = line; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ':' && !quoted) {
			size_t n = strcspn(line, ";:");

			*p = '\0';
			*value = p + 1;
			*params = line[n] == ';' ? line + n + 1 : p;
			line[n] = '\0';
			return 0;
		}
	}
	return -1;
}

/* The value of parameter KEY (case-insensitive, quotes removed) into out. */
static int
param(const char *params, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = params;

	while (*p != '\0') {
		const char *end;
		size_t n;
		int quoted = 0;

		for (end = p; *end != '\0' && (quoted || *end != ';'); end++)
			if (*end == '"')
				quoted = !quoted;
		if ((size_t)(end - p) > klen && p[klen] == '=' &&
		    ascii_strncasecmp(p, key, klen) == 0) {
			const char *v = p + klen + 1;

			n = (size_t)(end - v);
			if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
				v++;
				n -= 2;
			}
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
		p = *end == ';' ? end + 1 : end;
	}
	return 0;
}

/* A TEXT value with its \\ \; \, \n escapes undone. */
static char *
unescape_text(const char *v)
{
	struct buf b = BUF_INIT;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0') {
			v++;
			buf_addc(&b, *v == 'n' || *v == 'N' ? '\n' : *v);
		} else
			buf_addc(&b, *v);
	}
	return buf_detach(&b);
}

static enum partstat
partstat_of(const char *v, int *has)
{
	*has = *v != '\0';
	if (ascii_strcasecmp(v, "ACCEPTED") == 0)
		return PARTSTAT_ACCEPTED;
	if (ascii_strcasecmp(v, "DECLINED") == 0)
		return PARTSTAT_DECLINED;
	if (ascii_strcasecmp(v, "TENTATIVE") == 0)
		return PARTSTAT_TENTATIVE;
	return PARTSTAT_OTHER;
}

/*
 * Unfolds the text and keeps, of its first VCALENDAR, only what a reply
 * is read for: METHOD, and the UID, ATTENDEE and SEQUENCE of its VEVENTs
 * (no VTIMEZONE, no VALARM, no free text).  libical writes warnings to
 * stderr, which is our log, on some malformed input (an END before its
 * BEGIN, odd UTC offsets): it never sees those, and an END before its
 * BEGIN is refused here.  Returns the lines (the caller frees them), or
 * NULL with *cause.
 */
static char *
reply_lines(const char *text, size_t len, char **cause)
{
	static const char *keep[] = { "METHOD", "UID", "ATTENDEE",
	    "SEQUENCE" };
	struct buf u = BUF_INIT, out = BUF_INIT;
	char *line, *next;
	size_t i, k, namelen;
	int depth = 0, skip = 0, done = 0;

	for (i = 0; i < len && text[i] != '\0'; i++) {
		if (text[i] != '\r' && text[i] != '\n') {
			buf_addc(&u, text[i]);
			continue;
		}
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			i++;
		if (i + 1 < len && (text[i + 1] == ' ' || text[i + 1] == '\t'))
			i++;		/* a folded line goes on */
		else
			buf_addc(&u, '\n');
	}
	buf_addc(&u, '\n');

	for (line = u.s; !done && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		for (k = strlen(line); k > 0 && (line[k - 1] == ' ' ||
		    line[k - 1] == '\t'); )
			line[--k] = '\0';
		if (ascii_strncasecmp(line, "BEGIN:", 6) == 0) {
			if (depth == 0 && ascii_strcasecmp(line + 6,
			    "VCALENDAR") != 0)
				continue;	/* not ours: skip to one */
			if (++depth > 8)
				break;
			/* Of the components, only the VEVENTs matter. */
			if (skip == 0 && depth == 2 &&
			    ascii_strcasecmp(line + 6, "VEVENT") != 0)
				skip = depth;
			if (skip != 0 || depth > 2)
				continue;
		} else if (ascii_strncasecmp(line, "END:", 4) == 0) {
			if (depth == 0) {
				*cause = xstrdup("malformed iCalendar object "
				    "(END before BEGIN)");
				goto fail;
			}
			if (depth-- > 2 || skip != 0) {
				if (skip == depth + 1)
					skip = 0;
				continue;
			}
			done = depth == 0;
		} else {
			if (depth == 0 || depth > 2 || skip != 0 ||
			    strchr(line, ':') == NULL)
				continue;
			namelen = strcspn(line, ";:");
			for (k = 0; k < nitems(keep); k++)
				if (namelen == strlen(keep[k]) &&
				    ascii_strncasecmp(line, keep[k],
				    namelen) == 0)
					break;
			if (k == nitems(keep))
				continue;
		}
		buf_adds(&out, line);
		buf_adds(&out, "\r\n");
	}
	if (out.len == 0) {
		*cause = xstrdup("not an iCalendar object");
		goto fail;
	}
	if (!done) {
		*cause = xstrdup(depth > 8 ? "iCalendar object nested too "
		    "deep" : "incomplete iCalendar object (END missing)");
		goto fail;
	}
	buf_free(&u);
	return buf_detach(&out);

fail:
	buf_free(&u);
	buf_free(&out);
	return NULL;
}

int
ical_parse_reply(const char *text, size_t len, struct ical_reply *out,
    char **cause)
{
	char *s, *line, *next, *method = NULL;
	int depth = 0, events = 0, in_event = 0, answered = 0, rc = -1;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (len > REPLY_MAX) {
		*cause = xstrdup("calendar object too large");
		return -1;
	}
	/* The VCALENDAR's METHOD, and its first VEVENT's UID, ATTENDEE, SEQUENCE. */
	if ((s = reply_lines(text, len, cause)) == NULL)
		return -1;
	for (line = s; *line != '\0'; line = next) {
		char *name, *params, *value, ps[32];
		size_t k = strcspn(line, "\r\n");
		int has;

		next = line + k;
		while (*next == '\r' || *next == '\n')
			*next++ = '\0';
		if (split_line(line, &name, &params, &value) == -1)
			continue;
		if (ascii_strcasecmp(name, "BEGIN") == 0) {
			depth++;
			in_event = depth == 2 && ascii_strcasecmp(value,
			    "VEVENT") == 0 && events++ == 0;
			continue;
		}
		if (ascii_strcasecmp(name, "END") == 0) {
			if (depth-- == 2)
				in_event = 0;
			continue;
		}
		if (depth == 1 && ascii_strcasecmp(name, "METHOD") == 0 &&
		    method == NULL)
			method = xstrdup(value);
		if (!in_event)
			continue;
		if (ascii_strcasecmp(name, "UID") == 0 && out->uid == NULL)
			out->uid = unescape_text(value);
		else if (ascii_strcasecmp(name, "SEQUENCE") == 0)
			out->sequence = atoi(value) > 0 ? atoi(value) : 0;
		else if (ascii_strcasecmp(name, "ATTENDEE") == 0) {
			char email[256], *addr = reply_address(value);
			enum partstat p;

			/* Apple and CalDAV servers may write urn:uuid:… plus EMAIL=. */
			if (addr == NULL && param(params, "EMAIL", email,
			    sizeof email))
				addr = reply_address(email);
			if (addr == NULL)
				continue;
			if (!param(params, "PARTSTAT", ps, sizeof ps))
				ps[0] = '\0';
			p = partstat_of(ps, &has);
			/* The first attendee that answers; else the first one. */
			if (answered || (out->attendee != NULL && !has)) {
				free(addr);
				continue;
			}
			free(out->attendee);
			out->attendee = addr;
			out->partstat = p;
			answered = has;
		}
	}
	free(s);
	if (method == NULL)
		*cause = xstrdup("calendar object without METHOD");
	else if (ascii_strcasecmp(method, "REPLY") != 0) {
		for (char *c = method; *c != '\0'; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		*cause = xasprintf("calendar object is not a REPLY (METHOD:%s)",
		    method);
	} else if (events == 0)
		*cause = xstrdup("calendar reply without VEVENT");
	else if (out->uid == NULL || *out->uid == '\0')
		*cause = xstrdup("calendar reply without UID");
	else if (out->attendee == NULL)
		*cause = xstrdup("calendar reply without ATTENDEE address");
	else
		rc = 0;
	free(method);
	if (rc == -1)
		ical_reply_free(out);
	return rc;
}

void
ical_reply_free(struct ical_reply *r)
{
	free(r->uid);
	free(r->attendee);
	r->uid = r->attendee = NULL;
}
