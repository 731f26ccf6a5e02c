/*
 * message.h - one incoming mail, parsed into plain C strings.
 *
 * Pure: bytes in, a struct out; no I/O, no logging, no global state.  The
 * MIME structure comes from libetpan (mailmime_parse) after a repair pass
 * (line endings, mbox "From " line, broken header folds, a trailing opening
 * delimiter); headers, addresses, RFC 2047, RFC 2231, transfer encodings,
 * charsets and format=flowed are decoded here, so that a lying or unknown
 * charset degrades to readable text instead of an error.
 *
 * Every string in struct message is NUL-terminated, owned by the message
 * and freed by message_free().  Text fields are valid UTF-8 with "\n" line
 * ends and no NUL bytes; attachment data is raw bytes (len counts them, a
 * NUL is appended after them for convenience).
 */
#ifndef TRUCD_MESSAGE_H
#define TRUCD_MESSAGE_H

#include <stddef.h>

struct header {
	char	*name;		/* as written, e.g. "Content-Type" */
	char	*value;		/* unfolded, raw (not RFC 2047 decoded), trimmed */
};

struct attachment {
	char	*filename;	/* UTF-8 (RFC 2231 / RFC 2047 decoded), NULL if none */
	char	*content_type;	/* lower-case "type/subtype" */
	char	*data;		/* decoded bytes */
	size_t	 len;
};

struct parse_limits {
	size_t	 max_size;	/* bytes; over it only headers are parsed (default 10 MB) */
	size_t	 max_lines;	/* body lines kept (default 2000) */
};
#define PARSE_MAX_SIZE	(10u * 1024 * 1024)
#define PARSE_MAX_LINES	2000u

struct message {
	struct header	*headers;	/* top-level headers in order */
	size_t		 nheaders;
	char	*message_id;	/* without <>, NULL if none */
	char	*from_addr;	/* addr-spec of From, as written; NULL if none/unparsable */
	char	*from_name;	/* display name decoded to UTF-8, may be NULL */
	char	*sender_addr;	/* may be NULL */
	char	*reply_to_addr;	/* first Reply-To address, may be NULL */
	char	*return_path;	/* NULL when no Return-Path header; "" for <> */
	char	*subject;	/* decoded to UTF-8, "" if none */
	char	*in_reply_to;	/* first msg-id without <>, may be NULL */
	char	*references;	/* raw References value, may be NULL */
	char	*content_language; /* may be NULL */
	/*
	 * The body as UTF-8 text: the text/plain part(s) (format=flowed
	 * joined, delsp honoured), else the text of the text/html part(s);
	 * "" if none.  HTML quotes (<blockquote>, div.gmail_quote, Outlook's
	 * #divRplyFwdMsg / #appendonsend and all that follows) come out as
	 * "> " lines.  A forwarded message/rfc822 part is never in text.
	 */
	char	*text;
	char	*html;		/* first text/html part decoded to UTF-8, NULL if none */
	char	*calendar;	/* first text/calendar part decoded, NULL if none */
	struct attachment *attachments;	/* parts with a filename or disposition attachment */
	size_t		 nattachments;
	size_t	 raw_size;
	int	 headers_only;	/* 1 when raw_size > max_size: body not parsed */
	int	 truncated;	/* 1 when text was cut at max_lines */

	/* What classify() needs to recognise reports (outside forwarded parts). */
	char	*report_type;	/* lower-case report-type of a multipart/report,
				   "" when the parameter is missing, NULL if no report */
	char	*delivery_status; /* message/delivery-status part(s), decoded text, NULL if none */
	int	 has_mdn;	/* a message/disposition-notification part */
	int	 has_feedback_report; /* a message/feedback-report part */
};

/*
 * Parses len bytes at raw (NUL bytes allowed).  limits may be NULL for the
 * defaults, and a zero field means its default.  Never fails on bad input:
 * only a message that libetpan cannot parse at all yields -1 with *cause set
 * (an English sentence, caller frees) and *out NULL.  Returns 0 and *out
 * (caller frees with message_free) otherwise.
 */
int	 message_parse(const char *raw, size_t len, const struct parse_limits *,
	    struct message **out, char **cause);
void	 message_free(struct message *);
/* First header of that name, case-insensitive, or NULL.  Points into m. */
const char *message_header(const struct message *, const char *name);

/*
 * Decoding helpers, exposed for the tests and for other modules.  All
 * return a new NUL-terminated UTF-8 string that the caller frees.
 */
/* RFC 2047 encoded-words and raw 8-bit (UTF-8, else windows-1252). */
char	*mime_decode_words(const char *s, size_t len);
/*
 * Bytes in charset (NULL or "" means unknown) to UTF-8.  An unknown charset
 * or bytes that are not valid in it fall back to UTF-8 where valid, else
 * windows-1252; NUL bytes are dropped.  *outlen gets the length if not NULL.
 */
char	*charset_to_utf8(const char *charset, const char *s, size_t len,
	    size_t *outlen);
/* RFC 3676: joins flowed lines of UTF-8 text ("\n" line ends). */
char	*unflow_text(const char *s, size_t len, int delsp);

#endif
