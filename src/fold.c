/*
 * fold.c - lower-case ASCII folding of UTF-8 text (see fold.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "fold.h"

/* U+00C0..U+00FF: one or two letters each, space-separated for readability. */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* C0 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* C8 */
	"d", "n", "o", "o", "o", "o", "o", "x",		/* D0 */
	"o", "u", "u", "u", "u", "y", "th", "ss",	/* D8 */
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* E0 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* E8 */
	"d", "n", "o", "o", "o", "o", "o", "/",		/* F0 */
	"o", "u", "u", "u", "u", "y", "th", "y",	/* F8 */
};

/* U+0100..U+017F, one letter each; U+0132/0133 (ij) and U+0152/0153 (oe)
 * are handled apart. */
static const char latin_ext_a[] =
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii"
    "ij" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "oe" "rrrrrr"
    "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";

/* windows-1252 0x80..0x9F, for bytes that are not UTF-8. */
static const uint16_t cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/*
 * Decodes one character at s (n > 0 bytes available) into *cp and returns
 * its length.  Invalid sequences take one byte, read as windows-1252.
 */
static size_t
decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		goto bad;
	if (len > n)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return len;
bad:
	c = s[0];
	if (c >= 0x80 && c < 0xa0 && cp1252[c - 0x80] != 0)
		c = cp1252[c - 0x80];
	*cp = c;
	return 1;
}

/* The ASCII replacement of a non-ASCII code point: "" drops it. */
static const char *
fold_cp(uint32_t cp, char tmp[2])
{
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1[cp - 0xc0];
	if (cp >= 0x100 && cp <= 0x17f) {
		if (cp == 0x132 || cp == 0x133)
			return "ij";
		if (cp == 0x152 || cp == 0x153)
			return "oe";
		tmp[0] = latin_ext_a[cp - 0x100];
		tmp[1] = '\0';
		return tmp;
	}
	switch (cp) {
	case 0x00a0: case 0x1680: case 0x2028: case 0x2029: case 0x202f:
	case 0x205f: case 0x3000: case 0x0085:
		return " ";
	case 0x00ad: case 0x200b: case 0x200c: case 0x200d: case 0x2060:
	case 0xfeff: case 0x034f:
		return "";
	case 0x2018: case 0x2019: case 0x201a: case 0x201b: case 0x2032:
	case 0x02bc: case 0x02b9: case 0x00b4: case 0x02bb: case 0xff07:
		return "'";
	case 0x201c: case 0x201d: case 0x201e: case 0x201f: case 0x00ab:
	case 0x00bb: case 0x2033: case 0x2039: case 0x203a:
		return "\"";
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
	case 0x2015: case 0x2212: case 0xfe58: case 0xfe63: case 0xff0d:
		return "-";
	case 0x2022: case 0x2023: case 0x2043: case 0x2219: case 0x25aa:
	case 0x25ab: case 0x25cf: case 0x25e6: case 0x25a0: case 0x25a1:
	case 0x00b7: case 0x2027: case 0x27a2: case 0x2713: case 0x2714:
		return "*";
	case 0x2026:
		return "...";
	case 0x2192: case 0x21d2: case 0x27a1: case 0x2794: case 0x279c:
		return "->";
	case 0x00b0: case 0x00ba:
		return "o";
	case 0x00aa:
		return "a";
	case 0x00b2:
		return "2";
	case 0x00b3:
		return "3";
	case 0x00b9:
		return "1";
	case 0x00a1:
		return "!";
	case 0x00bf:
		return "?";
	case 0x00d7:
		return "x";
	case 0xff1a: case 0xfe55:
		return ":";
	case 0xff03:
		return "#";
	case 0xff1f:
		return "?";
	case 0x2044:
		return "/";
	}
	if (cp >= 0x2000 && cp <= 0x200a)
		return " ";
	if (cp >= 0xff21 && cp <= 0xff3a) {	/* fullwidth A-Z */
		tmp[0] = (char)('a' + (cp - 0xff21));
		tmp[1] = '\0';
		return tmp;
	}
	if (cp >= 0xff41 && cp <= 0xff5a) {
		tmp[0] = (char)('a' + (cp - 0xff41));
		tmp[1] = '\0';
		return tmp;
	}
	if (cp >= 0xff10 && cp <= 0xff19) {
		tmp[0] = (char)('0' + (cp - 0xff10));
		tmp[1] = '\0';
		return tmp;
	}
	/* Combining marks (a decomposed "é" is "e" + U+0301): drop them. */
	if (cp >= 0x0300 && cp <= 0x036f)
		return "";
	return "~";
}

char *
fold_textn(const char *str, size_t len, size_t **offsp, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out, tmp[2];
	size_t *offs = NULL, cap, i = 0, o = 0;

	/* No character folds to more than three bytes ("..."), most to one. */
	cap = len + 1;
	out = xmalloc(cap);
	if (offsp != NULL)
		offs = xreallocarray(NULL, cap, sizeof(*offs));
	while (i < len) {
		uint32_t cp;
		size_t n, rl;
		const char *r;

		if (s[i] < 0x80) {
			n = 1;
			cp = s[i];
			tmp[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
			tmp[1] = '\0';
			r = tmp;
			rl = 1;
		} else {
			n = decode(s + i, len - i, &cp);
			r = fold_cp(cp, tmp);
			rl = strlen(r);
		}
		if (o + rl + 1 > cap) {
			cap = cap * 2 + rl;
			out = xreallocarray(out, cap, 1);
			if (offs != NULL)
				offs = xreallocarray(offs, cap, sizeof(*offs));
		}
		for (size_t k = 0; k < rl; k++) {
			if (offs != NULL)
				offs[o] = i;
			out[o++] = r[k];
		}
		i += n;
	}
	out[o] = '\0';
	if (offs != NULL) {
		offs[o] = len;
		*offsp = offs;
	}
	if (outlen != NULL)
		*outlen = o;
	return out;
}

char *
fold_text(const char *utf8)
{
	return fold_textn(utf8, strlen(utf8), NULL, NULL);
}
