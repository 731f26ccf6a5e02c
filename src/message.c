/*
 * message.c - incoming mail to struct message (see message.h).
 *
 * The steps, in order:
 *  1. repair(): a CRLF copy of the raw bytes with the header block mended
 *     (mbox "From " line dropped, a leading blank on the first header
 *     dropped, a line that is no header but is followed by headers made a
 *     continuation, NUL bytes in headers made blanks) and a last opening
 *     delimiter closed.  Both our header list and libetpan read this copy,
 *     so they agree on where the headers end.
 *  2. The top-level headers, the addresses and the subject, with our own
 *     small parsers: libetpan's mailimf accepts "<>" or "broken <a@b" as
 *     addresses, and its RFC 2047 decoder gives up on the whole phrase at
 *     the first word whose charset iconv refuses.
 *  3. mailmime_parse() for the MIME tree, then a walk over it that decodes
 *     transfer encodings and charsets itself, with a fallback at each step.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "html.h"
#include "message.h"
#include "util.h"

#define MAX_HEADERS	5000	/* kept in m->headers; more are ignored */
#define MAX_PARTS	1000	/* "multipart/" + "message/" mentions we accept */
#define MAX_DEPTH	64	/* MIME nesting we walk */
#define EW_SCAN_MAX	2000	/* bytes we look at for one encoded-word */

static const uint16_t cp1252_c1[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the well-formed UTF-8 sequence at s, 0 if there is none. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* 1 if s is valid UTF-8 and holds at least one non-ASCII character. */
static int
utf8_nonascii(const char *s, size_t len)
{
	int	high = 0;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80) {
			high = 1;
			break;
		}
	return high && utf8_valid(s, len);
}

/*
 * UTF-8 where it is well-formed, windows-1252 byte by byte where it is
 * not: what a lying or missing charset most often hides.
 */
static void
add_guess(struct buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t	i = 0;

	while (i < len) {
		size_t	j = i, n;

		while (j < len && u[j] < 0x80 && u[j] != 0)
			j++;
		if (j > i)
			buf_add(b, s + i, j - i);
		i = j;
		if (i >= len)
			break;
		if (u[i] == 0) {
			i++;
			continue;
		}
		n = utf8_seq(u + i, len - i);
		if (n > 0) {
			buf_add(b, s + i, n);
			i += n;
			continue;
		}
		buf_add_codepoint(b, u[i] < 0xA0 ? cp1252_c1[u[i] - 0x80] : u[i]);
		i++;
	}
}

/* ISO-8859-1 read as windows-1252 (as browsers do), or ISO-8859-15. */
static void
add_latin(struct buf *b, const char *s, size_t len, int latin9)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		uint32_t cp = u[i];

		if (cp == 0)
			continue;
		if (cp < 0x80) {
			size_t j = i;

			while (j < len && u[j] < 0x80 && u[j] != 0)
				j++;
			buf_add(b, s + i, j - i);
			i = j - 1;
			continue;
		}
		if (cp < 0xA0)
			cp = cp1252_c1[cp - 0x80];
		else if (latin9) {
			switch (cp) {
			case 0xA4: cp = 0x20AC; break;
			case 0xA6: cp = 0x160; break;
			case 0xA8: cp = 0x161; break;
			case 0xB4: cp = 0x17D; break;
			case 0xB8: cp = 0x17E; break;
			case 0xBC: cp = 0x152; break;
			case 0xBD: cp = 0x153; break;
			case 0xBE: cp = 0x178; break;
			default: break;
			}
		}
		buf_add_codepoint(b, cp);
	}
}

/* Drops NUL bytes in place (iconv output may carry U+0000). */
static void
strip_nul(struct buf *b)
{
	size_t	o = 0;

	for (size_t i = 0; i < b->len; i++)
		if (b->s[i] != '\0')
			b->s[o++] = b->s[i];
	b->len = o;
	if (b->s)
		b->s[o] = '\0';
}

/* Lower-cased charset name without quotes; "" if absent or suspicious. */
static void
charset_name(const char *cs, char *out, size_t outsz)
{
	size_t	o = 0;

	out[0] = '\0';
	if (cs == NULL)
		return;
	while (*cs == ' ' || *cs == '"' || *cs == '\'')
		cs++;
	for (; *cs && *cs != '"' && *cs != '\'' && *cs != ' ' &&
	    *cs != ';'; cs++) {
		int c = (unsigned char)*cs;

		/* iconv_open() reads '/' as options: never pass one on. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == ':' || c == '+') || o + 1 >= outsz) {
			out[0] = '\0';
			return;
		}
		out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	out[o] = '\0';
}

static const struct {
	const char	*name;
	const char	*iconv;
} charset_aliases[] = {
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "utf7", "UTF-7" },
	{ "x-unicode-2-0-utf-7", "UTF-7" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "x-sjis", "SHIFT_JIS" },
	{ "shift-jis", "SHIFT_JIS" },
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "macintosh", "MACINTOSH" },
};

/* Appends len bytes converted by iconv; -1 (nothing appended) on failure. */
static int
add_iconv(struct buf *b, const char *cs, const char *s, size_t len)
{
	struct buf	 out = BUF_INIT;
	iconv_t		 cd;
	char		 tmp[4096], *in = (char *)(uintptr_t)s, *o;
	size_t		 inleft = len, oleft, errors = 0;

	for (size_t i = 0; i < nitems(charset_aliases); i++)
		if (strcmp(cs, charset_aliases[i].name) == 0) {
			cs = charset_aliases[i].iconv;
			break;
		}
	cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return -1;
	while (inleft > 0) {
		size_t	r;

		o = tmp;
		oleft = sizeof(tmp);
		r = iconv(cd, &in, &inleft, &o, &oleft);
		buf_add(&out, tmp, (size_t)(o - tmp));
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL: mark the byte and go on. */
		buf_add_codepoint(&out, 0xFFFD);
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
		/* Mostly errors: the declared charset is a lie. */
		if (++errors > 16 && errors > len / 8) {
			iconv_close(cd);
			buf_free(&out);
			return -1;
		}
	}
	o = tmp;
	oleft = sizeof(tmp);
	iconv(cd, NULL, NULL, &o, &oleft);
	buf_add(&out, tmp, (size_t)(o - tmp));
	iconv_close(cd);
	strip_nul(&out);
	if (out.len > 0)
		buf_add(b, out.s, out.len);
	buf_free(&out);
	return 0;
}

static int
is_latin1_name(const char *cs)
{
	return strcmp(cs, "iso-8859-1") == 0 || strcmp(cs, "iso8859-1") == 0 ||
	    strcmp(cs, "iso_8859-1") == 0 || strcmp(cs, "latin1") == 0 ||
	    strcmp(cs, "latin-1") == 0 || strcmp(cs, "l1") == 0 ||
	    strcmp(cs, "cp819") == 0 || strcmp(cs, "windows-1252") == 0 ||
	    strcmp(cs, "cp1252") == 0 || strcmp(cs, "x-cp1252") == 0 ||
	    strcmp(cs, "ms-ansi") == 0 || strcmp(cs, "iso-8859-1:1987") == 0;
}

static int
is_latin9_name(const char *cs)
{
	return strcmp(cs, "iso-8859-15") == 0 || strcmp(cs, "iso8859-15") == 0 ||
	    strcmp(cs, "iso_8859-15") == 0 || strcmp(cs, "latin9") == 0 ||
	    strcmp(cs, "latin-9") == 0;
}

/* Names that promise nothing beyond what add_guess() does. */
static int
is_guess_name(const char *cs)
{
	static const char *const names[] = {
		"", "us-ascii", "ascii", "utf-8", "utf8", "ansi_x3.4-1968",
		"iso-646-us", "us", "unknown", "unknown-8bit", "x-unknown",
		"default", "none", "8bit", "x-user-defined", "binary",
	};

	for (size_t i = 0; i < nitems(names); i++)
		if (strcmp(cs, names[i]) == 0)
			return 1;
	return 0;
}

static void
add_charset(struct buf *b, const char *charset, const char *s, size_t len)
{
	char	cs[48];

	charset_name(charset, cs, sizeof(cs));
	if (is_guess_name(cs))
		add_guess(b, s, len);
	else if (is_latin1_name(cs) || is_latin9_name(cs)) {
		/* Declared Latin but written in UTF-8: believe the bytes. */
		if (utf8_nonascii(s, len))
			add_guess(b, s, len);
		else
			add_latin(b, s, len, is_latin9_name(cs));
	} else if (add_iconv(b, cs, s, len) == -1)
		add_guess(b, s, len);
}

char *
charset_to_utf8(const char *charset, const char *s, size_t len,
    size_t *outlen)
{
	struct buf	b = BUF_INIT;
	char		*r;

	add_charset(&b, charset, s, len);
	if (outlen)
		*outlen = b.len;
	r = buf_detach(&b);
	return r;
}

/* ------------------------------------------------- transfer encodings */

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Lenient base64: other bytes are skipped and '=' ends a quantum, so that
 * bad padding and concatenated chunks still decode.
 */
static void
add_base64(struct buf *b, const char *s, size_t len)
{
	char		 tmp[3072];
	size_t		 o = 0;
	uint32_t	 acc = 0;
	int		 bits = 0;

	for (size_t i = 0; i < len; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0) {
			if (s[i] == '=') {
				acc = 0;
				bits = 0;
			}
			continue;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			tmp[o++] = (char)((acc >> bits) & 0xFF);
			acc &= (1u << bits) - 1;
			if (o == sizeof(tmp)) {
				buf_add(b, tmp, o);
				o = 0;
			}
		}
	}
	buf_add(b, tmp, o);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Quoted-printable; q selects RFC 2047 "Q" ('_' is a space). */
static void
add_qp(struct buf *b, const char *s, size_t len, int q)
{
	size_t	i = 0;

	while (i < len) {
		size_t	j = i;

		while (j < len && s[j] != '=' && !(q && s[j] == '_'))
			j++;
		if (j > i)
			buf_add(b, s + i, j - i);
		i = j;
		if (i >= len)
			break;
		if (s[i] == '_') {
			buf_addc(b, ' ');
			i++;
			continue;
		}
		if (i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			buf_addc(b, hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 3;
			continue;
		}
		/* A soft line break, possibly with blanks before it. */
		j = i + 1;
		while (j < len && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j >= len) {
			i = len;
			continue;
		}
		if (s[j] == '\r' || s[j] == '\n') {
			if (s[j] == '\r' && j + 1 < len && s[j + 1] == '\n')
				j++;
			i = j + 1;
			continue;
		}
		buf_addc(b, '=');
		i++;
	}
}

/*
 * Some senders declare base64 over plain text: if the first line with
 * anything on it is not base64, the declaration is a lie.
 */
static int
looks_base64(const char *s, size_t len)
{
	size_t	i = 0;

	while (i < len) {
		size_t	e = i, t;

		while (e < len && s[e] != '\n')
			e++;
		t = e;
		while (t > i && (s[t - 1] == '\r' || s[t - 1] == ' ' ||
		    s[t - 1] == '\t'))
			t--;
		while (i < t && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (t > i) {
			for (size_t k = i; k < t; k++)
				if (b64val((unsigned char)s[k]) < 0 && s[k] != '=')
					return 0;
			return 1;
		}
		i = e + 1;
	}
	return 1;
}

static void
add_transfer_decoded(struct buf *b, int mechanism, const char *s, size_t len)
{
	switch (mechanism) {
	case MAILMIME_MECHANISM_BASE64:
		if (looks_base64(s, len))
			add_base64(b, s, len);
		else
			buf_add(b, s, len);
		break;
	case MAILMIME_MECHANISM_QUOTED_PRINTABLE:
		add_qp(b, s, len, 0);
		break;
	default:
		buf_add(b, s, len);
		break;
	}
}

/* ---------------------------------------------------------- RFC 2047 */

struct ew {
	char	 charset[48];
	int	 enc;		/* 'B' or 'Q' */
	size_t	 text, textlen;	/* the encoded text */
	size_t	 end;		/* just after "?=" */
};

static int
parse_ew(const char *s, size_t len, size_t i, struct ew *w)
{
	size_t	j = i + 2, cs, limit;
	char	raw[48];

	limit = len - i > EW_SCAN_MAX ? i + EW_SCAN_MAX : len;
	cs = j;
	while (j < limit && s[j] != '?' && s[j] != ' ' && s[j] != '\t' &&
	    s[j] != '\r' && s[j] != '\n')
		j++;
	if (j >= limit || s[j] != '?' || j == cs || j - cs >= sizeof(raw))
		return 0;
	memcpy(raw, s + cs, j - cs);
	raw[j - cs] = '\0';
	raw[strcspn(raw, "*")] = '\0';	/* RFC 2231 language */
	j++;
	if (j + 1 >= limit || s[j + 1] != '?')
		return 0;
	if (s[j] == 'B' || s[j] == 'b')
		w->enc = 'B';
	else if (s[j] == 'Q' || s[j] == 'q')
		w->enc = 'Q';
	else
		return 0;
	j += 2;
	w->text = j;
	while (j < limit && s[j] != '?' && s[j] != '\r' && s[j] != '\n')
		j++;
	if (j + 1 >= len || s[j] != '?' || s[j + 1] != '=')
		return 0;
	w->textlen = j - w->text;
	w->end = j + 2;
	charset_name(raw, w->charset, sizeof(w->charset));
	if (w->charset[0] == '\0')
		strcpy(w->charset, "unknown");
	return 1;
}

struct ewstate {
	struct buf	 out;
	struct buf	 raw;	/* plain text not yet converted */
	struct buf	 bytes;	/* decoded encoded-word bytes not yet converted */
	struct buf	 b64;	/* base64 text short of a whole quantum */
	char		 charset[48];
};

static void
ew_flush(struct ewstate *st)
{
	if (st->b64.len > 0) {
		add_base64(&st->bytes, st->b64.s, st->b64.len);
		buf_reset(&st->b64);
	}
	if (st->bytes.len > 0) {
		add_charset(&st->out, st->charset, st->bytes.s, st->bytes.len);
		buf_reset(&st->bytes);
	}
	st->charset[0] = '\0';
}

static void
raw_flush(struct ewstate *st)
{
	if (st->raw.len > 0) {
		add_guess(&st->out, st->raw.s, st->raw.len);
		buf_reset(&st->raw);
	}
}

char *
mime_decode_words(const char *s, size_t len)
{
	struct ewstate	 st;
	size_t		 i = 0, ws = 0, wslen = 0;
	int		 last_ew = 0;
	char		*r;

	memset(&st, 0, sizeof(st));
	while (i < len) {
		struct ew	w;

		if (s[i] == '=' && i + 1 < len && s[i + 1] == '?' &&
		    parse_ew(s, len, i, &w)) {
			/* Blanks between two encoded-words vanish. */
			if (!last_ew) {
				if (wslen > 0)
					buf_add(&st.raw, s + ws, wslen);
				raw_flush(&st);
			}
			wslen = 0;
			if (strcmp(w.charset, st.charset) != 0) {
				ew_flush(&st);
				strcpy(st.charset, w.charset);
			}
			if (w.enc == 'B') {
				size_t	whole;

				buf_add(&st.b64, s + w.text, w.textlen);
				whole = st.b64.len / 4 * 4;
				add_base64(&st.bytes, st.b64.s, whole);
				memmove(st.b64.s, st.b64.s + whole,
				    st.b64.len - whole);
				st.b64.len -= whole;
				st.b64.s[st.b64.len] = '\0';
			} else {
				if (st.b64.len > 0) {
					add_base64(&st.bytes, st.b64.s, st.b64.len);
					buf_reset(&st.b64);
				}
				add_qp(&st.bytes, s + w.text, w.textlen, 1);
			}
			last_ew = 1;
			i = w.end;
			continue;
		}
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			if (wslen == 0)
				ws = i;
			while (i < len && (s[i] == ' ' || s[i] == '\t' ||
			    s[i] == '\r' || s[i] == '\n'))
				i++;
			wslen = i - ws;
			continue;
		}
		if (last_ew)
			ew_flush(&st);
		if (wslen > 0)
			buf_add(&st.raw, s + ws, wslen);
		wslen = 0;
		last_ew = 0;
		{
			size_t	j = i + 1;

			while (j < len && s[j] != ' ' && s[j] != '\t' &&
			    s[j] != '\r' && s[j] != '\n' && s[j] != '=')
				j++;
			buf_add(&st.raw, s + i, j - i);
			i = j;
		}
	}
	ew_flush(&st);
	if (wslen > 0)
		buf_add(&st.raw, s + ws, wslen);
	raw_flush(&st);
	buf_free(&st.raw);
	buf_free(&st.bytes);
	buf_free(&st.b64);
	strip_nul(&st.out);
	r = buf_detach(&st.out);
	return r;
}

/* A header value for display: decoded, controls made blanks, trimmed. */
static char *
decode_display(const char *s)
{
	char	*d = mime_decode_words(s, strlen(s)), *t;

	for (char *p = d; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = ' ';
	t = str_trim(d);
	if (t != d)
		memmove(d, t, strlen(t) + 1);
	return d;
}

/* ---------------------------------------------------------- RFC 3676 */

static void
flush_para(struct buf *out, struct buf *para, int depth)
{
	for (int i = 0; i < depth; i++)
		buf_addc(out, '>');
	if (depth > 0)
		buf_addc(out, ' ');
	if (para->len > 0)
		buf_add(out, para->s, para->len);
	buf_addc(out, '\n');
	buf_reset(para);
}

char *
unflow_text(const char *s, size_t len, int delsp)
{
	struct buf	 out = BUF_INIT, para = BUF_INIT;
	size_t		 i = 0;
	int		 in_para = 0, para_depth = 0;

	while (i < len) {
		size_t	e = i, p;
		int	depth = 0, flowed;

		while (e < len && s[e] != '\n')
			e++;
		p = i;
		while (p < e && s[p] == '>') {
			depth++;
			p++;
		}
		if (p < e && s[p] == ' ')	/* space-stuffing */
			p++;
		flowed = e > p && s[e - 1] == ' ' &&
		    !(e - p == 3 && memcmp(s + p, "-- ", 3) == 0);
		if (in_para && depth != para_depth) {
			flush_para(&out, &para, para_depth);
			in_para = 0;
		}
		if (!in_para) {
			in_para = 1;
			para_depth = depth;
		}
		buf_add(&para, s + p, e - p - (flowed && delsp ? 1 : 0));
		if (!flowed) {
			flush_para(&out, &para, para_depth);
			in_para = 0;
		}
		i = e + 1;
	}
	if (in_para)
		flush_para(&out, &para, para_depth);
	buf_free(&para);
	return buf_detach(&out);
}

/* ------------------------------------------------------------- repair */

struct line {
	size_t	 off, len;
	int	 kind;
};
enum { L_HEADER, L_CONT, L_JUNK };

/* Next line of raw from *pos: CRLF, LF or a lone CR ends it. */
static int
next_line(const char *raw, size_t len, size_t *pos, size_t *off, size_t *n)
{
	size_t	i = *pos, j;

	if (i >= len)
		return 0;
	j = i;
	while (j < len && raw[j] != '\n' && raw[j] != '\r')
		j++;
	*off = i;
	*n = j - i;
	if (j < len && raw[j] == '\r' && j + 1 < len && raw[j + 1] == '\n')
		j += 2;
	else if (j < len)
		j++;
	*pos = j;
	return 1;
}

static int
header_kind(const char *s, size_t n)
{
	size_t	i = 0;

	if (n > 0 && (s[0] == ' ' || s[0] == '\t'))
		return L_CONT;
	while (i < n && (unsigned char)s[i] > 32 && (unsigned char)s[i] < 127 &&
	    s[i] != ':')
		i++;
	if (i == 0)
		return L_JUNK;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return (i < n && s[i] == ':') ? L_HEADER : L_JUNK;
}

static int
blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Appends a line with CRLF, NUL bytes made blanks (headers only). */
static void
add_header_line(struct buf *b, const char *s, size_t n)
{
	size_t	start = b->len;

	buf_add(b, s, n);
	for (size_t i = start; i < b->len; i++)
		if (b->s[i] == '\0')
			b->s[i] = ' ';
	buf_add(b, "\r\n", 2);
}

struct repaired {
	char	*s;
	size_t	 len;
	size_t	 hdrlen;	/* the header block, its blank line included */
};

static void
repair(const char *raw, size_t len, int headers_only, struct repaired *r)
{
	struct buf	 b = BUF_INIT;
	struct line	*lines = NULL;
	size_t		 nlines = 0, cap = 0, pos = 0, off, n, body, last_hdr;
	int		 have_hdr = 0;

	/* An mbox envelope line ("From addr date") is no header. */
	if (len > 6 && memcmp(raw, "From ", 5) == 0 && raw[5] != ':' &&
	    raw[5] != ' ')
		next_line(raw, len, &pos, &off, &n);

	body = len;
	while (next_line(raw, len, &pos, &off, &n)) {
		if (blank_line(raw + off, n)) {
			body = pos;
			break;
		}
		if (nlines == cap) {
			cap = cap ? cap * 2 : 64;
			lines = xreallocarray(lines, cap, sizeof(*lines));
		}
		lines[nlines].off = off;
		lines[nlines].len = n;
		lines[nlines].kind = header_kind(raw + off, n);
		nlines++;
	}

	/* A blank before the first header is a mistake, not a fold. */
	if (nlines > 0 && lines[0].kind == L_CONT) {
		while (lines[0].len > 0 && (raw[lines[0].off] == ' ' ||
		    raw[lines[0].off] == '\t')) {
			lines[0].off++;
			lines[0].len--;
		}
		lines[0].kind = header_kind(raw + lines[0].off, lines[0].len);
	}
	last_hdr = 0;
	for (size_t i = 0; i < nlines; i++)
		if (lines[i].kind == L_HEADER) {
			last_hdr = i;
			have_hdr = 1;
		}

	for (size_t i = 0; i < nlines; i++) {
		const char *s = raw + lines[i].off;

		if (!have_hdr || (lines[i].kind == L_JUNK && i > last_hdr)) {
			/* The body began without its blank line. */
			body = lines[i].off;
			break;
		}
		if (lines[i].kind == L_HEADER)
			add_header_line(&b, s, lines[i].len);
		else if (b.len == 0)
			continue;	/* nothing to continue yet */
		else if (lines[i].kind == L_CONT)
			add_header_line(&b, s, lines[i].len);
		else {
			/* A broken fold: a header goes on after it. */
			buf_addc(&b, ' ');
			add_header_line(&b, s, lines[i].len);
		}
	}
	free(lines);
	buf_add(&b, "\r\n", 2);
	r->hdrlen = b.len;

	if (!headers_only && body < len) {
		size_t	i = body, lastline;

		while (i < len) {
			size_t j = i;

			while (j < len && raw[j] != '\r' && raw[j] != '\n')
				j++;
			buf_add(&b, raw + i, j - i);
			if (j >= len)
				break;
			buf_add(&b, "\r\n", 2);
			if (raw[j] == '\r' && j + 1 < len && raw[j + 1] == '\n')
				j++;
			i = j + 1;
		}
		/*
		 * A last opening delimiter with nothing after it ("--b" for
		 * "--b--") makes libetpan drop every part: close it.
		 */
		i = b.len;
		while (i > r->hdrlen && (b.s[i - 1] == '\r' ||
		    b.s[i - 1] == '\n' || b.s[i - 1] == ' ' || b.s[i - 1] == '\t'))
			i--;
		lastline = i;
		while (lastline > r->hdrlen && b.s[lastline - 1] != '\n')
			lastline--;
		if (i - lastline > 2 && b.s[lastline] == '-' &&
		    b.s[lastline + 1] == '-' &&
		    !(b.s[i - 1] == '-' && b.s[i - 2] == '-') &&
		    memmem(b.s + r->hdrlen, lastline - r->hdrlen, b.s + lastline,
		    i - lastline) != NULL) {
			b.len = i;
			buf_add(&b, "--\r\n", 4);
		}
	}
	r->len = b.len;
	r->s = buf_detach(&b);
}

/* ------------------------------------------------------------ headers */

static void
parse_headers(struct message *m, const char *s, size_t len)
{
	size_t	cap = 0, i = 0;

	while (i < len) {
		size_t	 ls = i, e = i, colon, ne;
		struct buf v = BUF_INIT;
		struct header *h;

		if (s[i] == '\r' || s[i] == ' ' || s[i] == '\t') {
			/* The blank line, or a fold with nothing before it. */
			while (i < len && s[i] != '\n')
				i++;
			i++;
			continue;
		}
		while (e < len && s[e] != '\r')
			e++;
		colon = i;
		while (colon < e && s[colon] != ':')
			colon++;
		i = e + 2;
		if (colon >= e)
			continue;
		buf_add(&v, s + colon + 1, e - colon - 1);
		/* Unfold: the CRLF goes, the blank stays. */
		while (i < len && (s[i] == ' ' || s[i] == '\t')) {
			e = i;
			while (e < len && s[e] != '\r')
				e++;
			buf_add(&v, s + i, e - i);
			i = e + 2;
		}
		if (m->nheaders >= MAX_HEADERS) {
			buf_free(&v);
			continue;
		}
		if (m->nheaders == cap) {
			cap = cap ? cap * 2 : 32;
			m->headers = xreallocarray(m->headers, cap,
			    sizeof(*m->headers));
		}
		if (v.s == NULL)
			buf_add(&v, "", 0);
		ne = colon;
		while (ne > ls && (s[ne - 1] == ' ' || s[ne - 1] == '\t'))
			ne--;
		h = &m->headers[m->nheaders++];
		h->name = xstrndup(s + ls, ne - ls);
		h->value = xstrdup(str_trim(v.s));
		buf_free(&v);
	}
}

const char *
message_header(const struct message *m, const char *name)
{
	for (size_t i = 0; i < m->nheaders; i++)
		if (ascii_strcasecmp(m->headers[i].name, name) == 0)
			return m->headers[i].value;
	return NULL;
}

/* ---------------------------------------------------------- addresses */

static int
valid_addr(const char *a)
{
	const char *at = strrchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0' || strlen(a) > 320)
		return 0;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>(),;[]\\", *p) != NULL)
			return 0;
	return 1;
}

static char *
trimmed_dup(const char *s, size_t n)
{
	char	*d = xstrndup(s, n), *t = str_trim(d);

	if (t != d)
		memmove(d, t, strlen(t) + 1);
	return d;
}

/*
 * The first mailbox of an address list.  *addr gets the addr-spec as
 * written (NULL unless it looks like one), *name the display name raw
 * (quotes and comments removed, not decoded; NULL if none).  Groups and
 * empty elements ("To: , a@b") are stepped over.
 */
static void
first_mailbox(const char *s, char **addr, char **name)
{
	size_t	len = strlen(s), i = 0;

	*addr = *name = NULL;
	while (i <= len) {
		struct buf	 text = BUF_INIT, rawp = BUF_INIT, comment = BUF_INIT;
		size_t		 j = i, as = 0, ae = 0;
		int		 angle = 0;
		char		*a = NULL;

		while (j < len && s[j] != ',' && s[j] != ';') {
			char	c = s[j];

			if (c == '"') {
				buf_addc(&rawp, c);
				for (j++; j < len && s[j] != '"'; j++) {
					if (s[j] == '\\' && j + 1 < len)
						buf_addc(&rawp, s[j++]);
					buf_addc(&text, s[j]);
					buf_addc(&rawp, s[j]);
				}
				if (j < len)
					buf_addc(&rawp, '"');
				j++;
			} else if (c == '(') {
				int	d = 1;

				for (j++; j < len && d > 0; j++) {
					if (s[j] == '\\' && j + 1 < len)
						j++;
					else if (s[j] == '(')
						d++;
					else if (s[j] == ')' && --d == 0)
						continue;
					if (d > 0)
						buf_addc(&comment, s[j]);
				}
				buf_addc(&text, ' ');
			} else if (c == '<' && !angle) {
				angle = 1;
				as = ++j;
				while (j < len && s[j] != '>')
					j++;
				ae = j;
				if (j < len)
					j++;
			} else if (c == ':' && !angle) {
				/* "group: a, b;" - the group name is no name. */
				buf_reset(&text);
				buf_reset(&rawp);
				buf_reset(&comment);
				j++;
			} else {
				buf_addc(&text, c);
				buf_addc(&rawp, c);
				j++;
			}
		}
		if (angle) {
			/* An obsolete route ("<@a,@b:x@y>") is not the address. */
			const char *colon = memchr(s + as, ':', ae - as);

			if (colon != NULL && s[as] == '@')
				as = (size_t)(colon - s) + 1;
			a = trimmed_dup(s + as, ae - as);
			if (valid_addr(a) && text.len > 0)
				*name = trimmed_dup(text.s, text.len);
		} else if (rawp.len > 0) {
			a = trimmed_dup(rawp.s, rawp.len);
			if (valid_addr(a) && comment.len > 0)
				*name = trimmed_dup(comment.s, comment.len);
		}
		buf_free(&text);
		buf_free(&rawp);
		buf_free(&comment);
		if (a != NULL && valid_addr(a)) {
			*addr = a;
			if (*name != NULL && **name == '\0') {
				free(*name);
				*name = NULL;
			}
			return;
		}
		free(a);
		free(*name);
		*name = NULL;
		i = j + 1;
	}
}

static char *
header_addr(const struct message *m, const char *hname)
{
	const char	*v = message_header(m, hname);
	char		*addr, *name;

	if (v == NULL)
		return NULL;
	first_mailbox(v, &addr, &name);
	free(name);
	return addr;
}

/* The first "<id>" without its brackets; a bare token if none. */
static char *
msgid(const char *v)
{
	const char	*lt, *gt;
	size_t		 n;

	if (v == NULL)
		return NULL;
	if ((lt = strchr(v, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		char *id = trimmed_dup(lt + 1, (size_t)(gt - lt - 1));

		if (*id != '\0')
			return id;
		free(id);
		return NULL;
	}
	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, " \t");
	return n > 0 ? xstrndup(v, n) : NULL;
}

static void
fill_fields(struct message *m)
{
	const char	*v;
	char		*name = NULL;

	m->message_id = msgid(message_header(m, "Message-ID"));
	if ((v = message_header(m, "From")) != NULL) {
		first_mailbox(v, &m->from_addr, &name);
		if (name != NULL) {
			m->from_name = decode_display(name);
			free(name);
			if (*m->from_name == '\0') {
				free(m->from_name);
				m->from_name = NULL;
			}
		}
	}
	m->sender_addr = header_addr(m, "Sender");
	m->reply_to_addr = header_addr(m, "Reply-To");
	if ((v = message_header(m, "Return-Path")) != NULL) {
		const char *lt = strchr(v, '<'), *gt;

		if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
			m->return_path = trimmed_dup(lt + 1, (size_t)(gt - lt - 1));
		else
			m->return_path = trimmed_dup(v, strcspn(v, " \t"));
	}
	v = message_header(m, "Subject");
	m->subject = v ? decode_display(v) : xstrdup("");
	m->in_reply_to = msgid(message_header(m, "In-Reply-To"));
	if ((v = message_header(m, "References")) != NULL)
		m->references = xstrdup(v);
	if ((v = message_header(m, "Content-Language")) != NULL)
		m->content_language = xstrdup(v);
}

/* ---------------------------------------------------------- MIME walk */

struct param {
	const char	*name;
	const char	*value;
};

struct partinfo {
	char		 type[96];	/* lower-case "type/subtype" */
	int		 mechanism;
	int		 attachment;	/* Content-Disposition: attachment */
	struct param	 ct[32];	/* Content-Type parameters */
	size_t		 nct;
	struct param	 cd[32];	/* Content-Disposition parameters */
	size_t		 ncd;
};

struct walk {
	struct buf	 plain;
	struct buf	 html;		/* every text/html part, for the text */
	char		*html_first;
	char		*calendar;
	struct attachment *att;
	size_t		 natt, attcap;
	struct buf	 dsn;
	int		 has_dsn;
	char		*report_type;
	int		 has_mdn;
	int		 has_fbr;
};

static const char *
param_get(const struct param *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_strcasecmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

static void
part_info(struct mailmime *mm, struct partinfo *pi)
{
	struct mailmime_content	*ct = mm->mm_content_type;
	const char		*t = "text", *sub = "plain";
	clistiter		*it;

	memset(pi, 0, sizeof(*pi));
	pi->mechanism = MAILMIME_MECHANISM_7BIT;
	if (ct != NULL && ct->ct_type != NULL) {
		struct mailmime_type *ty = ct->ct_type;

		if (ty->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
		    ty->tp_data.tp_discrete_type != NULL) {
			switch (ty->tp_data.tp_discrete_type->dt_type) {
			case MAILMIME_DISCRETE_TYPE_TEXT: t = "text"; break;
			case MAILMIME_DISCRETE_TYPE_IMAGE: t = "image"; break;
			case MAILMIME_DISCRETE_TYPE_AUDIO: t = "audio"; break;
			case MAILMIME_DISCRETE_TYPE_VIDEO: t = "video"; break;
			case MAILMIME_DISCRETE_TYPE_APPLICATION:
				t = "application";
				break;
			default:
				t = ty->tp_data.tp_discrete_type->dt_extension;
				break;
			}
		} else if (ty->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
		    ty->tp_data.tp_composite_type != NULL) {
			switch (ty->tp_data.tp_composite_type->ct_type) {
			case MAILMIME_COMPOSITE_TYPE_MESSAGE: t = "message"; break;
			case MAILMIME_COMPOSITE_TYPE_MULTIPART:
				t = "multipart";
				break;
			default:
				t = ty->tp_data.tp_composite_type->ct_token;
				break;
			}
		}
		sub = ct->ct_subtype;
		if (t == NULL)
			t = "application";
		if (sub == NULL)
			sub = "octet-stream";
		for (it = clist_begin(ct->ct_parameters); it != NULL;
		    it = clist_next(it)) {
			struct mailmime_parameter *p = clist_content(it);

			if (pi->nct < nitems(pi->ct) && p->pa_name && p->pa_value) {
				pi->ct[pi->nct].name = p->pa_name;
				pi->ct[pi->nct++].value = p->pa_value;
			}
		}
	}
	snprintf(pi->type, sizeof(pi->type), "%s/%s", t, sub);
	ascii_lower(pi->type);

	if (mm->mm_mime_fields == NULL)
		return;
	for (it = clist_begin(mm->mm_mime_fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);

		if (f->fld_type == MAILMIME_FIELD_TRANSFER_ENCODING &&
		    f->fld_data.fld_encoding != NULL)
			pi->mechanism = f->fld_data.fld_encoding->enc_type;
		else if (f->fld_type == MAILMIME_FIELD_DISPOSITION &&
		    f->fld_data.fld_disposition != NULL) {
			struct mailmime_disposition *d = f->fld_data.fld_disposition;
			clistiter *j;

			if (d->dsp_type != NULL && d->dsp_type->dsp_type ==
			    MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
				pi->attachment = 1;
			for (j = clist_begin(d->dsp_parms); j != NULL;
			    j = clist_next(j)) {
				struct mailmime_disposition_parm *dp =
				    clist_content(j);

				if (pi->ncd >= nitems(pi->cd))
					break;
				if (dp->pa_type ==
				    MAILMIME_DISPOSITION_PARM_FILENAME &&
				    dp->pa_data.pa_filename != NULL) {
					pi->cd[pi->ncd].name = "filename";
					pi->cd[pi->ncd++].value =
					    dp->pa_data.pa_filename;
				} else if (dp->pa_type ==
				    MAILMIME_DISPOSITION_PARM_PARAMETER &&
				    dp->pa_data.pa_parameter != NULL &&
				    dp->pa_data.pa_parameter->pa_name != NULL &&
				    dp->pa_data.pa_parameter->pa_value != NULL) {
					pi->cd[pi->ncd].name =
					    dp->pa_data.pa_parameter->pa_name;
					pi->cd[pi->ncd++].value =
					    dp->pa_data.pa_parameter->pa_value;
				}
			}
		}
	}
}

/* RFC 2231 "charset'lang'%xx" (or a continuation segment) to bytes. */
static void
add_pct(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '%' && hexval((unsigned char)v[1]) >= 0 &&
		    hexval((unsigned char)v[2]) >= 0) {
			buf_addc(b, hexval((unsigned char)v[1]) * 16 +
			    hexval((unsigned char)v[2]));
			v += 2;
		} else
			buf_addc(b, *v);
	}
}

/*
 * An RFC 2231 extended value "charset'language'%xx...": the charset into
 * cs (when it fits) and a pointer past the second quote; v itself when it
 * has no such prefix.
 */
static const char *
rfc2231_charset(const char *v, char *cs, size_t cslen)
{
	const char *q1 = strchr(v, '\''), *q2;

	if (q1 == NULL || (q2 = strchr(q1 + 1, '\'')) == NULL)
		return v;
	if ((size_t)(q1 - v) < cslen) {
		memcpy(cs, v, (size_t)(q1 - v));
		cs[q1 - v] = '\0';
	}
	return q2 + 1;
}

/*
 * A parameter by name with RFC 2231 (name*, name*0*, name*1, ...) and the
 * common non-standard RFC 2047 inside quotes; NULL if absent.
 */
static char *
param_decoded(const struct param *p, size_t n, const char *name)
{
	struct buf	 bytes = BUF_INIT;
	char		 key[64], charset[48] = "";
	const char	*v;
	int		 found = 0;

	snprintf(key, sizeof(key), "%s*", name);
	if ((v = param_get(p, n, key)) != NULL) {
		v = rfc2231_charset(v, charset, sizeof charset);
		add_pct(&bytes, v);
		found = 1;
	} else {
		for (int k = 0; k < 100; k++) {
			snprintf(key, sizeof(key), "%s*%d*", name, k);
			if ((v = param_get(p, n, key)) != NULL) {
				if (k == 0)
					v = rfc2231_charset(v, charset,
					    sizeof charset);
				add_pct(&bytes, v);
				found = 1;
				continue;
			}
			snprintf(key, sizeof(key), "%s*%d", name, k);
			if ((v = param_get(p, n, key)) == NULL)
				break;
			buf_adds(&bytes, v);
			found = 1;
		}
	}
	if (found) {
		char *r = charset_to_utf8(charset, bytes.s ? bytes.s : "",
		    bytes.len, NULL);

		buf_free(&bytes);
		return r;
	}
	if ((v = param_get(p, n, name)) != NULL)
		return decode_display(v);
	return NULL;
}

static char *
part_filename(const struct partinfo *pi)
{
	char	*f = param_decoded(pi->cd, pi->ncd, "filename");

	if (f == NULL)
		f = param_decoded(pi->ct, pi->nct, "name");
	if (f != NULL && *f == '\0') {
		free(f);
		f = NULL;
	}
	return f;
}

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/* CRLF and lone CR to LF, in place. */
static void
lf_only(struct buf *b)
{
	size_t	o = 0;

	for (size_t i = 0; i < b->len; i++) {
		if (b->s[i] == '\r') {
			if (i + 1 < b->len && b->s[i + 1] == '\n')
				continue;
			b->s[o++] = '\n';
		} else
			b->s[o++] = b->s[i];
	}
	b->len = o;
	if (b->s)
		b->s[o] = '\0';
}

/* The charset an HTML document names in a <meta>, if the MIME type did not. */
static void
html_meta_charset(const char *s, size_t len, char *out, size_t outsz)
{
	size_t	n = len < 4096 ? len : 4096;

	out[0] = '\0';
	for (size_t i = 0; i + 8 < n; i++) {
		size_t	o = 0;

		if (ascii_strncasecmp(s + i, "charset=", 8) != 0)
			continue;
		i += 8;
		while (i < n && (s[i] == '"' || s[i] == '\''))
			i++;
		while (i < n && o + 1 < outsz && s[i] != '"' && s[i] != '\'' &&
		    s[i] != ';' && s[i] != '>' && s[i] != ' ' && s[i] != '/')
			out[o++] = s[i++];
		out[o] = '\0';
		return;
	}
}

static void
add_attachment(struct walk *w, const struct partinfo *pi, char *filename,
    const char *data, size_t len)
{
	struct attachment *a;

	if (w->natt == w->attcap) {
		w->attcap = w->attcap ? w->attcap * 2 : 4;
		w->att = xreallocarray(w->att, w->attcap, sizeof(*w->att));
	}
	a = &w->att[w->natt++];
	a->filename = filename;
	a->content_type = xstrdup(pi->type);
	a->data = xmalloc(len + 1);
	if (len > 0)
		memcpy(a->data, data, len);
	a->data[len] = '\0';
	a->len = len;
}

static void
separate(struct buf *b)
{
	if (b->len > 0 && b->s[b->len - 1] != '\n')
		buf_addc(b, '\n');
}

static void
walk_single(struct mailmime *mm, struct walk *w)
{
	struct partinfo		 pi;
	struct mailmime_data	*d = mm->mm_data.mm_single;
	struct buf		 bytes = BUF_INIT, text = BUF_INIT;
	const char		*charset;
	char			*filename;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return;
	part_info(mm, &pi);
	add_transfer_decoded(&bytes, pi.mechanism, d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length);
	if (bytes.s == NULL)
		buf_add(&bytes, "", 0);
	charset = param_get(pi.ct, pi.nct, "charset");

	if (strcmp(pi.type, "message/delivery-status") == 0 ||
	    strcmp(pi.type, "message/global-delivery-status") == 0) {
		add_guess(&text, bytes.s, bytes.len);
		lf_only(&text);
		separate(&w->dsn);
		if (text.len > 0)
			buf_add(&w->dsn, text.s, text.len);
		buf_addc(&w->dsn, '\n');
		w->has_dsn = 1;
		goto out;
	}
	if (strcmp(pi.type, "message/disposition-notification") == 0 ||
	    strcmp(pi.type, "message/global-disposition-notification") == 0) {
		w->has_mdn = 1;
		goto out;
	}
	if (strcmp(pi.type, "message/feedback-report") == 0) {
		w->has_fbr = 1;
		goto out;
	}
	filename = part_filename(&pi);
	if (strcmp(pi.type, "text/calendar") == 0 ||
	    (strcmp(pi.type, "application/ics") == 0 && w->calendar == NULL)) {
		if (w->calendar == NULL) {
			add_charset(&text, charset, bytes.s, bytes.len);
			lf_only(&text);
			w->calendar = buf_detach(&text);
		}
		if (pi.attachment || filename != NULL)
			add_attachment(w, &pi, filename, bytes.s, bytes.len);
		else
			free(filename);
		goto out;
	}
	if (pi.attachment || filename != NULL) {
		add_attachment(w, &pi, filename, bytes.s, bytes.len);
		goto out;
	}
	if (strcmp(pi.type, "text/plain") == 0) {
		const char *fmt = param_get(pi.ct, pi.nct, "format");
		const char *delsp = param_get(pi.ct, pi.nct, "delsp");

		add_charset(&text, charset, bytes.s, bytes.len);
		lf_only(&text);
		separate(&w->plain);
		if (fmt != NULL && ascii_strcasecmp(fmt, "flowed") == 0) {
			char *u = unflow_text(text.s ? text.s : "", text.len,
			    delsp != NULL && ascii_strcasecmp(delsp, "yes") == 0);

			buf_adds(&w->plain, u);
			free(u);
		} else if (text.len > 0)
			buf_add(&w->plain, text.s, text.len);
	} else if (strcmp(pi.type, "text/html") == 0) {
		char	meta[48];

		if (charset == NULL) {
			html_meta_charset(bytes.s, bytes.len, meta, sizeof(meta));
			charset = meta;
		}
		add_charset(&text, charset, bytes.s, bytes.len);
		lf_only(&text);
		if (w->html_first == NULL)
			w->html_first = xstrdup(text.s ? text.s : "");
		separate(&w->html);
		if (text.len > 0)
			buf_add(&w->html, text.s, text.len);
	}
out:
	buf_free(&bytes);
	buf_free(&text);
}

static void walk(struct mailmime *, struct walk *, int);

static void
walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->natt; i++) {
		free(w->att[i].filename);
		free(w->att[i].content_type);
		free(w->att[i].data);
	}
	free(w->att);
	buf_free(&w->plain);
	buf_free(&w->html);
	buf_free(&w->dsn);
	free(w->html_first);
	free(w->calendar);
	free(w->report_type);
	memset(w, 0, sizeof(*w));
}

/* Takes what sub found, except its text, into w. */
static void
walk_merge(struct walk *w, struct walk *sub)
{
	for (size_t i = 0; i < sub->natt; i++) {
		if (w->natt == w->attcap) {
			w->attcap = w->attcap ? w->attcap * 2 : 4;
			w->att = xreallocarray(w->att, w->attcap, sizeof(*w->att));
		}
		w->att[w->natt++] = sub->att[i];
	}
	sub->natt = 0;
	if (w->calendar == NULL) {
		w->calendar = sub->calendar;
		sub->calendar = NULL;
	}
	if (sub->dsn.len > 0)
		buf_add(&w->dsn, sub->dsn.s, sub->dsn.len);
	w->has_dsn |= sub->has_dsn;
	w->has_mdn |= sub->has_mdn;
	w->has_fbr |= sub->has_fbr;
	if (w->report_type == NULL) {
		w->report_type = sub->report_type;
		sub->report_type = NULL;
	}
}

static void
walk_alternative(struct mailmime *mm, struct walk *w, int depth)
{
	clistiter	*it;
	int		 have_plain = 0, have_html = 0;

	for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list); it != NULL;
	    it = clist_next(it)) {
		struct walk	sub;

		memset(&sub, 0, sizeof(sub));
		walk(clist_content(it), &sub, depth + 1);
		if (!have_plain && !blank(sub.plain.s, sub.plain.len)) {
			separate(&w->plain);
			buf_add(&w->plain, sub.plain.s, sub.plain.len);
			have_plain = 1;
		}
		if (!have_html && sub.html.len > 0) {
			separate(&w->html);
			buf_add(&w->html, sub.html.s, sub.html.len);
			if (w->html_first == NULL) {
				w->html_first = sub.html_first;
				sub.html_first = NULL;
			}
			have_html = 1;
		}
		walk_merge(w, &sub);
		walk_free(&sub);
	}
}

static void
walk(struct mailmime *mm, struct walk *w, int depth)
{
	struct partinfo	 pi;
	clistiter	*it;

	if (mm == NULL || depth > MAX_DEPTH)
		return;
	switch (mm->mm_type) {
	case MAILMIME_SINGLE:
		walk_single(mm, w);
		break;
	case MAILMIME_MULTIPLE:
		part_info(mm, &pi);
		if (strcmp(pi.type, "multipart/report") == 0 &&
		    w->report_type == NULL) {
			const char *rt = param_get(pi.ct, pi.nct, "report-type");

			w->report_type = xstrdup(rt ? rt : "");
			ascii_lower(w->report_type);
		}
		if (strcmp(pi.type, "multipart/alternative") == 0) {
			walk_alternative(mm, w, depth);
			break;
		}
		for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			walk(clist_content(it), w, depth + 1);
		break;
	case MAILMIME_MESSAGE:
		if (depth == 0) {
			walk(mm->mm_data.mm_message.mm_msg_mime, w, depth + 1);
			break;
		}
		/* A forwarded message: never text, an attachment if named. */
		part_info(mm, &pi);
		{
			char *filename = part_filename(&pi);

			if (pi.attachment || filename != NULL) {
				const char	*p = mm->mm_mime_start;
				size_t		 n = mm->mm_length;

				if (mm->mm_body != NULL &&
				    mm->mm_body->dt_type == MAILMIME_DATA_TEXT) {
					p = mm->mm_body->dt_data.dt_text.dt_data;
					n = mm->mm_body->dt_data.dt_text.dt_length;
				}
				add_attachment(w, &pi, filename, p ? p : "",
				    p ? n : 0);
			} else
				free(filename);
		}
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------- the rest */

static size_t
count_parts(const char *s, size_t len)
{
	size_t	n = 0;

	for (size_t i = 0; i + 10 < len; i++) {
		if (s[i] != 'm' && s[i] != 'M')
			continue;
		if (ascii_strncasecmp(s + i, "multipart/", 10) == 0 ||
		    ascii_strncasecmp(s + i, "message/", 8) == 0)
			n++;
	}
	return n;
}

/* Keeps the first max lines of s (in place); 1 if it cut. */
static int
cut_lines(char *s, size_t max)
{
	size_t	n = 0;

	for (char *p = s; *p; p++)
		if (*p == '\n' && ++n == max) {
			*p = '\0';
			return p[1] != '\0';
		}
	return 0;
}

int
message_parse(const char *raw, size_t len, const struct parse_limits *lim,
    struct message **out, char **cause)
{
	struct message		*m;
	struct repaired		 r;
	struct mailmime		*mime = NULL;
	struct walk		 w;
	size_t			 max_size = PARSE_MAX_SIZE, max_lines = PARSE_MAX_LINES;
	size_t			 idx = 0;
	int			 rc;
	char			*t;

	*out = NULL;
	if (cause != NULL)
		*cause = NULL;
	if (lim != NULL && lim->max_size > 0)
		max_size = lim->max_size;
	if (lim != NULL && lim->max_lines > 0)
		max_lines = lim->max_lines;
	if (raw == NULL)
		len = 0;
	m = xcalloc(1, sizeof(*m));
	m->raw_size = len;
	m->headers_only = len > max_size;
	repair(raw ? raw : "", len, m->headers_only, &r);
	parse_headers(m, r.s, r.hdrlen);
	fill_fields(m);
	if (m->headers_only) {
		m->text = xstrdup("");
		free(r.s);
		*out = m;
		return 0;
	}
	if (count_parts(r.s, r.len) > MAX_PARTS) {
		if (cause != NULL)
			*cause = xasprintf("more than %d MIME parts", MAX_PARTS);
		free(r.s);
		message_free(m);
		return -1;
	}
	rc = mailmime_parse(r.s, r.len, &idx, &mime);
	if (rc != MAILIMF_NO_ERROR || mime == NULL) {
		if (cause != NULL)
			*cause = xasprintf("libetpan cannot parse the MIME "
			    "structure (error %d)", rc);
		free(r.s);
		message_free(m);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	walk(mime, &w, 0);
	mailmime_free(mime);
	free(r.s);

	if (!blank(w.plain.s, w.plain.len))
		m->text = buf_detach(&w.plain);
	else if (w.html.len > 0)
		m->text = html_to_text(w.html.s, w.html.len);
	else
		m->text = xstrdup("");
	/* No blank lines at either end. */
	t = m->text + strlen(m->text);
	while (t > m->text && (t[-1] == '\n' || t[-1] == ' ' ||
	    t[-1] == '\t'))
		*--t = '\0';
	{
		size_t	k = 0, skip = 0;

		for (; m->text[k] == ' ' || m->text[k] == '\t' ||
		    m->text[k] == '\n'; k++)
			if (m->text[k] == '\n')
				skip = k + 1;
		if (skip > 0)
			memmove(m->text, m->text + skip,
			    strlen(m->text + skip) + 1);
	}
	m->truncated = cut_lines(m->text, max_lines);

	m->html = w.html_first;
	w.html_first = NULL;
	m->calendar = w.calendar;
	w.calendar = NULL;
	m->attachments = w.att;
	m->nattachments = w.natt;
	w.att = NULL;
	w.natt = 0;
	m->report_type = w.report_type;
	w.report_type = NULL;
	if (w.has_dsn)
		m->delivery_status = buf_detach(&w.dsn);
	m->has_mdn = w.has_mdn;
	m->has_feedback_report = w.has_fbr;
	walk_free(&w);
	*out = m;
	return 0;
}

void
message_free(struct message *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].value);
	}
	free(m->headers);
	for (size_t i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
		free(m->attachments[i].data);
	}
	free(m->attachments);
	free(m->message_id);
	free(m->from_addr);
	free(m->from_name);
	free(m->sender_addr);
	free(m->reply_to_addr);
	free(m->return_path);
	free(m->subject);
	free(m->in_reply_to);
	free(m->references);
	free(m->content_language);
	free(m->text);
	free(m->html);
	free(m->calendar);
	free(m->report_type);
	free(m->delivery_status);
	free(m);
}
