/*
 * test_command.c - commands_parse(), code_normalise(), code_closest().
 *
 * Each case renders the parsed list as one string, so that the table
 * reads like the contract:
 *   "INSCRIPTION session-42 ; AIDE"   two commands from the body
 *   "^INSCRIPTION session-42"         read from the subject
 *   "~DESINSCRIPTION session-42"      guessed from a sentence
 *   "UNCLEAR: INSCRIPTION session-42" nothing done, that line suggested
 *   "TOO_MANY 21"                     nothing done
 *   ""                                no command, nothing unclear
 * arg and rest follow as arg=<...> rest=<...>, line ends shown as '|'.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "quote.h"
#include "command.h"

#define NBSP	"\xc2\xa0"
#define E_AIGU	"\xc3\xa9"
#define E_MAJ	"\xc3\x89"
#define A_GRAVE	"\xc3\xa0"
#define APOS	"\xe2\x80\x99"	/* typographic apostrophe */

static void
add_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		buf_addc(b, *s == '\n' ? '|' : *s);
}

static char *
render(const struct command_list *l)
{
	struct buf b = BUF_INIT;

	if (l->too_many) {
		buf_addf(&b, "TOO_MANY %zu", l->nseen);
		return buf_detach(&b);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct command *c = &l->v[i];

		if (i > 0)
			buf_adds(&b, " ; ");
		if (c->guessed)
			buf_addc(&b, '~');
		if (c->from_subject)
			buf_addc(&b, '^');
		buf_adds(&b, cmd_kind_name(c->kind));
		for (size_t k = 0; k < c->ncodes; k++)
			buf_addf(&b, " %s", c->codes[k]);
		if (c->arg != NULL) {
			buf_adds(&b, " arg=<");
			add_text(&b, c->arg);
			buf_addc(&b, '>');
		}
		if (c->rest != NULL) {
			buf_adds(&b, " rest=<");
			add_text(&b, c->rest);
			buf_addc(&b, '>');
		}
	}
	if (l->n == 0 && l->unclear) {
		buf_adds(&b, "UNCLEAR");
		if (l->suggestion != NULL)
			buf_addf(&b, ": %s", l->suggestion);
	}
	if (b.len == 0)
		return xstrdup("");
	return buf_detach(&b);
}

struct ccase {
	const char	*subject;	/* before subject_strip() */
	const char	*body;		/* own words */
	const char	*want;
};

/* Checks every case, reports every mismatch, then fails if any. */
static void
run_table(const struct ccase *t, size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct command_list l;
		char *subj = subject_strip(t[i].subject), *got;

		commands_parse(subj, t[i].body, 20, &l);
		got = render(&l);
		if (strcmp(got, t[i].want) != 0) {
			print_error("# subject \"%s\", body \"%s\":\n#   got  "
			    "\"%s\"\n#   want \"%s\"\n",
			    t[i].subject ? t[i].subject : "",
			    t[i].body ? t[i].body : "", got, t[i].want);
			bad++;
		}
		free(got);
		free(subj);
		commands_free(&l);
	}
	if (bad > 0)
		fail_msg("%zu of %zu cases differ", bad, n);
}

/* Every command and alias of commands.md, in the forms people type. */
static const struct ccase aliases[] = {
	{ "", "INSCRIPTION session-42", "INSCRIPTION session-42" },
	{ "", "inscription session-42", "INSCRIPTION session-42" },
	{ "", "Inscription Session-42", "INSCRIPTION session-42" },
	{ "", "INSCRIRE session-42", "INSCRIPTION session-42" },
	{ "", "S'INSCRIRE session-42", "INSCRIPTION session-42" },
	{ "", "S" APOS "INSCRIRE session-42", "INSCRIPTION session-42" },
	{ "", "s" APOS "inscrire session-42", "INSCRIPTION session-42" },
	{ "", "REGISTER session-42", "INSCRIPTION session-42" },
	{ "", "JOIN session-42", "INSCRIPTION session-42" },
	{ "", "DESINSCRIPTION session-42", "DESINSCRIPTION session-42" },
	{ "", "D" E_MAJ "SINSCRIPTION session-42", "DESINSCRIPTION session-42" },
	{ "", "d" E_AIGU "sinscription session-42", "DESINSCRIPTION session-42" },
	{ "", "ANNULATION session-42", "DESINSCRIPTION session-42" },
	{ "", "ANNULER session-42", "DESINSCRIPTION session-42" },
	{ "", "CANCEL session-42", "DESINSCRIPTION session-42" },
	{ "", "UNREGISTER session-42", "DESINSCRIPTION session-42" },
	{ "", "PROGRAMME", "PROGRAMME" },
	{ "", "programme", "PROGRAMME" },
	{ "", "PROGRAM", "PROGRAMME" },
	{ "", "AGENDA", "PROGRAMME" },
	{ "", "CALENDRIER", "PROGRAMME" },
	{ "", "MES INSCRIPTIONS", "MES INSCRIPTIONS" },
	{ "", "mes   inscriptions", "MES INSCRIPTIONS" },
	{ "", "INSCRIPTIONS", "MES INSCRIPTIONS" },
	{ "", "STATUT", "MES INSCRIPTIONS" },
	{ "", "STATUS", "MES INSCRIPTIONS" },
	{ "", "AIDE", "AIDE" },
	{ "", "HELP", "AIDE" },
	{ "", "?", "AIDE" },
	{ "", "Aide svp", "AIDE" },
	{ "", "PROPOSITION Excel avanc" E_AIGU "\nLes tableaux crois" E_AIGU
	  "s.\n\nDeux heures.",
	  "PROPOSITION arg=<Excel avanc" E_AIGU "> rest=<Les tableaux crois"
	  E_AIGU "s.||Deux heures.>" },
	{ "", "PROPOSER : Compostage", "PROPOSITION arg=<Compostage>" },
	{ "", "PROPOSE Word basics\ndescription",
	  "PROPOSITION arg=<Word basics> rest=<description>" },
	{ "", "STOP PROGRAMME", "STOP PROGRAMME" },
	{ "", "stop programme", "STOP PROGRAMME" },
	{ "", "STOP", "STOP PROGRAMME" },
	{ "", "UNSUBSCRIBE", "STOP PROGRAMME" },
	{ "", "ABONNEMENT PROGRAMME", "ABONNEMENT PROGRAMME" },
	{ "", "SUBSCRIBE", "ABONNEMENT PROGRAMME" },
	{ "", "Abonnement", "ABONNEMENT PROGRAMME" },
	/* coordinator */
	{ "ANNONCE Fermeture le 24 d" E_AIGU "cembre",
	  "Bonjour \xc3\xa0 tous,\nINSCRIPTION session-42 pour venir.",
	  "^ANNONCE arg=<Fermeture le 24 d" E_AIGU "cembre>" },
	{ "Re: ANNONCE", "texte", "^ANNONCE" },
	{ "", "ANNONCE dans le corps", "" },
	{ "IMPORT", "Voici le fichier.", "^IMPORT" },
	{ "", "IMPORT", "IMPORT" },
	{ "", "LISTE session-42", "LISTE session-42" },
	{ "", "LISTE session-42 session-43", "LISTE session-42 ; LISTE session-43" },
	{ "", "EMARGEMENT session-42", "EMARGEMENT session-42" },
	{ "", E_MAJ "MARGEMENT #42", "EMARGEMENT session-42" },
	{ "", "ANNULER SESSION session-42 Formateur malade",
	  "ANNULER SESSION session-42 arg=<Formateur malade>" },
	{ "", "ANNULER SESSION eco-2026-12 : salle indisponible",
	  "ANNULER SESSION eco-2026-12 arg=<salle indisponible>" },
	{ "", "annuler session #42", "ANNULER SESSION session-42" },
	{ "", "ANNULER SESSION 42 formateur absent",
	  "ANNULER SESSION session-42 arg=<formateur absent>" },
	/* "ANNULER session 42" is an agent cancelling: the milder reading */
	{ "", "ANNULER session 42", "DESINSCRIPTION session-42" },
	{ "", "ANNULER SESSION 42 svp", "DESINSCRIPTION session-42" },
	{ "", "PRESENTS session-42\njean.dupont@ville.example\nMarie Martin\n\n"
	  "Merci", "PRESENTS session-42 rest=<jean.dupont@ville.example|Marie "
	  "Martin>" },
	{ "", "PR" E_MAJ "SENTS session-42\n\nJean\nINSCRIPTION session-43",
	  "PRESENTS session-42 rest=<Jean|INSCRIPTION session-43>" },
	{ "", "CONFIRMER 482913", "CONFIRMER arg=<482913>" },
	{ "", "confirmer AB12-CD34", "CONFIRMER arg=<AB12-CD34>" },
	{ "Re: CONFIRMER 482913", "", "^CONFIRMER arg=<482913>" },
};

/* Codes as people write them, and the line around. */
static const struct ccase codes[] = {
	{ "", "INSCRIPTION session 42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION Session42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION SESSION-42.", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION #42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION # 42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION 42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION session n\xc2\xb0" "42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION session n\xc2\xb0 42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION Eco-2026-12", "INSCRIPTION eco-2026-12" },
	{ "", "INSCRIPTION compostage", "INSCRIPTION compostage" },
	{ "", "INSCRIPTION eco-conduite", "INSCRIPTION eco-conduite" },
	{ "", "INSCRIPTION session-42 session-43",
	  "INSCRIPTION session-42 session-43" },
	{ "", "INSCRIPTION session-42, session-43 et #44",
	  "INSCRIPTION session-42 session-43 session-44" },
	{ "", "INSCRIPTION 42 et 43", "INSCRIPTION session-42 session-43" },
	{ "", "INSCRIPTION session-42 session-42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION : session-42", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION " A_GRAVE " la session 42 svp, merci !",
	  "INSCRIPTION session-42" },
	{ "", "INSCRIPTION session-42 le 3 d" E_AIGU "cembre " A_GRAVE " 9h30",
	  "INSCRIPTION session-42" },
	{ "", "INSCRIPTION session-42 peut-" "\xc3\xaa" "tre",
	  "INSCRIPTION session-42" },
	{ "", "  \tINSCRIPTION\t session-42  ", "INSCRIPTION session-42" },
	{ "", "- INSCRIPTION session-42", "INSCRIPTION session-42" },
	{ "", "* INSCRIPTION session-42", "INSCRIPTION session-42" },
	{ "", "\xe2\x80\xa2 INSCRIPTION session-42", "INSCRIPTION session-42" },
	{ "", "1. INSCRIPTION session-42\n2) INSCRIPTION session-43",
	  "INSCRIPTION session-42 ; INSCRIPTION session-43" },
	{ "", "*INSCRIPTION session-42*", "INSCRIPTION session-42" },
	{ "", "INSCRIPTION" NBSP "session-42", "INSCRIPTION session-42" },
	{ "", "Bonjour,\n\nINSCRIPTION session-42\n\nMerci\nJean",
	  "INSCRIPTION session-42" },
	{ "", "INSCRIPTION session-42\nDESINSCRIPTION session-43\nAIDE",
	  "INSCRIPTION session-42 ; DESINSCRIPTION session-43 ; AIDE" },
	{ "", "INSCRIPTION session-42 DESINSCRIPTION session-43",
	  "INSCRIPTION session-42 ; DESINSCRIPTION session-43" },
	{ "", "STOP session-42", "DESINSCRIPTION session-42" },
	{ "", "INSCRIPTIONS session-42", "INSCRIPTION session-42" },
	/* misspelt command words are guessed */
	{ "", "INSCRIPTON session-42", "~INSCRIPTION session-42" },
	{ "", "DESINSCRIPTON session-42", "~DESINSCRIPTION session-42" },
};

/* Lines that start like a command but are sentences. */
static const struct ccase not_commands[] = {
	{ "", "Merci !", "" },
	{ "", "Bonjour,\n\nMerci beaucoup.\nJean", "" },
	{ "", "", "" },
	{ NULL, NULL, "" },
	{ "", "Programme tr\xc3\xa8s int" E_AIGU "ressant, merci", "" },
	{ "", "Agenda charg" E_AIGU " cette semaine.", "" },
	{ "", "Aide " A_GRAVE " domicile", "" },
	{ "INSCRIPTION session-42", "Jean Dupont\nStatut : titulaire\n"
	  "Aide-soignante", "^INSCRIPTION session-42" },
	{ "", "Inscription faite hier mais pas de confirmation", "UNCLEAR" },
	{ "", "INSCRIPTION", "UNCLEAR" },
	{ "", "INSCRIPTION formation excel", "UNCLEAR" },
	{ "", "Stop, je ne comprends rien", "UNCLEAR" },
	{ "", "CONFIRMER ma pr" E_AIGU "sence", "UNCLEAR" },
	{ "", "Liste des participants ?", "" },
	{ "", "\xe2\x86\x92 Pour s'inscrire : INSCRIPTION session-42",
	  "~INSCRIPTION session-42" },
};

/* Where commands are read: subject versus body. */
static const struct ccase subject_body[] = {
	{ "Re: INSCRIPTION session-42", "DESINSCRIPTION session-42",
	  "DESINSCRIPTION session-42" },
	{ "Re: INSCRIPTION session-42", "", "^INSCRIPTION session-42" },
	{ "Re: INSCRIPTION session-42", NULL, "^INSCRIPTION session-42" },
	{ "INSCRIPTION session-42", "Merci !", "^INSCRIPTION session-42" },
	{ "RE : TR: Fwd: inscription session 42", "Bonjour,\nJean",
	  "^INSCRIPTION session-42" },
	{ "[TRUC\xc2\xb2] Re: AIDE", "", "^AIDE" },
	{ "Re: INSCRIPTION session-42", "AIDE", "AIDE" },
	/* the body's wish, the subject's session */
	{ "Re: INSCRIPTION session-42", "Je ne pourrai pas venir, d" E_AIGU
	  "sol" E_AIGU ".", "~DESINSCRIPTION session-42" },
	{ "Formation Excel (session 42)", "Bonjour,\nJe souhaite m'inscrire."
	  "\nMerci", "~INSCRIPTION session-42" },
	{ "Re: INSCRIPTION session-42", "Merci, je m'inscris aussi " A_GRAVE
	  " la session 43", "~INSCRIPTION session-43" },
	{ "Re: INSCRIPTION session-42", "Et pour la session 43 ?", "UNCLEAR" },
	{ "Demande d'inscription", "Je souhaite m'inscrire " A_GRAVE
	  " la session 42", "~INSCRIPTION session-42" },
	{ "Je souhaite m'inscrire " A_GRAVE " la session 42", "",
	  "~^INSCRIPTION session-42" },
	{ "Re: Programme TRUC\xc2\xb2 : semaine du 30 novembre", "Merci", "" },
	/* a code-like office number in a signature is not a session */
	{ "Re: INSCRIPTION session-42", "Merci\n\nJean Dupont\nBureau B-204",
	  "^INSCRIPTION session-42" },
	{ "Re: INSCRIPTION session-42", "Je ne pourrai pas venir.\n\nJean "
	  "Dupont\nBureau B-204", "~DESINSCRIPTION session-42" },
	{ "PROPOSITION Atelier compostage", "Description\nProgramme :\n"
	  "- le bac\n- le broyat", "^PROPOSITION arg=<Atelier compostage> "
	  "rest=<Description|Programme :|- le bac|- le broyat>" },
};

/* The forgiving reading (commands.md, "Forgiving reading"). */
static const struct ccase forgiving[] = {
	{ "", "Je souhaite m'inscrire " A_GRAVE " la session 42",
	  "~INSCRIPTION session-42" },
	{ "", "Bonjour, pouvez-vous m'inscrire au session-42 svp",
	  "~INSCRIPTION session-42" },
	{ "", "je ne pourrai pas venir " A_GRAVE " session-42",
	  "~DESINSCRIPTION session-42" },
	{ "", "I'd like to register for session 42",
	  "~INSCRIPTION session-42" },
	{ "", "merci de me d" E_AIGU "sinscrire de #42",
	  "~DESINSCRIPTION session-42" },
	{ "", "Bonjour,\n\nJe voudrais participer " A_GRAVE " l'atelier "
	  "eco-2026-12.\n\nCordialement,\nMarie",
	  "~INSCRIPTION eco-2026-12" },
	{ "", "Merci de m'inscrire " A_GRAVE " la session n\xc2\xb0" "42 !",
	  "~INSCRIPTION session-42" },
	{ "", "Bonjour, je m'inscris " A_GRAVE " la session 42.",
	  "~INSCRIPTION session-42" },
	{ "", "Inscrivez-moi " A_GRAVE " la session n\xc2\xb0" "42 !",
	  "INSCRIPTION session-42" },	/* a command line, not a guess */
	{ "", "Je voudrais annuler mon inscription " A_GRAVE " la session 42",
	  "~DESINSCRIPTION session-42" },
	{ "", "Je suis inscrit " A_GRAVE " la session 42 mais je ne pourrai "
	  "pas venir", "~DESINSCRIPTION session-42" },
	{ "", "Empêchée le 3, merci d'annuler pour la session 42",
	  "~DESINSCRIPTION session-42" },
	{ "", "Sorry, I can't attend session 42.",
	  "~DESINSCRIPTION session-42" },
	{ "", "Please cancel my registration for session-42",
	  "~DESINSCRIPTION session-42" },
	/* not clear: nothing is done */
	{ "", "je veux m'inscrire aux sessions 42 et 43",
	  "UNCLEAR: INSCRIPTION session-42 session-43" },
	{ "", "je voudrais m'inscrire " A_GRAVE " #42 et #43",
	  "UNCLEAR: INSCRIPTION session-42 session-43" },
	{ "", "je m'inscris " A_GRAVE " la session 43 et je ne pourrai pas "
	  "venir " A_GRAVE " la session 42", "UNCLEAR" },
	{ "", "Je souhaite m'inscrire, merci", "UNCLEAR" },
	{ "", "Reste-t-il de la place " A_GRAVE " la session 42 ?", "UNCLEAR" },
	{ "", "La session 42 est-elle maintenue ?", "UNCLEAR" },
	{ "", "je ne peux pas m'inscrire " A_GRAVE " la session 42, le lien "
	  "ne marche pas", "UNCLEAR: INSCRIPTION session-42" },
	{ "", "Je ne souhaite pas m'inscrire " A_GRAVE " la session 42",
	  "UNCLEAR: INSCRIPTION session-42" },
	{ "", "I don't want to register for session 42",
	  "UNCLEAR: INSCRIPTION session-42" },
	/* someone else: the sender would be registered */
	{ "", "Merci d'inscrire Jean " A_GRAVE " la session 42",
	  "UNCLEAR: INSCRIPTION session-42" },
	{ "", "Je voudrais inscrire mon " E_AIGU "quipe " A_GRAVE " la session 42",
	  "UNCLEAR: INSCRIPTION session-42" },
	{ "", "Mon num" E_AIGU "ro : 06-12-34-56-78, je m'inscris", "UNCLEAR" },
	{ "", "Rendez-vous le 2026-12-03 " A_GRAVE " 9h30", "" },
	{ "", "Bonne journ" E_AIGU "e", "" },
};

static void
test_aliases(void **state)
{
	(void)state;
	run_table(aliases, nitems(aliases));
}

static void
test_codes(void **state)
{
	(void)state;
	run_table(codes, nitems(codes));
}

static void
test_not_commands(void **state)
{
	(void)state;
	run_table(not_commands, nitems(not_commands));
}

static void
test_subject_body(void **state)
{
	(void)state;
	run_table(subject_body, nitems(subject_body));
}

static void
test_forgiving(void **state)
{
	(void)state;
	run_table(forgiving, nitems(forgiving));
}

static void
test_line_and_guess(void **state)
{
	struct command_list l;

	(void)state;
	commands_parse("", "Bonjour,\n  - INSCRIPTION session-42  \nMerci", 20,
	    &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].line, "INSCRIPTION session-42");
	assert_int_equal(l.v[0].guessed, 0);
	assert_int_equal(l.v[0].from_subject, 0);
	commands_free(&l);

	commands_parse("", "Bonjour,\nJe ne pourrai pas venir " A_GRAVE
	    " la session 42.\nJean", 20, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].guessed, 1);
	assert_string_equal(l.v[0].line, "Je ne pourrai pas venir " A_GRAVE
	    " la session 42.");
	commands_free(&l);

	commands_parse("INSCRIPTION session-42", "", 20, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].from_subject, 1);
	assert_string_equal(l.v[0].line, "INSCRIPTION session-42");
	commands_free(&l);
}

static void
test_too_many(void **state)
{
	struct command_list l;
	struct buf b = BUF_INIT;
	char *s;

	(void)state;
	for (int i = 0; i < 20; i++)
		buf_addf(&b, "INSCRIPTION session-%d\n", i);
	s = buf_detach(&b);
	commands_parse("", s, 20, &l);
	assert_int_equal(l.n, 20);
	assert_int_equal(l.too_many, 0);
	commands_free(&l);
	commands_parse("", s, 0, &l);		/* 0: the default, 20 */
	assert_int_equal(l.n, 20);
	commands_free(&l);
	commands_parse("", s, 19, &l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	assert_int_equal(l.too_many, 1);
	assert_int_equal(l.nseen, 20);
	commands_free(&l);
	free(s);

	/* 21 lines of any kind */
	for (int i = 0; i < 21; i++)
		buf_adds(&b, i % 2 ? "AIDE\n" : "PROGRAMME\n");
	s = buf_detach(&b);
	commands_parse("", s, 20, &l);
	assert_int_equal(l.too_many, 1);
	assert_int_equal(l.n, 0);
	commands_free(&l);
	free(s);

	/* one line naming 25 sessions counts 25 */
	buf_adds(&b, "INSCRIPTION");
	for (int i = 0; i < 25; i++)
		buf_addf(&b, " session-%d", i);
	s = buf_detach(&b);
	commands_parse("", s, 20, &l);
	assert_int_equal(l.too_many, 1);
	assert_int_equal(l.nseen, 25);
	commands_free(&l);
	free(s);

	/* a programme pasted without quotes, 30 sessions */
	for (int i = 0; i < 30; i++)
		buf_addf(&b, "Session %d\nINSCRIPTION session-%d\n\n", i, i);
	s = buf_detach(&b);
	commands_parse("", s, 20, &l);
	assert_int_equal(l.too_many, 1);
	commands_free(&l);
	free(s);

	commands_parse("", "INSCRIPTION s-1\nINSCRIPTION s-2\nINSCRIPTION s-3",
	    2, &l);
	assert_int_equal(l.too_many, 1);
	commands_free(&l);
}

static const struct {
	const char	*in;
	const char	*out;	/* NULL: not a code */
} normalise_table[] = {
	{ "session 42", "session-42" },
	{ "Session42", "session-42" },
	{ "session-42", "session-42" },
	{ "#42", "session-42" },
	{ "SESSION-42.", "session-42" },
	{ "42", "session-42" },
	{ "session n\xc2\xb0" "42", "session-42" },
	{ "session_42", "session-42" },
	{ "Eco-2026-12", "eco-2026-12" },
	{ "(eco-2026-12),", "eco-2026-12" },
	{ "#eco-2026-12", "eco-2026-12" },
	{ "\xc3\x89" "co-conduite", "eco-conduite" },
	{ "compostage", "compostage" },
	{ "sessions", "sessions" },
	{ "session", "session" },
	{ "a--b-", "a-b" },
	{ "", NULL },
	{ "   ", NULL },
	{ "x@y", NULL },
	{ "9:00", NULL },
	{ "03/12", NULL },
	{ "l'atelier", NULL },
	{ "\xe6\x97\xa5", NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  NULL },		/* 65 characters */
};

static void
test_code_normalise(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(normalise_table); i++) {
		char *c = code_normalise(normalise_table[i].in);

		if (normalise_table[i].out == NULL) {
			if (c != NULL)
				fail_msg("\"%s\": got \"%s\", want NULL",
				    normalise_table[i].in, c);
		} else if (c == NULL ||
		    strcmp(c, normalise_table[i].out) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
			    normalise_table[i].in, c ? c : "(null)",
			    normalise_table[i].out);
		free(c);
	}
	assert_null(code_normalise(NULL));
}

static void
test_code_closest(void **state)
{
	const char *const known[] = {
		"session-41", "session-42", "eco-2026-12", "session-142",
		"excel-avance", "word-debutant",
	};
	const char *out[3];
	size_t n;

	(void)state;
	/* the same number first, then the nearest spelling */
	n = code_closest("42", known, nitems(known), out, 3);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "session-42");
	n = code_closest("session-43", known, nitems(known), out, 3);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "session-41");	/* ties: known order */
	assert_string_equal(out[1], "session-42");
	n = code_closest("eco-2026-11", known, nitems(known), out, 1);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "eco-2026-12");
	n = code_closest("Excel-Avancé", known, nitems(known), out, 2);
	assert_int_equal(n, 2);
	assert_string_equal(out[0], "excel-avance");
	n = code_closest("session-0142", known, nitems(known), out, 1);
	assert_string_equal(out[0], "session-142");
	/* fewer known than asked, none known, nothing asked */
	n = code_closest("x", known, 2, out, 3);
	assert_int_equal(n, 2);
	assert_int_equal(code_closest("x", known, 0, out, 3), 0);
	assert_int_equal(code_closest("x", known, 2, out, 0), 0);
	assert_int_equal(code_closest(NULL, known, 2, out, 3), 0);
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(cmd_kind_name(CMD_REGISTER), "INSCRIPTION");
	assert_string_equal(cmd_kind_name(CMD_UNREGISTER), "DESINSCRIPTION");
	assert_string_equal(cmd_kind_name(CMD_MY_REGISTRATIONS),
	    "MES INSCRIPTIONS");
	assert_string_equal(cmd_kind_name(CMD_CANCEL_SESSION),
	    "ANNULER SESSION");
	assert_string_equal(cmd_kind_name(CMD_CONFIRM), "CONFIRMER");
	assert_string_equal(cmd_kind_name((enum cmd_kind)99), "?");
	assert_true(cmd_is_coordinator(CMD_IMPORT));
	assert_true(cmd_is_coordinator(CMD_PRESENT));
	assert_false(cmd_is_coordinator(CMD_REGISTER));
	assert_false(cmd_is_coordinator(CMD_CONFIRM));
	/* every canonical name reads back as its own command */
	for (int k = CMD_REGISTER; k <= CMD_CONFIRM; k++) {
		struct command_list l;
		char *line;

		if (k == CMD_ANNOUNCE)
			continue;	/* subject only */
		line = xasprintf("%s%s", cmd_kind_name((enum cmd_kind)k),
		    k == CMD_REGISTER || k == CMD_UNREGISTER || k == CMD_LIST ||
		    k == CMD_SHEET || k == CMD_PRESENT || k == CMD_CANCEL_SESSION
		    ? " session-42" : k == CMD_CONFIRM ? " 123456" :
		    k == CMD_PROPOSE ? " Titre" : "");
		commands_parse("", line, 20, &l);
		if (l.n != 1 || (int)l.v[0].kind != k)
			fail_msg("\"%s\" not read back", line);
		commands_free(&l);
		free(line);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_not_commands),
		cmocka_unit_test(test_subject_body),
		cmocka_unit_test(test_forgiving),
		cmocka_unit_test(test_line_and_guess),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_code_normalise),
		cmocka_unit_test(test_code_closest),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
