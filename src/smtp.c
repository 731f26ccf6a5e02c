/*
 * smtp.c - mail delivery over SMTP with one libcurl easy handle per session.
 *
 * Why one easy handle: libcurl keeps the connection in the handle's cache
 * after a successful transfer, so the next curl_easy_perform() starts with
 * MAIL FROM on the same connection (no new TCP, TLS, EHLO or AUTH).  Only
 * the per-mail options (sender, recipient, size) change between mails.
 *
 * libcurl closes the connection after any failed transfer (a 550 to RCPT
 * too), so a refused mail costs the next one a reconnect; refusals are rare.
 *
 * Why a debug callback (and so CURLOPT_VERBOSE): it is the only place where
 * libcurl shows both the commands it sends and the lines the server answers.
 * The commands tell in which phase a failure happened (a 550 to RCPT is
 * about one mail; a 535 to AUTH is about every mail), the answers give the
 * text for the report.  It does a few byte compares per line.
 *
 * Trust store: with GnuTLS (Debian's libcurl) CURLOPT_CAINFO and
 * CURLOPT_CAPATH both feed the same credentials, so setting CAINFO to the
 * extra CA and CAPATH to /etc/ssl/certs trusts both.  (Debian's
 * libcurl-gnutls has no default CAINFO, only CAPATH=/etc/ssl/certs; setting
 * CAPATH explicitly keeps the system store on builds that default to a
 * bundle instead.  OpenSSL builds behave the same with the hashed links of
 * /etc/ssl/certs.)  Checked in tests/t/t0150-smtp.sh.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "log.h"
#include "smtp.h"
#include "util.h"

#define SMTP_DEFAULT_TIMEOUT	30
#define REPLY_MAX		1024	/* bytes of server text kept */

/* Where the transaction stood when a transfer failed. */
enum phase {
	PH_SESSION,		/* greeting, EHLO, STARTTLS, AUTH */
	PH_MAIL,		/* MAIL FROM sent */
	PH_RCPT,		/* RCPT TO sent */
	PH_DATA,		/* DATA sent: its 354 or the final answer */
};

/* What one transfer came to. */
enum outcome {
	OUT_SENT,
	OUT_ITEM,		/* this mail failed; the session is fine */
	OUT_CONN,		/* the session failed */
	OUT_TIMEOUT,		/* the session failed slowly: do not retry */
	OUT_LOST,		/* the session failed during DATA */
};

struct smtp {
	CURL		*h;
	char		*url;
	long		 connects;

	/* The mail being uploaded: read_cb() walks it. */
	const char	*up;
	size_t		 uplen;
	size_t		 upoff;

	/* Filled by debug_cb() during one transfer. */
	enum phase	 phase;
	int		 quitting;	/* QUIT sent: keep the reply before it */
	int		 want_auth;	/* a user is configured */
	int		 auth_sent;	/* AUTH went out on this connection */
	struct buf	 reply;		/* the last answer, lines joined */
	int		 reply_done;	/* its last line was "NNN " */
	char		 errbuf[CURL_ERROR_SIZE];
};

int
smtp_global_init(void)
{
	const curl_version_info_data *v;
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		log_warnx("curl_global_init: %s", curl_easy_strerror(rc));
		return -1;
	}
	v = curl_version_info(CURLVERSION_NOW);
	for (const char *const *p = v->protocols; p != NULL && *p != NULL; p++)
		if (strcmp(*p, "smtps") == 0)
			return 0;
	log_warnx("libcurl %s was built without smtps", v->version);
	curl_global_cleanup();
	return -1;
}

void
smtp_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct smtp *s = arg;
	size_t n = size * nmemb, left = s->uplen - s->upoff;

	if (n > left)
		n = left;
	memcpy(dst, s->up + s->upoff, n);
	s->upoff += n;
	return n;
}

/* One answer line from the server (CRLF may be there or not). */
static void
reply_line(struct smtp *s, const char *p, size_t n)
{
	size_t room;

	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (s->reply_done) {
		buf_reset(&s->reply);
		s->reply_done = 0;
	}
	if (s->reply.len < REPLY_MAX) {
		if (s->reply.len > 0)
			buf_addc(&s->reply, ' ');
		room = REPLY_MAX - s->reply.len;
		buf_add(&s->reply, p, n < room ? n : room);
	}
	/* "250-..." goes on, "250 ..." (or a bare "250") ends the answer. */
	if (n >= 3 && isdigit((unsigned char)p[0]) &&
	    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    (n == 3 || p[3] == ' '))
		s->reply_done = 1;
}

static int
starts(const char *p, size_t n, const char *word)
{
	size_t wl = strlen(word);

	return n >= wl && ascii_strncasecmp(p, word, wl) == 0;
}

static int
debug_cb(CURL *h, curl_infotype type, char *p, size_t n, void *arg)
{
	struct smtp *s = arg;
	const char *nl;

	(void)h;
	switch (type) {
	case CURLINFO_HEADER_OUT:
		/* The words carry ':' or stand alone, which no base64 AUTH
		 * line can, and each phase needs the one before it. */
		if (starts(p, n, "EHLO ") || starts(p, n, "HELO "))
			s->auth_sent = 0;	/* a new connection */
		else if (starts(p, n, "AUTH "))
			s->auth_sent = 1;
		else if (starts(p, n, "MAIL FROM:"))
			s->phase = PH_MAIL;
		else if (starts(p, n, "RCPT TO:") && s->phase >= PH_MAIL)
			s->phase = PH_RCPT;
		else if (starts(p, n, "DATA\r") && s->phase == PH_RCPT)
			s->phase = PH_DATA;
		else if (starts(p, n, "QUIT\r"))
			s->quitting = 1;
		break;
	case CURLINFO_HEADER_IN:
		if (s->quitting)
			break;
		while (n > 0) {
			size_t ln;

			nl = memchr(p, '\n', n);
			ln = nl != NULL ? (size_t)(nl - p) + 1 : n;
			reply_line(s, p, ln);
			p += ln;
			n -= ln;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The code of the last complete answer, or 0. */
static int
reply_code(const struct smtp *s)
{
	const char *p = s->reply.s;

	if (!s->reply_done || p == NULL || s->reply.len < 3)
		return 0;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

static char *
reply_text(const struct smtp *s)
{
	char *r = xstrdup(s->reply.s != NULL ? s->reply.s : "");

	/* The server's bytes go into logs and the database: no controls. */
	for (char *q = r; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	return r;
}

/* 1 if data holds a CR or LF that is not part of a CRLF pair. */
static int
bare_eol(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\r') {
			if (i + 1 < len && p[i + 1] == '\n') {
				i++;
				continue;
			}
			return 1;
		}
		if (p[i] == '\n')
			return 1;
	}
	return 0;
}

/* A copy of p with every bare CR, bare LF and CRLF written as CRLF. */
static char *
to_crlf(const char *p, size_t len, size_t *outlen)
{
	char *out = xreallocarray(NULL, len + 1, 2), *q = out;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
				i++;
			*q++ = '\r';
			*q++ = '\n';
		} else
			*q++ = p[i];
	}
	*outlen = (size_t)(q - out);
	return out;
}

/* An envelope address curl can put in "<...>" as is. */
static int
address_ok(const char *a, int empty_ok)
{
	if (a == NULL || (*a == '\0' && !empty_ok))
		return 0;
	for (; *a != '\0'; a++)
		if ((unsigned char)*a < 0x20 || *a == 0x7f || *a == '<' ||
		    *a == '>' || *a == ' ')
			return 0;
	return 1;
}

/* Codes that speak of the session, not of this mail, whatever the phase. */
static int
session_code(int code)
{
	switch (code) {
	case 421:		/* service closing the channel */
	case 454:		/* TLS or AUTH temporarily unavailable */
	case 530:		/* authentication required */
	case 534:		/* mechanism too weak */
	case 535:		/* bad credentials */
	case 538:		/* encryption required */
		return 1;
	default:
		return 0;
	}
}

/*
 * One transfer.  fresh forces a new connection.  *reused tells whether the
 * transfer ran on a connection opened before it.  Fills it->status and
 * it->reply.
 */
static enum outcome
send_one(struct smtp *s, struct smtp_item *it, int fresh, int *reused)
{
	struct curl_slist *rcpt;
	char *norm = NULL;
	CURLcode rc;
	long nconn = 0;
	int code;

	*reused = 0;
	if (!address_ok(it->from, 1) || !address_ok(it->to, 0)) {
		it->status = SMTP_PERMFAIL;
		it->reply = xasprintf("invalid envelope address");
		return OUT_ITEM;
	}
	s->up = it->data != NULL ? it->data : "";
	s->uplen = it->data != NULL ? it->len : 0;
	s->upoff = 0;
	if (bare_eol(s->up, s->uplen))
		s->up = norm = to_crlf(s->up, s->uplen, &s->uplen);

	if ((rcpt = curl_slist_append(NULL, it->to)) == NULL)
		fatalx("curl_slist_append: out of memory");
	curl_easy_setopt(s->h, CURLOPT_MAIL_FROM, it->from);
	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(s->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)s->uplen);
	curl_easy_setopt(s->h, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
	s->phase = PH_SESSION;
	s->quitting = 0;
	s->reply_done = 0;
	buf_reset(&s->reply);
	s->errbuf[0] = '\0';

	rc = curl_easy_perform(s->h);

	curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
	curl_slist_free_all(rcpt);
	free(norm);
	s->up = NULL;
	if (curl_easy_getinfo(s->h, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK)
		s->connects += nconn;
	*reused = nconn == 0;

	if (rc == CURLE_OK) {
		it->status = SMTP_SENT;
		return OUT_SENT;
	}
	code = reply_code(s);
	if (s->phase >= PH_MAIL && code >= 400 && code < 600 &&
	    !session_code(code)) {
		/*
		 * A user is configured but the server offered no AUTH (curl
		 * then goes on without it): its refusal says nothing about
		 * this mail, so keep it for when the server is set right.
		 */
		if (s->want_auth && !s->auth_sent && code >= 500) {
			char *t = reply_text(s);

			it->status = SMTP_TEMPFAIL;
			it->reply = xasprintf("the server offered no AUTH for "
			    "the configured user (%s)", t);
			free(t);
			return OUT_ITEM;
		}
		it->status = code >= 500 ? SMTP_PERMFAIL : SMTP_TEMPFAIL;
		it->reply = reply_text(s);
		return OUT_ITEM;
	}
	it->status = SMTP_TEMPFAIL;
	if (code >= 400) {
		char *t = reply_text(s);

		it->reply = xasprintf("%s (server: %s)", s->errbuf[0] != '\0' ?
		    s->errbuf : curl_easy_strerror(rc), t);
		free(t);
	} else
		it->reply = xstrdup(s->errbuf[0] != '\0' ? s->errbuf :
		    curl_easy_strerror(rc));
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return OUT_TIMEOUT;
	/* Lost after the data went out: the server may have taken the mail,
	 * so no second copy now; the next mail tells whether to go on. */
	return s->phase == PH_DATA ? OUT_LOST : OUT_CONN;
}

size_t
smtp_send_batch_cb(struct smtp *s, struct smtp_item *items, size_t n,
    void (*done)(struct smtp_item *, size_t, void *), void *arg)
{
	const char *dead = NULL;
	size_t sent = 0;
	enum outcome o;
	int reused;

	for (size_t i = 0; i < n; i++) {
		struct smtp_item *it = &items[i];

		free(it->reply);
		it->reply = NULL;
		if (dead != NULL) {
			it->status = SMTP_TEMPFAIL;
			it->reply = xstrdup(dead);
			if (done != NULL)
				done(it, i, arg);
			continue;
		}
		o = send_one(s, it, 0, &reused);
		if (o == OUT_CONN && reused) {
			/* The server dropped a connection it had kept open
			 * (idle timeout, restart, 421): one more try on a
			 * new one.  A slow server gets no second timeout. */
			log_debug("smtp: %s: %s; reconnecting", s->url,
			    it->reply);
			free(it->reply);
			it->reply = NULL;
			o = send_one(s, it, 1, &reused);
		}
		if (o == OUT_SENT)
			sent++;
		else if (o == OUT_LOST && reused)
			log_warnx("smtp: %s: %s", s->url, it->reply);
		else if (o != OUT_ITEM) {
			log_warnx("smtp: %s: %s (%zu mail(s) left for later)",
			    s->url, it->reply, n - i);
			dead = it->reply;
		}
		if (done != NULL)
			done(it, i, arg);
	}
	return sent;
}

size_t
smtp_send_batch(struct smtp *s, struct smtp_item *items, size_t n)
{
	return smtp_send_batch_cb(s, items, n, NULL, NULL);
}

/* conf->url with its path replaced by "/helo" (curl's EHLO argument). */
static char *
make_url(const char *url, const char *helo)
{
	const char *host = strstr(url, "://") + 3, *end;

	if (helo == NULL || *helo == '\0')
		return xstrdup(url);
	end = host + strcspn(host, "/?#");
	return xasprintf("%.*s/%s", (int)(end - url), url, helo);
}

#define SETOPT(opt, val) do {						\
	if (curl_easy_setopt(s->h, opt, val) != CURLE_OK) {		\
		what = #opt;						\
		goto bad;						\
	}								\
} while (0)

struct smtp *
smtp_open(const struct smtp_conf *conf)
{
	static int warned_plain;
	struct smtp *s;
	const char *what = "curl_easy_init";
	long timeout = conf->timeout > 0 ? conf->timeout : SMTP_DEFAULT_TIMEOUT;
	int tls_implicit;

	if (conf->url == NULL)
		tls_implicit = -1;
	else if (ascii_strncasecmp(conf->url, "smtps://", 8) == 0)
		tls_implicit = 1;
	else if (ascii_strncasecmp(conf->url, "smtp://", 7) == 0)
		tls_implicit = 0;
	else
		tls_implicit = -1;
	if (tls_implicit < 0) {
		log_warnx("smtp: url \"%s\" is neither smtps:// nor smtp://",
		    conf->url != NULL ? conf->url : "");
		return NULL;
	}
	if (conf->tls_none && !tls_implicit && !warned_plain) {
		warned_plain = 1;
		log_warnx("smtp: %s: TLS is off, mail and password go in clear",
		    conf->url);
	}

	s = xcalloc(1, sizeof *s);
	s->url = make_url(conf->url, conf->helo_domain);
	if ((s->h = curl_easy_init()) == NULL)
		goto bad;
	SETOPT(CURLOPT_URL, s->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SETOPT(CURLOPT_UPLOAD, 1L);
	SETOPT(CURLOPT_READFUNCTION, read_cb);
	SETOPT(CURLOPT_READDATA, s);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_ERRORBUFFER, s->errbuf);
	SETOPT(CURLOPT_DEBUGFUNCTION, debug_cb);
	SETOPT(CURLOPT_DEBUGDATA, s);
	SETOPT(CURLOPT_VERBOSE, 1L);
	/* Each wait is bounded: connecting, every answer, a stalled upload;
	 * and a whole mail may not take more than four of them. */
	SETOPT(CURLOPT_CONNECTTIMEOUT, timeout);
	SETOPT(CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SETOPT(CURLOPT_LOW_SPEED_TIME, timeout);
	SETOPT(CURLOPT_TIMEOUT, 4 * timeout);
	SETOPT(CURLOPT_USE_SSL, conf->tls_none ? (long)CURLUSESSL_NONE :
	    (long)CURLUSESSL_ALL);
	SETOPT(CURLOPT_CAPATH, conf->ca_path != NULL && *conf->ca_path != '\0' ?
	    conf->ca_path : SMTP_SYSTEM_CA_PATH);
	if (conf->ca_file != NULL && *conf->ca_file != '\0')
		SETOPT(CURLOPT_CAINFO, conf->ca_file);
	if (conf->user != NULL && *conf->user != '\0') {
		s->want_auth = 1;
		SETOPT(CURLOPT_USERNAME, conf->user);
		SETOPT(CURLOPT_PASSWORD,
		    conf->password != NULL ? conf->password : "");
	}
	return s;

bad:
	log_warnx("smtp: %s failed", what);
	smtp_close(s);
	return NULL;
}

long
smtp_connects(const struct smtp *s)
{
	return s->connects;
}

void
smtp_close(struct smtp *s)
{
	if (s == NULL)
		return;
	if (s->h != NULL)
		curl_easy_cleanup(s->h);	/* QUIT on a kept connection */
	buf_free(&s->reply);
	free(s->url);
	free(s);
}
