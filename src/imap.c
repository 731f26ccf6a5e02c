/*
 * imap.c - IMAP over libetpan: connect, secure, log in, list, fetch, move,
 * wait.  The rest of trucd never sees libetpan.
 *
 * Three things libetpan (Debian 1.9.4, GnuTLS) does not do for us, see
 * shared/notes/mail-servers.md section 7:
 *  - it verifies no certificate and sends no SNI: we pass the name through
 *    the connect callback and check chain and host name with GnuTLS before
 *    LOGIN;
 *  - mailimap_idle() leaves notifications that came with "+ idling" in the
 *    stream buffer, where poll() cannot see them: we look there first;
 *  - it connects without telling why it failed: we make the TCP connection
 *    ourselves and hand the socket over.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "imap.h"
#include "log.h"
#include "util.h"

#define IMAP_DEFAULT_TIMEOUT	60
#define IMAP_IDLE_SLICE_MS	500	/* how often *stop is looked at */
#define IMAP_IDLE_ROUNDS	1000	/* re-IDLEs after keep-alives, per call */
#define IMAP_TEXT_MAX		300	/* server text quoted in a cause */

struct imap {
	mailimap	*mi;
	char		*host;
	uint16_t	 port;
	int		 caps;		/* IMAP_CAP_* in use */
	int		 dead;		/* stream unusable: fail fast, no LOGOUT */
};

/* ---------------------------------------------------------------------- */
/* Pure helpers */

static int
is_host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

int
imap_parse_url(const char *url, int *implicit_tls, char **host,
    uint16_t *port, char **cause)
{
	const char *p, *h, *he;
	unsigned long n;
	char *end;

	*host = NULL;
	if (url == NULL || *url == '\0') {
		*cause = xstrdup("empty IMAP URL");
		return -1;
	}
	if (ascii_strncasecmp(url, "imaps://", 8) == 0) {
		*implicit_tls = 1;
		*port = 993;
		p = url + 8;
	} else if (ascii_strncasecmp(url, "imap://", 7) == 0) {
		*implicit_tls = 0;
		*port = 143;
		p = url + 7;
	} else {
		*cause = xasprintf("IMAP URL \"%s\" must start with imaps:// "
		    "or imap://", url);
		return -1;
	}
	if (*p == '[') {
		h = ++p;
		while (*p != '\0' && *p != ']') {
			if (!is_host_char((unsigned char)*p) && *p != ':')
				goto badhost;
			p++;
		}
		if (*p != ']')
			goto badhost;
		he = p++;
	} else {
		h = p;
		while (*p != '\0' && *p != ':' && *p != '/') {
			if (*p == '@') {
				*cause = xasprintf("IMAP URL \"%s\": put the user "
				    "name in imap.user, not in the URL", url);
				return -1;
			}
			if (!is_host_char((unsigned char)*p))
				goto badhost;
			p++;
		}
		he = p;
	}
	if (he == h)
		goto badhost;
	if (*p == ':') {
		p++;
		if (*p < '0' || *p > '9')
			goto badport;
		errno = 0;
		n = strtoul(p, &end, 10);
		if (errno != 0 || n == 0 || n > 65535)
			goto badport;
		*port = (uint16_t)n;
		p = end;
	}
	if (*p == '/')
		p++;
	if (*p != '\0') {
		*cause = xasprintf("IMAP URL \"%s\": no path allowed after the "
		    "host (the mailbox is imap.mailbox)", url);
		return -1;
	}
	*host = xstrndup(h, (size_t)(he - h));
	return 0;

badhost:
	*cause = xasprintf("IMAP URL \"%s\": bad host name", url);
	return -1;
badport:
	*cause = xasprintf("IMAP URL \"%s\": bad port", url);
	return -1;
}

/* Decodes one code point of known-valid UTF-8 and advances *p. */
static uint32_t
utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c;

	if (s[0] < 0x80) {
		c = s[0];
		*p += 1;
	} else if (s[0] < 0xe0) {
		c = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		*p += 2;
	} else if (s[0] < 0xf0) {
		c = ((uint32_t)(s[0] & 0x0f) << 12) |
		    ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		*p += 3;
	} else {
		c = ((uint32_t)(s[0] & 0x07) << 18) |
		    ((uint32_t)(s[1] & 0x3f) << 12) |
		    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
		*p += 4;
	}
	return c;
}

char *
imap_utf7_encode(const char *s)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	uint32_t bits, c, units[2];
	int nbits, nunits;

	if (!utf8_valid(s, strlen(s)))
		return NULL;
	buf_adds(&b, "");
	while (*p != '\0') {
		if (*p >= 0x20 && *p <= 0x7e) {
			if (*p == '&')
				buf_adds(&b, "&-");
			else
				buf_addc(&b, *p);
			p++;
			continue;
		}
		/* A run of other characters: UTF-16BE in modified base64. */
		buf_addc(&b, '&');
		bits = 0;
		nbits = 0;
		while (*p != '\0' && !(*p >= 0x20 && *p <= 0x7e)) {
			c = utf8_next(&p);
			if (c >= 0x10000) {
				c -= 0x10000;
				units[0] = 0xd800 | (c >> 10);
				units[1] = 0xdc00 | (c & 0x3ff);
				nunits = 2;
			} else {
				units[0] = c;
				nunits = 1;
			}
			for (int i = 0; i < nunits; i++) {
				bits = (bits << 16) | units[i];
				nbits += 16;
				while (nbits >= 6) {
					nbits -= 6;
					buf_addc(&b, b64[(bits >> nbits) & 0x3f]);
				}
				bits &= (1u << nbits) - 1;
			}
		}
		if (nbits > 0)
			buf_addc(&b, b64[(bits << (6 - nbits)) & 0x3f]);
		buf_addc(&b, '-');
	}
	return buf_detach(&b);
}

/* ---------------------------------------------------------------------- */
/* Errors */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The server's last response text, made safe to put in a log line. */
static char *
server_text(struct imap *im)
{
	const char *t = im->mi->imap_response;
	char *s;

	if (t == NULL || *t == '\0')
		return xstrdup("(no text)");
	s = xstrndup(t, IMAP_TEXT_MAX);
	for (char *q = s; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	return s;
}

/* What a libetpan result means, in words; marks the stream dead if so. */
static char *
errstr(struct imap *im, int r)
{
	char *t, *s;

	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		im->dead = 1;
		return xstrdup("connection lost or timed out");
	case MAILIMAP_ERROR_PARSE:
		im->dead = 1;
		return xstrdup("unreadable server response");
	case MAILIMAP_ERROR_FATAL:
		im->dead = 1;
		t = server_text(im);
		s = xasprintf("server closed the connection: %s", t);
		free(t);
		return s;
	case MAILIMAP_ERROR_PROTOCOL:
		/* BAD, or a tag out of step: start afresh either way. */
		im->dead = 1;
		t = server_text(im);
		s = xasprintf("protocol error: %s", t);
		free(t);
		return s;
	case MAILIMAP_ERROR_MEMORY:
		fatalx("libetpan: out of memory");
	case MAILIMAP_ERROR_BAD_STATE:
		return xstrdup("command not allowed in this state");
	default:
		/* A tagged NO: the connection itself is fine. */
		t = server_text(im);
		s = xasprintf("server said: %s", t);
		free(t);
		return s;
	}
}

static void
setcause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
setcause(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Sets *cause to "<what>: <meaning of r>" and returns -1. */
static int
fail(struct imap *im, char **cause, int r, const char *what)
{
	char *e = errstr(im, r);

	setcause(cause, "%s: %s", what, e);
	free(e);
	return -1;
}

static int
check_alive(struct imap *im, char **cause)
{
	if (im->dead) {
		setcause(cause, "IMAP connection to %s lost", im->host);
		return -1;
	}
	return 0;
}

static void *
nonnull(void *p)
{
	if (p == NULL)
		fatalx("libetpan: out of memory");
	return p;
}

/* ---------------------------------------------------------------------- */
/* Connecting */

/*
 * A TCP connection with a bounded wait, so that the cause can say refused
 * or timed out.  The socket is handed back in blocking mode, as libetpan's
 * TLS code expects it.
 */
static int
tcp_connect(const char *host, uint16_t port, int timeout, char **cause)
{
	struct addrinfo hints, *res, *ai;
	char portstr[8];
	int fd = -1, err = 0, r, soerr;
	socklen_t len;
	int64_t deadline;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
	r = getaddrinfo(host, portstr, &hints, &res);
	if (r != 0) {
		setcause(cause, "cannot resolve %s: %s", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			deadline = now_ms() + (int64_t)timeout * 1000;
			do {
				int64_t left = deadline - now_ms();

				r = left > 0 ? poll(&pfd, 1, (int)left) : 0;
			} while (r == -1 && errno == EINTR);
			if (r == 1) {
				len = sizeof soerr;
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &len) == -1)
					err = errno;
				else
					err = soerr;
				if (err == 0)
					break;
			} else
				err = r == 0 ? ETIMEDOUT : errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		setcause(cause, "cannot connect to %s port %u: %s", host,
		    (unsigned)port, err == ECONNREFUSED ? "connection refused" :
		    err == ETIMEDOUT ? "connection timed out" : strerror(err));
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1) {
		setcause(cause, "fcntl: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

/* libetpan calls this before the handshake: send the name (SNI). */
static void
tls_setup_cb(struct mailstream_ssl_context *ctx, void *data)
{
	struct imap *im = data;

	/* RFC 6066: SNI carries host names only, never addresses. */
	if (!is_ip_literal(im->host))
		mailstream_ssl_set_server_name(ctx, im->host);
}

static void
add_reason(struct buf *b, const char *reason)
{
	if (b->len > 0)
		buf_adds(b, "; ");
	buf_adds(b, reason);
}

/*
 * Checks the peer's chain against the system store plus ca_file, and the
 * host name.  Returns 0, or -1 with *cause saying why, in words an
 * administrator can act on.
 */
static int
tls_verify(struct imap *im, const char *ca_file, char **cause)
{
	carray *chain;
	gnutls_x509_crt_t *crts = NULL;
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_typed_vdata_st vd;
	gnutls_datum_t dn = { NULL, 0 }, idn = { NULL, 0 };
	unsigned int ncrts = 0, status = 0, i;
	struct buf why = BUF_INIT;
	int r, ret = -1;

	chain = mailstream_get_certificate_chain(im->mi->imap_stream);
	if (chain == NULL || carray_count(chain) == 0) {
		setcause(cause, "IMAP: TLS: %s sent no certificate", im->host);
		goto out;
	}
	crts = xcalloc(carray_count(chain), sizeof *crts);
	for (i = 0; i < carray_count(chain); i++) {
		MMAPString *der = carray_get(chain, i);
		gnutls_datum_t d = { (unsigned char *)der->str,
		    (unsigned int)der->len };

		if (gnutls_x509_crt_init(&crts[i]) < 0)
			fatalx("gnutls: out of memory");
		ncrts++;
		if (gnutls_x509_crt_import(crts[i], &d,
		    GNUTLS_X509_FMT_DER) < 0) {
			setcause(cause, "IMAP: TLS: %s sent a certificate that "
			    "cannot be read", im->host);
			goto out;
		}
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0)
		fatalx("gnutls: out of memory");
	r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (r < 0)
		log_warnx("IMAP: TLS: cannot load the system trust store: %s",
		    gnutls_strerror(r));
	if (ca_file != NULL && *ca_file != '\0') {
		r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0) {
			setcause(cause, "IMAP: TLS: cannot load CA file %s: %s",
			    ca_file, r < 0 ? gnutls_strerror(r) :
			    "no certificate in it");
			goto out;
		}
	}
	memset(&vd, 0, sizeof vd);
	vd.type = GNUTLS_DT_DNS_HOSTNAME;
	vd.data = (unsigned char *)im->host;
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, ncrts, &vd, 1, 0,
	    &status, NULL);
	if (r < 0) {
		setcause(cause, "IMAP: TLS: cannot verify the certificate of "
		    "%s: %s", im->host, gnutls_strerror(r));
		goto out;
	}
	if (status == 0) {
		ret = 0;
		goto out;
	}

	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		add_reason(&why, "issued by an unknown certificate authority "
		    "(not in the system store nor in imap.ca_file)");
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER) {
		char *m = xasprintf("not valid for the name \"%s\" (name "
		    "mismatch)", im->host);

		add_reason(&why, m);
		free(m);
	}
	if (status & GNUTLS_CERT_EXPIRED)
		add_reason(&why, "expired");
	if (status & GNUTLS_CERT_NOT_ACTIVATED)
		add_reason(&why, "not yet valid");
	if (status & GNUTLS_CERT_REVOKED)
		add_reason(&why, "revoked");
	if (status & GNUTLS_CERT_SIGNER_NOT_CA)
		add_reason(&why, "signed by a certificate that is not a CA");
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		add_reason(&why, "signed with an insecure algorithm");
	if (why.len == 0) {
		gnutls_datum_t txt = { NULL, 0 };

		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &txt, 0) == 0 && txt.data != NULL)
			add_reason(&why, (const char *)txt.data);
		else
			add_reason(&why, "invalid");
		gnutls_free(txt.data);
	}
	(void)gnutls_x509_crt_get_dn2(crts[0], &dn);
	(void)gnutls_x509_crt_get_issuer_dn2(crts[0], &idn);
	setcause(cause, "IMAP: TLS certificate of %s port %u rejected: %s "
	    "[subject %s, issuer %s]", im->host, (unsigned)im->port, why.s,
	    dn.data != NULL ? (const char *)dn.data : "?",
	    idn.data != NULL ? (const char *)idn.data : "?");
	gnutls_free(dn.data);
	gnutls_free(idn.data);

out:
	buf_free(&why);
	for (i = 0; i < ncrts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	return ret;
}

/* Asks for CAPABILITY (libetpan keeps the answer for has_extension). */
static int
refresh_caps(struct imap *im, char **cause, const char *when)
{
	struct mailimap_capability_data *cd = NULL;
	int r;

	r = mailimap_capability(im->mi, &cd);
	if (r != MAILIMAP_NO_ERROR) {
		char *what = xasprintf("CAPABILITY %s", when);

		fail(im, cause, r, what);
		free(what);
		return -1;
	}
	mailimap_capability_data_free(cd);
	return 0;
}

struct imap *
imap_connect(const struct imap_conf *conf, char **cause)
{
	struct imap *im;
	struct sigaction sa;
	mailstream *stream;
	char *err = NULL;
	int implicit, timeout, fd, r, preauth = 0;

	im = xcalloc(1, sizeof *im);
	if (imap_parse_url(conf->url, &implicit, &im->host, &im->port,
	    &err) == -1) {
		setcause(cause, "%s", err);
		free(err);
		free(im);
		return NULL;
	}
	if (conf->user == NULL || conf->password == NULL) {
		setcause(cause, "IMAP: no user name or password configured");
		goto fail;
	}
	timeout = conf->timeout > 0 ? conf->timeout : IMAP_DEFAULT_TIMEOUT;

	/* A server that hangs up must not kill us with SIGPIPE. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);

	im->mi = nonnull(mailimap_new(0, NULL));
	mailimap_set_timeout(im->mi, timeout);

	if ((fd = tcp_connect(im->host, im->port, timeout, &err)) == -1) {
		setcause(cause, "IMAP: %s", err);
		free(err);
		goto fail;
	}
	if (implicit) {
		stream = mailstream_ssl_open_with_callback_timeout(fd, timeout,
		    tls_setup_cb, im);
		if (stream == NULL) {
			close(fd);
			setcause(cause, "IMAP: TLS handshake with %s port %u "
			    "failed (no answer within %d s, or not an imaps:// "
			    "port)", im->host, (unsigned)im->port, timeout);
			goto fail;
		}
	} else {
		stream = mailstream_socket_open_timeout(fd, timeout);
		if (stream == NULL)
			fatalx("libetpan: out of memory");
	}
	/* From here on the stream belongs to im->mi. */
	r = mailimap_connect(im->mi, stream);
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
		preauth = 1;
		/*
		 * PREAUTH: no LOGIN, and no STARTTLS possible.  Taking it
		 * in plaintext would let anyone on the path play the server.
		 */
		if (!implicit && !conf->tls_none) {
			setcause(cause, "IMAP: %s greets with PREAUTH before "
			    "TLS; refusing", im->host);
			goto fail;
		}
	} else if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		char *what = xasprintf("IMAP: no greeting from %s port %u",
		    im->host, (unsigned)im->port);

		fail(im, cause, r, what);
		free(what);
		goto fail;
	}

	if (!implicit && !conf->tls_none) {
		if (refresh_caps(im, cause, "before STARTTLS") == -1)
			goto fail;
		if (!mailimap_has_extension(im->mi, "STARTTLS")) {
			setcause(cause, "IMAP: %s port %u: server does not "
			    "offer STARTTLS; refusing to send the password in "
			    "clear", im->host, (unsigned)im->port);
			goto fail;
		}
		r = mailimap_socket_starttls_with_callback(im->mi,
		    tls_setup_cb, im);
		/*
		 * Bytes buffered past the STARTTLS answer came in clear
		 * before the handshake: an injection (CVE-2020-15953).
		 * Debian's libetpan then fails with MAILIMAP_ERROR_STARTTLS.
		 */
		if (im->mi->imap_stream->read_buffer_len > 0) {
			setcause(cause, "IMAP: %s sent data right after its "
			    "STARTTLS answer; refusing", im->host);
			goto fail;
		}
		if (r == MAILIMAP_ERROR_STARTTLS) {
			char *t = server_text(im);

			setcause(cause, "IMAP: %s refused STARTTLS: %s",
			    im->host, t);
			free(t);
			goto fail;
		}
		if (r != MAILIMAP_NO_ERROR) {
			setcause(cause, "IMAP: STARTTLS with %s port %u "
			    "failed (TLS handshake)", im->host,
			    (unsigned)im->port);
			goto fail;
		}
	}
	if (implicit || !conf->tls_none) {
		if (tls_verify(im, conf->ca_file, cause) == -1)
			goto fail;
	} else
		log_warnx("IMAP connection to %s port %u is not encrypted "
		    "(tls = none): the password travels in clear", im->host,
		    (unsigned)im->port);

	if (!preauth) {
		r = mailimap_login(im->mi, conf->user, conf->password);
		if (r != MAILIMAP_NO_ERROR) {
			char *what = xasprintf("IMAP: login as %s on %s failed",
			    conf->user, im->host);

			fail(im, cause, r, what);
			free(what);
			goto fail;
		}
	}
	/* The list changes after STARTTLS and after LOGIN: ask again. */
	if (refresh_caps(im, cause, "after login") == -1)
		goto fail;
	if (mailimap_has_extension(im->mi, "MOVE"))
		im->caps |= IMAP_CAP_MOVE;
	if (mailimap_has_uidplus(im->mi))
		im->caps |= IMAP_CAP_UIDPLUS;
	if (mailimap_has_idle(im->mi))
		im->caps |= IMAP_CAP_IDLE;
	log_debug("IMAP: logged in to %s port %u as %s (MOVE %d, UIDPLUS %d, "
	    "IDLE %d)", im->host, (unsigned)im->port, conf->user,
	    !!(im->caps & IMAP_CAP_MOVE), !!(im->caps & IMAP_CAP_UIDPLUS),
	    !!(im->caps & IMAP_CAP_IDLE));
	return im;

fail:
	/* Nothing more is said on a connection we gave up on. */
	im->dead = 1;
	imap_close(im);
	return NULL;
}

void
imap_close(struct imap *im)
{
	if (im == NULL)
		return;
	if (im->mi != NULL) {
		if (im->mi->imap_stream != NULL) {
			if (!im->dead)
				(void)mailimap_logout(im->mi);	/* closes */
			else {
				mailstream_close(im->mi->imap_stream);
				im->mi->imap_stream = NULL;
			}
		}
		mailimap_free(im->mi);
	}
	free(im->host);
	free(im);
}

void
imap_disable_caps(struct imap *im, int caps)
{
	im->caps &= ~caps;
}

int
imap_caps(struct imap *im)
{
	return im->caps;
}

int
imap_has_idle(struct imap *im)
{
	return (im->caps & IMAP_CAP_IDLE) != 0;
}

int
imap_is_dead(struct imap *im)
{
	return im->dead;
}

/* ---------------------------------------------------------------------- */
/* Mailbox commands */

int
imap_select(struct imap *im, const char *mailbox, uint32_t *uidvalidity,
    char **cause)
{
	char *mb, *what;
	int r;

	if (check_alive(im, cause) == -1)
		return -1;
	if ((mb = imap_utf7_encode(mailbox)) == NULL) {
		setcause(cause, "mailbox name \"%s\" is not UTF-8", mailbox);
		return -1;
	}
	r = mailimap_select(im->mi, mb);
	free(mb);
	if (r != MAILIMAP_NO_ERROR) {
		what = xasprintf("cannot select mailbox \"%s\"", mailbox);
		fail(im, cause, r, what);
		free(what);
		return -1;
	}
	if (uidvalidity != NULL)
		*uidvalidity = im->mi->imap_selection_info != NULL ?
		    im->mi->imap_selection_info->sel_uidvalidity : 0;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_msg(const void *a, const void *b)
{
	return cmp_u32(&((const struct imap_msg *)a)->uid,
	    &((const struct imap_msg *)b)->uid);
}

int
imap_list_uids(struct imap *im, uint32_t **uids, size_t *n, char **cause)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	clistiter *it;
	size_t i = 0;
	int r;

	*uids = NULL;
	*n = 0;
	if (check_alive(im, cause) == -1)
		return -1;
	/* No helper in libetpan 1.9.4 for UNDELETED: the 26-argument form. */
	key = nonnull(mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNDELETED,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL,
	    NULL, NULL));
	r = mailimap_uid_search(im->mi, NULL, key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, cause, r, "UID SEARCH");
	if (clist_count(result) > 0) {
		*uids = xreallocarray(NULL, (size_t)clist_count(result),
		    sizeof **uids);
		for (it = clist_begin(result); it != NULL; it = clist_next(it))
			(*uids)[i++] = *(uint32_t *)clist_content(it);
		qsort(*uids, i, sizeof **uids, cmp_u32);
	}
	*n = i;
	mailimap_search_result_free(result);
	return 0;
}

/* A UID set as ranges: 1,2,3,5 -> 1:3,5.  Zeros and repeats dropped. */
static struct mailimap_set *
make_set(const uint32_t *uids, size_t n, size_t *count)
{
	struct mailimap_set *set;
	uint32_t *s, first, last;
	size_t i, k = 0;

	s = xreallocarray(NULL, n, sizeof *s);
	memcpy(s, uids, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_u32);
	set = nonnull(mailimap_set_new_empty());
	for (i = 0; i < n; ) {
		if (s[i] == 0) {
			i++;
			continue;
		}
		first = last = s[i++];
		k++;
		while (i < n && (s[i] == last || s[i] == last + 1)) {
			if (s[i] != last)
				k++;
			last = s[i++];
		}
		if (mailimap_set_add_interval(set, first, last) !=
		    MAILIMAP_NO_ERROR)
			fatalx("libetpan: out of memory");
	}
	free(s);
	*count = k;
	return set;
}

int
imap_fetch(struct imap *im, const uint32_t *uids, size_t n,
    struct imap_msg **msgs, size_t *nmsgs, char **cause)
{
	struct mailimap_set *set;
	struct mailimap_fetch_type *ft;
	struct imap_msg *out;
	clist *list = NULL;
	clistiter *it, *jt;
	size_t k = 0, count;
	int r;

	*msgs = NULL;
	*nmsgs = 0;
	if (check_alive(im, cause) == -1)
		return -1;
	set = make_set(uids, n, &count);
	if (count == 0) {
		mailimap_set_free(set);
		return 0;
	}
	ft = nonnull(mailimap_fetch_type_new_fetch_att_list_empty());
	if (mailimap_fetch_type_new_fetch_att_list_add(ft,
	    nonnull(mailimap_fetch_att_new_uid())) != MAILIMAP_NO_ERROR ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft,
	    nonnull(mailimap_fetch_att_new_body_peek_section(
	    nonnull(mailimap_section_new(NULL))))) != MAILIMAP_NO_ERROR)
		fatalx("libetpan: out of memory");
	r = mailimap_uid_fetch(im->mi, set, ft, &list);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, cause, r, "UID FETCH");

	out = xcalloc(clist_count(list) + 1, sizeof *out);
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		uint32_t uid = 0;
		const char *body = NULL;
		size_t len = 0;
		int have_body = 0;

		for (jt = clist_begin(ma->att_list); jt != NULL;
		    jt = clist_next(jt)) {
			struct mailimap_msg_att_item *item = clist_content(jt);
			struct mailimap_msg_att_static *st;

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			st = item->att_data.att_static;
			if (st == NULL)
				continue;
			if (st->att_type == MAILIMAP_MSG_ATT_UID)
				uid = st->att_data.att_uid;
			else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
			    st->att_data.att_body_section != NULL) {
				body = st->att_data.att_body_section->
				    sec_body_part;
				len = st->att_data.att_body_section->sec_length;
				have_body = 1;
			}
		}
		/* Unsolicited FETCH (flag changes) carry no body: skip. */
		if (uid == 0 || !have_body)
			continue;
		if (body == NULL)
			len = 0;
		out[k].uid = uid;
		out[k].data = xmalloc(len + 1);
		if (len > 0)
			memcpy(out[k].data, body, len);
		out[k].data[len] = '\0';
		out[k].len = len;
		k++;
	}
	mailimap_fetch_list_free(list);
	if (k == 0) {
		free(out);
		return 0;
	}
	qsort(out, k, sizeof *out, cmp_msg);
	*msgs = out;
	*nmsgs = k;
	return 0;
}

void
imap_msgs_free(struct imap_msg *msgs, size_t n)
{
	if (msgs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(msgs[i].data);
	free(msgs);
}

/*
 * UID MOVE or UID COPY into mb; when the server says no, CREATE mb and try
 * once more.  The first refusal is what the cause reports if CREATE fails.
 */
static int
move_or_copy(struct imap *im, struct mailimap_set *set, const char *mb,
    const char *mailbox, int move, char **cause)
{
	const char *cmd = move ? "UID MOVE" : "UID COPY";
	char *first, *what;
	int r;

	r = move ? mailimap_uid_move(im->mi, set, mb) :
	    mailimap_uid_copy(im->mi, set, mb);
	if (r == MAILIMAP_NO_ERROR)
		return 0;
	first = errstr(im, r);
	if (im->dead) {
		setcause(cause, "%s to \"%s\": %s", cmd, mailbox, first);
		free(first);
		return -1;
	}
	r = mailimap_create(im->mi, mb);
	if (r != MAILIMAP_NO_ERROR) {
		char *e = errstr(im, r);

		setcause(cause, "%s to \"%s\": %s (and CREATE: %s)", cmd,
		    mailbox, first, e);
		free(e);
		free(first);
		return -1;
	}
	free(first);
	log_info("IMAP: created mailbox \"%s\" on %s", mailbox, im->host);
	r = move ? mailimap_uid_move(im->mi, set, mb) :
	    mailimap_uid_copy(im->mi, set, mb);
	if (r != MAILIMAP_NO_ERROR) {
		what = xasprintf("%s to \"%s\"", cmd, mailbox);
		fail(im, cause, r, what);
		free(what);
		return -1;
	}
	return 0;
}

int
imap_move(struct imap *im, const uint32_t *uids, size_t n,
    const char *mailbox, char **cause)
{
	struct mailimap_set *set;
	struct mailimap_flag_list *fl;
	struct mailimap_store_att_flags *sf;
	size_t count;
	char *mb;
	int r, ret = -1;

	if (check_alive(im, cause) == -1)
		return -1;
	if ((mb = imap_utf7_encode(mailbox)) == NULL) {
		setcause(cause, "mailbox name \"%s\" is not UTF-8", mailbox);
		return -1;
	}
	set = make_set(uids, n, &count);
	if (count == 0) {
		ret = 0;
		goto out;
	}
	log_debug("IMAP: moving %zu message(s) to \"%s\" with %s", count,
	    mailbox, (im->caps & IMAP_CAP_MOVE) ? "UID MOVE" :
	    (im->caps & IMAP_CAP_UIDPLUS) ? "UID COPY + UID EXPUNGE" :
	    "UID COPY + EXPUNGE");
	if (im->caps & IMAP_CAP_MOVE) {
		ret = move_or_copy(im, set, mb, mailbox, 1, cause);
		goto out;
	}
	if (move_or_copy(im, set, mb, mailbox, 0, cause) == -1)
		goto out;
	fl = nonnull(mailimap_flag_list_new_empty());
	if (mailimap_flag_list_add(fl, nonnull(mailimap_flag_new_deleted())) !=
	    MAILIMAP_NO_ERROR)
		fatalx("libetpan: out of memory");
	sf = nonnull(mailimap_store_att_flags_new_add_flags_silent(fl));
	r = mailimap_uid_store(im->mi, set, sf);
	mailimap_store_att_flags_free(sf);
	if (r != MAILIMAP_NO_ERROR) {
		fail(im, cause, r, "UID STORE \\Deleted after COPY");
		goto out;
	}
	/*
	 * Without UIDPLUS only a plain EXPUNGE exists, which also removes
	 * what others flagged \Deleted: acceptable for the service's own
	 * mailbox, and the copies are safe in the destination already.
	 */
	r = (im->caps & IMAP_CAP_UIDPLUS) ? mailimap_uid_expunge(im->mi, set) :
	    mailimap_expunge(im->mi);
	if (r != MAILIMAP_NO_ERROR) {
		fail(im, cause, r, "EXPUNGE after COPY");
		goto out;
	}
	ret = 0;
out:
	mailimap_set_free(set);
	free(mb);
	return ret;
}

int
imap_noop(struct imap *im, char **cause)
{
	int r;

	if (check_alive(im, cause) == -1)
		return -1;
	r = mailimap_noop(im->mi);
	if (r != MAILIMAP_NO_ERROR)
		return fail(im, cause, r, "NOOP");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Waiting */

/*
 * 1 when the server has something for us (or the socket broke), 0 at the
 * deadline or on *stop.  libetpan's own buffer is looked at first: what it
 * holds, poll() cannot see.
 */
static int
wait_readable(struct imap *im, int64_t deadline, volatile sig_atomic_t *stop)
{
	struct pollfd pfd;
	int64_t left;
	int r;

	pfd.fd = mailimap_idle_get_fd(im->mi);
	pfd.events = POLLIN;
	for (;;) {
		if (im->mi->imap_stream->read_buffer_len > 0)
			return 1;
		if (stop != NULL && *stop)
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		pfd.revents = 0;
		r = poll(&pfd, 1, left < IMAP_IDLE_SLICE_MS ? (int)left :
		    IMAP_IDLE_SLICE_MS);
		if (r > 0)
			return 1;
		if (r == -1 && errno != EINTR)
			return 1;	/* let the next read find out */
	}
}

static int
changed_since(struct imap *im, uint32_t exists_before)
{
	struct mailimap_selection_info *si = im->mi->imap_selection_info;
	struct mailimap_response_info *ri = im->mi->imap_response_info;

	if (ri != NULL && ri->rsp_expunged != NULL &&
	    clist_count(ri->rsp_expunged) > 0)
		return 1;
	return si != NULL && si->sel_has_exists && si->sel_exists !=
	    exists_before;
}

/* Without IDLE: wait, then NOOP and compare. */
static int
idle_by_noop(struct imap *im, int64_t deadline, volatile sig_atomic_t *stop)
{
	uint32_t before;
	char *cause = NULL;

	before = im->mi->imap_selection_info->sel_exists;
	(void)wait_readable(im, deadline, stop);
	if (stop != NULL && *stop)
		return 0;
	im->mi->imap_selection_info->sel_has_exists = 0;
	if (imap_noop(im, &cause) == -1) {
		log_warnx("IMAP %s: %s", im->host, cause);
		free(cause);
		return im->dead ? -1 : 0;
	}
	if (im->mi->imap_selection_info->sel_has_exists)
		return im->mi->imap_selection_info->sel_exists != before ||
		    changed_since(im, before);
	return changed_since(im, before);
}

int
imap_idle(struct imap *im, int timeout_sec, volatile sig_atomic_t *stop)
{
	int64_t deadline;
	uint32_t before;
	char *e;
	int r, got;

	if (im->dead)
		return -1;
	if (im->mi->imap_state != MAILIMAP_STATE_SELECTED ||
	    im->mi->imap_selection_info == NULL) {
		log_warnx("IMAP: idle without a selected mailbox");
		return -1;
	}
	deadline = now_ms() + (int64_t)(timeout_sec > 0 ? timeout_sec : 0) *
	    1000;
	if (!(im->caps & IMAP_CAP_IDLE))
		return idle_by_noop(im, deadline, stop);

	for (int round = 0; round < IMAP_IDLE_ROUNDS; round++) {
		before = im->mi->imap_selection_info->sel_exists;
		r = mailimap_idle(im->mi);
		if (r != MAILIMAP_NO_ERROR) {
			e = errstr(im, r);
			log_warnx("IMAP %s: IDLE: %s", im->host, e);
			free(e);
			if (im->dead || r == MAILIMAP_ERROR_PARSE)
				return -1;
			/* Refused: poll with NOOP from now on. */
			im->caps &= ~IMAP_CAP_IDLE;
			return idle_by_noop(im, deadline, stop);
		}
		got = wait_readable(im, deadline, stop);
		r = mailimap_idle_done(im->mi);
		if (r != MAILIMAP_NO_ERROR) {
			e = errstr(im, r);
			im->dead = 1;
			log_warnx("IMAP %s: IDLE DONE: %s", im->host, e);
			free(e);
			return -1;
		}
		/* mailimap_idle() cleared sel_has_exists. */
		if (im->mi->imap_selection_info->sel_has_exists ||
		    changed_since(im, before))
			return 1;
		if (!got || (stop != NULL && *stop) || now_ms() >= deadline)
			return 0;
		/* Only a keep-alive ("* OK Still here"): wait again. */
	}
	return 0;
}
