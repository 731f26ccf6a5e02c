/*
 * classify.h - people and robots: who wrote a parsed message.
 *
 * Pure: reads a struct message, fills a struct classification.  The tests
 * run in this order, and the first that matches wins:
 *  1. feedback (abuse) reports: report-type=feedback-report or a
 *     message/feedback-report part;
 *  2. read receipts: report-type=disposition-notification or a
 *     message/disposition-notification part;
 *  3. bounces with a message/delivery-status part whose per-recipient
 *     groups carry an Action (a DSN without one, as Boxbe sends, is not
 *     trusted and falls through);
 *  4. bounces without one (Exchange/Office 365, Gmail, qmail, Exim,
 *     Domino, ...): X-Failed-Recipients, X-MS-Exchange-Message-Is-Ndr, a
 *     declared delivery-status report with no DSN part, or a mailer-daemon
 *     / postmaster / empty-return-path sender with a bounce subject; the
 *     failed addresses and the permanence are read from the text;
 *  5. other robots: Auto-Submitted other than "no", X-Auto-Response-
 *     Suppress, X-Apple-Action: VACATION, X-Autoreply and kin, Precedence
 *     bulk/junk/list, an empty return path, MAILER-DAEMON / postmaster /
 *     noreply-like senders, an out-of-office subject, the school's own
 *     address;
 *  6. everything else is a person.
 * So a bounce is a bounce even when it also carries Auto-Submitted.
 *
 * Delivery status "failed" with a 4.x.x code is taken as temporary: the
 * remote server said "try later" (Orange's "421 4.2.0 Service refusé"),
 * so the address is not wrong and must not be marked undeliverable.
 */
#ifndef TRUCD_CLASSIFY_H
#define TRUCD_CLASSIFY_H

#include <stddef.h>

struct message;

enum msg_class {
	MSG_PERSON,
	MSG_AUTOREPLY,		/* any robot that is neither of the below */
	MSG_RECEIPT,
	MSG_BOUNCE,
	MSG_ABUSE_REPORT
};

struct classification {
	enum msg_class	 cls;
	const char	*why;	/* static English reason, never NULL */
	/* MSG_BOUNCE only: */
	int		 permanent;	/* 1: the addresses below are wrong */
	char		**failed;	/* lower-case addresses that failed */
	size_t		 nfailed;
};

/*
 * school_addr (may be NULL) is the school's own address: mail from it is
 * a robot too.  out is overwritten; release it with classification_free().
 */
void	 classify(const struct message *, const char *school_addr,
	    struct classification *out);
void	 classification_free(struct classification *);
const char *msg_class_name(enum msg_class);	/* "person", "bounce", ... */

#endif
