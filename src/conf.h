/*
 * conf.h - the configuration file (libconfuse), see trucd.conf(5) and
 * conf/trucd.conf.
 *
 * conf_load() reads and checks the whole file.  Every problem is appended
 * to `problems` as one line "FILE:LINE: what" (warnings start with
 * "warning: " after the location); the return value counts the errors
 * only.  On errors *out is NULL; otherwise the caller owns *out and frees
 * it with conf_free().
 */
#ifndef TRUCD_CONF_H
#define TRUCD_CONF_H

#include <stddef.h>

#include "util.h"

struct conf_tls_endpoint {
	char	*url;
	int	 tls_none;	/* tls = "none": plaintext allowed */
	char	*ca_file;	/* "" when unset */
	char	*user;
	char	*password;	/* from password or password_file; "" if none */
};

struct conf {
	char	*path;
	char	*database;
	char	*templates;
	char	*timezone;
	char	*language;

	char	*school_name;
	char	*school_address;
	char	*school_domain;		/* the part after '@' of the address */
	char	**coordinators;
	size_t	 ncoordinators;
	char	**domains;
	size_t	 ndomains;
	char	*trusted_authserv_id;	/* "" when unset: no header trusted */

	struct conf_tls_endpoint imap;
	char	*mailbox;
	char	*done_mailbox;
	char	*error_mailbox;
	int	 poll_interval;		/* seconds */
	int	 imap_batch;		/* messages fetched per round trip */

	struct conf_tls_endpoint smtp;
	int	 smtp_batch;		/* mails sent per connection */

	int	 programme_enabled;	/* a programme section exists */
	int	 programme_wday;	/* 0 = Sunday */
	int	 programme_hour;
	int	 programme_min;
	int	 programme_weeks;
	char	*programme_group_by;	/* "day" or "track" */

	char	**reminders;		/* "1d", "2h": parse with sched_parse_offset */
	size_t	 nreminders;

	int	 max_commands;
	int	 replies_per_hour;
	long	 max_message_size;
	int	 max_body_lines;
};

int	 conf_load(const char *path, struct conf **out, struct buf *problems);
void	 conf_free(struct conf *);
/* 1 if addr is one of the coordinators (case-insensitive). */
int	 conf_is_coordinator(const struct conf *, const char *addr);
/* 1 if addr's domain is one of the configured domains. */
int	 conf_domain_known(const struct conf *, const char *addr);

#endif
