/*
 * command.h - reading the commands of a mail (spec: commands.md).
 *
 * Pure: text in, a list of commands out; no I/O, no database.  Whether a
 * code exists, whether the sender may run a coordinator command, and what
 * to answer are the caller's business.
 */
#ifndef TRUCD_COMMAND_H
#define TRUCD_COMMAND_H

#include <stddef.h>

enum cmd_kind {
	CMD_REGISTER,		/* INSCRIPTION <code> [<code> ...] */
	CMD_UNREGISTER,		/* DESINSCRIPTION <code> [<code> ...] */
	CMD_PROGRAMME,		/* PROGRAMME */
	CMD_MY_REGISTRATIONS,	/* MES INSCRIPTIONS */
	CMD_HELP,		/* AIDE */
	CMD_PROPOSE,		/* PROPOSITION <title>, description below */
	CMD_STOP_PROGRAMME,	/* STOP PROGRAMME */
	CMD_START_PROGRAMME,	/* ABONNEMENT PROGRAMME */
	/* coordinator: */
	CMD_ANNOUNCE,		/* subject "ANNONCE <subject>", the body is the text */
	CMD_IMPORT,		/* IMPORT, CSV attached */
	CMD_LIST,		/* LISTE <code> */
	CMD_SHEET,		/* EMARGEMENT <code> */
	CMD_CANCEL_SESSION,	/* ANNULER SESSION <code> [reason] */
	CMD_PRESENT,		/* PRESENTS <code>, one name or address a line below */
	CMD_CONFIRM		/* CONFIRMER <code>: one-time code for coordinator confirmation */
};

struct command {
	enum cmd_kind kind;
	/*
	 * Session codes, normalised by code_normalise(): REGISTER and
	 * UNREGISTER have one or more, LIST, SHEET, CANCEL_SESSION and
	 * PRESENT exactly one, the others none (codes NULL, ncodes 0).
	 */
	char	**codes;
	size_t	  ncodes;
	/* PROPOSE: the title (may be NULL); ANNOUNCE: the subject (may be
	 * NULL); CANCEL_SESSION: the reason (may be NULL); CONFIRM: the
	 * one-time code as written; else NULL.  Original text, UTF-8. */
	char	*arg;
	/* PROPOSE: the lines below the command (the description); PRESENT:
	 * the lines below it up to a blank line, one name or address each;
	 * else NULL.  Original text, LF line ends, trailing blanks cut. */
	char	*rest;
	/* The line the command was read from, trimmed (for the reply:
	 * "you wrote: ..."); for a guess, the line where the wish was read. */
	char	*line;
	int	 from_subject;	/* read from the subject */
	int	 guessed;	/* read from a sentence (forgiving reading): the
				   reply must say what was understood */
};

struct command_list {
	struct command *v;
	size_t	 n;
	/* Commands found, each code of a multi-code line counting as one
	 * (so a pasted programme on one line counts all its sessions). */
	size_t	 nseen;
	/* nseen > max: v is empty and nothing must be done; the reply says
	 * that the mail holds too many commands. */
	int	 too_many;
	/* No command, but the text looks like a request (a wish to register
	 * or cancel, a session named, a misspelt command word): nothing is
	 * done, the reply explains how to write it. */
	int	 unclear;
	/* When unclear: the exact line to send if it can be guessed
	 * ("INSCRIPTION session-42"), else NULL. */
	char	*suggestion;
};

/*
 * Reads the commands of a mail.  subject: already stripped with
 * subject_strip() (NULL means none); body: the own words (own_words(),
 * NULL means none).  max: the configured limit (0 means 20).
 *
 * One command per line, a line being a command when it starts with a
 * command word (after bullets "-", "*", "•", "1.", "1)").  The subject
 * counts only when the body holds no command, except that a subject
 * "ANNONCE ..." or "PROPOSITION ..." always wins: the body is then the
 * announcement or the description and is not read for commands.  With no
 * command anywhere, the forgiving reading looks for a clear wish about
 * exactly one session (from the body, or the subject's session when the
 * body names none) and yields one command with guessed set; anything less
 * clear sets unclear.
 *
 * *out is filled (caller frees with commands_free); all strings are
 * owned by it.
 */
void	 commands_parse(const char *subject, const char *body, size_t max,
	    struct command_list *out);
void	 commands_free(struct command_list *);

/* The canonical French command, e.g. "INSCRIPTION", "MES INSCRIPTIONS". */
const char *cmd_kind_name(enum cmd_kind);
/* 1 for the commands only a coordinator may run. */
int	 cmd_is_coordinator(enum cmd_kind);

/*
 * A session code as the coordinator writes it: "session 42", "Session42",
 * "session-42", "#42", "42", "SESSION-42.", "session n°42" give
 * "session-42"; "Eco-2026-12" gives "eco-2026-12".  NULL when the word
 * cannot be a code (codes: lower-case letters, digits and '-', at most 64).
 * The caller frees the result.
 */
char	*code_normalise(const char *word);

/*
 * Up to maxout of the nknown codes closest to code, best first, and their
 * count: first those with the same number ("42" vs "session-42"), then by
 * edit distance ignoring case; ties keep the order of known.  The pointers
 * written to out point into known.
 */
size_t	 code_closest(const char *code, const char *const *known, size_t nknown,
	    const char **out, size_t maxout);

#endif
