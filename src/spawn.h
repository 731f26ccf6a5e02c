/*
 * spawn.h - running trucctl as a child for the work the daemon keeps out
 * of its own address space (the PDF sign-in sheet needs pango and cairo,
 * 4 MB of mapped libraries the daemon would otherwise carry while idle).
 */
#ifndef TRUCD_SPAWN_H
#define TRUCD_SPAWN_H

#include <stddef.h>

/*
 * The trucctl next to the running program (same directory, or ../bin
 * from sbin), else "trucctl" from PATH.  Caller frees.
 */
char	*spawn_trucctl_path(void);
/*
 * Runs argv (argv[0] a path), returns everything it wrote on stdout
 * (caller frees, *len its size) when it exits 0 within timeout seconds;
 * else NULL and *cause (caller frees) with its stderr's last line.
 */
char	*spawn_capture(char *const argv[], int timeout, size_t *len,
	    char **cause);

#endif
