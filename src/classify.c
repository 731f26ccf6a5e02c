/*
 * classify.c - people, robots, bounces, receipts (see classify.h).
 *
 * The order of the tests is the point of this file: reports first, then
 * bounces, then the other robot signs, because a bounce carries most of
 * those signs too and must still be read as a bounce.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "message.h"
#include "util.h"

/* ------------------------------------------------------------ helpers */

static void
add_failed(struct classification *c, const char *a, size_t n)
{
	char	*s;

	while (n > 0 && (*a == '<' || *a == ' ' || *a == '\t' || *a == '"')) {
		a++;
		n--;
	}
	while (n > 0 && (a[n - 1] == '>' || a[n - 1] == ' ' ||
	    a[n - 1] == '\t' || a[n - 1] == '.' || a[n - 1] == '"'))
		n--;
	if (n == 0 || memchr(a, '@', n) == NULL || c->nfailed >= 100)
		return;
	s = xstrndup(a, n);
	ascii_lower(s);
	for (size_t i = 0; i < c->nfailed; i++)
		if (strcmp(c->failed[i], s) == 0) {
			free(s);
			return;
		}
	c->failed = xreallocarray(c->failed, c->nfailed + 1, sizeof(char *));
	c->failed[c->nfailed++] = s;
}

static void
clear_failed(struct classification *c)
{
	for (size_t i = 0; i < c->nfailed; i++)
		free(c->failed[i]);
	free(c->failed);
	c->failed = NULL;
	c->nfailed = 0;
}

/* Case-insensitive substring search (ASCII). */
static const char *
ci_strstr(const char *hay, const char *needle)
{
	size_t	n = strlen(needle);

	if (hay == NULL)
		return NULL;
	for (; *hay; hay++)
		if (ascii_strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* The first token of a header value, lower-cased, in a small buffer. */
static void
first_token(const char *v, char *out, size_t outsz)
{
	size_t	o = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	while (*v && *v != ' ' && *v != '\t' && *v != ';' && *v != '(' &&
	    *v != ',' && *v != '\r' && *v != '\n' && o + 1 < outsz)
		out[o++] = *v++;
	out[o] = '\0';
	ascii_lower(out);
}

/*
 * The local part of an address, lower-cased with everything but letters
 * and digits dropped ("No-Reply" -> "noreply", "ne_pas_répondre" ->
 * "nepasrpondre").
 */
static void
squeezed_local(const char *addr, char *out, size_t outsz)
{
	size_t	o = 0;

	out[0] = '\0';
	if (addr == NULL)
		return;
	for (; *addr && *addr != '@' && o + 1 < outsz; addr++) {
		int c = (unsigned char)*addr;

		if (c >= 'A' && c <= 'Z')
			c += 32;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static int
is_mailer_daemon(const char *addr)
{
	char	l[64];

	squeezed_local(addr, l, sizeof(l));
	return strstr(l, "mailerdaemon") != NULL;
}

static int
is_postmaster(const char *addr)
{
	char	l[64];

	squeezed_local(addr, l, sizeof(l));
	return strcmp(l, "postmaster") == 0;
}

static int
is_noreply(const char *addr)
{
	static const char *const words[] = {
		"noreply", "donotreply", "dontreply", "nepasrepondre",
		"nepasrpondre", "nerepondezpas", "nerpondezpas", "noreplies",
	};
	char	l[64];

	squeezed_local(addr, l, sizeof(l));
	for (size_t i = 0; i < nitems(words); i++)
		if (strstr(l, words[i]) != NULL)
			return 1;
	return 0;
}

/* ---------------------------------------------------------- DSN parse */

enum { R_NONE, R_SUCCESS, R_DELAYED, R_FAILED_TEMP, R_FAILED_PERM };

struct rcpt {
	char	addr[256];	/* Original-Recipient, else Final-Recipient */
	char	final[256];
	char	action[32];
	char	status[32];
};

/* The address of an "rfc822; a@b" recipient field. */
static void
recipient_addr(const char *v, size_t n, char *out, size_t outsz)
{
	const char *semi = memchr(v, ';', n);
	size_t	o = 0;

	if (semi != NULL) {
		n -= (size_t)(semi + 1 - v);
		v = semi + 1;
	}
	while (n > 0 && (*v == ' ' || *v == '\t' || *v == '<')) {
		v++;
		n--;
	}
	while (n > 0 && o + 1 < outsz && *v != ' ' && *v != '\t' &&
	    *v != '>') {
		out[o++] = *v++;
		n--;
	}
	out[o] = '\0';
}

static int
rcpt_result(const struct rcpt *r)
{
	if (r->action[0] == '\0')
		return R_NONE;
	if (strcmp(r->action, "failed") == 0) {
		if (r->status[0] == '4')
			return R_FAILED_TEMP;
		return R_FAILED_PERM;	/* 5.x.x, or no status: it gave up */
	}
	if (strcmp(r->action, "delayed") == 0)
		return R_DELAYED;
	return R_SUCCESS;		/* delivered, relayed, expanded */
}

/*
 * Reads the per-recipient groups of a delivery-status body.  Returns 1 and
 * fills c when at least one group has an Action, 0 if the report says
 * nothing usable.
 */
static int
classify_dsn(const char *dsn, struct classification *c)
{
	struct rcpt	 r[64];
	size_t		 nr = 0, i = 0, len = strlen(dsn);
	int		 in_group = 0, worst = R_NONE;
	int		 results[64];

	memset(r, 0, sizeof(r));
	while (i <= len && nr < nitems(r)) {
		size_t	e = i, colon;
		const char *line = dsn + i;

		while (e < len && dsn[e] != '\n')
			e++;
		if (e == i || (e == i + 1 && dsn[i] == '\r')) {
			/* A blank line ends a group. */
			if (in_group && (r[nr].addr[0] || r[nr].final[0]))
				nr++;
			if (nr < nitems(r))
				memset(&r[nr], 0, sizeof(r[nr]));
			in_group = 0;
			i = e + 1;
			continue;
		}
		in_group = 1;
		colon = 0;
		while (i + colon < e && line[colon] != ':')
			colon++;
		if (i + colon < e && line[0] != ' ' && line[0] != '\t') {
			const char *v = line + colon + 1;
			size_t	    vn = e - (i + colon + 1);

			if (colon == 18 && ascii_strncasecmp(line,
			    "Original-Recipient", 18) == 0)
				recipient_addr(v, vn, r[nr].addr,
				    sizeof(r[nr].addr));
			else if (colon == 15 && ascii_strncasecmp(line,
			    "Final-Recipient", 15) == 0)
				recipient_addr(v, vn, r[nr].final,
				    sizeof(r[nr].final));
			else if (colon == 6 && ascii_strncasecmp(line,
			    "Action", 6) == 0) {
				char	tmp[32];
				size_t	k = vn < sizeof(tmp) - 1 ? vn : sizeof(tmp) - 1;

				memcpy(tmp, v, k);
				tmp[k] = '\0';
				first_token(tmp, r[nr].action,
				    sizeof(r[nr].action));
			} else if (colon == 6 && ascii_strncasecmp(line,
			    "Status", 6) == 0) {
				char	tmp[32];
				size_t	k = vn < sizeof(tmp) - 1 ? vn : sizeof(tmp) - 1;

				memcpy(tmp, v, k);
				tmp[k] = '\0';
				first_token(tmp, r[nr].status,
				    sizeof(r[nr].status));
			}
		}
		i = e + 1;
	}
	if (in_group && nr < nitems(r) && (r[nr].addr[0] || r[nr].final[0]))
		nr++;

	for (size_t k = 0; k < nr; k++) {
		results[k] = rcpt_result(&r[k]);
		if (results[k] > worst)
			worst = results[k];
	}
	if (worst == R_NONE)
		return 0;
	c->cls = MSG_BOUNCE;
	c->permanent = worst == R_FAILED_PERM;
	switch (worst) {
	case R_FAILED_PERM:
		c->why = "delivery-status report: failed (5.x.x)";
		break;
	case R_FAILED_TEMP:
		c->why = "delivery-status report: failed with a 4.x.x status, "
		    "taken as temporary";
		break;
	case R_DELAYED:
		c->why = "delivery-status report: delayed";
		break;
	default:
		c->why = "delivery-status report without failure";
		break;
	}
	for (size_t k = 0; k < nr; k++) {
		if (results[k] != worst || worst == R_SUCCESS)
			continue;
		if (r[k].addr[0])
			add_failed(c, r[k].addr, strlen(r[k].addr));
		if (r[k].final[0])
			add_failed(c, r[k].final, strlen(r[k].final));
	}
	return 1;
}

/* ------------------------------------------------ non-standard bounces */

static const char *const bounce_subjects[] = {
	"undeliverable", "undelivered mail", "undeliverable mail",
	"non remis", "non distribuable", "delivery status notification",
	"failure notice", "mail delivery failed", "delivery failure",
	"delivery notification", "delivery has failed", "returned mail",
	"mail delivery system", "message non remis", "nondeliverable",
	"mail system error", "could not send message", "delayed mail",
	"unzustellbar", "non recapitabile", "no entregado",
	"rapport de remise", "retour de message", "delivery problem",
	"mail delivery problem", "undelivered", "returned to sender",
};

/* The bounce's text stops where the returned original begins. */
static const char *const original_markers[] = {
	"------ This is a copy of the message",
	"--- Below this line is a copy of the message",
	"----- Original message -----",
	"-----Original Message-----",
	"--- Original message follows",
	"Original message headers:",
	"En-t\xc3\xaates de message d'origine",
	"------ Original Message",
	"----- Message d'origine",
	"Le message original",
	"The original message was",
};

static int
bounce_like(const struct message *m)
{
	const char	*subject = m->subject ? m->subject : "";
	int		 robot_sender;

	if (message_header(m, "X-Failed-Recipients") != NULL ||
	    message_header(m, "X-MS-Exchange-Message-Is-Ndr") != NULL)
		return 1;
	if (m->report_type != NULL &&
	    strcmp(m->report_type, "delivery-status") == 0 &&
	    m->delivery_status == NULL)
		return 1;
	robot_sender = is_mailer_daemon(m->from_addr) ||
	    is_postmaster(m->from_addr) ||
	    (m->return_path != NULL && m->return_path[0] == '\0') ||
	    is_mailer_daemon(m->return_path);
	if (!robot_sender)
		return 0;
	for (size_t i = 0; i < nitems(bounce_subjects); i++)
		if (ci_strstr(subject, bounce_subjects[i]) != NULL)
			return 1;
	return 0;
}

/* The notification part of the text, before the returned original. */
static char *
notification_text(const char *text)
{
	size_t	cut = strlen(text);

	for (size_t i = 0; i < nitems(original_markers); i++) {
		const char *p = ci_strstr(text, original_markers[i]);

		/* "The original message was received at ..." opens sendmail's
		 * notice: only the later markers cut. */
		if (p != NULL && (size_t)(p - text) < cut &&
		    strcmp(original_markers[i], "The original message was") != 0)
			cut = (size_t)(p - text);
	}
	return xstrndup(text, cut);
}

static int
addr_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80 ||
	    strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

static int
domain_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80 || c == '.' || c == '-';
}

static int
same_addr(const char *a, size_t n, const char *b)
{
	return b != NULL && strlen(b) == n && ascii_strncasecmp(a, b, n) == 0;
}

/* Every address in the notification but the bounce's own and robots'. */
static void
scan_addresses(const struct message *m, const char *text,
    const char *school_addr, struct classification *c)
{
	const char	*to = message_header(m, "To");
	const char	*delivered = message_header(m, "Delivered-To");

	size_t		 seen = 0;

	/* A bounce names a handful of addresses: stop well after that. */
	for (const char *at = strchr(text, '@'); at != NULL && seen++ < 300;
	    at = strchr(at + 1, '@')) {
		const char	*s = at, *e = at + 1;
		char		 tmp[320];
		size_t		 n;

		while (s > text && addr_char((unsigned char)s[-1]))
			s--;
		while (*e && domain_char((unsigned char)*e))
			e++;
		while (e > at + 1 && (e[-1] == '.' || e[-1] == '-'))
			e--;
		while (s < at && (*s == '.' || *s == '\''))
			s++;
		n = (size_t)(e - s);
		if (s == at || e == at + 1 || n >= sizeof(tmp) ||
		    memchr(at + 1, '.', (size_t)(e - at - 1)) == NULL)
			continue;
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (same_addr(s, n, m->from_addr) ||
		    same_addr(s, n, m->return_path) ||
		    same_addr(s, n, m->sender_addr) ||
		    same_addr(s, n, school_addr) ||
		    (to != NULL && ci_strstr(to, tmp) != NULL) ||
		    (delivered != NULL && ci_strstr(delivered, tmp) != NULL) ||
		    is_mailer_daemon(tmp) || is_postmaster(tmp))
			continue;
		add_failed(c, s, n);
	}
}

/* 5 or 4 for the first enhanced status code (x.y.z) found, else 0. */
static int
enhanced_code(const char *t, int want)
{
	for (const char *p = t; *p; p++) {
		const char *q = p + 1;
		int	    d;

		if (*p != want || p[1] != '.' ||
		    (p > t && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')))
			continue;
		q = p + 2;
		for (d = 0; *q >= '0' && *q <= '9' && d < 4; q++)
			d++;
		if (d == 0 || d > 3 || *q != '.')
			continue;
		q++;
		for (d = 0; *q >= '0' && *q <= '9' && d < 4; q++)
			d++;
		if (d == 0 || d > 3 || (*q >= '0' && *q <= '9') || *q == '.')
			continue;
		return want - '0';
	}
	return 0;
}

/* A three-digit SMTP reply (550, 421, ...) after a blank or "said:". */
static int
smtp_code(const char *t, int want)
{
	for (const char *p = t; *p; p++) {
		if (*p != want || p[1] < '0' || p[1] > '5' || p[2] < '0' ||
		    p[2] > '9' || (p[3] != ' ' && p[3] != '-'))
			continue;
		if (p > t && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n' &&
		    p[-1] != '\'' && p[-1] != '(' && p[-1] != ':')
			continue;
		return want - '0';
	}
	return 0;
}

static const char *const permanent_phrases[] = {
	"permanent", "not recognized", "unknown", "does not exist",
	"doesn't exist", "no such", "not found", "not listed", "introuvable",
	"n'existe pas", "inconnu", "invalid", "rejected", "disabled",
	"deactivated", "unrouteable", "unroutable", "user not", "no mailbox",
};
static const char *const temporary_phrases[] = {
	"delay", "will retry", "will keep trying", "temporar",
	"try again later", "essayer plus tard", "still undelivered",
	"not yet been delivered", "warning",
};

static void
classify_nonstandard(const struct message *m, const char *school_addr,
    struct classification *c)
{
	const char	*fr = message_header(m, "X-Failed-Recipients");
	char		*t = notification_text(m->text ? m->text : "");
	int		 perm = -1;

	c->cls = MSG_BOUNCE;
	if (fr != NULL) {
		const char *p = fr;

		while (*p) {
			size_t	n = strcspn(p, ", \t");

			if (n > 0)
				add_failed(c, p, n);
			p += n;
			if (*p)
				p++;
		}
	}
	if (c->nfailed == 0)
		scan_addresses(m, t, school_addr, c);

	if (enhanced_code(t, '5')) {
		perm = 1;
		c->why = "bounce: 5.x.x status in the text";
	} else if (enhanced_code(t, '4')) {
		perm = 0;
		c->why = "bounce: 4.x.x status in the text";
	}
	for (size_t i = 0; perm == -1 && i < nitems(temporary_phrases); i++)
		if (ci_strstr(t, temporary_phrases[i]) != NULL ||
		    ci_strstr(m->subject, temporary_phrases[i]) != NULL) {
			perm = 0;
			c->why = "bounce: delay or temporary failure text";
		}
	for (size_t i = 0; perm == -1 && i < nitems(permanent_phrases); i++)
		if (ci_strstr(t, permanent_phrases[i]) != NULL ||
		    ci_strstr(m->subject, permanent_phrases[i]) != NULL) {
			perm = 1;
			c->why = "bounce: permanent failure text";
		}
	if (perm == -1 && smtp_code(t, '5')) {
		perm = 1;
		c->why = "bounce: 5xx reply in the text";
	} else if (perm == -1 && smtp_code(t, '4')) {
		perm = 0;
		c->why = "bounce: 4xx reply in the text";
	}
	if (perm == -1) {
		/* Nothing says "later": the server gave up. */
		perm = ci_strstr(m->subject, "fail") != NULL ||
		    ci_strstr(m->subject, "undeliver") != NULL ||
		    ci_strstr(m->subject, "non remis") != NULL;
		c->why = perm ? "bounce: failure subject" :
		    "bounce without a failure reason";
	}
	c->permanent = perm;
	free(t);
}

/* ---------------------------------------------------------- the robots */

/*
 * Folds the subject to lower-case ASCII where French accents are
 * concerned (é -> e, à -> a, ...), so "Réponse automatique" and
 * "REPONSE AUTOMATIQUE" compare alike.
 */
static char *
fold(const char *s)
{
	static const struct { const char *u; char a; } accents[] = {
		{ "\xc3\xa0", 'a' }, { "\xc3\xa2", 'a' }, { "\xc3\xa4", 'a' },
		{ "\xc3\xa7", 'c' }, { "\xc3\xa8", 'e' }, { "\xc3\xa9", 'e' },
		{ "\xc3\xaa", 'e' }, { "\xc3\xab", 'e' }, { "\xc3\xae", 'i' },
		{ "\xc3\xaf", 'i' }, { "\xc3\xb4", 'o' }, { "\xc3\xb6", 'o' },
		{ "\xc3\xb9", 'u' }, { "\xc3\xbb", 'u' }, { "\xc3\xbc", 'u' },
		{ "\xc3\x80", 'a' }, { "\xc3\x82", 'a' }, { "\xc3\x87", 'c' },
		{ "\xc3\x88", 'e' }, { "\xc3\x89", 'e' }, { "\xc3\x8a", 'e' },
		{ "\xc3\x8b", 'e' }, { "\xc3\x8e", 'i' }, { "\xc3\x94", 'o' },
		{ "\xc3\x99", 'u' }, { "\xc3\x9b", 'u' }, { "\xc5\xba", 'z' },
		{ "\xc2\xa0", ' ' },
	};
	struct buf	b = BUF_INIT;

	for (; *s; s++) {
		size_t	k;

		for (k = 0; k < nitems(accents); k++)
			if (s[0] == accents[k].u[0] && s[1] == accents[k].u[1])
				break;
		if (k < nitems(accents)) {
			buf_addc(&b, accents[k].a);
			s++;
			continue;
		}
		buf_addc(&b, (*s >= 'A' && *s <= 'Z') ? *s + 32 : *s);
	}
	return buf_detach(&b);
}

static const char *const ooo_anywhere[] = {
	"reponse automatique", "absence du bureau", "absent du bureau",
	"absente du bureau", "automatic reply", "auto reply", "auto-reply",
	"autoreply", "auto response", "auto-response", "autorespons",
	"automatic response", "out of office", "out of the office",
	"message d'absence", "notification d'absence", "abwesenheitsnotiz",
	"automatische antwort", "risposta automatica", "respuesta automatica",
	"fuera de la oficina", "automatyczna odpowied", "vacation reply",
	"reponse en absence",
};
/* Only at the start: "Absent" alone may well be a person's subject. */
static const char *const ooo_prefix[] = {
	"absent:", "absent :", "absente:", "absente :", "absence:",
	"absence :", "absent du ", "absente du ", "absent jusqu",
	"absente jusqu", "ooo:", "ooo :",
};

static int
ooo_subject(const char *subject)
{
	char	*f, *p;
	int	 hit = 0;

	if (subject == NULL || *subject == '\0')
		return 0;
	f = fold(subject);
	for (size_t i = 0; !hit && i < nitems(ooo_anywhere); i++)
		hit = strstr(f, ooo_anywhere[i]) != NULL;
	p = f;
	while (*p == ' ' || *p == '[')
		p++;
	for (size_t i = 0; !hit && i < nitems(ooo_prefix); i++)
		hit = strncmp(p, ooo_prefix[i], strlen(ooo_prefix[i])) == 0;
	free(f);
	return hit;
}

static const struct {
	const char	*header;
	const char	*why;
} robot_headers[] = {
	{ "X-Auto-Response-Suppress", "X-Auto-Response-Suppress" },
	{ "X-Autoreply", "X-Autoreply" },
	{ "X-Autorespond", "X-Autorespond" },
	{ "X-Autoresponder", "X-Autoresponder" },
	{ "X-AutoReply-From", "X-AutoReply-From" },
	{ "X-Mail-Autoreply", "X-Mail-Autoreply" },
	{ "X-Autogenerated", "X-Autogenerated" },
	{ "X-Vacation", "X-Vacation" },
	{ "X-FC-MachineGenerated", "X-FC-MachineGenerated" },
};

static const char *
robot_reason(const struct message *m, const char *school_addr)
{
	const char	*v;
	char		 tok[32];

	if ((v = message_header(m, "Auto-Submitted")) != NULL) {
		first_token(v, tok, sizeof(tok));
		if (strcmp(tok, "no") != 0) {
			if (strcmp(tok, "auto-replied") == 0)
				return "Auto-Submitted: auto-replied";
			if (strcmp(tok, "auto-generated") == 0)
				return "Auto-Submitted: auto-generated";
			if (strcmp(tok, "auto-notified") == 0)
				return "Auto-Submitted: auto-notified";
			return "Auto-Submitted other than no";
		}
	}
	for (size_t i = 0; i < nitems(robot_headers); i++) {
		v = message_header(m, robot_headers[i].header);
		if (v == NULL)
			continue;
		first_token(v, tok, sizeof(tok));
		if (*tok != '\0' && strcmp(tok, "no") != 0 &&
		    strcmp(tok, "false") != 0)
			return robot_headers[i].why;
	}
	if ((v = message_header(m, "X-Apple-Action")) != NULL &&
	    ci_strstr(v, "vacation") != NULL)
		return "X-Apple-Action: VACATION";
	if ((v = message_header(m, "Precedence")) != NULL) {
		first_token(v, tok, sizeof(tok));
		if (strcmp(tok, "bulk") == 0)
			return "Precedence: bulk";
		if (strcmp(tok, "junk") == 0)
			return "Precedence: junk";
		if (strcmp(tok, "list") == 0)
			return "Precedence: list";
	}
	if (m->return_path != NULL && m->return_path[0] == '\0')
		return "empty return path";
	if (is_mailer_daemon(m->from_addr) || is_mailer_daemon(m->sender_addr) ||
	    is_mailer_daemon(m->return_path))
		return "MAILER-DAEMON sender";
	if (is_postmaster(m->from_addr))
		return "postmaster sender";
	if (is_noreply(m->from_addr) || is_noreply(m->sender_addr))
		return "noreply sender";
	if (ooo_subject(m->subject))
		return "out-of-office subject";
	if (school_addr != NULL && *school_addr != '\0' && m->from_addr != NULL &&
	    ascii_strcasecmp(m->from_addr, school_addr) == 0)
		return "the school's own address";
	return NULL;
}

/* ------------------------------------------------------------- public */

void
classify(const struct message *m, const char *school_addr,
    struct classification *c)
{
	const char	*rt = m->report_type;
	const char	*why;

	memset(c, 0, sizeof(*c));
	c->cls = MSG_PERSON;
	c->why = "no robot sign";

	if (m->has_feedback_report ||
	    (rt != NULL && strcmp(rt, "feedback-report") == 0)) {
		c->cls = MSG_ABUSE_REPORT;
		c->why = "feedback report (ARF)";
		return;
	}
	if (m->has_mdn ||
	    (rt != NULL && strcmp(rt, "disposition-notification") == 0)) {
		c->cls = MSG_RECEIPT;
		c->why = "disposition notification (read receipt)";
		return;
	}
	if (m->delivery_status != NULL && classify_dsn(m->delivery_status, c))
		return;
	clear_failed(c);
	if (bounce_like(m)) {
		classify_nonstandard(m, school_addr, c);
		return;
	}
	if ((why = robot_reason(m, school_addr)) != NULL) {
		c->cls = MSG_AUTOREPLY;
		c->why = why;
	}
}

void
classification_free(struct classification *c)
{
	if (c == NULL)
		return;
	clear_failed(c);
}

const char *
msg_class_name(enum msg_class cls)
{
	switch (cls) {
	case MSG_PERSON:
		return "person";
	case MSG_AUTOREPLY:
		return "autoreply";
	case MSG_RECEIPT:
		return "receipt";
	case MSG_BOUNCE:
		return "bounce";
	case MSG_ABUSE_REPORT:
		return "abuse-report";
	}
	return "unknown";
}
