/*
 * compose.c - outgoing mail: headers, MIME structure, encodings.
 *
 * Everything is built in memory; the only outside inputs are the clock
 * (Date, Message-ID) and getrandom() (Message-ID, boundaries).
 */
#include <sys/random.h>
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compose.h"
#include "log.h"
#include "util.h"

#define HDR_FOLD	78	/* RFC 5322 2.1.1: SHOULD */
#define EW_MAX		75	/* RFC 2047 2: an encoded-word at most */
#define EW_OVERHEAD	12	/* "=?UTF-8?Q?" + "?=" */
#define QP_LINE		76	/* RFC 2045 6.7 (5) */
#define B64_LINE	76
#define NAME_MAX_BYTES	200	/* display names, filenames: cut beyond */
#define MAX_REFS	10	/* References kept: the first and the last 9 */
#define MSGID_MAX	250

static const char hexdig[] = "0123456789ABCDEF";

/* ---- small helpers ----------------------------------------------------- */

/*
 * Length of the valid UTF-8 sequence at s (at most left bytes), 0 if none:
 * what utf8_valid() accepts (no overlongs, surrogates or code points past
 * U+10FFFF), decided from the lead byte and the second byte's range, with
 * no call: it runs once per non-ASCII character of every body.
 */
static inline size_t
utf8_seq(const unsigned char *s, size_t left)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return left >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c < 0xf0) {
		if (left < 3 || (s[1] & 0xc0) != 0x80 ||
		    (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
			return 0;	/* overlong; surrogate */
		return 3;
	}
	if (c < 0xf5) {
		if (left < 4 || (s[1] & 0xc0) != 0x80 ||
		    (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
			return 0;	/* overlong; beyond U+10FFFF */
		return 4;
	}
	return 0;
}

/* 1 if the 8 bytes at s are all ASCII. */
static inline int
ascii8(const unsigned char *s)
{
	uint64_t w;

	memcpy(&w, s, sizeof(w));
	return (w & 0x8080808080808080ULL) == 0;
}

/*
 * 1 if clean_utf8(s, hdr, 0) would hand back S unchanged: valid UTF-8
 * and, for a header, no control character (C0, DEL, C1), no TAB, CR or
 * LF, no blank at either end and no two blanks in a row.  One pass, eight
 * ASCII bytes at a time where it can (bodies are mostly ASCII).
 */
static int
already_clean(const unsigned char *s, size_t len, int hdr)
{
	size_t i = 0;

	if (hdr && len > 0 && (s[0] == ' ' || s[len - 1] == ' '))
		return 0;
	while (i < len) {
		size_t n;

		if (!hdr) {
			while (i + 8 <= len && ascii8(s + i))
				i += 8;
			if (i == len)
				break;
		}
		if (s[i] < 0x80) {
			if (hdr && (s[i] < 0x20 || s[i] == 0x7f ||
			    (s[i] == ' ' && i + 1 < len && s[i + 1] == ' ')))
				return 0;
			i++;
			continue;
		}
		if ((n = utf8_seq(s + i, len - i)) == 0)
			return 0;
		if (hdr && n == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0)
			return 0;	/* C1 control */
		i += n;
	}
	return 1;
}

/*
 * A copy of S as valid UTF-8 (bad bytes become U+FFFD).  For a header
 * (HDR set), CR, LF and TAB become spaces, other C0 and C1 controls and
 * DEL vanish, blank runs shrink to one space, both ends are trimmed, and
 * at most MAX bytes are kept (0: no limit), cut on a character boundary.
 * Input that is clean already (the usual case) is copied in one go.
 */
static char *
clean_utf8(const char *s, int hdr, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 left = strlen(s);
	struct buf		 b = BUF_INIT;
	int			 space = 0;

	if ((max == 0 || left <= max) && already_clean(p, left, hdr))
		return xstrndup(s, left);
	while (left > 0) {
		size_t n = utf8_seq(p, left);

		if (n == 0) {
			if (hdr && space && b.len > 0)
				buf_addc(&b, ' ');
			space = 0;
			if (max && b.len + 3 > max)
				break;
			buf_adds(&b, "\xef\xbf\xbd");
			p++;
			left--;
			continue;
		}
		if (hdr) {
			if (*p == ' ' || *p == '\t' || *p == '\r' ||
			    *p == '\n') {
				space = 1;
				p++;
				left--;
				continue;
			}
			if (*p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 &&
			    p[1] < 0xa0)) {
				p += n;
				left -= n;
				continue;
			}
			if (space && b.len > 0) {
				if (max && b.len + 1 + n > max)
					break;
				buf_addc(&b, ' ');
			}
			space = 0;
		}
		if (max && b.len + n > max)
			break;
		buf_add(&b, p, n);
		p += n;
		left -= n;
	}
	return buf_detach(&b);
}

/* Room for MORE bytes in B at once, so that the adds that follow copy
 * each byte once instead of moving the message at every doubling. */
static void
buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	b->cap = b->len + more + 1;
	b->s = xreallocarray(b->s, b->cap, 1);
	b->s[b->len] = '\0';
}

/* A copy safe to show in a log line or an error message. */
static char *
printable(const char *s)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; s[i] != '\0' && i < 100; i++) {
		unsigned char c = (unsigned char)s[i];

		buf_addc(&b, c < 0x20 || c >= 0x7f ? '?' : c);
	}
	return buf_detach(&b);
}

/* Keeps only [A-Za-z0-9-] (header tokens we write ourselves). */
static char *
token_clean(const char *s, int upper)
{
	struct buf b = BUF_INIT;

	for (; *s != '\0' && b.len < 64; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-') {
			if (upper && c >= 'a' && c <= 'z')
				c = (char)(c - 32);
			buf_addc(&b, c);
		}
	}
	return buf_detach(&b);
}

static void
fill_random(void *p, size_t n)
{
	static unsigned	 fallback;
	unsigned char	*u = p;
	ssize_t		 r;

	r = getrandom(p, n, GRND_NONBLOCK);
	if (r == (ssize_t)n)
		return;
	/* No entropy yet (early boot): unique is all we need here. */
	for (size_t i = 0; i < n; i++) {
		fallback = fallback * 1103515245u + 12345u +
		    (unsigned)getpid() + (unsigned)time(NULL);
		u[i] = (unsigned char)(fallback >> 16);
	}
}

/* ---- addresses and message ids ----------------------------------------- */

static int
atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~",
	    c) != NULL);
}

static int
domain_valid(const char *d)
{
	size_t len = strlen(d), label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		char c = d[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || d[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (label == 0 && c == '-')
			return 0;
		label++;
	}
	return 1;
}

int
addr_valid(const char *a)
{
	const char	*at;
	size_t		 llen;

	if (a == NULL || (at = strchr(a, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL || strlen(a) > 254)
		return 0;
	llen = (size_t)(at - a);
	if (llen == 0 || llen > 64 || a[0] == '.' || at[-1] == '.')
		return 0;
	for (size_t i = 0; i < llen; i++) {
		if (a[i] == '.') {
			if (a[i + 1] == '.')
				return 0;
			continue;
		}
		if (!atext((unsigned char)a[i]))
			return 0;
	}
	return domain_valid(at + 1);
}

/* A msg-id (without <>) as seen in the wild, safe to echo in a header. */
static int
msgid_valid(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);

	if (len < 3 || len > MSGID_MAX || at == NULL || at == s ||
	    at == s + len - 1)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr("<>\"\\(),;", c) != NULL)
			return 0;
	}
	return 1;
}

char *
msgid_generate(const char *domain)
{
	static unsigned	counter;
	uint64_t	rnd;

	if (domain == NULL || !domain_valid(domain))
		domain = "localhost";
	fill_random(&rnd, sizeof(rnd));
	return xasprintf("%lld.%ld.%u.%016llx@%s", (long long)time(NULL),
	    (long)getpid(), ++counter, (unsigned long long)rnd, domain);
}

/* ---- header writing ---------------------------------------------------- */

struct hdr {
	struct buf	*b;
	size_t		 col;
	int		 ntok;
};

static void
hdr_begin(struct hdr *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_adds(b, name);
	buf_addc(b, ':');
	h->col = strlen(name) + 1;
	h->ntok = 0;
}

/* One token preceded by a space, or by CRLF SP when the line is full. */
static void
hdr_tok(struct hdr *h, const char *s, size_t len)
{
	if (h->ntok > 0 && h->col + 1 + len > HDR_FOLD) {
		buf_adds(h->b, "\r\n");
		h->col = 0;
	}
	buf_addc(h->b, ' ');
	buf_add(h->b, s, len);
	h->col += 1 + len;
	h->ntok++;
}

static void
hdr_end(struct hdr *h)
{
	buf_adds(h->b, "\r\n");
}

/* Space-separated words of S (already cleaned) as tokens. */
static void
hdr_words(struct hdr *h, const char *s)
{
	while (*s != '\0') {
		size_t n;

		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (n > 0)
			hdr_tok(h, s, n);
		s += n;
	}
}

static int
q_literal(unsigned char c)
{
	/* RFC 2047 5 (3): the set safe in a phrase as well as in text. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/';
}

static size_t
q_len(const unsigned char *s, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += (q_literal(s[i]) || s[i] == ' ') ? 1 : 3;
	return len;
}

static void
b64_chunk(struct buf *b, const unsigned char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char	*w;

	buf_reserve(b, 4 * ((n + 2) / 3));
	w = b->s + b->len;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		*w++ = tab[(v >> 18) & 63];
		*w++ = tab[(v >> 12) & 63];
		*w++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*w++ = i + 2 < n ? tab[v & 63] : '=';
	}
	b->len = (size_t)(w - b->s);
	b->s[b->len] = '\0';
}

/*
 * S (clean UTF-8) as encoded-words.  Each word is sized to fit what is
 * left of the current line (so "Subject: =?...?=" stays within 78) and
 * never beyond 75; a character is never split between two words.
 */
static void
hdr_encoded(struct hdr *h, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), i = 0;
	int			 useb;

	useb = q_len(s, n) > 4 * ((n + 2) / 3);
	while (i < n) {
		struct buf	 w = BUF_INIT;
		size_t		 max, budget, start = i, used = 0;

		max = h->col + 1 < HDR_FOLD ? HDR_FOLD - h->col - 1 : 0;
		if (max < 24)
			max = EW_MAX;	/* hdr_tok folds first */
		if (max > EW_MAX)
			max = EW_MAX;
		budget = max - EW_OVERHEAD;
		while (i < n) {
			size_t cl = utf8_seq(s + i, n - i), need;

			if (cl == 0)
				cl = 1;	/* cannot happen on clean input */
			if (useb)
				need = 4 * ((i + cl - start + 2) / 3);
			else
				need = used + q_len(s + i, cl);
			if (need > budget && i > start)
				break;
			used = need;
			i += cl;
		}
		buf_adds(&w, useb ? "=?UTF-8?B?" : "=?UTF-8?Q?");
		if (useb)
			b64_chunk(&w, s + start, i - start);
		else {
			for (size_t k = start; k < i; k++) {
				if (s[k] == ' ')
					buf_addc(&w, '_');
				else if (q_literal(s[k]))
					buf_addc(&w, s[k]);
				else {
					buf_addc(&w, '=');
					buf_addc(&w, hexdig[s[k] >> 4]);
					buf_addc(&w, hexdig[s[k] & 15]);
				}
			}
		}
		buf_adds(&w, "?=");
		hdr_tok(h, w.s, w.len);
		buf_free(&w);
	}
}

/* Whether S (clean) must be sent as encoded-words. */
static int
needs_encoding(const char *s)
{
	size_t word = 0;

	if (strstr(s, "=?") != NULL)
		return 1;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 1;
		word = *s == ' ' ? 0 : word + 1;
		if (word > 70)
			return 1;	/* would not fold within 78 */
	}
	return 0;
}

/* Unstructured text (Subject): S is cleaned here. */
static void
hdr_text(struct hdr *h, const char *raw)
{
	char *s = clean_utf8(raw, 1, 900);

	if (needs_encoding(s))
		hdr_encoded(h, s);
	else
		hdr_words(h, s);
	free(s);
}

char *
rfc2047_encode(const char *utf8)
{
	struct buf	b = BUF_INIT;
	struct hdr	h;
	char		*s, *r;

	if (!needs_encoding(utf8))
		return xstrdup(utf8);
	s = clean_utf8(utf8, 0, 0);
	h.b = &b;
	h.col = 0;
	h.ntok = 0;
	hdr_encoded(&h, s);
	free(s);
	r = xstrdup(b.s + 1);	/* the space hdr_tok put first */
	buf_free(&b);
	return r;
}

/* "Name <addr>", the name as atoms, a quoted-string or encoded-words. */
static void
hdr_mailbox(struct hdr *h, const char *raw_name, const char *addr)
{
	char	*name = NULL, *a;
	int	 plain = 1;

	if (raw_name != NULL)
		name = clean_utf8(raw_name, 1, NAME_MAX_BYTES);
	if (name != NULL && name[0] != '\0') {
		if (needs_encoding(name))
			hdr_encoded(h, name);
		else {
			for (const char *p = name; *p != '\0'; p++)
				if (*p != ' ' && !atext((unsigned char)*p))
					plain = 0;
			if (plain)
				hdr_words(h, name);
			else {
				struct buf q = BUF_INIT;

				buf_addc(&q, '"');
				for (const char *p = name; *p != '\0'; p++) {
					if (*p == '"' || *p == '\\')
						buf_addc(&q, '\\');
					buf_addc(&q, *p);
				}
				buf_addc(&q, '"');
				hdr_tok(h, q.s, q.len);
				buf_free(&q);
			}
		}
		a = xasprintf("<%s>", addr);
	} else
		a = xstrdup(addr);
	hdr_tok(h, a, strlen(a));
	free(a);
	free(name);
}

static void
hdr_simple(struct buf *b, const char *name, const char *value)
{
	struct hdr h;

	hdr_begin(&h, b, name);
	hdr_words(&h, value);
	hdr_end(&h);
}

static void
fmt_date(time_t t, char *out, size_t len)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	tm;
	long		off;
	char		sign = '+';

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	snprintf(out, len, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
	    off / 60, off % 60);
}

/* IN_REPLY_TO without <> and blanks, or NULL when not a usable msg-id. */
static char *
clean_msgid(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '<')
		s++;
	n = strcspn(s, "> \t\r\n");
	if (!msgid_valid(s, n))
		return NULL;
	return xstrndup(s, n);
}

/*
 * The References of a reply: the valid msg-ids of REFS (the thread's root
 * and the most recent ones, MAX_REFS at most), then <IRT>.
 */
static void
hdr_references(struct buf *b, const char *refs, const char *irt)
{
	char		**ids = NULL;
	size_t		  n = 0;
	struct hdr	  h;
	const char	 *p = refs != NULL ? refs : "";

	while ((p = strchr(p, '<')) != NULL && n < 1000) {
		const char	*e = strchr(p + 1, '>');
		size_t		 len;

		if (e == NULL)
			break;
		len = (size_t)(e - p - 1);
		if (memchr(p + 1, '<', len) != NULL) {
			p++;	/* "<<id>": start again at the inner '<' */
			continue;
		}
		if (msgid_valid(p + 1, len) &&
		    !(irt != NULL && strlen(irt) == len &&
		    memcmp(irt, p + 1, len) == 0)) {
			ids = xreallocarray(ids, n + 1, sizeof(*ids));
			ids[n++] = xstrndup(p + 1, len);
		}
		p = e + 1;
	}
	if (n > 0 || irt != NULL) {
		hdr_begin(&h, b, "References");
		for (size_t i = 0; i < n; i++) {
			char *t;

			if (n > MAX_REFS && i > 0 && i < n - (MAX_REFS - 1))
				continue;
			t = xasprintf("<%s>", ids[i]);
			hdr_tok(&h, t, strlen(t));
			free(t);
		}
		if (irt != NULL) {
			char *t = xasprintf("<%s>", irt);

			hdr_tok(&h, t, strlen(t));
			free(t);
		}
		hdr_end(&h);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* ---- body encodings ---------------------------------------------------- */

/* An output string that grows; qp() checks room once per step. */
struct out {
	char	*s;
	size_t	 len, cap;
};

static inline void
out_room(struct out *o, size_t more)
{
	if (o->len + more + 1 <= o->cap)
		return;
	while (o->len + more + 1 > o->cap)
		o->cap *= 2;
	o->s = xreallocarray(o->s, o->cap, 1);
}

/* 1 if byte C of a line's middle may stay as it is: 33..126 but '='. */
static inline int
qp_literal(unsigned c)
{
	return c - 33u <= 126u - 33u && c != '=';
}

/* The bytes qp_literal() accepts, and SP and HT: those a run is made of. */
static const unsigned char qp_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	/* 0x80-0xff: none */
};

/*
 * 1 if the 8 bytes at s are all 32..126 but '=' (a tab, rare, is left to
 * the byte loop).  Word tricks: a byte is zero in x when (x - 0x01..) &
 * ~x has its top bit, below N when (x - N..) & ~x has it.
 */
static inline int
qp_plain8(const unsigned char *s)
{
	const uint64_t	ones = 0x0101010101010101ULL;
	const uint64_t	high = 0x8080808080808080ULL;
	uint64_t	w, eq, del;

	memcpy(&w, s, sizeof(w));
	eq = w ^ (ones * '=');
	del = w ^ (ones * 0x7f);
	return ((w | ((w - ones * 0x20) & ~w) | ((eq - ones) & ~eq) |
	    ((del - ones) & ~del)) & high) == 0;
}

/* Whether the bytes at s (left of them) start a line end, "\n" or "\r\n". */
static inline int
qp_eol(const unsigned char *s, size_t left)
{
	return left > 0 && (s[0] == '\n' ||
	    (s[0] == '\r' && left > 1 && s[1] == '\n'));
}

/*
 * Quoted-printable of LEN bytes (see qp_encode), with CRLF appended when
 * FINAL_CRLF is set and the encoding does not end with one already.  The
 * rules, one character at a time: a line end is CRLF; a byte 33..126 but
 * '=' stays, except a '.' or "From " that would start a line; a blank
 * stays unless it is the last character of its line; anything else is
 * "=XX" for each of its bytes, a valid UTF-8 sequence kept whole.  A soft
 * break "=" CRLF comes before a character that would not leave room for
 * it on its line (76 at most), unless the line is empty.
 *
 * The middle of a line (neither its first character nor its last) is
 * made of runs of bytes that stay: each is copied with one memcpy, up to
 * where the line is full.  The rest goes one character at a time.
 * Returns the string (caller frees) and its length in *LENP.
 */
static char *
qp(const char *text, size_t len, int final_crlf, size_t *lenp)
{
	const unsigned char	*s = (const unsigned char *)text;
	struct out		 o;
	size_t			 i = 0, col = 0;

	/* Room for mostly ASCII text: grown when accents are many. */
	o.cap = len + len / 8 + 64;
	o.s = xmalloc(o.cap);
	o.len = 0;
	while (i < len) {
		char	*w;
		size_t	 n = 1, tlen, k;
		int	 last, at_start;
		unsigned c = s[i];

		if (c == '\n' || (c == '\r' && i + 1 < len &&
		    s[i + 1] == '\n')) {
			i += c == '\r' ? 2 : 1;
			out_room(&o, 2);
			o.s[o.len++] = '\r';
			o.s[o.len++] = '\n';
			col = 0;
			continue;
		}
		if (col > 0 && col < QP_LINE - 1 && qp_plain[c]) {
			/*
			 * Up to the room left on the line, each character
			 * needing a place for itself and for a "=" after it.
			 * The one that ends its line is left to the rules.
			 */
			size_t room = QP_LINE - 1 - col, j = i + 1, end;
			size_t stop = len - i > room ? i + room : len;

			while (j + 8 <= stop && qp_plain8(s + j))
				j += 8;
			while (j < stop && qp_plain[s[j]])
				j++;
			end = j == len || qp_eol(s + j, len - j) ? j - 1 : j;
			if (end > i) {
				k = end - i;
				out_room(&o, k);
				memcpy(o.s + o.len, s + i, k);
				o.len += k;
				col += k;
				i += k;
				continue;
			}
		}

		/* One character by the rules. */
		if (c >= 0x80 && (n = utf8_seq(s + i, len - i)) == 0)
			n = 1;
		last = i + n == len || qp_eol(s + i + n, len - i - n);
		out_room(&o, 3 + 3 * 4);
		for (at_start = col == 0;; at_start = 1) {
			if (n == 1 && qp_literal(c) &&
			    !(at_start && c == '.') &&
			    !(at_start && c == 'F' && len - i >= 5 &&
			    memcmp(s + i, "From ", 5) == 0))
				tlen = 1;
			else if (n == 1 && (c == ' ' || c == '\t') && !last)
				tlen = 1;
			else
				tlen = 3 * n;
			/* Room for a soft break "=" unless the line ends here. */
			if (col + tlen + (last ? 0 : 1) <= QP_LINE || col == 0)
				break;
			memcpy(o.s + o.len, "=\r\n", 3);
			o.len += 3;
			col = 0;
		}
		w = o.s + o.len;
		if (tlen == 1)
			*w = (char)c;
		else {
			for (k = 0; k < n; k++) {
				w[3 * k] = '=';
				w[3 * k + 1] = hexdig[s[i + k] >> 4];
				w[3 * k + 2] = hexdig[s[i + k] & 15];
			}
		}
		o.len += tlen;
		col += tlen;
		i += n;
	}
	out_room(&o, 2);
	if (final_crlf && (o.len < 2 || o.s[o.len - 2] != '\r' ||
	    o.s[o.len - 1] != '\n')) {
		o.s[o.len++] = '\r';
		o.s[o.len++] = '\n';
	}
	o.s[o.len] = '\0';
	*lenp = o.len;
	return o.s;
}

char *
qp_encode(const char *text, size_t len)
{
	size_t n;

	return qp(text, len, 0, &n);
}

char *
base64_encode_lines(const char *data, size_t len)
{
	struct buf b = BUF_INIT;

	/* 57 bytes make 76 characters. */
	buf_reserve(&b, (len / 57 + 1) * (B64_LINE + 2));
	for (size_t i = 0; i < len; i += 57) {
		b64_chunk(&b, (const unsigned char *)data + i,
		    len - i < 57 ? len - i : 57);
		buf_adds(&b, "\r\n");
	}
	return buf_detach(&b);
}

/* Every line end (LF, CRLF, lone CR) made CRLF, a final CRLF added. */
static char *
crlf(const char *s)
{
	struct buf b = BUF_INIT;

	for (;;) {
		size_t n = strcspn(s, "\r\n");

		buf_add(&b, s, n);
		s += n;
		if (*s == '\0')
			break;
		if (*s == '\r' && s[1] == '\n')
			s++;
		s++;
		buf_adds(&b, "\r\n");
	}
	if (b.len < 2 || b.s[b.len - 1] != '\n')
		buf_adds(&b, "\r\n");
	return buf_detach(&b);
}

static int
seven_bit_ok(const char *s)
{
	size_t line = 0;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 0;
		line = *s == '\n' ? 0 : line + 1;
		if (line > 998)
			return 0;
	}
	return 1;
}

/* ---- MIME parts -------------------------------------------------------- */

/*
 * A leaf: its header lines (each CRLF-ended) and its encoded body.  RAW
 * says the body is not quoted-printable nor base64, whose output can never
 * hold a boundary (they have no "=_"): only a raw body is searched.
 */
struct part {
	struct buf	 hdr;
	char		*body;
	size_t		 blen;
	int		 raw;
};

static void
part_text(struct part *p, const char *subtype, const char *text)
{
	size_t	 len = strlen(text);
	char	*clean = NULL;

	memset(p, 0, sizeof(*p));
	buf_addf(&p->hdr, "Content-Type: text/%s; charset=UTF-8\r\n", subtype);
	buf_adds(&p->hdr, "Content-Transfer-Encoding: quoted-printable\r\n");
	/* Clean already, as our templates make it: no copy. */
	if (!already_clean((const unsigned char *)text, len, 0)) {
		clean = clean_utf8(text, 0, 0);
		text = clean;
		len = strlen(clean);
	}
	p->body = qp(text, len, 1, &p->blen);
	free(clean);
}

static int
attr_char(unsigned char c)
{
	/* RFC 2231 attribute-char, less the ones some parsers dislike. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '!' || c == '+';
}

/* ATTR="value" or ATTR*=UTF-8''... (with continuations when long). */
static void
hdr_param(struct hdr *h, const char *attr, const char *name, int last)
{
	const unsigned char	*s = (const unsigned char *)name;
	size_t			 n = strlen(name), i = 0;
	int			 simple = n <= 60;
	int			 part = 0;
	struct buf		 t = BUF_INIT;

	for (size_t k = 0; k < n && simple; k++)
		if (s[k] < 0x20 || s[k] >= 0x7f || s[k] == '"' || s[k] == '\\')
			simple = 0;
	if (simple) {
		buf_addf(&t, "%s=\"%s\"%s", attr, name, last ? "" : ";");
		hdr_tok(h, t.s, t.len);
		buf_free(&t);
		return;
	}
	/* Each piece on its own line, a character never cut in two. */
	while (i < n) {
		int first = i == 0;

		buf_reset(&t);
		buf_addf(&t, "%s*%d*=%s", attr, part++, first ? "UTF-8''" : "");
		while (i < n && t.len < 60) {
			size_t cl = utf8_seq(s + i, n - i);

			if (cl == 0)
				cl = 1;
			for (size_t k = 0; k < cl; k++) {
				if (attr_char(s[i + k]))
					buf_addc(&t, s[i + k]);
				else
					buf_addf(&t, "%%%c%c",
					    hexdig[s[i + k] >> 4],
					    hexdig[s[i + k] & 15]);
			}
			i += cl;
		}
		if (!(last && i == n))
			buf_addc(&t, ';');
		hdr_tok(h, t.s, t.len);
	}
	buf_free(&t);
}

static int
ctype_valid(const char *ct)
{
	const char	*slash = strchr(ct, '/');
	size_t		 n = strcspn(ct, ";");

	if (slash == NULL || slash == ct || (size_t)(slash - ct) + 1 >= n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)ct[i];

		if (c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"[]?=", c))
			return 0;
	}
	return 1;
}

static void
part_attachment(struct part *p, const char *ctype, const char *filename,
    const char *data, size_t len)
{
	struct hdr	 h;
	char		*name, *ct, *base;
	size_t		 n;

	memset(p, 0, sizeof(*p));
	name = clean_utf8(filename != NULL ? filename : "", 1, NAME_MAX_BYTES);
	for (char *q = name; *q != '\0'; q++)
		if (*q == '/' || *q == '\\')
			*q = '_';
	if (name[0] == '\0') {
		free(name);
		name = xstrdup("attachment");
	}
	ct = clean_utf8(ctype != NULL ? ctype : "", 1, 200);
	if (!ctype_valid(ct)) {
		free(ct);
		ct = xstrdup("application/octet-stream");
	}
	/* Parameters are ours: keep only the type, and charset if given. */
	n = strcspn(ct, ";");
	base = xasprintf("%.*s;", (int)n, ct);
	hdr_begin(&h, &p->hdr, "Content-Type");
	hdr_tok(&h, base, strlen(base));
	free(base);
	{
		const char *cs = strstr(ct + n, "charset=");

		if (cs != NULL) {
			char *tok = token_clean(cs + 8, 0);

			if (tok[0] != '\0') {
				char *t = xasprintf("charset=%s;", tok);

				hdr_tok(&h, t, strlen(t));
				free(t);
			}
			free(tok);
		}
	}
	hdr_param(&h, "name", name, 1);
	hdr_end(&h);
	buf_adds(&p->hdr, "Content-Transfer-Encoding: base64\r\n");
	hdr_begin(&h, &p->hdr, "Content-Disposition");
	hdr_tok(&h, "attachment;", 11);
	hdr_param(&h, "filename", name, 1);
	hdr_end(&h);
	p->body = base64_encode_lines(data != NULL ? data : "", len);
	if (p->body[0] == '\0') {
		free(p->body);
		p->body = xstrdup("\r\n");
	}
	p->blen = strlen(p->body);
	free(name);
	free(ct);
}

static void
part_free(struct part *p)
{
	buf_free(&p->hdr);
	free(p->body);
}

static char *
make_boundary(char tag)
{
	unsigned char	r[12];
	char		hex[25];

	fill_random(r, sizeof(r));
	for (size_t i = 0; i < sizeof(r); i++) {
		hex[2 * i] = hexdig[r[i] >> 4];
		hex[2 * i + 1] = hexdig[r[i] & 15];
	}
	hex[24] = '\0';
	/* "=_" never occurs in quoted-printable nor in base64. */
	return xasprintf("=_trucd_%s_%c", hex, tag);
}

/* A boundary that is in none of the NP parts' bodies. */
static char *
unique_boundary(char tag, const struct part *parts, size_t np)
{
	for (int tries = 0; tries < 16; tries++) {
		char	*b = make_boundary(tag);
		size_t	 i;

		for (i = 0; i < np; i++)
			if (parts[i].raw && strstr(parts[i].body, b) != NULL)
				break;
		if (i == np)
			return b;
		free(b);
	}
	fatalx("compose: no unique MIME boundary after 16 tries");
}

static void
add_part(struct buf *b, const struct part *p)
{
	buf_add(b, p->hdr.s, p->hdr.len);
	buf_add(b, "\r\n", 2);
	buf_add(b, p->body, p->blen);
}


/* ---- the message ------------------------------------------------------- */

char *
compose(const struct outgoing *o, char **message_id_out, char **cause)
{
	struct buf	 msg = BUF_INIT;
	struct hdr	 h;
	struct part	*parts;
	size_t		 np = 0, nalt, maxparts;
	char		*mid, *irt = NULL, date[64], *t;

	if (message_id_out != NULL)
		*message_id_out = NULL;
	if (o->text == NULL) {
		*cause = xstrdup("compose: no text");
		return NULL;
	}
	if (!addr_valid(o->from_addr)) {
		t = printable(o->from_addr != NULL ? o->from_addr : "(none)");
		*cause = xasprintf("not a valid sender address: \"%s\"", t);
		free(t);
		return NULL;
	}
	if (!addr_valid(o->to_addr)) {
		t = printable(o->to_addr != NULL ? o->to_addr : "(none)");
		*cause = xasprintf("not a valid recipient address: \"%s\"", t);
		free(t);
		return NULL;
	}
	if (o->message_id != NULL) {
		const char	*m = o->message_id;
		size_t		 len = strlen(m);

		if (len >= 2 && m[0] == '<' && m[len - 1] == '>') {
			m++;
			len -= 2;
		}
		if (msgid_valid(m, len))
			mid = xstrndup(m, len);
		else {
			t = printable(o->message_id);
			*cause = xasprintf("not a valid Message-ID: \"%s\"", t);
			free(t);
			return NULL;
		}
	} else
		mid = msgid_generate(o->msgid_domain);
	if (o->in_reply_to != NULL)
		irt = clean_msgid(o->in_reply_to);

	/* Headers. */
	fmt_date(o->date != 0 ? o->date : time(NULL), date, sizeof(date));
	buf_addf(&msg, "Date: %s\r\n", date);
	hdr_begin(&h, &msg, "From");
	hdr_mailbox(&h, o->from_name, o->from_addr);
	hdr_end(&h);
	hdr_begin(&h, &msg, "To");
	hdr_mailbox(&h, o->to_name, o->to_addr);
	hdr_end(&h);
	hdr_begin(&h, &msg, "Subject");
	hdr_text(&h, o->subject != NULL ? o->subject : "");
	hdr_end(&h);
	buf_addf(&msg, "Message-ID: <%s>\r\n", mid);
	if (irt != NULL)
		buf_addf(&msg, "In-Reply-To: <%s>\r\n", irt);
	if (irt != NULL || o->references != NULL)
		hdr_references(&msg, o->references, irt);
	if (o->auto_submitted != NULL) {
		t = token_clean(o->auto_submitted, 0);
		if (t[0] != '\0') {
			buf_addf(&msg, "Auto-Submitted: %s\r\n", t);
			/* Keeps Exchange out-of-office replies from looping. */
			buf_adds(&msg, "X-Auto-Response-Suppress: All\r\n");
		}
		free(t);
	}
	if (o->precedence != NULL) {
		t = token_clean(o->precedence, 0);
		if (t[0] != '\0')
			buf_addf(&msg, "Precedence: %s\r\n", t);
		free(t);
	}
	if (o->list_unsubscribe != NULL) {
		t = clean_utf8(o->list_unsubscribe, 1, 900);
		if (t[0] != '\0' && !needs_encoding(t))
			hdr_simple(&msg, "List-Unsubscribe", t);
		free(t);
	}
	if (o->lang != NULL) {
		t = token_clean(o->lang, 0);
		if (t[0] != '\0')
			buf_addf(&msg, "Content-Language: %s\r\n", t);
		free(t);
	}
	buf_adds(&msg, "MIME-Version: 1.0\r\n");

	/* Leaves: the alternatives first, then the attachments. */
	maxparts = 4 + o->nattachments;
	parts = xcalloc(maxparts, sizeof(*parts));
	part_text(&parts[np++], "plain", o->text);
	if (o->html != NULL)
		part_text(&parts[np++], "html", o->html);
	if (o->calendar != NULL) {
		char	*ics = crlf(o->calendar), *method;
		struct part *p = &parts[np++];

		method = token_clean(o->calendar_method != NULL ?
		    o->calendar_method : "REQUEST", 1);
		if (method[0] == '\0') {
			free(method);
			method = xstrdup("REQUEST");
		}
		buf_addf(&p->hdr, "Content-Type: text/calendar; charset=UTF-8;"
		    "\r\n method=%s\r\n", method);
		if (seven_bit_ok(ics)) {
			buf_adds(&p->hdr, "Content-Transfer-Encoding: 7bit\r\n");
			p->body = xstrdup(ics);
			p->raw = 1;
		} else {
			buf_adds(&p->hdr,
			    "Content-Transfer-Encoding: base64\r\n");
			p->body = base64_encode_lines(ics, strlen(ics));
		}
		p->blen = strlen(p->body);
		nalt = np;
		part_attachment(&parts[np++], "application/ics",
		    "invitation.ics", ics, strlen(ics));
		free(method);
		free(ics);
	} else
		nalt = np;
	for (size_t i = 0; i < o->nattachments; i++)
		part_attachment(&parts[np++], o->attachments[i].content_type,
		    o->attachments[i].filename, o->attachments[i].data,
		    o->attachments[i].len);

	/* One allocation for the whole message, written in place. */
	{
		size_t need = 512;

		for (size_t i = 0; i < np; i++)
			need += parts[i].hdr.len + parts[i].blen + 128;
		buf_reserve(&msg, need);
	}
	if (np == 1) {
		add_part(&msg, &parts[0]);
	} else {
		char *balt = NULL, *bmix = NULL;

		/*
		 * The CRLF before a delimiter belongs to the delimiter
		 * (RFC 2046 5.1.1): one more keeps each part's last line end.
		 */
		if (nalt > 1)
			balt = unique_boundary('a', parts, np);
		if (np > nalt) {
			/* Its own random part: not a prefix of balt. */
			bmix = unique_boundary('m', parts, np);
			buf_addf(&msg, "Content-Type: multipart/mixed;\r\n"
			    " boundary=\"%s\"\r\n\r\n", bmix);
			buf_addf(&msg, "--%s\r\n", bmix);
		}
		if (nalt > 1) {
			buf_addf(&msg, "Content-Type: multipart/alternative;"
			    "\r\n boundary=\"%s\"\r\n\r\n", balt);
			for (size_t i = 0; i < nalt; i++) {
				buf_addf(&msg, "%s--%s\r\n", i > 0 ? "\r\n" : "",
				    balt);
				add_part(&msg, &parts[i]);
			}
			buf_addf(&msg, "\r\n--%s--\r\n", balt);
		} else
			add_part(&msg, &parts[0]);
		if (np > nalt) {
			for (size_t i = nalt; i < np; i++) {
				buf_addf(&msg, "\r\n--%s\r\n", bmix);
				add_part(&msg, &parts[i]);
			}
			buf_addf(&msg, "\r\n--%s--\r\n", bmix);
		}
		free(balt);
		free(bmix);
	}
	for (size_t i = 0; i < np; i++)
		part_free(&parts[i]);
	free(parts);
	free(irt);
	if (message_id_out != NULL)
		*message_id_out = mid;
	else
		free(mid);
	return buf_detach(&msg);
}
