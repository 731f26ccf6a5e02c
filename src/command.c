/*
 * command.c - reading the commands of a mail (see command.h).
 *
 * Everything is matched on folded text (fold.h: lower case, no accents,
 * plain apostrophes and spaces) and the arguments are copied from the
 * original through fold's offset map.  Two readings:
 *
 * 1. Command lines: a line whose first word (after bullets) is a command
 *    word.  Its arguments are read strictly enough that a sentence that
 *    merely starts with "Inscription" or "Programme" is not a command.
 * 2. The forgiving reading, only when no line is a command: the text is cut
 *    into clauses and words; a wish to register or to cancel is recognised
 *    from short phrases ("m'inscrire", "ne pourrai pas venir", "cancel"),
 *    a negation in the same clause makes a wish doubtful, and sessions are
 *    recognised from "session 42", "#42", "session-42", "eco-2026-12".
 *    Exactly one wish and one session make a guessed command; anything
 *    else makes the mail unclear.
 *
 * No regular expressions; every scan is linear in the text, and the
 * forgiving reading is skipped for texts longer than GUESS_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "fold.h"
#include "command.h"

#define DEFAULT_MAX	20
#define MAX_CODE	64	/* longest code */
#define LINE_TOKENS	256	/* words read on one line */
#define GUESS_MAX	3000	/* longest text the forgiving reading reads */
#define GUESS_SESSIONS	8	/* sessions remembered by the forgiving reading */
#define SUGGEST_CODES	8
#define NEG_WINDOW	6	/* words before a wish where a negation counts */

/* ---------------------------------------------------------------- text */

/* A text being read: the original, its folding, and the map between. */
struct text {
	const char	*orig;
	size_t		 olen;
	char		*f;
	size_t		 flen;
	size_t		*offs;		/* flen + 1 entries */
};

static void
text_init(struct text *t, const char *s)
{
	t->orig = s != NULL ? s : "";
	t->olen = strlen(t->orig);
	t->f = fold_textn(t->orig, t->olen, &t->offs, &t->flen);
}

static void
text_free(struct text *t)
{
	free(t->f);
	free(t->offs);
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
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

static int
is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

/* The original text of folded [a, b), blanks trimmed.  Caller frees. */
static char *
orig_range(const struct text *t, size_t a, size_t b)
{
	size_t oa = t->offs[a], ob = t->offs[b];

	while (oa < ob && (is_blank((unsigned char)t->orig[oa]) ||
	    t->orig[oa] == '\n'))
		oa++;
	while (ob > oa && (is_blank((unsigned char)t->orig[ob - 1]) ||
	    t->orig[ob - 1] == '\n'))
		ob--;
	return xstrndup(t->orig + oa, ob - oa);
}

/* The original lines of folded [a, b), each with trailing blanks cut,
 * leading and trailing blank lines dropped; NULL if nothing is left. */
static char *
orig_lines(const struct text *t, size_t a, size_t b)
{
	struct buf out = BUF_INIT;
	size_t oa = t->offs[a], ob = t->offs[b], i = oa, pending = 0;

	while (i < ob) {
		size_t s = i, e;

		while (i < ob && t->orig[i] != '\n')
			i++;
		e = i;
		while (e > s && (is_blank((unsigned char)t->orig[e - 1])))
			e--;
		if (i < ob)
			i++;
		if (e == s) {
			if (out.len > 0)
				pending++;
			continue;
		}
		for (; pending > 0; pending--)
			buf_addc(&out, '\n');
		if (out.len > 0)
			buf_addc(&out, '\n');
		buf_add(&out, t->orig + s, e - s);
	}
	if (out.len == 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out);
}

/* --------------------------------------------------------------- codes */

static int
code_char(int c)
{
	return is_alnum(c) || c == '-';
}

/* Copies a code made of [a-z0-9-_ ], '_' and ' ' read as '-', runs of
 * '-' collapsed, '-' trimmed; NULL if invalid. */
static char *
code_clean(const char *s, size_t n)
{
	char buf[MAX_CODE + 1];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '_' || c == ' ')
			c = '-';
		if (!code_char((unsigned char)c))
			return NULL;
		if (c == '-' && (o == 0 || buf[o - 1] == '-'))
			continue;
		if (o == MAX_CODE)
			return NULL;
		buf[o++] = c;
	}
	while (o > 0 && buf[o - 1] == '-')
		o--;
	if (o == 0)
		return NULL;
	return xstrndup(buf, o);
}

static int
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "n°42" folds to "no42": the number words that may sit between
 * "session" and its number.  Returns the length to skip. */
static size_t
number_word(const char *s, size_t n)
{
	static const char *const w[] = { "numero", "num", "nr", "no", "n" };

	for (size_t i = 0; i < nitems(w); i++) {
		size_t l = strlen(w[i]), k;

		if (n <= l || memcmp(s, w[i], l) != 0)
			continue;
		k = l;
		while (k < n && (s[k] == '.' || s[k] == ' ' || s[k] == '-'))
			k++;
		if (k < n && is_digit((unsigned char)s[k]))
			return k;
	}
	return 0;
}

/* code_normalise() on folded, trimmed text. */
static char *
code_from_folded(const char *s, size_t n)
{
	static const char lead[] = "([{\"'*_<";
	static const char trail[] = ".,;:!?)]}\"'*_>";

	while (n > 0 && (is_blank((unsigned char)*s) || strchr(lead, *s)))
		s++, n--;
	while (n > 0 && (is_blank((unsigned char)s[n - 1]) ||
	    strchr(trail, s[n - 1])))
		n--;
	if (n == 0)
		return NULL;
	if (s[0] == '#') {
		s++, n--;
		while (n > 0 && is_blank((unsigned char)*s))
			s++, n--;
		if (all_digits(s, n))
			return xasprintf("session-%.*s", (int)n, s);
		return code_clean(s, n);
	}
	if (n >= 7 && memcmp(s, "session", 7) == 0 &&
	    (n == 7 || !is_alpha((unsigned char)s[7]))) {
		const char *r = s + 7;
		size_t rn = n - 7, k;

		while (rn > 0 && (*r == ' ' || *r == '-' || *r == '_' ||
		    *r == '.' || *r == ':'))
			r++, rn--;
		if ((k = number_word(r, rn)) > 0)
			r += k, rn -= k;
		if (rn == 0)
			return xstrdup("session");
		if (rn > MAX_CODE - 8)
			return NULL;
		{
			char *rest = code_clean(r, rn), *c;

			if (rest == NULL)
				return NULL;
			c = xasprintf("session-%s", rest);
			free(rest);
			return c;
		}
	}
	if (all_digits(s, n))
		return n <= MAX_CODE - 8 ?
		    xasprintf("session-%.*s", (int)n, s) : NULL;
	return code_clean(s, n);
}

char *
code_normalise(const char *word)
{
	char *f, *c;
	size_t n;

	if (word == NULL)
		return NULL;
	f = fold_textn(word, strlen(word), NULL, &n);
	c = code_from_folded(f, n);
	free(f);
	return c;
}

/* Levenshtein distance, both strings already lower case; capped at 64. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

	if (la > 64)
		la = 64;
	if (lb > 64)
		lb = 64;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

/* The last run of digits of s, leading zeros dropped ("" if none). */
static void
last_number(const char *s, char out[24])
{
	const char *e = NULL, *b;
	size_t n;

	for (const char *p = s; *p != '\0'; p++)
		if (is_digit((unsigned char)*p))
			e = p;
	out[0] = '\0';
	if (e == NULL)
		return;
	for (b = e; b > s && is_digit((unsigned char)b[-1]); b--)
		;
	while (b < e && *b == '0')
		b++;
	n = (size_t)(e - b) + 1;
	if (n > 23)
		n = 23;
	memcpy(out, b, n);
	out[n] = '\0';
}

size_t
code_closest(const char *code, const char *const *known, size_t nknown,
    const char **out, size_t maxout)
{
	char *c, num[24];
	size_t *dist, *rank, n = 0;

	if (code == NULL || maxout == 0 || nknown == 0)
		return 0;
	c = fold_text(code);
	last_number(c, num);
	dist = xreallocarray(NULL, maxout, sizeof(*dist));
	rank = xreallocarray(NULL, maxout, sizeof(*rank));
	for (size_t i = 0; i < nknown; i++) {
		char *k, knum[24];
		size_t d, r, pos;

		if (known[i] == NULL)
			continue;
		k = fold_text(known[i]);
		last_number(k, knum);
		d = edit_distance(c, k);
		r = num[0] != '\0' && strcmp(num, knum) == 0 ? 0 : 1;
		free(k);
		/* insertion into the sorted top maxout */
		for (pos = n; pos > 0; pos--)
			if (rank[pos - 1] < r ||
			    (rank[pos - 1] == r && dist[pos - 1] <= d))
				break;
		if (pos >= maxout)
			continue;
		if (n < maxout)
			n++;
		for (size_t j = n - 1; j > pos; j--) {
			out[j] = out[j - 1];
			dist[j] = dist[j - 1];
			rank[j] = rank[j - 1];
		}
		out[pos] = known[i];
		dist[pos] = d;
		rank[pos] = r;
	}
	free(dist);
	free(rank);
	free(c);
	return n;
}

/* -------------------------------------------------------------- tokens */

struct tok {
	size_t	a, b;		/* the word in the folded text */
	size_t	ca, cb;		/* its core: surrounding punctuation cut */
};

static int
tok_sep(int c)
{
	return is_blank(c) || c == ',' || c == ';' || c == '\n';
}

/* Words of folded [a, b), at most max.  Returns the count. */
static size_t
tokenize(const struct text *t, size_t a, size_t b, struct tok *v, size_t max)
{
	static const char lead[] = "([{\"'*_<";
	static const char trail[] = ".,;:!?)]}\"'*_>";
	size_t n = 0, i = a;

	while (i < b && n < max) {
		size_t s, e, cs, ce;

		while (i < b && tok_sep((unsigned char)t->f[i]))
			i++;
		if (i >= b)
			break;
		s = i;
		while (i < b && !tok_sep((unsigned char)t->f[i]))
			i++;
		e = i;
		cs = s;
		ce = e;
		while (cs < ce && strchr(lead, t->f[cs]) != NULL)
			cs++;
		while (ce > cs && strchr(trail, t->f[ce - 1]) != NULL)
			ce--;
		if (cs == ce && e - s == 1 && t->f[s] == '?') {
			cs = s;		/* "?" alone is a word: AIDE */
			ce = e;
		}
		v[n].a = s;
		v[n].b = e;
		v[n].ca = cs;
		v[n].cb = ce;
		n++;
	}
	return n;
}

static int
tok_is(const struct text *t, const struct tok *k, const char *w)
{
	size_t l = strlen(w);

	return k->cb - k->ca == l && memcmp(t->f + k->ca, w, l) == 0;
}

static int
tok_in(const struct text *t, const struct tok *k, const char *const *set,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tok_is(t, k, set[i]))
			return 1;
	return 0;
}

static int
tok_empty(const struct tok *k)
{
	return k->cb == k->ca;
}

/* ------------------------------------------------------------ keywords */

enum kw {
	K_REG, K_UNREG, K_PROG, K_STATUS, K_STATUS_PLURAL, K_HELP, K_PROPOSE,
	K_STOP, K_START, K_ANNOUNCE, K_IMPORT, K_LIST, K_SHEET, K_PRESENT,
	K_CONFIRM, K_ANNULER
};

/* Longest first: "mes inscriptions" before "inscriptions". */
static const struct keyword {
	const char	*w[2];
	enum kw		 kw;
} keywords[] = {
	{ { "mes", "inscriptions" }, K_STATUS },
	{ { "mon", "statut" }, K_STATUS },
	{ { "my", "registrations" }, K_STATUS },
	{ { "stop", "programme" }, K_STOP },
	{ { "stop", "program" }, K_STOP },
	{ { "abonnement", "programme" }, K_START },
	{ { "abonnement", "program" }, K_START },
	{ { "start", "programme" }, K_START },
	{ { "se", "desinscrire" }, K_UNREG },
	{ { "me", "desinscrire" }, K_UNREG },
	{ { "se", "desabonner" }, K_STOP },
	{ { "feuille", "d'emargement" }, K_SHEET },
	{ { "feuille", "emargement" }, K_SHEET },
	{ { "sign", "up" }, K_REG },
	{ { "inscription", NULL }, K_REG },
	{ { "inscrire", NULL }, K_REG },
	{ { "s'inscrire", NULL }, K_REG },
	{ { "m'inscrire", NULL }, K_REG },
	{ { "inscris-moi", NULL }, K_REG },
	{ { "inscrivez-moi", NULL }, K_REG },
	{ { "register", NULL }, K_REG },
	{ { "join", NULL }, K_REG },
	{ { "desinscription", NULL }, K_UNREG },
	{ { "desinscrire", NULL }, K_UNREG },
	{ { "se-desinscrire", NULL }, K_UNREG },
	{ { "desinscris-moi", NULL }, K_UNREG },
	{ { "desinscrivez-moi", NULL }, K_UNREG },
	{ { "desincription", NULL }, K_UNREG },
	{ { "annulation", NULL }, K_UNREG },
	{ { "unregister", NULL }, K_UNREG },
	{ { "annuler", NULL }, K_ANNULER },
	{ { "cancel", NULL }, K_ANNULER },
	{ { "programme", NULL }, K_PROG },
	{ { "program", NULL }, K_PROG },
	{ { "agenda", NULL }, K_PROG },
	{ { "calendrier", NULL }, K_PROG },
	{ { "planning", NULL }, K_PROG },
	{ { "inscriptions", NULL }, K_STATUS_PLURAL },
	{ { "statut", NULL }, K_STATUS },
	{ { "status", NULL }, K_STATUS },
	{ { "aide", NULL }, K_HELP },
	{ { "help", NULL }, K_HELP },
	{ { "?", NULL }, K_HELP },
	{ { "proposition", NULL }, K_PROPOSE },
	{ { "proposer", NULL }, K_PROPOSE },
	{ { "propose", NULL }, K_PROPOSE },
	{ { "stop", NULL }, K_STOP },
	{ { "unsubscribe", NULL }, K_STOP },
	{ { "desabonnement", NULL }, K_STOP },
	{ { "desabonner", NULL }, K_STOP },
	{ { "abonnement", NULL }, K_START },
	{ { "reabonnement", NULL }, K_START },
	{ { "subscribe", NULL }, K_START },
	{ { "annonce", NULL }, K_ANNOUNCE },
	{ { "import", NULL }, K_IMPORT },
	{ { "importer", NULL }, K_IMPORT },
	{ { "liste", NULL }, K_LIST },
	{ { "list", NULL }, K_LIST },
	{ { "emargement", NULL }, K_SHEET },
	{ { "presents", NULL }, K_PRESENT },
	{ { "present", NULL }, K_PRESENT },
	{ { "presence", NULL }, K_PRESENT },
	{ { "presences", NULL }, K_PRESENT },
	{ { "confirmer", NULL }, K_CONFIRM },
	{ { "confirm", NULL }, K_CONFIRM },
};

/* The keyword at tokens v[i..n): its entry and how many words it took. */
static const struct keyword *
keyword_at(const struct text *t, const struct tok *v, size_t i, size_t n,
    size_t *used)
{
	for (size_t k = 0; k < nitems(keywords); k++) {
		const struct keyword *kw = &keywords[k];

		if (!tok_is(t, &v[i], kw->w[0]))
			continue;
		if (kw->w[1] != NULL) {
			if (i + 1 >= n || !tok_is(t, &v[i + 1], kw->w[1]))
				continue;
			*used = 2;
		} else
			*used = 1;
		return kw;
	}
	return NULL;
}

/* Words that carry no meaning around a command ("INSCRIPTION à la
 * session 42 svp merci"). */
static const char *const fillers[] = {
	"a", "au", "aux", "la", "le", "les", "l'", "pour", "de", "du", "des",
	"d'", "en", "to", "for", "the", "in", "on", "from", "of", "me", "moi",
	"ma", "mon", "my", "svp", "stp", "please", "pls", "merci", "thanks",
	"thank", "you", "s'il", "vous", "plait", "te", "sil", "bonjour",
	"hello", "hi", "-", "--", ":", "=", "->", "=>", "!", ".", "...",
	"beaucoup", "d'avance", "avance", "cordialement", "participants",
	"inscrits", "personnes", "agents", "stagiaires", "presents",
};

static const char *const conjunctions[] = {
	"et", "and", "&", "+", "ou", "or", "puis", "/",
};

/* Words allowed after a command that takes no argument. */
static const char *const noarg_words[] = {
	"semaine", "semaines", "prochaine", "prochaines", "prochain",
	"prochains", "mois", "complet", "formations", "formation",
	"sessions", "next", "week", "weeks", "month", "a", "venir",
	"actuel", "actuelles", "current", "?", "all", "tout", "toutes",
	"svp", "mail", "mails", "e-mail", "e-mails", "courriel", "courriels",
	"hebdomadaire", "weekly", "envoi", "envois", "emails", "email",
};

static int
is_filler(const struct text *t, const struct tok *k)
{
	return tok_empty(k) || tok_in(t, k, fillers, nitems(fillers));
}

static int
is_conj(const struct text *t, const struct tok *k)
{
	return tok_in(t, k, conjunctions, nitems(conjunctions));
}

/* Hyphenated words that are never codes. */
static const char *const not_codes[] = {
	"peut-etre", "pouvez-vous", "voulez-vous", "rendez-vous", "est-ce",
	"moi-meme", "vous-meme", "celle-ci", "celui-ci", "ci-dessous",
	"ci-dessus", "ci-joint", "ci-jointe", "au-dessus", "grand-chose",
	"pourriez-vous", "auriez-vous", "a-t-il", "y-a-t-il", "dites-moi",
	"merci-beaucoup", "apres-midi", "e-mail", "e-mails", "re-inscription",
	"sous-titre", "mi-temps", "temps-plein", "temps-partiel",
	"avez-vous", "faut-il", "peut-on", "sait-on", "quelques-uns",
};

/* Times, ordinals and dates are not codes: "9h30", "1er", "3eme",
 * "2026-12-03". */
static int
looks_like_time_or_date(const char *s, size_t n)
{
	size_t i = 0;
	int letters = 0;

	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	if (i == 0)
		goto date;
	if (i == n)
		return 0;
	{
		const char *r = s + i;
		size_t rn = n - i;
		static const char *const suf[] = {
			"h", "er", "ere", "e", "eme", "nd", "rd", "th", "st",
			"min", "mn", "km", "kg", "eur", "euros", "ans", "an",
			"jours", "j", "pm", "am", "mois", "x", "pers",
		};

		if (r[0] == 'h' && all_digits(r + 1, rn - 1))
			return 1;	/* 9h30 */
		for (size_t k = 0; k < nitems(suf); k++)
			if (rn == strlen(suf[k]) && memcmp(r, suf[k], rn) == 0)
				return 1;
	}
date:
	for (i = 0; i < n; i++)
		if (is_alpha((unsigned char)s[i]))
			letters = 1;
	return !letters;	/* digits and '-' only: a date, a phone */
}

enum codeclass { C_NONE, C_STRONG, C_NUMBER, C_WEAK, C_WORD };

/*
 * What a word after a command word can be: a code with a digit or a '#'
 * or "session" (strong), a bare number, a hyphenated word (weak), a
 * plain word.  *code gets the normalised code (caller frees) except for
 * C_NONE and C_WORD.
 */
static enum codeclass
classify(const struct text *t, const struct tok *k, char **code)
{
	const char *s = t->f + k->ca;
	size_t n = k->cb - k->ca, hy = 0, dig = 0;

	*code = NULL;
	if (n == 0)
		return C_NONE;
	if (s[0] == '#' || (n > 7 && memcmp(s, "session", 7) == 0 &&
	    !is_alpha((unsigned char)s[7]))) {
		*code = code_from_folded(s, n);
		return *code != NULL ? C_STRONG : C_NONE;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-' || s[i] == '_')
			hy++;
		else if (is_digit((unsigned char)s[i]))
			dig++;
		else if (!is_alpha((unsigned char)s[i]))
			return C_NONE;	/* 03/12, 9:00, x@y, l'atelier */
	}
	if (dig == n)
		return (*code = code_from_folded(s, n)) != NULL ? C_NUMBER :
		    C_NONE;
	if (dig > 0) {
		if (looks_like_time_or_date(s, n))
			return C_NONE;
		return (*code = code_from_folded(s, n)) != NULL ? C_STRONG :
		    C_NONE;
	}
	if (hy > 0) {
		for (size_t i = 0; i < nitems(not_codes); i++)
			if (tok_is(t, k, not_codes[i]))
				return C_NONE;
		return (*code = code_from_folded(s, n)) != NULL ? C_WEAK :
		    C_NONE;
	}
	return C_WORD;
}

/* --------------------------------------------------------------- codes */

struct codes {
	char	**v;
	size_t	  n;
};

static void
codes_add(struct codes *c, char *code)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i], code) == 0) {
			free(code);
			return;
		}
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n++] = code;
}

static void
codes_clear(struct codes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/*
 * The codes in v[i..n) after a command word.  Stops at a word that starts
 * another registration command ("INSCRIPTION s-1 DESINSCRIPTION s-2"),
 * whose index goes to *stop (n if none).  Strong codes win over weak
 * (hyphenated) ones, which win over a lone plain word ("INSCRIPTION
 * excel").  A bare number counts only right after the command word or
 * another code ("INSCRIPTION 42 et 43", not the 3 of "session-42 le 3").
 */
static void
read_codes(const struct text *t, const struct tok *v, size_t i, size_t n,
    struct codes *out, size_t *stop)
{
	struct codes strong = { NULL, 0 }, weak = { NULL, 0 };
	size_t words = 0, word_at = 0;
	int adj = 1;

	*stop = n;
	for (; i < n; i++) {
		const struct keyword *kw;
		enum codeclass cl;
		size_t used;
		char *code;

		if ((kw = keyword_at(t, v, i, n, &used)) != NULL &&
		    (kw->kw == K_REG || kw->kw == K_UNREG ||
		    kw->kw == K_ANNULER)) {
			*stop = i;
			break;
		}
		if (tok_is(t, &v[i], "session") || tok_is(t, &v[i], "sessions")) {
			/* "session 42", "session n° 42", "session no42" */
			size_t j = i + 1;

			if (j < n && (tok_is(t, &v[j], "n") ||
			    tok_is(t, &v[j], "no") || tok_is(t, &v[j], "nr") ||
			    tok_is(t, &v[j], "numero") ||
			    tok_is(t, &v[j], "num")))
				j++;
			if (j < n) {
				const char *s = t->f + v[j].ca;
				size_t k = v[j].cb - v[j].ca;
				size_t skip = number_word(s, k);

				if (all_digits(s + skip, k - skip)) {
					codes_add(&strong, xasprintf(
					    "session-%.*s", (int)(k - skip),
					    s + skip));
					i = j;
					adj = 1;
					continue;
				}
			}
			continue;	/* "session eco-2026-12": a filler */
		}
		if (is_conj(t, &v[i]))
			continue;
		if (tok_is(t, &v[i], "#")) {
			adj = 1;	/* "# 42" */
			continue;
		}
		if (is_filler(t, &v[i])) {
			if (strong.n + weak.n > 0)
				adj = 0;
			continue;
		}
		cl = classify(t, &v[i], &code);
		switch (cl) {
		case C_STRONG:
			codes_add(&strong, code);
			adj = 1;
			break;
		case C_NUMBER:
			if (adj)
				codes_add(&strong, code);
			else
				free(code);
			break;
		case C_WEAK:
			codes_add(&weak, code);
			adj = 1;
			break;
		case C_WORD:
			if (words++ == 0)
				word_at = i;
			adj = 0;
			break;
		case C_NONE:
			adj = 0;
			break;
		}
	}
	if (strong.n > 0) {
		*out = strong;
		codes_clear(&weak);
	} else if (weak.n > 0) {
		*out = weak;
	} else if (words == 1) {
		char *c = code_from_folded(t->f + v[word_at].ca,
		    v[word_at].cb - v[word_at].ca);

		out->v = NULL;
		out->n = 0;
		if (c != NULL)
			codes_add(out, c);
	} else {
		out->v = NULL;
		out->n = 0;
	}
}

/* Only fillers and harmless words in v[i..n)? */
static int
only_noarg_words(const struct text *t, const struct tok *v, size_t i,
    size_t n)
{
	for (; i < n; i++)
		if (!is_filler(t, &v[i]) && !is_conj(t, &v[i]) &&
		    !tok_in(t, &v[i], noarg_words, nitems(noarg_words)) &&
		    !tok_is(t, &v[i], "programme") &&
		    !tok_is(t, &v[i], "program"))
			return 0;
	return 1;
}

/* ------------------------------------------------------------ commands */

static struct command *
cmd_new(struct command_list *l, enum cmd_kind kind)
{
	struct command *c;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

static void
cmd_clear(struct command *c)
{
	for (size_t i = 0; i < c->ncodes; i++)
		free(c->codes[i]);
	free(c->codes);
	free(c->arg);
	free(c->rest);
	free(c->line);
}

void
commands_free(struct command_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		cmd_clear(&l->v[i]);
	free(l->v);
	free(l->suggestion);
	memset(l, 0, sizeof(*l));
}

static const char *const kind_names[] = {
	[CMD_REGISTER] = "INSCRIPTION",
	[CMD_UNREGISTER] = "DESINSCRIPTION",
	[CMD_PROGRAMME] = "PROGRAMME",
	[CMD_MY_REGISTRATIONS] = "MES INSCRIPTIONS",
	[CMD_HELP] = "AIDE",
	[CMD_PROPOSE] = "PROPOSITION",
	[CMD_STOP_PROGRAMME] = "STOP PROGRAMME",
	[CMD_START_PROGRAMME] = "ABONNEMENT PROGRAMME",
	[CMD_ANNOUNCE] = "ANNONCE",
	[CMD_IMPORT] = "IMPORT",
	[CMD_LIST] = "LISTE",
	[CMD_SHEET] = "EMARGEMENT",
	[CMD_CANCEL_SESSION] = "ANNULER SESSION",
	[CMD_PRESENT] = "PRESENTS",
	[CMD_CONFIRM] = "CONFIRMER",
};

const char *
cmd_kind_name(enum cmd_kind k)
{
	if ((size_t)k >= nitems(kind_names) || kind_names[k] == NULL)
		return "?";
	return kind_names[k];
}

int
cmd_is_coordinator(enum cmd_kind k)
{
	return k >= CMD_ANNOUNCE && k != CMD_CONFIRM;
}

/* Where a line starts and ends in the folded text. */
struct span {
	size_t	a, b;
};

/* Skips bullets: "-", "*", "+", "•", "->", "1.", "2)", blanks. */
static size_t
skip_bullets(const struct text *t, size_t a, size_t b)
{
	for (int turn = 0; turn < 8; turn++) {
		size_t i = a;

		while (i < b && is_blank((unsigned char)t->f[i]))
			i++;
		if (i < b && (t->f[i] == '-' || t->f[i] == '=') && i + 1 < b &&
		    t->f[i + 1] == '>')
			i += 2;
		else if (i < b && (t->f[i] == '-' || t->f[i] == '*' ||
		    t->f[i] == '+') && (i + 1 == b || t->f[i + 1] != t->f[i] ||
		    t->f[i] == '*'))
			i++;
		else if (i < b && is_digit((unsigned char)t->f[i])) {
			size_t j = i;

			while (j < b && j - i < 3 && is_digit((unsigned char)t->f[j]))
				j++;
			if (j < b && (t->f[j] == '.' || t->f[j] == ')') &&
			    (j + 1 == b || is_blank((unsigned char)t->f[j + 1])))
				i = j + 1;
		}
		while (i < b && is_blank((unsigned char)t->f[i]))
			i++;
		if (i == a)
			break;
		a = i;
	}
	return a;
}

struct parse {
	const struct text	*t;
	struct command_list	*out;
	int			 from_subject;
	int			 attempt;	/* a command word that did not parse */
	const struct span	*lines;		/* body lines, for rest */
	size_t			 nlines;
	size_t			 li;		/* current line */
	size_t			 consumed;	/* lines eaten by PRESENT/PROPOSE */
};

static void
set_codes(struct command *c, struct codes *cs)
{
	c->codes = cs->v;
	c->ncodes = cs->n;
	cs->v = NULL;
	cs->n = 0;
}

/*
 * A one-time confirmation code: 6 to MAX_CODE letters, digits or '-' (the
 * codes trucd makes are 8 characters; a short word after "confirmer" in a
 * sentence is not one).
 */
static char *
confirm_code(const struct text *t, const struct tok *k)
{
	size_t n = k->cb - k->ca;
	const char *s = t->f + k->ca;

	if (n < 6 || n > MAX_CODE)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]) &&
		    !is_alpha((unsigned char)s[i]) && s[i] != '-')
			return NULL;
	return orig_range(t, k->ca, k->cb);
}

/*
 * Reads the command of tokens v[0..n) (one line, bullets skipped), whose
 * text is folded [a, b).  Returns 1 and appends to p->out if it is one.
 */
static int
parse_tokens(struct parse *p, const struct tok *v, size_t n, size_t a,
    size_t b)
{
	const struct text *t = p->t;
	const struct keyword *kw;
	struct command *c;
	struct codes cs = { NULL, 0 };
	size_t used, stop;
	enum cmd_kind kind;

	if (n == 0 || (kw = keyword_at(t, v, 0, n, &used)) == NULL)
		return 0;

	switch (kw->kw) {
	case K_REG:
	case K_UNREG:
	case K_STATUS_PLURAL:
	case K_ANNULER:
	case K_STOP:
		if (kw->kw == K_ANNULER && used < n &&
		    tok_is(t, &v[used], "session") && used + 1 < n) {
			/* ANNULER SESSION <code> [reason] (coordinator) vs
			 * ANNULER session 42 (an agent cancelling). */
			char *code = NULL;
			enum codeclass cl = classify(t, &v[used + 1], &code);
			int reason = used + 2 < n &&
			    !only_noarg_words(t, v, used + 2, n);

			if (cl == C_STRONG || cl == C_WEAK ||
			    (cl == C_NUMBER && reason)) {
				c = cmd_new(p->out, CMD_CANCEL_SESSION);
				cs.v = NULL;
				codes_add(&cs, code);
				set_codes(c, &cs);
				if (used + 2 < n) {
					char *r = orig_range(t, v[used + 2].a,
					    b);
					size_t k = strspn(r, ":-,;. \t");

					if (r[k] != '\0')
						c->arg = xstrdup(r + k);
					free(r);
				}
				c->line = orig_range(t, a, b);
				return 1;
			}
			free(code);
		}
		if (kw->kw == K_STOP && only_noarg_words(t, v, used, n)) {
			c = cmd_new(p->out, CMD_STOP_PROGRAMME);
			c->line = orig_range(t, a, b);
			return 1;
		}
		if (kw->kw == K_STATUS_PLURAL && only_noarg_words(t, v, used, n)) {
			c = cmd_new(p->out, CMD_MY_REGISTRATIONS);
			c->line = orig_range(t, a, b);
			return 1;
		}
		read_codes(t, v, used, n, &cs, &stop);
		if (cs.n == 0) {
			p->attempt = 1;
			/* "INSCRIPTION DESINSCRIPTION s-2": try the rest */
			if (stop < n)
				return parse_tokens(p, v + stop, n - stop,
				    v[stop].a, b);
			return 0;
		}
		kind = kw->kw == K_REG || kw->kw == K_STATUS_PLURAL ?
		    CMD_REGISTER : CMD_UNREGISTER;
		c = cmd_new(p->out, kind);
		set_codes(c, &cs);
		c->line = orig_range(t, a, stop < n ? v[stop].a : b);
		if (stop < n && !parse_tokens(p, v + stop, n - stop, v[stop].a,
		    b))
			p->attempt = 1;
		return 1;

	case K_PROG:
	case K_STATUS:
	case K_HELP:
	case K_START:
		/* "Programme très intéressant", "Statut : titulaire" in a
		 * signature: sentences, not attempts. */
		if (!only_noarg_words(t, v, used, n))
			return 0;
		kind = kw->kw == K_PROG ? CMD_PROGRAMME :
		    kw->kw == K_STATUS ? CMD_MY_REGISTRATIONS :
		    kw->kw == K_HELP ? CMD_HELP : CMD_START_PROGRAMME;
		c = cmd_new(p->out, kind);
		c->line = orig_range(t, a, b);
		return 1;

	case K_IMPORT:
		c = cmd_new(p->out, CMD_IMPORT);
		c->line = orig_range(t, a, b);
		return 1;

	case K_ANNOUNCE:
		if (!p->from_subject)
			return 0;	/* the body is the announcement */
		c = cmd_new(p->out, CMD_ANNOUNCE);
		if (used < n) {
			char *r = orig_range(t, v[used].a, b);
			size_t k = strspn(r, ":-,;. \t");

			if (r[k] != '\0')
				c->arg = xstrdup(r + k);
			free(r);
		}
		c->line = orig_range(t, a, b);
		return 1;

	case K_PROPOSE:
		c = cmd_new(p->out, CMD_PROPOSE);
		if (used < n) {
			char *r = orig_range(t, v[used].a, b);
			size_t k = strspn(r, ":-,;. \t");

			if (r[k] != '\0')
				c->arg = xstrdup(r + k);
			free(r);
		}
		c->line = orig_range(t, a, b);
		if (!p->from_subject && p->li + 1 < p->nlines) {
			c->rest = orig_lines(t, p->lines[p->li + 1].a,
			    p->lines[p->nlines - 1].b);
			p->consumed = p->nlines - p->li - 1;
		}
		return 1;

	case K_LIST:
	case K_SHEET:
	case K_PRESENT:
		read_codes(t, v, used, n, &cs, &stop);
		if (cs.n == 0)
			return 0;
		kind = kw->kw == K_LIST ? CMD_LIST :
		    kw->kw == K_SHEET ? CMD_SHEET : CMD_PRESENT;
		/* one command per code */
		for (size_t i = 0; i < cs.n; i++) {
			c = cmd_new(p->out, kind);
			c->codes = xreallocarray(NULL, 1, sizeof(*c->codes));
			c->codes[0] = cs.v[i];
			c->ncodes = 1;
			c->line = orig_range(t, a, b);
		}
		free(cs.v);
		if (kind == CMD_PRESENT && !p->from_subject) {
			size_t j = p->li + 1, e;

			while (j < p->nlines && p->lines[j].a == p->lines[j].b)
				j++;
			for (e = j; e < p->nlines; e++) {
				size_t k = p->lines[e].a;

				while (k < p->lines[e].b &&
				    is_blank((unsigned char)t->f[k]))
					k++;
				if (k == p->lines[e].b)
					break;
			}
			if (e > j) {
				c = &p->out->v[p->out->n - 1];
				c->rest = orig_lines(t, p->lines[j].a,
				    p->lines[e - 1].b);
				p->consumed = e - p->li - 1;
			}
		}
		return 1;

	case K_CONFIRM:
		if (used >= n) {
			p->attempt = 1;
			return 0;
		}
		{
			char *code = confirm_code(t, &v[used]);

			if (code == NULL) {
				p->attempt = 1;
				return 0;
			}
			c = cmd_new(p->out, CMD_CONFIRM);
			c->arg = code;
			c->line = orig_range(t, a, b);
		}
		return 1;
	}
	return 0;
}

/* Reads folded [a, b) as one command line. */
static int
parse_line(struct parse *p, size_t a, size_t b)
{
	struct tok v[LINE_TOKENS];
	size_t n;

	a = skip_bullets(p->t, a, b);
	n = tokenize(p->t, a, b, v, nitems(v));
	return parse_tokens(p, v, n, a, b);
}

/* --------------------------------------------------- forgiving reading */

struct word {
	size_t	a, b;		/* folded */
	size_t	clause;
	size_t	line;
};

/* Words for the forgiving reading: runs of [a-z0-9#-]; clauses end at
 * . ! ? ; , : and line ends. */
static size_t
words_of(const struct text *t, struct word **vp)
{
	struct word *v = NULL;
	size_t n = 0, cap = 0, i = 0, clause = 0, line = 0, len = t->flen;

	if (len > GUESS_MAX)
		len = GUESS_MAX;
	while (i < len) {
		char c = t->f[i];

		if (is_alnum((unsigned char)c) || c == '#' || c == '-') {
			size_t s = i;

			while (i < len && (is_alnum((unsigned char)t->f[i]) ||
			    t->f[i] == '#' || t->f[i] == '-' ||
			    /* "n°42" folds to "no42"; "9.30" stays */
			    (t->f[i] == '.' && i + 1 < len && i > s &&
			    is_digit((unsigned char)t->f[i - 1]) &&
			    is_digit((unsigned char)t->f[i + 1]))))
				i++;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			v[n].a = s;
			v[n].b = i;
			v[n].clause = clause;
			v[n].line = line;
			n++;
			continue;
		}
		if (strchr(".!?;,:\n", c) != NULL)
			clause++;
		if (c == '\n')
			line++;
		i++;
	}
	*vp = v;
	return n;
}

static int
word_is(const struct text *t, const struct word *w, const char *s)
{
	size_t l = strlen(s);

	return w->b - w->a == l && memcmp(t->f + w->a, s, l) == 0;
}

enum wish { W_REG, W_UNREG };

/* A phrase: space-separated words; a trailing '*' on the last word
 * matches any word starting so. */
static const struct cue {
	const char	*phrase;
	enum wish	 wish;
	int		 negatable;	/* a "ne ... pas" nearby makes it doubtful */
	int		 weak;		/* a noun: dropped next to a wish to cancel */
} cues[] = {
	{ "inscrire", W_REG, 1, 0 },
	{ "inscris*", W_REG, 1, 0 },
	{ "inscrive*", W_REG, 1, 0 },
	{ "participer", W_REG, 1, 0 },
	{ "participerai", W_REG, 1, 0 },
	{ "participerais", W_REG, 1, 0 },
	{ "register", W_REG, 1, 0 },
	{ "sign up", W_REG, 1, 0 },
	{ "sign me up", W_REG, 1, 0 },
	{ "enrol", W_REG, 1, 0 },
	{ "enroll", W_REG, 1, 0 },
	{ "join", W_REG, 1, 0 },
	{ "reserver", W_REG, 1, 0 },
	{ "reservez*", W_REG, 1, 0 },
	{ "inscription", W_REG, 1, 1 },
	{ "registration", W_REG, 1, 1 },

	{ "desinscri*", W_UNREG, 1, 0 },
	{ "desincri*", W_UNREG, 1, 0 },
	{ "des-inscri*", W_UNREG, 1, 0 },
	{ "annuler", W_UNREG, 1, 0 },
	{ "annulez", W_UNREG, 1, 0 },
	{ "annule", W_UNREG, 1, 0 },
	{ "annulation", W_UNREG, 1, 0 },
	{ "retirer", W_UNREG, 1, 0 },
	{ "retirez*", W_UNREG, 1, 0 },
	{ "desist*", W_UNREG, 1, 0 },
	{ "unregister", W_UNREG, 1, 0 },
	{ "cancel", W_UNREG, 1, 0 },
	{ "withdraw", W_UNREG, 1, 0 },
	{ "remove me", W_UNREG, 1, 0 },
	{ "ne pourrai pas", W_UNREG, 0, 0 },
	{ "ne pourrai plus", W_UNREG, 0, 0 },
	{ "ne pourrais pas", W_UNREG, 0, 0 },
	{ "ne pourrais plus", W_UNREG, 0, 0 },
	{ "ne pourrai finalement pas", W_UNREG, 0, 0 },
	{ "ne peux pas venir", W_UNREG, 0, 0 },
	{ "ne peux plus venir", W_UNREG, 0, 0 },
	{ "ne peux pas assister", W_UNREG, 0, 0 },
	{ "ne peux plus assister", W_UNREG, 0, 0 },
	{ "ne peux pas etre", W_UNREG, 0, 0 },
	{ "ne peux finalement pas", W_UNREG, 0, 0 },
	{ "ne serai pas", W_UNREG, 0, 0 },
	{ "ne serai plus", W_UNREG, 0, 0 },
	{ "ne viendrai pas", W_UNREG, 0, 0 },
	{ "ne viendrai plus", W_UNREG, 0, 0 },
	{ "ne participerai pas", W_UNREG, 0, 0 },
	{ "ne participerai plus", W_UNREG, 0, 0 },
	{ "y serai pas", W_UNREG, 0, 0 },
	{ "y assisterai pas", W_UNREG, 0, 0 },
	{ "pas pouvoir venir", W_UNREG, 0, 0 },
	{ "pas pouvoir assister", W_UNREG, 0, 0 },
	{ "pas pouvoir etre", W_UNREG, 0, 0 },
	{ "pas venir", W_UNREG, 0, 0 },
	{ "pas disponible", W_UNREG, 0, 0 },
	{ "plus disponible", W_UNREG, 0, 0 },
	{ "indisponible", W_UNREG, 0, 0 },
	{ "empeche*", W_UNREG, 0, 0 },
	{ "absent*", W_UNREG, 0, 0 },
	{ "can t come", W_UNREG, 0, 0 },
	{ "can t attend", W_UNREG, 0, 0 },
	{ "can t make it", W_UNREG, 0, 0 },
	{ "cannot come", W_UNREG, 0, 0 },
	{ "cannot attend", W_UNREG, 0, 0 },
	{ "cannot make it", W_UNREG, 0, 0 },
	{ "won t be able", W_UNREG, 0, 0 },
	{ "won t make it", W_UNREG, 0, 0 },
	{ "will not be able", W_UNREG, 0, 0 },
	{ "not be able to", W_UNREG, 0, 0 },
	{ "unable to", W_UNREG, 0, 0 },
	{ "won t be there", W_UNREG, 0, 0 },
};

static size_t
cue_bucket(char c)
{
	return c >= 'a' && c <= 'z' ? (size_t)(c - 'a') : 26;
}

/* Does the cue phrase match at word i?  Returns the words it took. */
static size_t
cue_at(const struct text *t, const struct word *v, size_t n, size_t i,
    const char *phrase)
{
	const char *p = phrase;
	size_t k = i;

	if (t->f[v[i].a] != phrase[0])
		return 0;	/* the common case, cheaply */
	while (*p != '\0') {
		const char *e = strchr(p, ' ');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);
		int stem = l > 0 && p[l - 1] == '*';
		size_t wl;

		if (k >= n || (k > i && v[k].clause != v[i].clause))
			return 0;
		wl = v[k].b - v[k].a;
		if (stem) {
			if (wl < l - 1 || memcmp(t->f + v[k].a, p, l - 1) != 0)
				return 0;
		} else if (wl != l || memcmp(t->f + v[k].a, p, l) != 0)
			return 0;
		k++;
		p += l;
		if (*p == ' ')
			p++;
	}
	return k - i;
}

static int
negation(const struct text *t, const struct word *w)
{
	return word_is(t, w, "ne") || word_is(t, w, "n") ||
	    word_is(t, w, "pas") || word_is(t, w, "not") ||
	    word_is(t, w, "t") || word_is(t, w, "jamais") ||
	    word_is(t, w, "never");
}

/* A negation shortly before word i in its clause: "je ne peux pas
 * m'inscrire", "I don't want to register"; not the "ne ... pas" of a
 * later verb ("je m'inscris et je ne pourrai pas venir"). */
static int
negated(const struct text *t, const struct word *v, size_t i)
{
	for (size_t j = i; j > 0 && i - j < NEG_WINDOW; j--) {
		if (v[j - 1].clause != v[i].clause)
			break;
		if (negation(t, &v[j - 1]))
			return 1;
	}
	return 0;
}

/*
 * French says whom a registration is for: "m'inscrire", "s'inscrire",
 * "inscrivez-moi" are the sender; "inscrire mon équipe", "inscrivez
 * Jean" are not, and make the wish doubtful.
 */
static int
for_oneself(const struct text *t, const struct word *v, size_t n, size_t i,
    const char *phrase)
{
	if (strcmp(phrase, "inscrire") == 0 || strcmp(phrase, "inscris*") == 0) {
		if (i == 0 || v[i - 1].clause != v[i].clause)
			return 0;
		return word_is(t, &v[i - 1], "m") || word_is(t, &v[i - 1], "s") ||
		    word_is(t, &v[i - 1], "me") ||
		    word_is(t, &v[i - 1], "nous");
	}
	if (strcmp(phrase, "inscrive*") == 0) {
		size_t l = v[i].b - v[i].a;
		const char *w = t->f + v[i].a;

		if ((l > 4 && memcmp(w + l - 4, "-moi", 4) == 0) ||
		    (l > 5 && memcmp(w + l - 5, "-nous", 5) == 0))
			return 1;
		return i + 1 < n && v[i + 1].clause == v[i].clause &&
		    (word_is(t, &v[i + 1], "moi") ||
		    word_is(t, &v[i + 1], "nous"));
	}
	return 1;
}

struct guess {
	int	 reg, unreg;		/* sure wishes */
	int	 hreg, hunreg;		/* doubtful (negated) ones */
	size_t	 reg_at, unreg_at;	/* folded offset of the first sure cue */
	struct codes sessions;		/* distinct sessions named */
	int	 more;			/* more than GUESS_SESSIONS */
	int	 too_long;
};

/* A session named in running text: "session 42", "session-42", "#42",
 * "eco-2026-12".  Returns the words taken (0 if none), *code the code. */
static size_t
session_at(const struct text *t, const struct word *v, size_t n, size_t i,
    char **code, int *generic)
{
	const char *s = t->f + v[i].a;
	size_t l = v[i].b - v[i].a, hy = 0, dig = 0, alpha = 0;

	*code = NULL;
	*generic = 0;
	if (word_is(t, &v[i], "session") || word_is(t, &v[i], "sessions")) {
		size_t j = i + 1, k;

		if (j < n && (word_is(t, &v[j], "n") ||
		    word_is(t, &v[j], "no") || word_is(t, &v[j], "numero") ||
		    word_is(t, &v[j], "num")))
			j++;
		if (j >= n || v[j].clause != v[i].clause)
			return 0;
		s = t->f + v[j].a;
		l = v[j].b - v[j].a;
		if ((k = number_word(s, l)) > 0) {
			s += k;
			l -= k;
		}
		if (!all_digits(s, l))
			return 0;
		*code = xasprintf("session-%.*s", (int)l, s);
		return j - i + 1;
	}
	if (s[0] == '#') {
		if (l < 2)
			return 0;
		*code = code_from_folded(s, l);
		return *code != NULL;
	}
	if (l > 7 && memcmp(s, "session", 7) == 0 && !is_alpha((unsigned char)s[7])) {
		*code = code_from_folded(s, l);
		return *code != NULL;
	}
	for (size_t k = 0; k < l; k++) {
		if (s[k] == '-')
			hy++;
		else if (is_digit((unsigned char)s[k]))
			dig++;
		else if (is_alpha((unsigned char)s[k]))
			alpha++;
		else
			return 0;
	}
	if (hy == 0 || dig == 0 || alpha == 0 || s[0] == '-' || s[l - 1] == '-')
		return 0;
	*generic = 1;
	*code = code_from_folded(s, l);
	return *code != NULL;
}

static void
guess_read(const struct text *t, struct guess *g)
{
	struct word *v;
	size_t n, i, nclauses;
	unsigned char *unreg_in, *cue_line;
	int num_list = 0, *match, head[27], next[nitems(cues)];

	memset(g, 0, sizeof(*g));
	g->too_long = t->flen > GUESS_MAX;
	n = words_of(t, &v);
	nclauses = n > 0 ? v[n - 1].clause + 1 : 0;
	unreg_in = xcalloc(nclauses + 1, 1);
	cue_line = xcalloc(n > 0 ? v[n - 1].line + 1 : 1, 1);
	match = xreallocarray(NULL, n + 1, sizeof(*match));

	/* The cues by first letter, in table order: each word is tried
	 * against a handful of cues, not all of them. */
	for (size_t b = 0; b < nitems(head); b++)
		head[b] = -1;
	for (size_t k = nitems(cues); k > 0; k--) {
		size_t b = cue_bucket(cues[k - 1].phrase[0]);

		next[k - 1] = head[b];
		head[b] = (int)(k - 1);
	}
	/* Pass 1: the cue at each word, and which clauses hold a wish to
	 * cancel (to drop "inscription" in "annuler mon inscription"). */
	for (i = 0; i < n; i++) {
		match[i] = -1;
		for (int k = head[cue_bucket(t->f[v[i].a])]; k >= 0;
		    k = next[k])
			if (cue_at(t, v, n, i, cues[k].phrase) > 0) {
				match[i] = k;
				cue_line[v[i].line] = 1;
				if (cues[k].wish == W_UNREG)
					unreg_in[v[i].clause] = 1;
				break;
			}
	}
	for (i = 0; i < n; i++) {
		char *code = NULL;
		size_t used;
		int list = num_list, generic = 0;

		num_list = 0;
		if (match[i] >= 0 && !(cues[match[i]].weak &&
		    unreg_in[v[i].clause])) {
			const struct cue *c = &cues[match[i]];

			if ((c->negatable && negated(t, v, i)) ||
			    !for_oneself(t, v, n, i, c->phrase)) {
				if (c->wish == W_REG)
					g->hreg++;
				else
					g->hunreg++;
			} else if (c->wish == W_REG) {
				if (g->reg++ == 0)
					g->reg_at = v[i].a;
			} else {
				if (g->unreg++ == 0)
					g->unreg_at = v[i].a;
			}
		}
		if (list && (word_is(t, &v[i], "et") ||
		    word_is(t, &v[i], "and") || word_is(t, &v[i], "ou") ||
		    word_is(t, &v[i], "or"))) {
			num_list = 1;
			continue;
		}
		/* "sessions 42, 43 et 44" */
		if (list && all_digits(t->f + v[i].a, v[i].b - v[i].a)) {
			code = xasprintf("session-%.*s", (int)(v[i].b - v[i].a),
			    t->f + v[i].a);
			used = 1;
		} else
			used = session_at(t, v, n, i, &code, &generic);
		if (used > 0 && generic && !cue_line[v[i].line]) {
			/* "eco-2026-12" is a session only on a line that says
			 * what to do with it; elsewhere it may be an office
			 * ("Bureau B-204") in a signature. */
			free(code);
			continue;
		}
		if (used > 0) {
			num_list = used > 1 || list;
			if (g->sessions.n >= GUESS_SESSIONS) {
				int known = 0;

				for (size_t k = 0; k < g->sessions.n; k++)
					known |= !strcmp(g->sessions.v[k], code);
				if (!known)
					g->more = 1;
				free(code);
			} else
				codes_add(&g->sessions, code);
			i += used - 1;
		}
	}
	free(unreg_in);
	free(cue_line);
	free(match);
	free(v);
}

/* The original line around folded offset at, trimmed. */
static char *
line_around(const struct text *t, size_t at)
{
	size_t o = t->offs[at], s = o, e = o;

	while (s > 0 && t->orig[s - 1] != '\n')
		s--;
	while (e < t->olen && t->orig[e] != '\n')
		e++;
	while (s < e && is_blank((unsigned char)t->orig[s]))
		s++;
	while (e > s && is_blank((unsigned char)t->orig[e - 1]))
		e--;
	return xstrndup(t->orig + s, e - s);
}

static char *
suggestion(enum cmd_kind kind, const struct codes *cs)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, cmd_kind_name(kind));
	for (size_t i = 0; i < cs->n && i < SUGGEST_CODES; i++)
		buf_addf(&b, " %s", cs->v[i]);
	return buf_detach(&b);
}

/* ---------------------------------------------------- misspelt commands */

static const struct {
	const char	*word;
	enum cmd_kind	 kind;
} misspellable[] = {
	{ "inscription", CMD_REGISTER },
	{ "desinscription", CMD_UNREGISTER },
	{ "s'inscrire", CMD_REGISTER },
	{ "desinscrire", CMD_UNREGISTER },
	{ "annulation", CMD_UNREGISTER },
	{ "unregister", CMD_UNREGISTER },
	{ "register", CMD_REGISTER },
};

/* "INSCRIPTON session-42": one letter away from a command word. */
static int
misspelt(struct parse *p, size_t a, size_t b)
{
	const struct text *t = p->t;
	struct tok v[LINE_TOKENS];
	struct codes cs = { NULL, 0 };
	char w[32];
	size_t n, l, stop;

	a = skip_bullets(t, a, b);
	n = tokenize(t, a, b, v, nitems(v));
	if (n < 2 || (l = v[0].cb - v[0].ca) < 6 || l >= sizeof(w))
		return 0;
	memcpy(w, t->f + v[0].ca, l);
	w[l] = '\0';
	for (size_t k = 0; k < nitems(misspellable); k++) {
		struct command *c;

		if (edit_distance(w, misspellable[k].word) != 1)
			continue;
		read_codes(t, v, 1, n, &cs, &stop);
		if (cs.n == 0)
			return 0;
		c = cmd_new(p->out, misspellable[k].kind);
		set_codes(c, &cs);
		c->line = orig_range(t, a, b);
		c->guessed = 1;
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

static size_t
split_spans(const struct text *t, struct span **vp)
{
	struct span *v = NULL;
	size_t n = 0, cap = 0, i = 0;

	while (i < t->flen) {
		size_t s = i;

		while (i < t->flen && t->f[i] != '\n')
			i++;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n].a = s;
		v[n].b = i;
		n++;
		if (i < t->flen)
			i++;
	}
	*vp = v;
	return n;
}

static size_t
count_seen(const struct command_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].ncodes > 1 ? l->v[i].ncodes : 1;
	return n;
}

/* Moves every command of from to the end of to. */
static void
take_all(struct command_list *to, struct command_list *from, int from_subject)
{
	for (size_t i = 0; i < from->n; i++) {
		struct command *c = cmd_new(to, from->v[i].kind);

		*c = from->v[i];
		c->from_subject = from_subject;
	}
	free(from->v);
	from->v = NULL;
	from->n = 0;
}

/* The one command a guess yields, or the unclear verdict. */
static void
guess_decide(struct command_list *out, const struct text *t,
    const struct guess *g, const struct codes *fallback)
{
	const struct codes *ss = g->sessions.n > 0 ? &g->sessions : fallback;
	enum cmd_kind kind;
	struct command *c;
	size_t at;

	if (g->reg > 0 && g->unreg == 0) {
		kind = CMD_REGISTER;
		at = g->reg_at;
	} else if (g->unreg > 0 && g->reg == 0) {
		kind = CMD_UNREGISTER;
		at = g->unreg_at;
	} else {
		/* both wishes, or only doubtful ones */
		out->unclear = 1;
		if (g->reg == 0 && g->unreg == 0 && ss != NULL && ss->n > 0 &&
		    !g->more && (g->hreg > 0) != (g->hunreg > 0))
			out->suggestion = suggestion(g->hreg > 0 ?
			    CMD_REGISTER : CMD_UNREGISTER, ss);
		return;
	}
	if (ss == NULL || ss->n == 0) {
		out->unclear = 1;
		return;
	}
	if (ss->n > 1 || g->more || g->too_long) {
		out->unclear = 1;
		if (!g->more)
			out->suggestion = suggestion(kind, ss);
		return;
	}
	c = cmd_new(out, kind);
	c->codes = xreallocarray(NULL, 1, sizeof(*c->codes));
	c->codes[0] = xstrdup(ss->v[0]);
	c->ncodes = 1;
	c->guessed = 1;
	c->line = line_around(t, at);
}

void
commands_parse(const char *subject, const char *body, size_t max,
    struct command_list *out)
{
	struct text st, bt;
	struct command_list subj = { NULL, 0, 0, 0, 0, NULL };
	struct parse p;
	struct span *lines, whole;
	struct guess g;
	size_t nlines, i;
	int body_attempt;

	memset(out, 0, sizeof(*out));
	if (max == 0)
		max = DEFAULT_MAX;
	text_init(&st, subject);
	text_init(&bt, body);

	/* The subject, read as one line. */
	memset(&p, 0, sizeof(p));
	p.t = &st;
	p.out = &subj;
	p.from_subject = 1;
	whole.a = 0;
	whole.b = st.flen;
	for (i = 0; i < st.flen; i++)
		if (st.f[i] == '\n' || st.f[i] == '\r')
			st.f[i] = ' ';	/* a subject is one line */
	p.lines = &whole;
	p.nlines = 1;
	parse_line(&p, 0, st.flen);

	/* ANNONCE and PROPOSITION in the subject make the body their text. */
	if (subj.n > 0 && (subj.v[0].kind == CMD_ANNOUNCE ||
	    subj.v[0].kind == CMD_PROPOSE)) {
		struct command *c;

		for (i = 1; i < subj.n; i++)
			cmd_clear(&subj.v[i]);
		subj.n = 1;
		take_all(out, &subj, 1);
		c = &out->v[0];
		if (c->kind == CMD_PROPOSE && bt.flen > 0)
			c->rest = orig_lines(&bt, 0, bt.flen);
		out->nseen = 1;
		goto done;
	}

	/* The body, line by line. */
	nlines = split_spans(&bt, &lines);
	memset(&p, 0, sizeof(p));
	p.t = &bt;
	p.out = out;
	p.lines = lines;
	p.nlines = nlines;
	for (i = 0; i < nlines; i++) {
		p.li = i;
		p.consumed = 0;
		parse_line(&p, lines[i].a, lines[i].b);
		i += p.consumed;
	}
	body_attempt = p.attempt;

	if (out->n == 0) {
		/* No command line: misspelt command words, then the
		 * forgiving reading. */
		for (i = 0; i < nlines; i++) {
			p.li = i;
			misspelt(&p, lines[i].a, lines[i].b);
		}
	}
	if (out->n == 0) {
		struct codes *fallback = NULL, subj_sessions = { NULL, 0 };
		struct guess sg;

		guess_read(&bt, &g);
		if (g.reg + g.unreg + g.hreg + g.hunreg == 0 &&
		    g.sessions.n == 0 && !body_attempt) {
			/* Nothing in the body: the subject counts. */
			codes_clear(&g.sessions);
			if (subj.n > 0) {
				take_all(out, &subj, 1);
			} else {
				guess_read(&st, &sg);
				if (sg.reg + sg.unreg + sg.hreg + sg.hunreg > 0) {
					guess_decide(out, &st, &sg, NULL);
					for (i = 0; i < out->n; i++)
						out->v[i].from_subject = 1;
				} else if (sg.sessions.n > 0)
					out->unclear = 1;
				codes_clear(&sg.sessions);
			}
		} else {
			/* The body's wish, with the subject's session when
			 * the body names none ("Re: INSCRIPTION session-42"
			 * answered "je ne pourrai pas venir"). */
			if (g.sessions.n == 0) {
				if (subj.n > 0 && (subj.v[0].kind ==
				    CMD_REGISTER || subj.v[0].kind ==
				    CMD_UNREGISTER)) {
					for (i = 0; i < subj.v[0].ncodes; i++)
						codes_add(&subj_sessions,
						    xstrdup(subj.v[0].codes[i]));
				} else {
					guess_read(&st, &sg);
					subj_sessions = sg.sessions;
				}
				fallback = &subj_sessions;
			}
			if (g.reg + g.unreg + g.hreg + g.hunreg == 0)
				out->unclear = 1;
			else
				guess_decide(out, &bt, &g, fallback);
			codes_clear(&subj_sessions);
			codes_clear(&g.sessions);
		}
	}
	free(lines);

done:
	commands_free(&subj);
	out->nseen = count_seen(out);
	if (out->nseen > max) {
		for (i = 0; i < out->n; i++)
			cmd_clear(&out->v[i]);
		free(out->v);
		out->v = NULL;
		out->n = 0;
		out->too_many = 1;
	}
	if (out->n > 0) {
		out->unclear = 0;
		free(out->suggestion);
		out->suggestion = NULL;
	}
	text_free(&st);
	text_free(&bt);
}
