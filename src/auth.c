/* auth.c - Authentication-Results from the trusted server. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "message.h"
#include "util.h"

/* Copies the next token (up to ';', blank, or '=') skipping comments. */
static const char *
skip_cfws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		for (int depth = 0; *p; p++) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

/*
 * The value of property NAME ("header.from=") in the resinfo starting at p
 * (up to the next ';'), copied into out.  1 if found.
 */
static int
prop_value(const char *p, const char *name, char *out, size_t outlen)
{
	const char *end = strchr(p, ';'), *q = p;

	if (end == NULL)
		end = p + strlen(p);
	while (q < end) {
		q = skip_cfws(q);
		if (q >= end)
			break;
		if (str_startswith_ci(q, name)) {
			const char *v = q + strlen(name);
			size_t n = strcspn(v, "; \t\r\n(");

			if (v + n > end)
				n = (size_t)(end - v);
			if (n >= outlen)
				return 0;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
		q += strcspn(q, " \t");
	}
	return 0;
}

/* 1 if the From domain equals d or is a subdomain of it (relaxed alignment). */
static int
aligned(const char *from_domain, const char *d)
{
	size_t lf = strlen(from_domain), ld = strlen(d);

	if (ld == 0)
		return 0;
	if (ascii_strcasecmp(from_domain, d) == 0)
		return 1;
	return lf > ld && from_domain[lf - ld - 1] == '.' &&
	    ascii_strcasecmp(from_domain + lf - ld, d) == 0;
}

enum auth_verdict
auth_check_value(const char *value, const char *authserv_id,
    const char *from_addr, int *is_trusted)
{
	const char *p = skip_cfws(value), *at;
	const char *from_domain;
	size_t n;
	int dmarc = 0, dkim_aligned = 0;	/* 1 pass, -1 fail */

	*is_trusted = 0;
	n = strcspn(p, "; \t\r\n(");
	if (authserv_id == NULL || *authserv_id == '\0' ||
	    n != strlen(authserv_id) || ascii_strncasecmp(p, authserv_id, n) != 0)
		return AUTH_NONE;
	*is_trusted = 1;
	at = from_addr != NULL ? strrchr(from_addr, '@') : NULL;
	from_domain = at != NULL ? at + 1 : "";
	/* Each resinfo: "; method=result prop=value ..." */
	while ((p = strchr(p, ';')) != NULL) {
		char method[32], result[32];
		size_t k;

		p = skip_cfws(p + 1);
		k = strcspn(p, "=; \t");
		if (p[k] != '=' || k >= sizeof method)
			continue;
		memcpy(method, p, k);
		method[k] = '\0';
		p = skip_cfws(p + k + 1);
		k = strcspn(p, "; \t\r\n(");
		if (k >= sizeof result)
			continue;
		memcpy(result, p, k);
		result[k] = '\0';
		p += k;
		if (ascii_strcasecmp(method, "dmarc") == 0) {
			int r = ascii_strcasecmp(result, "pass") == 0 ? 1 :
			    ascii_strcasecmp(result, "fail") == 0 ? -1 : 0;
			char hf[256];

			/*
			 * A pass counts for the domain the server looked at:
			 * when it names it (header.from), it must be ours.
			 */
			if (r == 1 && prop_value(p, "header.from=", hf,
			    sizeof hf) && ascii_strcasecmp(hf, from_domain) != 0)
				r = 0;
			if (r != 0)
				dmarc = r;
		} else if (ascii_strcasecmp(method, "dkim") == 0 &&
		    ascii_strcasecmp(result, "pass") == 0) {
			/* The signing domain: header.d, or header.i's part after '@'. */
			static const char *props[] = { "header.d=", "header.i=" };
			char d[256];

			for (size_t i = 0; i < nitems(props); i++) {
				const char *dom;

				if (!prop_value(p, props[i], d, sizeof d))
					continue;
				dom = strchr(d, '@') != NULL ? strchr(d, '@') + 1 : d;
				if (aligned(from_domain, dom))
					dkim_aligned = 1;
			}
		}
	}
	if (dmarc == 1 || dkim_aligned)
		return AUTH_PASS;
	if (dmarc == -1)
		return AUTH_FAIL;
	return AUTH_NONE;
}

enum auth_verdict
auth_check(const struct message *m, const char *authserv_id,
    const char *from_addr)
{
	int nfrom = 0;

	/*
	 * Two From: headers (or none): the server may have checked the other
	 * one.  RFC 7489 says to refuse such a message; we trust nothing.
	 */
	for (size_t i = 0; i < m->nheaders; i++)
		if (ascii_strcasecmp(m->headers[i].name, "From") == 0)
			nfrom++;
	if (nfrom != 1)
		return AUTH_NONE;
	for (size_t i = 0; i < m->nheaders; i++) {
		int trusted;
		enum auth_verdict v;

		if (ascii_strcasecmp(m->headers[i].name,
		    "Authentication-Results") != 0)
			continue;
		v = auth_check_value(m->headers[i].value, authserv_id,
		    from_addr, &trusted);
		/* Only the topmost header of our own server counts. */
		if (trusted)
			return v;
	}
	return AUTH_NONE;
}
