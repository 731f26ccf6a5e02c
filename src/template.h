/*
 * template.h - the texts trucd sends, as small mustache-like templates.
 *
 * Templates are UTF-8 files templates/<lang>/<name>.txt, and
 * templates/<lang>/<name>.html where an HTML version exists.  The first
 * line may be "Subject: ..." followed by one blank line; the subject may
 * hold placeholders and is rendered as plain text on one line.
 *
 * Syntax:
 *   {{name}}               the value, empty if unset; HTML-escaped in .html
 *                          templates ({{{name}}} or {{&name}} is raw there)
 *   {{#name}}...{{/name}}  a list: the inside is repeated once per item,
 *                          each item a child context (names it lacks are
 *                          looked up in the enclosing contexts); a string
 *                          value acts as a condition: shown once when set,
 *                          non-empty and not "0"
 *   {{^name}}...{{/name}}  shown only when name is unset, "", "0" or an
 *                          empty list
 *   {{#name?}}...{{/name?}} shown once, in the current context, when name
 *                          is a non-empty list or a true string: the place
 *                          for a heading above a list
 *   {{! comment }}         dropped
 * A line holding only a section or comment tag (and blanks) is removed
 * entirely, newline included.  Line ends are "\n" in what is rendered.
 *
 * Errors follow the project idiom: NULL (or -1) and *cause set to an
 * allocated English message the caller frees.
 */
#ifndef TRUCD_TEMPLATE_H
#define TRUCD_TEMPLATE_H

#include <stddef.h>

struct buf;

/* A context: name -> string, or name -> list of child contexts. */
struct tpl_vars;

struct tpl_vars	*tpl_vars_new(void);
/* Sets NAME to a copy of VALUE (NULL unsets it); replaces a list. */
void		 tpl_set(struct tpl_vars *, const char *name, const char *value);
void		 tpl_setf(struct tpl_vars *, const char *name, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* Appends a new empty child to list NAME (created if needed, replacing a
 * string); the child is owned by the parent, do not free it. */
struct tpl_vars	*tpl_add_item(struct tpl_vars *, const char *list);
/* The string value of NAME in this context only, or NULL. */
const char	*tpl_get(const struct tpl_vars *, const char *name);
void		 tpl_vars_free(struct tpl_vars *);

/* Every template of one root directory, loaded and compiled once. */
struct templates;

/*
 * Loads DIR/<lang>/ for every language directory under DIR (at least
 * "fr", the fallback, which must hold every required template).  A
 * syntax error fails the whole load with *cause "FILE:LINE: what".
 * SIGHUP: load a new set, and swap it in only when this succeeds.
 */
struct templates *templates_load(const char *dir, char **cause);
void		 templates_free(struct templates *);

/*
 * Renders template NAME in LANG; LANG NULL, unknown, or lacking NAME
 * falls back to "fr".  NAME is "reply" for reply.txt, "programme.html" for
 * the HTML version (values HTML-escaped).  Returns the body (caller frees)
 * and, if SUBJECT is not NULL, *subject (caller frees; NULL when the
 * template has no Subject line).  NULL + *cause on a missing template.
 */
char		*tpl_render(const struct templates *, const char *lang,
		    const char *name, const struct tpl_vars *, char **subject,
		    char **cause);
/* 1 if NAME (e.g. "programme.html") exists in LANG or in the fallback. */
int		 tpl_exists(const struct templates *, const char *lang,
		    const char *name);

/* Parses and renders a template held in a string (no Subject handling). */
char		*tpl_render_string(const char *tpl, int html,
		    const struct tpl_vars *, char **cause);

/*
 * Checks every template file under DIR/<lang>/: syntax (unbalanced or
 * mismatched sections, bad tags, invalid UTF-8), placeholders unknown for
 * that template, a Subject line where none belongs or missing where one
 * must be, unknown template files, and required templates missing from
 * fr/ and en/.  Appends one line per problem, "FILE:LINE: what\n" (a
 * missing file is "FILE: what\n"), to *report; returns the count.
 */
int		 templates_check(const char *dir, struct buf *report);

/* The names of the required templates (NULL-terminated), for tools. */
extern const char *const tpl_required[];

#endif
