/* addr.c - e-mail address normalisation and comparison. */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "util.h"

#define ADDR_MAX	254	/* RFC 5321 path limit less the brackets */
#define LOCAL_MAX	64
#define LABEL_MAX	63

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext, plus UTF-8 bytes (RFC 6531). */
static int
is_atext(unsigned char c)
{
	return is_alnum(c) || c >= 0x80 ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/*
 * Length of the local part at S (quotes included) when it is a dot-atom or
 * a quoted string followed by '@'; 0 otherwise.
 */
static size_t
local_part(const char *s)
{
	size_t i = 0;

	if (s[0] == '"') {
		for (i = 1; s[i] != '"'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '\\') {
				c = (unsigned char)s[++i];
				if (c < 0x20 || c == 0x7f)
					return 0;
			} else if (c < 0x20 || c == 0x7f)
				return 0;	/* also the end of the string */
		}
		if (i == 1)		/* "" names nobody */
			return 0;
		i++;
	} else {
		for (; s[i] != '@'; i++) {
			if (s[i] == '.') {
				if (i == 0 || s[i - 1] == '.')
					return 0;
			} else if (!is_atext((unsigned char)s[i]))
				return 0;
		}
		if (i == 0 || s[i - 1] == '.')
			return 0;
	}
	return s[i] == '@' ? i : 0;
}

static int
valid_domain(const char *d)
{
	size_t labels = 0, len;

	for (;;) {
		for (len = 0; d[len] != '.' && d[len] != '\0'; len++) {
			unsigned char c = (unsigned char)d[len];

			if (!is_alnum(c) && c != '-' && c < 0x80)
				return 0;
		}
		if (len == 0 || len > LABEL_MAX || d[0] == '-' ||
		    d[len - 1] == '-')
			return 0;
		labels++;
		if (d[len] == '\0')
			break;
		d += len + 1;
	}
	return labels >= 2;
}

/*
 * Where the addr-spec stands in the trimmed string S: inside the last
 * <...> outside quotes when there is one, else S itself.  Cuts S in place;
 * NULL when the brackets do not close at the end.
 */
static char *
strip_display_name(char *s)
{
	char *lt = NULL, *p;
	size_t n;
	int inq = 0;

	for (p = s; *p; p++) {
		if (inq && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			inq = !inq;
		else if (!inq && *p == '<')
			lt = p;
	}
	if (lt == NULL)
		return s;
	n = strlen(lt);
	if (lt[n - 1] != '>')
		return NULL;
	lt[n - 1] = '\0';
	return str_trim(lt + 1);
}

char *
addr_normalise(const char *in)
{
	char *copy, *spec, *out = NULL;
	size_t len, loc;

	if (in == NULL)
		return NULL;
	copy = xstrdup(in);
	spec = strip_display_name(str_trim(copy));
	if (spec == NULL)
		goto done;
	len = strlen(spec);
	if (len == 0 || len > ADDR_MAX || !utf8_valid(spec, len))
		goto done;
	loc = local_part(spec);
	if (loc == 0 || loc > LOCAL_MAX || !valid_domain(spec + loc + 1))
		goto done;
	ascii_lower(spec + loc + 1);
	out = xstrdup(spec);
done:
	free(copy);
	return out;
}

int
addr_equal(const char *a, const char *b)
{
	char *na = addr_normalise(a), *nb = addr_normalise(b);
	int same = na != NULL && nb != NULL && ascii_strcasecmp(na, nb) == 0;

	free(na);
	free(nb);
	return same;
}

const char *
addr_domain(const char *addr)
{
	const char *at;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL)
		return NULL;
	return at + 1;
}
