/*
 * smtp.h - deliver composed mail over SMTP (libcurl).  The only file that
 * speaks SMTP; it knows nothing of the outbox, templates or SQLite.
 *
 * A session (struct smtp) keeps one libcurl handle and so one connection,
 * reused for every mail of a batch and between batches while the server keeps
 * it open.  Each mail is one transaction: MAIL FROM, one RCPT TO, DATA.
 *
 * TLS: smtps:// is implicit TLS; smtp:// requires STARTTLS unless tls_none is
 * set.  Certificates are checked against the system store (/etc/ssl/certs)
 * AND ca_file when given: ca_file adds to the store, it does not replace it.
 *
 * Call smtp_global_init() once at start, before any thread exists, and
 * smtp_global_cleanup() once at exit.
 */
#ifndef TRUCD_SMTP_H
#define TRUCD_SMTP_H

#include <stddef.h>

#define SMTP_SYSTEM_CA_PATH	"/etc/ssl/certs"

struct smtp_conf {
	/* smtps://host[:port] implicit TLS, smtp://host[:port] STARTTLS
	 * (required unless tls_none).  A path, if any, is ignored when
	 * helo_domain is set. */
	const char	*url;
	int		 tls_none;	/* plaintext allowed (warned once) */
	const char	*ca_file;	/* extra CA (PEM); NULL or "" for none */
	/* The system store, a directory of PEM files; NULL or "": the
	 * default, SMTP_SYSTEM_CA_PATH.  Tests point it elsewhere. */
	const char	*ca_path;
	const char	*user;		/* AUTH when non-NULL and non-empty */
	const char	*password;
	const char	*helo_domain;	/* NULL: curl uses the host name */
	int		 timeout;	/* seconds; <= 0 means 30 */
};

enum smtp_status {
	SMTP_SENT,		/* the server answered 250 after the data */
	SMTP_TEMPFAIL,		/* 4xx, or no usable connection: try later */
	SMTP_PERMFAIL		/* 5xx to MAIL, RCPT or DATA: give up */
};

/* One mail to deliver.  smtp_send_batch() reads the first four fields and
 * fills the last two. */
struct smtp_item {
	const char	*from;	/* envelope sender; "" for the null sender */
	const char	*to;	/* one envelope recipient */
	/* The whole RFC 5322 message with CRLF line ends.  Lines starting
	 * with "." are stuffed by libcurl; a bare LF or CR is sent as CRLF
	 * (so that no line can hide from dot-stuffing). */
	const char	*data;
	size_t		 len;

	enum smtp_status status;
	/* The server's last answer (continuation lines joined by a space,
	 * CR/LF removed) or a description of the local/connection error.
	 * NULL when sent; otherwise allocated: the caller frees it. */
	char		*reply;
};

struct smtp;

/* 0 on success, -1 (logged) if libcurl cannot start or lacks SMTP. */
int		 smtp_global_init(void);
void		 smtp_global_cleanup(void);

/*
 * A session for conf.  Nothing is connected yet: the connection opens with
 * the first mail.  conf's strings are copied.  Returns NULL (and logs why)
 * when the URL is not smtp:// or smtps://.  Free with smtp_close().
 */
struct smtp	*smtp_open(const struct smtp_conf *);

/*
 * Sends items in order over one connection.  Every item gets a status and,
 * unless sent, a reply:
 *  - a 5xx answer to MAIL, RCPT or DATA is PERMFAIL for that item only,
 *    a 4xx answer TEMPFAIL for that item only; the others still go (libcurl
 *    closes the connection after a refused mail: the next one reconnects);
 *  - a connection kept from an earlier mail that the server dropped before
 *    the data went out: the mail is tried once more on a new connection;
 *    dropped after the data: that mail is TEMPFAIL (the server may have it,
 *    so no second copy now) and the next mail reconnects;
 *  - a new connection that fails (refused, TLS, AUTH, 421, lost), or a
 *    timeout on any: that item and all the remaining ones are TEMPFAIL at
 *    once with the same reply, so a dead server costs about two timeouts per
 *    batch (the wait and QUIT's), not one per mail;
 *  - an envelope address holding controls, spaces or <> is PERMFAIL.
 * Items must start zeroed or hold a reply from an earlier call, which is
 * freed first.  Returns the number of items sent.
 */
size_t		 smtp_send_batch(struct smtp *, struct smtp_item *, size_t);
/*
 * The same, calling done(item, index, arg) as soon as each item's status
 * is final, so the caller can record it before the next mail goes: a crash
 * mid-batch then resends at most the mail in flight.
 */
size_t		 smtp_send_batch_cb(struct smtp *, struct smtp_item *, size_t,
		    void (*done)(struct smtp_item *, size_t, void *), void *arg);

/* New connections opened by this session so far (for tests and logs). */
long		 smtp_connects(const struct smtp *);

/* Sends QUIT if connected, frees everything.  NULL is allowed. */
void		 smtp_close(struct smtp *);

#endif
