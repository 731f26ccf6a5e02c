/*
 * compose.h - builds the outgoing mail, bytes ready for SMTP.  Pure: no
 * I/O but the clock and getrandom() for a fresh Message-ID.
 *
 * Every header value that may come from a person (subject, names,
 * references) is cleaned: CR, LF, TAB and other control characters become
 * spaces or vanish, invalid UTF-8 becomes U+FFFD, so no value can start a
 * header of its own.  Addresses are checked, not cleaned: a bad one fails.
 */
#ifndef TRUCD_COMPOSE_H
#define TRUCD_COMPOSE_H

#include <stddef.h>
#include <time.h>

struct out_attachment {
	const char	*filename;	/* UTF-8; RFC 2231-encoded when needed */
	const char	*content_type;	/* NULL: application/octet-stream */
	const char	*data;
	size_t		 len;
};

struct outgoing {
	/* The school; the name is RFC 2047-encoded when not ASCII ("TRUC²"). */
	const char	*from_name, *from_addr;
	const char	*to_name, *to_addr;	/* to_name may be NULL */
	/* UTF-8, possibly from user input: cleaned, encoded, folded at 78. */
	const char	*subject;
	/* The msg-id answered, with or without <>; NULL unless a reply. */
	const char	*in_reply_to;
	/* The original's References value (raw) or NULL; the reply's is
	 * its valid msg-ids (the first and the last few) + <in_reply_to>. */
	const char	*references;
	/* "auto-replied" (replies), "auto-generated" (scheduled), or NULL. */
	const char	*auto_submitted;
	/* e.g. "<mailto:truc@ville.example?subject=STOP%20PROGRAMME>". */
	const char	*list_unsubscribe;
	const char	*message_id;	/* without <>; NULL: a fresh one */
	const char	*msgid_domain;	/* the school's domain */
	const char	*lang;		/* Content-Language, "fr"/"en"; NULL: none */
	time_t		 date;		/* 0: now */
	const char	*text;		/* UTF-8 plain text, required */
	const char	*html;		/* UTF-8 HTML or NULL */
	/* iCalendar text or NULL: a text/calendar alternative and the same
	 * as an "invitation.ics" attachment (iMIP, as Outlook, Gmail and
	 * Thunderbird expect). */
	const char	*calendar;
	const char	*calendar_method;	/* "REQUEST" | "CANCEL" | "REPLY" */
	const struct out_attachment *attachments;
	size_t		 nattachments;
	const char	*precedence;	/* e.g. "bulk", or NULL */
};

/*
 * The whole message with CRLF line ends.  Shape:
 *   text only                 text/plain
 *   text + html and/or ics    multipart/alternative (plain, html, calendar)
 *   + ics or attachments      multipart/mixed (the above, invitation.ics,
 *                             attachments)
 * Text parts are UTF-8 quoted-printable; the calendar alternative is 7bit
 * when ASCII, base64 otherwise; attachments are base64.  Headers: Date,
 * From, To, Subject, Message-ID, In-Reply-To and References (replies),
 * Auto-Submitted and X-Auto-Response-Suppress (when auto_submitted),
 * Precedence, List-Unsubscribe, Content-Language, MIME-Version,
 * Content-Type, Content-Transfer-Encoding.
 * Returns the message (caller frees) and, if MESSAGE_ID_OUT is not NULL,
 * the Message-ID used without <> (caller frees).  NULL + *cause
 * (allocated) when an address or the given message_id is not valid or a
 * required field is missing.
 */
char	*compose(const struct outgoing *, char **message_id_out, char **cause);

/* "<time>.<pid>.<counter>.<random>@DOMAIN" without <>; caller frees.
 * An invalid or NULL domain gives "localhost". */
char	*msgid_generate(const char *domain);

/* Quoted-printable of LEN bytes: CRLF line ends ("\n" and "\r\n" in the
 * input are line ends), lines at most 76 characters, soft breaks never
 * inside a UTF-8 sequence, trailing blanks encoded, a line start "From "
 * or "." encoded.  Caller frees. */
char	*qp_encode(const char *text, size_t len);

/* Base64 of LEN bytes in lines of 76 characters, each ending CRLF. */
char	*base64_encode_lines(const char *data, size_t len);

/* RFC 2047 encoded-words (UTF-8, Q or B, each at most 75 characters,
 * never splitting a UTF-8 sequence) joined by CRLF SP.  A value that is
 * pure ASCII, without "=?" and without a word too long to fold, is
 * returned copied.  Caller frees. */
char	*rfc2047_encode(const char *utf8);

/* 1 if ADDR is a plain local@domain we are willing to put in a header. */
int	 addr_valid(const char *addr);

#endif
