/*
 * fold.h - lower-case ASCII folding of UTF-8 French text, for matching.
 *
 * "DÉSINSCRIPTION" -> "desinscription", "S’INSCRIRE" -> "s'inscrire",
 * "œ" -> "oe", "ß" -> "ss".  Typographic apostrophes become ', typographic
 * quotes ", dashes -, bullets *, and every Unicode space (U+00A0, U+202F,
 * U+2000-U+200A, ...) a plain space.  Zero-width characters (U+200B-U+200D,
 * U+2060, U+FEFF) and the soft hyphen vanish.  Any other non-ASCII
 * character becomes '~', one per character, so that folded text keeps its
 * word boundaries.  A byte that is not valid UTF-8 is read as windows-1252 /
 * Latin-1 (undecoded 8-bit text still folds sensibly).  Line breaks and
 * other ASCII control characters are kept as they are, so a folded text has
 * exactly the lines of its source.
 *
 * Pure functions, no locale.
 */
#ifndef TRUCD_FOLD_H
#define TRUCD_FOLD_H

#include <stddef.h>

/* Folds a NUL-terminated string.  The caller frees the result. */
char	*fold_text(const char *utf8);

/*
 * Folds len bytes of s (NULs included).  The result (caller frees) is
 * NUL-terminated; its length goes to *outlen when outlen is not NULL.
 * When offs is not NULL, *offs receives an array (caller frees) of
 * *outlen + 1 offsets: offs[i] is the offset in s of the character that
 * produced output byte i, and offs[*outlen] is len.  It lets a parser match
 * on folded text and hand back the original words.
 */
char	*fold_textn(const char *s, size_t len, size_t **offs, size_t *outlen);

#endif
