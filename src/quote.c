/*
 * quote.c - the person's own words of a reply (see quote.h).
 *
 * The text is folded once (fold.h) and cut into lines; every test looks at
 * the folded line, the output copies the original bytes.  One forward scan,
 * with a bounded look-ahead (a few lines) at each line: linear time, no
 * regular expressions.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "fold.h"
#include "quote.h"

struct qline {
	const char	*raw;		/* original bytes, without the line end */
	size_t		 rawlen;
	const char	*f;		/* folded, blanks trimmed on both sides */
	size_t		 flen;
};

/* Bounded look-ahead: an attribution wraps over at most this many lines. */
#define ATTR_LINES	4
/* A header block ("De : / Envoyé : / À : / Objet :") spans at most this. */
#define BLOCK_LINES	12
/* A mobile footer is one short line. */
#define FOOTER_MAX	120
/* An attribution is one short sentence, even wrapped. */
#define ATTR_MAX	400

static int
is_sp(int c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return c >= 'a' && c <= 'z';
}

/* Splits s[0..len) into lines at LF, CRLF or a lone CR. */
static size_t
split_lines(const char *s, size_t len, const char ***startp, size_t **lenp)
{
	size_t n = 0, cap = 16, i = 0;
	const char **st = xreallocarray(NULL, cap, sizeof(*st));
	size_t *ln = xreallocarray(NULL, cap, sizeof(*ln));

	while (i < len) {
		size_t b = i;

		while (i < len && s[i] != '\n' && s[i] != '\r')
			i++;
		if (n == cap) {
			cap *= 2;
			st = xreallocarray(st, cap, sizeof(*st));
			ln = xreallocarray(ln, cap, sizeof(*ln));
		}
		st[n] = s + b;
		ln[n] = i - b;
		n++;
		if (i < len && s[i] == '\r') {
			i++;
			if (i < len && s[i] == '\n')
				i++;
		} else if (i < len)
			i++;
	}
	*startp = st;
	*lenp = ln;
	return n;
}

static int
blank(const struct qline *l)
{
	return l->flen == 0;
}

static int
quoted(const struct qline *l)
{
	return l->flen > 0 && l->f[0] == '>';
}

static int
text(const struct qline *l)
{
	return !blank(l) && !quoted(l);
}

static int
starts(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && memcmp(s, p, pl) == 0;
}

static int
ends(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && memcmp(s + n - pl, p, pl) == 0;
}

static int
contains(const char *s, size_t n, const char *p)
{
	return memmem(s, n, p, strlen(p)) != NULL;
}

static int
has_digit_or_at(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_digit((unsigned char)s[i]) || s[i] == '@')
			return 1;
	return 0;
}

/* "--" and "-- ": the usenet signature separator. */
static int
is_signature(const struct qline *l)
{
	return l->flen == 2 && l->f[0] == '-' && l->f[1] == '-';
}

static const char *const footers[] = {
	"envoye de mon ", "envoye depuis ", "envoye a partir de ",
	"envoye avec ", "envoye via ", "envoye de ma ",
	"sent from my ", "sent from ", "sent with ", "sent via ",
	"(sent from ", "<<sent by ", "get outlook for ", "get [outlook for ",
	"telecharger outlook pour ", "obtenir outlook pour ",
	"obtenez outlook pour ", "von meinem ", "gesendet von meinem ",
	"sendt fra min ", "skickat fran min ", "verzonden met ",
	"verstuurd vanaf mijn ", "enviado desde mi ", "enviado do meu ",
	"inviato da ", "wyslane z mojego ", "diese nachricht wurde von meinem ",
};

static int
is_footer(const struct qline *l)
{
	if (l->flen > FOOTER_MAX)
		return 0;
	for (size_t i = 0; i < nitems(footers); i++)
		if (starts(l->f, l->flen, footers[i]))
			return 1;
	return 0;
}

static const char *const separators[] = {
	"message d'origine", "original message", "forwarded message",
	"message transfere", "courriel d'origine", "e-mail d'origine",
	"message original", "mail d'origine", "reply message",
	"ursprungliche nachricht", "weitergeleitete nachricht",
	"mensaje original", "mensaje reenviado", "messaggio originale",
	"messaggio inoltrato", "oorspronkelijk bericht", "doorgestuurd bericht",
	"opprinnelig melding", "ursprungligt meddelande",
	"oprindelig meddelelse", "wiadomosc oryginalna", "mensagem original",
	"mensagem encaminhada",
};

static const char *const forward_lines[] = {
	"debut du message reexpedie", "debut du message transfere",
	"begin forwarded message", "message transfere", "forwarded message",
	"message reexpedie",
};

/* "-----Original Message-----", "*-------- Message d'origine --------*",
 * "Début du message réexpédié :", "______" */
static int
is_separator(const struct qline *l)
{
	const char *s = l->f;
	size_t n = l->flen, lead = 0, i;

	for (i = 0; i < n && s[i] == '_'; i++)
		;
	if (i == n && n >= 5)
		return 1;

	while (n > 0 && (s[0] == '*' || is_sp((unsigned char)s[0]))) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == '*' || is_sp((unsigned char)s[n - 1])))
		n--;
	while (lead < n && s[lead] == '-')
		lead++;
	s += lead;
	n -= lead;
	while (n > 0 && s[n - 1] == '-')
		n--;
	while (n > 0 && (is_sp((unsigned char)s[0]))) {
		s++;
		n--;
	}
	while (n > 0 && (is_sp((unsigned char)s[n - 1]) || s[n - 1] == ':'))
		n--;
	if (n == 0)
		return 0;
	if (lead >= 2) {
		for (i = 0; i < nitems(separators); i++)
			if (n == strlen(separators[i]) &&
			    memcmp(s, separators[i], n) == 0)
				return 1;
	} else if (lead == 0) {
		for (i = 0; i < nitems(forward_lines); i++)
			if (n == strlen(forward_lines[i]) &&
			    memcmp(s, forward_lines[i], n) == 0 &&
			    l->f[l->flen - 1] == ':')
				return 1;
	}
	return 0;
}

enum field { F_NONE, F_FROM, F_SENT, F_DATE, F_TO, F_CC, F_SUBJECT, F_REPLY };

static const struct {
	const char	*name;
	enum field	 field;
} fields[] = {
	{ "from", F_FROM }, { "de", F_FROM }, { "von", F_FROM },
	{ "da", F_FROM }, { "van", F_FROM }, { "od", F_FROM },
	{ "fra", F_FROM }, { "fran", F_FROM }, { "expediteur", F_FROM },
	{ "sent", F_SENT }, { "envoye", F_SENT }, { "envoye le", F_SENT },
	{ "gesendet", F_SENT }, { "inviato", F_SENT }, { "enviado", F_SENT },
	{ "verzonden", F_SENT }, { "sendt", F_SENT }, { "skickat", F_SENT },
	{ "wyslano", F_SENT }, { "sent date", F_SENT },
	{ "date", F_DATE }, { "datum", F_DATE }, { "data", F_DATE },
	{ "fecha", F_DATE }, { "dato", F_DATE },
	{ "to", F_TO }, { "a", F_TO }, { "an", F_TO }, { "aan", F_TO },
	{ "para", F_TO }, { "til", F_TO }, { "till", F_TO }, { "do", F_TO },
	{ "pour", F_TO }, { "destinataire", F_TO }, { "destinataires", F_TO },
	{ "cc", F_CC }, { "cci", F_CC }, { "bcc", F_CC }, { "copie", F_CC },
	{ "copie a", F_CC }, { "kopie", F_CC }, { "kopia", F_CC },
	{ "subject", F_SUBJECT }, { "objet", F_SUBJECT },
	{ "sujet", F_SUBJECT }, { "betreff", F_SUBJECT },
	{ "oggetto", F_SUBJECT }, { "asunto", F_SUBJECT },
	{ "onderwerp", F_SUBJECT }, { "emne", F_SUBJECT },
	{ "amne", F_SUBJECT }, { "temat", F_SUBJECT },
	{ "assunto", F_SUBJECT },
	{ "reply-to", F_REPLY }, { "repondre a", F_REPLY },
	{ "risposta", F_REPLY }, { "antwort an", F_REPLY },
};

/* Outlook in Russian, matched on the original bytes. */
static const struct {
	const char	*name;
	enum field	 field;
} raw_fields[] = {
	{ "\xd0\x9e\xd1\x82:", F_FROM },					/* От: */
	{ "\xd0\x9e\xd1\x82\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xbb\xd0\xb5\xd0\xbd\xd0\xbe:",
	    F_SENT },							/* Отправлено: */
	{ "\xd0\x9a\xd0\xbe\xd0\xbc\xd1\x83:", F_TO },			/* Кому: */
	{ "\xd0\xa2\xd0\xb5\xd0\xbc\xd0\xb0:", F_SUBJECT },		/* Тема: */
	{ "\xd0\x94\xd0\xb0\xd1\x82\xd0\xb0:", F_DATE },		/* Дата: */
	{ "\xd0\x9a\xd0\xbe\xd0\xbf\xd0\xb8\xd1\x8f:", F_CC },	/* Копия: */
};

/* The header field a line starts with: "De : x", "*From:* x", "À : x". */
static enum field
field_of(const struct qline *l)
{
	const char *s = l->f;
	size_t n = l->flen, i = 0, e;

	if (n > 0 && s[0] == '~') {
		const char *r = l->raw;
		size_t rn = l->rawlen;

		while (rn > 0 && is_sp((unsigned char)*r)) {
			r++;
			rn--;
		}
		for (size_t k = 0; k < nitems(raw_fields); k++)
			if (starts(r, rn, raw_fields[k].name))
				return raw_fields[k].field;
		return F_NONE;
	}

	while (i < n && (s[i] == '*' || is_sp((unsigned char)s[i])))
		i++;
	for (e = i; e < n && e - i < 24 && s[e] != ':'; e++)
		if (!is_alpha((unsigned char)s[e]) && s[e] != ' ' &&
		    s[e] != '-' && s[e] != '*')
			return F_NONE;
	if (e >= n || s[e] != ':')
		return F_NONE;
	while (e > i && (s[e - 1] == ' ' || s[e - 1] == '*'))
		e--;
	for (size_t k = 0; k < nitems(fields); k++)
		if (e - i == strlen(fields[k].name) &&
		    memcmp(s + i, fields[k].name, e - i) == 0)
			return fields[k].field;
	return F_NONE;
}

/*
 * A "From: / Sent: / To: / Subject:" block at line i: returns its span.
 * It starts with any field (Hotmail puts Date first) and holds From and
 * two other fields.
 */
static size_t
header_block(const struct qline *v, size_t n, size_t i)
{
	unsigned seen;
	size_t j, last = i, blanks = 0, distinct = 1;
	enum field f0;

	if ((f0 = field_of(&v[i])) == F_NONE || f0 == F_CC || f0 == F_REPLY)
		return 0;
	seen = 1u << f0;
	for (j = i + 1; j < n && j <= i + BLOCK_LINES; j++) {
		enum field f;

		if (blank(&v[j])) {
			if (++blanks >= 2)
				break;
			continue;
		}
		blanks = 0;
		if ((f = field_of(&v[j])) == F_NONE) {
			/* A wrapped value ("Subject: spans over\n2 lines")
			 * continues the block only once it is under way. */
			if (distinct >= 3)
				break;
			if (j == last + 1 && distinct >= 2)
				continue;
			break;
		}
		last = j;
		if (!(seen & (1u << f))) {
			seen |= 1u << f;
			distinct++;
		}
	}
	return distinct >= 3 && (seen & (1u << F_FROM)) ? last - i + 1 : 0;
}

static const char *const attr_starts[] = {
	"on ", "le ", "am ", "op ", "il ", "el ", "em ", "den ", "dnia ",
	"w dniu ", "- le ", "- on ", "---- on ", "at ", "quoting ", "*on ",
	"*le ",
};

static int
attr_start(const struct qline *l)
{
	if (!text(l))
		return 0;
	for (size_t i = 0; i < nitems(attr_starts); i++)
		if (starts(l->f, l->flen, attr_starts[i]))
			return 1;
	/* "20 окт. 2016 г. 19:37 X <" */
	return is_digit((unsigned char)l->f[0]) ||
	    contains(l->f, l->flen, " schrieb am ");
}

static const char *const wrote[] = {
	"wrote", "a ecrit", "ecrit", "schrieb", "ha scritto", "escribio",
	"escreveu", "geschreven", "schreef", "skrev", "napisal(a)", "napisal",
	"napisala", "kirjoitti", "pisze", "yazdi", "ha escrit", "uhr",
};

/* Non-Latin "wrote" looked up in the original bytes. */
static const char *const wrote_raw[] = {
	"\xd0\xbd\xd0\xb0\xd0\xbf\xd0\xb8\xd1\x81\xd0\xb0\xd0\xbb", /* написал */
	"\xd0\xbd\xd0\xb0\xd0\xbf\xd0\xb8\xd1\x81\xd0\xb0\xd0\xb2", /* написав */
	"\xd0\xbf\xd0\xb8\xd1\x88\xd0\xb5",	/* пише(т) */
	"\xe5\x86\x99\xe9\x81\x93",			/* 写道 */
	"\xe5\xaf\xab\xe9\x81\x93",			/* 寫道 */
};

/* Does the (joined, folded) text end like an attribution? */
static int
wrote_end(const char *s, size_t n)
{
	while (n > 0 && is_sp((unsigned char)s[n - 1]))
		n--;
	if (n > 0 && s[n - 1] == ':') {
		n--;
		while (n > 0 && is_sp((unsigned char)s[n - 1]))
			n--;
		for (size_t i = 0; i < nitems(wrote); i++)
			if (ends(s, n, wrote[i]) && (n == strlen(wrote[i]) ||
			    !is_alpha((unsigned char)s[n - strlen(wrote[i]) - 1])))
				return strcmp(wrote[i], "uhr") != 0 ||
				    contains(s, n, "schrieb");
		/* "Den 15. jun. 2016 kl. 20.42 skrev X <x@y>:" */
		return (contains(s, n, " skrev ") ||
		    contains(s, n, " schrieb ")) && memchr(s, '@', n) != NULL;
	}
	/* "---- On Tue, 22 Dec 2015 X wrote ----" */
	if (n > 0 && s[n - 1] == '-') {
		while (n > 0 && (s[n - 1] == '-' || is_sp((unsigned char)s[n - 1])))
			n--;
		return ends(s, n, "wrote") && s[0] == '-';
	}
	return 0;
}

static int
raw_wrote(const struct qline *l)
{
	if (!has_digit_or_at(l->f, l->flen))
		return 0;
	for (size_t i = 0; i < nitems(wrote_raw); i++)
		if (memmem(l->raw, l->rawlen, wrote_raw[i],
		    strlen(wrote_raw[i])) != NULL)
			return 1;
	return 0;
}

/* "2016-10-24 15:36 GMT+02:00 X <", "2013/7/20 X <x@y>" (old Gmail). */
static int
iso_date_start(const struct qline *l)
{
	const char *s = l->f;

	return l->flen >= 10 && is_digit((unsigned char)s[0]) &&
	    is_digit((unsigned char)s[1]) && is_digit((unsigned char)s[2]) &&
	    is_digit((unsigned char)s[3]) && (s[4] == '-' || s[4] == '/') &&
	    is_digit((unsigned char)s[5]);
}

/* ">:" or "> wrote:" alone: the wrapped end of "X <x@y" + ">: ". */
static int
wrapped_tail(const struct qline *l)
{
	const char *s = l->f + 1;
	size_t n = l->flen - 1;

	while (n > 0 && is_sp((unsigned char)*s)) {
		s++;
		n--;
	}
	return (n == 1 && s[0] == ':') || (n < 24 && wrote_end(s, n));
}

/* An attribution line at i, maybe wrapped: returns its span. */
static size_t
attribution(const struct qline *v, size_t n, size_t i)
{
	char join[ATTR_MAX + 1];
	size_t jl = 0, m;

	if (!text(&v[i]) || v[i].flen > ATTR_MAX)
		return 0;
	if (iso_date_start(&v[i])) {
		for (m = 0; m < 3 && i + m < n && text(&v[i + m]); m++) {
			const struct qline *l = &v[i + m];

			if (contains(l->f, l->flen, "gmt") ||
			    memchr(l->f, '@', l->flen) != NULL) {
				/* take the wrapped rest up to its ':' */
				while (i + m + 1 < n && text(&v[i + m + 1]) &&
				    m < 2 && v[i + m].f[v[i + m].flen - 1] != ':'
				    && v[i + m].f[v[i + m].flen - 1] != '>' &&
				    memchr(v[i + m + 1].f, '@', v[i + m + 1].flen))
					m++;
				return m + 1;
			}
		}
	}
	if (!attr_start(&v[i])) {
		if ((wrote_end(v[i].f, v[i].flen) &&
		    has_digit_or_at(v[i].f, v[i].flen)) || raw_wrote(&v[i]))
			return 1;
		return 0;
	}
	for (m = 0; m < ATTR_LINES && i + m < n; m++) {
		const struct qline *l = &v[i + m];

		if (m > 0 && quoted(l) && wrapped_tail(l)) {
			/* Gmail wraps "<x@y\n>:" and the '>' looks like a
			 * quote: it is the end of the attribution. */
			return m + 1;
		}
		if (m > 0 && (!text(l) || attr_start(l)))
			break;
		if (jl + l->flen + 1 > ATTR_MAX)
			break;
		if (jl > 0)
			join[jl++] = ' ';
		memcpy(join + jl, l->f, l->flen);
		jl += l->flen;
		if ((wrote_end(join, jl) && has_digit_or_at(join, jl)) ||
		    raw_wrote(l))
			return m + 1;
	}
	return 0;
}

/* A header or signature at line i: returns how many lines it spans. */
static size_t
marker_at(const struct qline *v, size_t n, size_t i)
{
	size_t k;

	if (is_signature(&v[i]) || is_separator(&v[i]))
		return 1;
	if ((k = header_block(v, n, i)) > 0)
		return k;
	if ((k = attribution(v, n, i)) > 0)
		return k;
	if (is_footer(&v[i]))
		return 1;
	return 0;
}

/* A line ending in "<x@y>:", the way every attribution ends. */
static int
address_colon(const struct qline *l)
{
	const char *s = l->f;
	size_t n = l->flen;
	const char *lt;

	if (n < 6 || s[n - 1] != ':' || s[n - 2] != '>')
		return 0;
	lt = memrchr(s, '<', n);
	return lt != NULL && memchr(lt, '@', (size_t)(s + n - lt)) != NULL;
}

/* A trailing line made only of delimiter characters: "-----", "***". */
static int
delimiter_line(const struct qline *l)
{
	int strong = 0;

	for (size_t i = 0; i < l->flen; i++) {
		if (strchr("-_*=#~+. \t", l->f[i]) == NULL)
			return 0;
		if (strchr("-_*=#+", l->f[i]) != NULL)
			strong = 1;
	}
	/* '~' is also what any unknown character folds to: a line of
	 * Cyrillic words is not a delimiter, one stray mark is. */
	return strong || l->flen <= 2;
}

char *
own_words(const char *textp)
{
	const char **rs, **fs;
	size_t *rl, *fl, nr, nf, flen, len, i, cut, first, last;
	struct qline *v;
	char *folded, *drop;
	struct buf out = BUF_INIT;

	if (textp == NULL)
		return xstrdup("");
	len = strlen(textp);
	folded = fold_textn(textp, len, NULL, &flen);
	nr = split_lines(textp, len, &rs, &rl);
	nf = split_lines(folded, flen, &fs, &fl);
	/* Folding keeps every line end, so both have the same lines. */
	if (nf < nr)
		nr = nf;
	v = xcalloc(nr + 1, sizeof(*v));
	drop = xcalloc(nr + 1, 1);
	for (i = 0; i < nr; i++) {
		const char *f = fs[i];
		size_t n = fl[i];

		while (n > 0 && is_sp((unsigned char)*f)) {
			f++;
			n--;
		}
		while (n > 0 && is_sp((unsigned char)f[n - 1]))
			n--;
		v[i].raw = rs[i];
		v[i].rawlen = rl[i];
		v[i].f = f;
		v[i].flen = n;
	}

	cut = nr;
	for (i = 0; i < nr; i++) {
		size_t k, j;

		if (!text(&v[i]))
			continue;
		k = marker_at(v, nr, i);
		if (k == 0) {
			/* "26.06.2014, 14:41, "X" <x@y>:" over a quote. */
			for (j = i + 1; j < nr && blank(&v[j]); j++)
				;
			if (j < nr && quoted(&v[j]) && address_colon(&v[i]))
				drop[i] = 1;
			continue;
		}
		for (j = i + k; j < nr && blank(&v[j]); j++)
			;
		if (j < nr && quoted(&v[j])) {
			/* The header of a '>' quote: the words after the
			 * quote are still the person's. */
			memset(drop + i, 1, k);
			i += k - 1;
			continue;
		}
		cut = i;
		break;
	}

	for (first = 0; first < cut; first++)
		if (text(&v[first]) && !drop[first])
			break;
	for (last = cut; last > first; last--)
		if (text(&v[last - 1]) && !drop[last - 1] &&
		    !delimiter_line(&v[last - 1]))
			break;
	for (i = first; i < last; i++) {
		if (quoted(&v[i]) || drop[i])
			continue;
		buf_add(&out, v[i].raw, v[i].rawlen);
		buf_addc(&out, '\n');
	}
	free(v);
	free(drop);
	free(rs);
	free(rl);
	free(fs);
	free(fl);
	free(folded);
	return buf_detach(&out);
}

/* Reply and forward prefixes, folded, without their colon. */
static const char *const prefixes[] = {
	"re", "ref", "tr", "fwd", "fw", "aw", "wg", "sv", "vs", "rif", "r",
	"antw", "rv", "enc", "odp", "fwd", "trans", "doorst", "vl", "ynt",
	"rep", "reponse", "fs", "atb", "ang",
};

/* Length of one Unicode blank at s, 0 if none. */
static size_t
uspace(const unsigned char *s)
{
	if (*s == ' ' || *s == '\t')
		return 1;
	if (s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8b) || s[2] == 0xaf))
		return 3;
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

static const unsigned char *
skip_spaces(const unsigned char *s)
{
	size_t k;

	while ((k = uspace(s)) > 0)
		s += k;
	return s;
}

/* One prefix at s ("Re:", "Réf. :", "AW[2]:"): the text after it, or NULL. */
static const unsigned char *
one_prefix(const unsigned char *s)
{
	char word[16];
	size_t wl = 0;
	const unsigned char *p = s;

	while (wl < sizeof(word) - 1) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
			word[wl++] = (char)(*p | 0x20);
			p++;
		} else if (p[0] == 0xc3 && (p[1] == 0xa9 || p[1] == 0x89)) {
			word[wl++] = 'e';	/* é, É */
			p += 2;
		} else
			break;
	}
	if (wl == 0 || wl == sizeof(word) - 1)
		return NULL;
	word[wl] = '\0';
	if (*p == '.')
		p++;
	/* counters: "Re[2]:", "Re(2):", "Re^2:" */
	if (*p == '[' || *p == '(') {
		const unsigned char *q = p + 1;

		while (is_digit(*q))
			q++;
		if (q > p + 1 && (*q == ']' || *q == ')'))
			p = q + 1;
	} else if (*p == '^') {
		const unsigned char *q = p + 1;

		while (is_digit(*q))
			q++;
		if (q > p + 1)
			p = q;
	}
	p = skip_spaces(p);
	if (*p == ':')
		p++;
	else if (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x9a)
		p += 3;		/* fullwidth colon */
	else
		return NULL;
	for (size_t i = 0; i < nitems(prefixes); i++)
		if (strcmp(word, prefixes[i]) == 0)
			return p;
	return NULL;
}

char *
subject_strip(const char *subject)
{
	const unsigned char *s;
	char *r;

	if (subject == NULL)
		return xstrdup("");
	s = (const unsigned char *)subject;
	/* Bounded: each turn eats at least one prefix. */
	for (int turn = 0; turn < 64; turn++) {
		const unsigned char *p;

		s = skip_spaces(s);
		if (*s == '[') {
			const unsigned char *q = s + 1;

			while (*q != '\0' && *q != ']' && *q != '[' &&
			    q - s < 64)
				q++;
			if (*q == ']' && q > s + 1) {
				s = q + 1;
				continue;
			}
			break;
		}
		if ((p = one_prefix(s)) == NULL)
			break;
		s = p;
	}
	r = xstrdup((const char *)s);
	/* trailing blanks, Unicode ones included */
	{
		size_t n = strlen(r);

		for (;;) {
			if (n > 0 && (r[n - 1] == ' ' || r[n - 1] == '\t' ||
			    r[n - 1] == '\r' || r[n - 1] == '\n'))
				n--;
			else if (n >= 2 && (unsigned char)r[n - 2] == 0xc2 &&
			    (unsigned char)r[n - 1] == 0xa0)
				n -= 2;
			else
				break;
		}
		r[n] = '\0';
	}
	return r;
}
