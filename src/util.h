/*
 * util.h - allocation that never fails, a growable byte buffer, and small
 * string helpers shared by every module.
 *
 * The x* allocators abort the program (through fatalx) when memory runs out,
 * so callers never test for NULL.  Every returned pointer is owned by the
 * caller and released with free().
 */
#ifndef TRUCD_UTIL_H
#define TRUCD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* printf into a fresh string; the caller frees it. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/*
 * A growable buffer, always NUL-terminated after any add (s may be NULL
 * while nothing was added).  buf_detach() hands the string to the caller
 * (never NULL) and leaves the buffer empty; buf_free() releases it.
 */
struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};
#define BUF_INIT { NULL, 0, 0 }

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, int);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
/* One Unicode code point as UTF-8. */
void	 buf_add_codepoint(struct buf *, uint32_t);
/* s with & < > " ' escaped for HTML text and attribute values. */
void	 buf_add_html(struct buf *, const char *s);
char	*buf_detach(struct buf *);
void	 buf_free(struct buf *);

/* ASCII-only helpers: locale independent on purpose. */
int	 ascii_strcasecmp(const char *, const char *);
int	 ascii_strncasecmp(const char *, const char *, size_t);
void	 ascii_lower(char *);
/* Returns a pointer into s past leading blanks; trailing blanks are cut in place. */
char	*str_trim(char *);
int	 str_startswith_ci(const char *, const char *);
/* 1 if the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
int	 utf8_valid(const char *, size_t);

/* Reads a whole file (NUL-terminated for convenience; *len excludes it). NULL + *cause (caller frees) on error. */
char	*file_read(const char *path, size_t *len, char **cause);

#endif
