/*
 * html.c - HTML to plain text for reading mail (see html.h).
 *
 * One pass over the bytes with a small element stack; no DOM.  Every scan
 * that can fail to find its end (an unclosed tag, comment or <style>)
 * swallows the rest of the input instead of being retried from the next
 * '<', so the work stays linear in the input whatever its shape.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "util.h"

#define STACK_MAX	256
#define NAME_MAX_LEN	16
#define ATTR_MAX_LEN	160

struct elem {
	char	name[NAME_MAX_LEN];
	int	quote;
};

struct tag {
	char	name[NAME_MAX_LEN];
	int	closing;
	int	selfclose;
	char	cls[ATTR_MAX_LEN];
	char	id[ATTR_MAX_LEN];
	char	style[ATTR_MAX_LEN];	/* lower-case, blanks removed */
	char	tabindex[8];
};

struct conv {
	struct buf	 b;
	int		 pending_nl;	/* line breaks owed before the next text */
	int		 pending_sp;
	int		 at_bol;
	int		 started;
	int		 depth;		/* quote level of the text being written */
	int		 line_depth;	/* quote level of the last line written */
	int		 pre;
	int		 rest_quoted;	/* an Outlook reply header was seen */
	struct elem	 stack[STACK_MAX];
	size_t		 nstack;
	int		 stack_quotes;
};

static const struct entity {
	const char	*name;
	uint32_t	 cp;
} entities[] = {
	{ "AElig", 0xC6 }, { "Aacute", 0xC1 }, { "Acirc", 0xC2 },
	{ "Agrave", 0xC0 }, { "Aring", 0xC5 }, { "Atilde", 0xC3 },
	{ "Auml", 0xC4 }, { "Ccedil", 0xC7 }, { "Dagger", 0x2021 },
	{ "ETH", 0xD0 }, { "Eacute", 0xC9 }, { "Ecirc", 0xCA },
	{ "Egrave", 0xC8 }, { "Euml", 0xCB }, { "Iacute", 0xCD },
	{ "Icirc", 0xCE }, { "Igrave", 0xCC }, { "Iuml", 0xCF },
	{ "Ntilde", 0xD1 }, { "OElig", 0x152 }, { "Oacute", 0xD3 },
	{ "Ocirc", 0xD4 }, { "Ograve", 0xD2 }, { "Oslash", 0xD8 },
	{ "Otilde", 0xD5 }, { "Ouml", 0xD6 }, { "Prime", 0x2033 },
	{ "Scaron", 0x160 }, { "THORN", 0xDE }, { "Uacute", 0xDA },
	{ "Ucirc", 0xDB }, { "Ugrave", 0xD9 }, { "Uuml", 0xDC },
	{ "Yacute", 0xDD }, { "Yuml", 0x178 }, { "aacute", 0xE1 },
	{ "acirc", 0xE2 }, { "acute", 0xB4 }, { "aelig", 0xE6 },
	{ "agrave", 0xE0 }, { "amp", '&' }, { "apos", '\'' },
	{ "aring", 0xE5 }, { "atilde", 0xE3 }, { "auml", 0xE4 },
	{ "bdquo", 0x201E }, { "brvbar", 0xA6 }, { "bull", 0x2022 },
	{ "ccedil", 0xE7 }, { "cedil", 0xB8 }, { "cent", 0xA2 },
	{ "circ", 0x2C6 }, { "copy", 0xA9 }, { "curren", 0xA4 },
	{ "dagger", 0x2020 }, { "deg", 0xB0 }, { "divide", 0xF7 },
	{ "eacute", 0xE9 }, { "ecirc", 0xEA }, { "egrave", 0xE8 },
	{ "emsp", ' ' }, { "ensp", ' ' }, { "eth", 0xF0 },
	{ "euml", 0xEB }, { "euro", 0x20AC }, { "frac12", 0xBD },
	{ "frac14", 0xBC }, { "frac34", 0xBE }, { "gt", '>' },
	{ "hellip", 0x2026 }, { "iacute", 0xED }, { "icirc", 0xEE },
	{ "iexcl", 0xA1 }, { "igrave", 0xEC }, { "iquest", 0xBF },
	{ "iuml", 0xEF }, { "laquo", 0xAB }, { "ldquo", 0x201C },
	{ "lrm", 0 }, { "lsaquo", 0x2039 }, { "lsquo", 0x2018 },
	{ "lt", '<' }, { "macr", 0xAF }, { "mdash", 0x2014 },
	{ "micro", 0xB5 }, { "middot", 0xB7 }, { "minus", 0x2212 },
	{ "nbsp", ' ' }, { "ndash", 0x2013 }, { "not", 0xAC },
	{ "ntilde", 0xF1 }, { "oacute", 0xF3 }, { "ocirc", 0xF4 },
	{ "oelig", 0x153 }, { "ograve", 0xF2 }, { "ordf", 0xAA },
	{ "ordm", 0xBA }, { "oslash", 0xF8 }, { "otilde", 0xF5 },
	{ "ouml", 0xF6 }, { "para", 0xB6 }, { "permil", 0x2030 },
	{ "plusmn", 0xB1 }, { "pound", 0xA3 }, { "prime", 0x2032 },
	{ "quot", '"' }, { "raquo", 0xBB }, { "rdquo", 0x201D },
	{ "reg", 0xAE }, { "rlm", 0 }, { "rsaquo", 0x203A },
	{ "rsquo", 0x2019 }, { "sbquo", 0x201A }, { "scaron", 0x161 },
	{ "sect", 0xA7 }, { "shy", 0 }, { "sup1", 0xB9 },
	{ "sup2", 0xB2 }, { "sup3", 0xB3 }, { "szlig", 0xDF },
	{ "thinsp", ' ' }, { "thorn", 0xFE }, { "tilde", 0x2DC },
	{ "times", 0xD7 }, { "trade", 0x2122 }, { "uacute", 0xFA },
	{ "ucirc", 0xFB }, { "ugrave", 0xF9 }, { "uml", 0xA8 },
	{ "uuml", 0xFC }, { "yacute", 0xFD }, { "yen", 0xA5 },
	{ "yuml", 0xFF }, { "zwj", 0 }, { "zwnj", 0 },
};

/* windows-1252 for &#128; .. &#159;, as browsers read them. */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static const char *const void_elems[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
	"meta", "param", "source", "track", "wbr", "basefont", "frame",
	"keygen", "isindex",
};
/* Blocks that end a paragraph (a blank line) and that end a line. */
static const char *const para_elems[] = {
	"p", "blockquote", "pre", "table", "ul", "ol", "dl", "hr", "h1",
	"h2", "h3", "h4", "h5", "h6",
};
static const char *const line_elems[] = {
	"div", "li", "tr", "dt", "dd", "section", "article", "header",
	"footer", "address", "nav", "aside", "main", "figure", "figcaption",
	"caption", "fieldset", "details", "summary", "center", "form",
	"option", "legend",
};
/* Dropped with their content. */
static const char *const skip_elems[] = {
	"script", "style", "head", "title", "template", "noscript", "xml",
};

static int
in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Case-insensitive search for an ASCII needle from i; len if absent. */
static size_t
ci_find(const char *s, size_t len, size_t i, const char *needle)
{
	size_t	n = strlen(needle);

	for (; i + n <= len; i++) {
		size_t	k;

		if (lower((unsigned char)s[i]) != needle[0])
			continue;
		for (k = 1; k < n; k++)
			if (lower((unsigned char)s[i + k]) != needle[k])
				break;
		if (k == n)
			return i;
	}
	return len;
}

/*
 * Decodes the entity at s[i] == '&'.  Returns the bytes consumed (0 when it
 * is not an entity, and the '&' is then literal) and sets *cp; a code
 * point of 0 means "nothing", -1 whitespace.
 */
static size_t
entity(const char *s, size_t len, size_t i, int32_t *cp)
{
	size_t	j = i + 1, start;
	char	name[12];

	if (j < len && s[j] == '#') {
		uint32_t v = 0;
		int	 hex = 0, digits = 0;

		j++;
		if (j < len && (s[j] == 'x' || s[j] == 'X')) {
			hex = 1;
			j++;
		}
		for (; j < len; j++) {
			int c = (unsigned char)s[j], d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && lower(c) >= 'a' && lower(c) <= 'f')
				d = lower(c) - 'a' + 10;
			else
				break;
			if (v < 0x110000)
				v = v * (hex ? 16 : 10) + (uint32_t)d;
			digits++;
		}
		if (digits == 0)
			return 0;
		if (j < len && s[j] == ';')
			j++;
		if (v == 9 || v == 10 || v == 13 || v == 32)
			*cp = -1;
		else if (v >= 0x80 && v < 0xA0)
			*cp = cp1252_c1[v - 0x80];
		else if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000) ||
		    v < 0x20)
			*cp = 0xFFFD;
		else
			*cp = (int32_t)v;
		return j - i;
	}
	start = j;
	while (j < len && j - start < sizeof(name) - 1 &&
	    (is_alpha((unsigned char)s[j]) || (s[j] >= '0' && s[j] <= '9')))
		j++;
	if (j == start)
		return 0;
	memcpy(name, s + start, j - start);
	name[j - start] = '\0';
	for (size_t k = 0; k < nitems(entities); k++) {
		if (strcmp(entities[k].name, name) != 0)
			continue;
		if (j < len && s[j] == ';')
			j++;
		else if (strcmp(name, "nbsp") != 0 && strcmp(name, "amp") != 0 &&
		    strcmp(name, "lt") != 0 && strcmp(name, "gt") != 0 &&
		    strcmp(name, "quot") != 0)
			return 0;	/* only the old ones may lack ';' */
		*cp = (int32_t)entities[k].cp;
		return j - i;
	}
	return 0;
}

/* Writes "> " (one '>' per level) at the start of a line. */
static void
put_prefix(struct conv *c, int depth, int space)
{
	for (int i = 0; i < depth; i++)
		buf_addc(&c->b, '>');
	if (depth > 0 && space)
		buf_addc(&c->b, ' ');
}

/* Settles owed line breaks and spaces before text. */
static void
begin_text(struct conv *c, int keep_space)
{
	if (c->pending_nl > 0 && c->started) {
		int	blank = c->line_depth < c->depth ? c->line_depth : c->depth;

		for (int i = 0; i < c->pending_nl; i++) {
			if (i > 0)
				put_prefix(c, blank, 0);
			buf_addc(&c->b, '\n');
		}
		c->at_bol = 1;
	}
	c->pending_nl = 0;
	if (c->at_bol) {
		put_prefix(c, c->depth, 1);
		c->line_depth = c->depth;
		c->at_bol = 0;
	} else if (c->pending_sp && keep_space)
		buf_addc(&c->b, ' ');
	c->pending_sp = 0;
	c->started = 1;
}

static void
want_lines(struct conv *c, int n)
{
	if (!c->started)
		return;
	if (c->pending_nl < n)
		c->pending_nl = n;
}

static void
recount_depth(struct conv *c)
{
	c->depth = c->stack_quotes + (c->rest_quoted ? 1 : 0);
}

/* Lower-cases and copies an attribute value, optionally without blanks. */
static void
copy_attr(char *dst, const char *s, size_t n, int squeeze)
{
	size_t	o = 0;

	for (size_t i = 0; i < n && o < ATTR_MAX_LEN - 1; i++) {
		if (squeeze && is_space((unsigned char)s[i]))
			continue;
		dst[o++] = (char)lower((unsigned char)s[i]);
	}
	dst[o] = '\0';
}

#define TAG_RUNS_OFF	SIZE_MAX

/*
 * Parses the tag at s[i] == '<'.  Returns the index after its '>', 0 if
 * this '<' does not open a tag, or TAG_RUNS_OFF if it never ends.
 */
static size_t
parse_tag(const char *s, size_t len, size_t i, struct tag *t)
{
	size_t	j = i + 1, n = 0;

	memset(t, 0, sizeof(*t));
	if (j < len && s[j] == '/') {
		t->closing = 1;
		j++;
	}
	if (j >= len || !is_alpha((unsigned char)s[j]))
		return 0;
	while (j < len && !is_space((unsigned char)s[j]) && s[j] != '>' &&
	    s[j] != '/') {
		if (n < NAME_MAX_LEN - 1)
			t->name[n++] = (char)lower((unsigned char)s[j]);
		j++;
	}
	t->name[n] = '\0';
	for (;;) {
		size_t	an, as, vs, ve;

		while (j < len && (is_space((unsigned char)s[j]) || s[j] == '/')) {
			if (s[j] == '/')
				t->selfclose = 1;
			j++;
		}
		if (j >= len)
			return TAG_RUNS_OFF;
		if (s[j] == '>')
			return j + 1;
		t->selfclose = 0;
		as = j;
		while (j < len && !is_space((unsigned char)s[j]) && s[j] != '=' &&
		    s[j] != '>' && s[j] != '/')
			j++;
		an = j - as;
		if (an == 0)	/* a lone '=': step over it */
			j++;
		while (j < len && is_space((unsigned char)s[j]))
			j++;
		if (j >= len || s[j] != '=')
			continue;
		j++;
		while (j < len && is_space((unsigned char)s[j]))
			j++;
		if (j >= len)
			return TAG_RUNS_OFF;
		if (s[j] == '"' || s[j] == '\'') {
			char	q = s[j++];

			vs = j;
			while (j < len && s[j] != q)
				j++;
			if (j >= len)
				return TAG_RUNS_OFF;
			ve = j++;
		} else {
			vs = j;
			while (j < len && !is_space((unsigned char)s[j]) &&
			    s[j] != '>')
				j++;
			ve = j;
		}
		if (an == 5 && ascii_strncasecmp(s + as, "class", 5) == 0)
			copy_attr(t->cls, s + vs, ve - vs, 0);
		else if (an == 2 && ascii_strncasecmp(s + as, "id", 2) == 0)
			copy_attr(t->id, s + vs, ve - vs, 0);
		else if (an == 5 && ascii_strncasecmp(s + as, "style", 5) == 0)
			copy_attr(t->style, s + vs, ve - vs, 1);
		else if (an == 8 && ascii_strncasecmp(s + as, "tabindex", 8) == 0 &&
		    ve - vs < sizeof(t->tabindex)) {
			memcpy(t->tabindex, s + vs, ve - vs);
			t->tabindex[ve - vs] = '\0';
		}
	}
}

static int
quote_container(const struct tag *t)
{
	if (strcmp(t->name, "blockquote") == 0)
		return 1;
	return strstr(t->cls, "gmail_quote") != NULL ||
	    strstr(t->cls, "yahoo_quoted") != NULL;
}

/*
 * Outlook, Hotmail and Windows Mail mark where the quoted original starts:
 * ids, the <hr tabindex="-1"> Outlook puts before its "From:" block, and
 * the top-bordered <div> that holds that block.
 */
static int
reply_header(const struct tag *t)
{
	if (strcmp(t->id, "divrplyfwdmsg") == 0 ||
	    strcmp(t->id, "appendonsend") == 0 ||
	    strcmp(t->id, "mail-editor-reference-message-container") == 0 ||
	    strcmp(t->id, "stopspelling") == 0)
		return 1;
	if (strcmp(t->name, "hr") == 0)
		return strcmp(t->tabindex, "-1") == 0;
	if (strcmp(t->name, "div") != 0)
		return 0;
	return strncmp(t->style, "border:none;border-top:solid", 28) == 0 ||
	    (strstr(t->style, "border-top-style:solid") != NULL &&
	    strstr(t->style, "border-top-color:rgb(229,229,229)") != NULL);
}

static void
open_elem(struct conv *c, const struct tag *t)
{
	int	q = quote_container(t);

	if (reply_header(t) && !c->rest_quoted) {
		want_lines(c, 2);
		c->rest_quoted = 1;
		recount_depth(c);
	}
	if (in_list(t->name, void_elems, nitems(void_elems)) || t->selfclose)
		return;
	if (c->nstack < STACK_MAX) {
		memcpy(c->stack[c->nstack].name, t->name, NAME_MAX_LEN);
		c->stack[c->nstack].quote = q;
		c->nstack++;
		c->stack_quotes += q;
	}
	if (strcmp(t->name, "pre") == 0)
		c->pre++;
	recount_depth(c);
}

static void
close_elem(struct conv *c, const struct tag *t)
{
	size_t	k = c->nstack;

	while (k > 0 && strcmp(c->stack[k - 1].name, t->name) != 0)
		k--;
	if (k == 0)
		return;		/* a stray end tag */
	while (c->nstack >= k) {
		struct elem *e = &c->stack[--c->nstack];

		c->stack_quotes -= e->quote;
		if (strcmp(e->name, "pre") == 0 && c->pre > 0)
			c->pre--;
	}
	recount_depth(c);
}

/*
 * Where the content of a dropped element ends; len if it never does.
 * *nohead is set once a search for "</head" failed, so that a flood of
 * <head> tags costs one scan, not one each.
 */
static size_t
skip_content(const char *s, size_t len, size_t i, const char *name,
    int *nohead)
{
	char	 close[NAME_MAX_LEN + 3];
	size_t	 at, gt;

	if (strcmp(name, "head") == 0) {
		/* A <head> left open must not eat the body. */
		if (*nohead)
			return i;
		at = ci_find(s, len, i, "</head");
		if (at == len) {
			*nohead = 1;
			return i;
		}
	} else {
		snprintf(close, sizeof(close), "</%s", name);
		at = ci_find(s, len, i, close);
		if (at == len)
			return len;
	}
	gt = at;
	while (gt < len && s[gt] != '>')
		gt++;
	return gt < len ? gt + 1 : len;
}

static void
text_char(struct conv *c, const char *p, size_t n)
{
	begin_text(c, 1);
	buf_add(&c->b, p, n);
}

/*
 * Cuts trailing blanks, keeps at most one blank line in a row (a line of
 * bare '>' counts as blank, and the first of a run is kept), and drops
 * blank lines at both ends.
 */
static char *
tidy(const char *s, size_t len)
{
	struct buf	 out = BUF_INIT;
	size_t		 i = 0, bs = 0, bn = 0;
	int		 blank_run = 0, any = 0;

	while (i < len) {
		size_t	e = i, t, k;

		while (e < len && s[e] != '\n')
			e++;
		t = e;
		while (t > i && (s[t - 1] == ' ' || s[t - 1] == '\t'))
			t--;
		for (k = i; k < t && s[k] == '>'; k++)
			;
		if (k == t) {
			if (blank_run++ == 0) {
				bs = i;
				bn = t - i;
			}
		} else {
			if (any && blank_run > 0) {
				buf_addc(&out, '\n');
				buf_add(&out, s + bs, bn);
			}
			if (any)
				buf_addc(&out, '\n');
			buf_add(&out, s + i, t - i);
			any = 1;
			blank_run = 0;
		}
		i = e + 1;
	}
	return buf_detach(&out);
}

/* Replaces bytes that are not UTF-8 with U+FFFD and drops NULs. */
static void
add_sanitised(struct buf *b, const char *s, size_t n)
{
	size_t	i = 0;

	while (i < n) {
		size_t	j = i;

		while (j < n && (unsigned char)s[j] < 0x80 && s[j] != '\0')
			j++;
		if (j > i)
			buf_add(b, s + i, j - i);
		i = j;
		if (i >= n)
			break;
		if (s[i] == '\0') {
			i++;
			continue;
		}
		for (j = 2; j <= 4 && i + j <= n; j++)
			if (utf8_valid(s + i, j))
				break;
		if (j <= 4 && i + j <= n) {
			buf_add(b, s + i, j);
			i += j;
		} else {
			buf_add_codepoint(b, 0xFFFD);
			i++;
		}
	}
}

char *
html_to_text(const char *in, size_t inlen)
{
	struct conv	 c;
	struct buf	 src = BUF_INIT;
	const char	*s;
	size_t		 len, i = 0;
	int		 nohead = 0;
	char		*out;

	if (in == NULL || inlen == 0)
		return xstrdup("");
	memset(&c, 0, sizeof(c));
	c.at_bol = 1;
	add_sanitised(&src, in, inlen);
	s = src.s ? src.s : "";
	len = src.len;

	while (i < len) {
		unsigned char	ch = (unsigned char)s[i];

		if (ch == '<') {
			struct tag	t;
			size_t		end;

			if (i + 3 < len && memcmp(s + i, "<!--", 4) == 0) {
				size_t e = ci_find(s, len, i + 4, "-->");

				i = e == len ? len : e + 3;
				continue;
			}
			if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?')) {
				const char *gt = memchr(s + i, '>', len - i);

				i = gt ? (size_t)(gt - s) + 1 : len;
				continue;
			}
			end = parse_tag(s, len, i, &t);
			if (end == TAG_RUNS_OFF)
				break;	/* as a browser would, swallow it */
			if (end == 0) {
				text_char(&c, "<", 1);
				i++;
				continue;
			}
			i = end;
			if (!t.closing && in_list(t.name, skip_elems,
			    nitems(skip_elems))) {
				if (!t.selfclose)
					i = skip_content(s, len, i, t.name,
					    &nohead);
				continue;
			}
			if (strcmp(t.name, "br") == 0) {
				if (c.started) {
					c.pending_nl++;
					if (c.pending_nl > 2)
						c.pending_nl = 2;
				}
				continue;
			}
			if (strcmp(t.name, "p") == 0 && (t.closing ||
			    strstr(t.cls, "msonormal") != NULL))
				want_lines(&c, 1);	/* Outlook: no margins */
			else if (in_list(t.name, para_elems, nitems(para_elems)))
				want_lines(&c, 2);
			else if (in_list(t.name, line_elems, nitems(line_elems)))
				want_lines(&c, 1);
			else if (strcmp(t.name, "td") == 0 ||
			    strcmp(t.name, "th") == 0)
				c.pending_sp = 1;
			if (t.closing)
				close_elem(&c, &t);
			else
				open_elem(&c, &t);
			continue;
		}
		if (ch == '&') {
			int32_t	cp = 0;
			size_t	n = entity(s, len, i, &cp);

			if (n > 0) {
				i += n;
				if (cp == -1)
					c.pending_sp = 1;
				else if (cp > 0) {
					begin_text(&c, 1);
					buf_add_codepoint(&c.b, (uint32_t)cp);
				}
				continue;
			}
			text_char(&c, "&", 1);
			i++;
			continue;
		}
		if (c.pre > 0 && (ch == '\n' || ch == ' ' || ch == '\t' ||
		    ch == '\r')) {
			if (ch == '\n') {
				if (c.started && c.pending_nl < 2)
					c.pending_nl++;
			} else if (ch != '\r') {
				begin_text(&c, 1);
				buf_addc(&c.b, (char)ch);
			}
			i++;
			continue;
		}
		if (is_space(ch)) {
			c.pending_sp = 1;
			i++;
			continue;
		}
		/* A run of ordinary text up to the next special byte. */
		{
			size_t	j = i;

			while (j < len && s[j] != '<' && s[j] != '&' &&
			    !is_space((unsigned char)s[j]))
				j++;
			text_char(&c, s + i, j - i);
			i = j;
		}
	}
	out = tidy(c.b.s ? c.b.s : "", c.b.len);
	buf_free(&c.b);
	buf_free(&src);
	return out;
}
