/*
 * auth.h - believing Authentication-Results (RFC 8601) only from our own
 * receiving server.
 *
 * Anyone can write an Authentication-Results header; only the topmost one
 * whose authserv-id is the configured trusted_authserv_id was added by our
 * server, so only that one counts.  Pure.
 */
#ifndef TRUCD_AUTH_H
#define TRUCD_AUTH_H

struct message;

enum auth_verdict {
	AUTH_NONE,	/* no header from the trusted server, or nothing decisive */
	AUTH_PASS,	/* dmarc=pass, or dkim=pass aligned with the From domain */
	AUTH_FAIL,	/* dmarc=fail: the From: is forged */
};

enum auth_verdict auth_check(const struct message *, const char *authserv_id,
		    const char *from_addr);
/* The same over one header value (exposed for tests). */
enum auth_verdict auth_check_value(const char *value, const char *authserv_id,
		    const char *from_addr, int *is_trusted);

#endif
