/*
 * imap.h - the one place that speaks IMAP (libetpan underneath).
 *
 * A connection is opened, secured, checked and logged in by imap_connect();
 * every other call works on the mailbox chosen by imap_select().  Nothing
 * here retries or reconnects: on a lost connection a call fails, later calls
 * fail at once without touching the network, and the caller imap_close()s
 * and connects again.
 *
 * Errors: functions returning int give 0 on success and -1 on failure, and
 * on failure set *cause to a one-line English message (allocated: the caller
 * frees it).  cause may be NULL when the caller does not want the message.
 *
 * TLS: "imaps://" is implicit TLS, "imap://" is STARTTLS; either way the
 * server's chain is checked against the system trust store plus
 * imap_conf.ca_file, including the host name, before LOGIN is sent.  Only
 * with tls_none does "imap://" stay in plaintext (a warning is logged).
 *
 * Mailbox names are UTF-8 here; they are sent in IMAP's modified UTF-7.
 *
 * The process must not die of SIGPIPE when a server goes away: if SIGPIPE
 * is still at its default action, imap_connect() sets it to SIG_IGN.
 */
#ifndef TRUCD_IMAP_H
#define TRUCD_IMAP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct imap_conf {
	const char *url;	/* imaps://host[:port] or imap://host[:port] */
	int tls_none;		/* 1: plaintext allowed on imap:// (warned) */
	const char *ca_file;	/* extra CA (PEM) besides the system store; NULL/"" */
	const char *user, *password;
	int timeout;		/* seconds for each network operation; <= 0: 60 */
};

struct imap;			/* opaque connection */

/*
 * Connect, secure (TLS or STARTTLS), verify the chain and host name, LOGIN.
 * Returns NULL and sets *cause on any failure; no password is ever sent
 * over an unverified or plaintext channel unless tls_none is set.
 */
struct imap *imap_connect(const struct imap_conf *, char **cause);

/* SELECT; *uidvalidity (may be NULL) receives the mailbox's UIDVALIDITY. */
int	imap_select(struct imap *, const char *mailbox, uint32_t *uidvalidity,
	    char **cause);

/*
 * Every UID of the selected mailbox that is not flagged \Deleted, in
 * ascending order (UID SEARCH UNDELETED: a message copied away whose
 * EXPUNGE never happened must not be read twice).  *uids is allocated
 * (NULL when *n is 0); the caller frees it.
 */
int	imap_list_uids(struct imap *, uint32_t **uids, size_t *n, char **cause);

struct imap_msg {
	uint32_t uid;
	char	*data;		/* the raw message, NUL-terminated past len */
	size_t	 len;
};

/*
 * One UID FETCH (UID BODY.PEEK[]) for the whole set, sent as ranges
 * ("1:5,9"); \Seen is not set.  *msgs gets one entry per message the server
 * returned, in ascending UID order: UIDs that no longer exist are simply
 * missing, so *nmsgs may be less than n.  Free with imap_msgs_free().
 */
int	imap_fetch(struct imap *, const uint32_t *uids, size_t n,
	    struct imap_msg **msgs, size_t *nmsgs, char **cause);
void	imap_msgs_free(struct imap_msg *, size_t);

/*
 * Move the messages to mailbox, in one command for the whole set: UID MOVE
 * when the server has MOVE, else UID COPY, UID STORE +FLAGS.SILENT
 * (\Deleted) and UID EXPUNGE (plain EXPUNGE without UIDPLUS).  When the
 * first command is refused, the mailbox is CREATEd and the command retried
 * once.
 */
int	imap_move(struct imap *, const uint32_t *uids, size_t n,
	    const char *mailbox, char **cause);

/* 1 when the server announced IDLE (and it was not disabled). */
int	imap_has_idle(struct imap *);

/*
 * Wait for a change in the selected mailbox for at most timeout_sec
 * (callers keep it <= 29 min and call again).  Returns 1 when messages
 * appeared or vanished, 0 on timeout or when *stop (may be NULL) became
 * non-zero (checked at least twice a second), -1 when the connection is
 * lost (then close and reconnect).  Notifications that arrived with the
 * IDLE continuation and sit in libetpan's buffer are seen at once.
 * Without IDLE it sleeps and then sends NOOP.
 */
int	imap_idle(struct imap *, int timeout_sec, volatile sig_atomic_t *stop);

int	imap_noop(struct imap *, char **cause);

/* 1 once the connection is known lost: every call fails, close it. */
int	imap_is_dead(struct imap *);

/* LOGOUT if the connection is still good, then free everything.  NULL ok. */
void	imap_close(struct imap *);

/*
 * For tests: behave as if the server lacked these capabilities (forces the
 * COPY/EXPUNGE path of imap_move() or the NOOP path of imap_idle()).
 */
#define IMAP_CAP_MOVE		0x01
#define IMAP_CAP_UIDPLUS	0x02
#define IMAP_CAP_IDLE		0x04
void	imap_disable_caps(struct imap *, int caps);
/* The IMAP_CAP_* the connection will use. */
int	imap_caps(struct imap *);

/*
 * Pure helpers, exposed for --check-config and tests.
 * imap_parse_url: "imaps://host[:port][/]" or "imap://host[:port][/]"
 * (host may be "[v6addr]"); *implicit_tls is 1 for imaps; *host is
 * allocated (caller frees).  Returns 0, or -1 with *cause.
 */
int	imap_parse_url(const char *url, int *implicit_tls, char **host,
	    uint16_t *port, char **cause);
/* UTF-8 to IMAP modified UTF-7 (RFC 3501 5.1.3); NULL if s is not UTF-8. */
char	*imap_utf7_encode(const char *s);

#endif
