/*
 * coordinator.h - the coordinator's mail commands (ANNONCE, IMPORT, LISTE,
 * EMARGEMENT, ANNULER SESSION, PRESENTS) and the trust they need.
 *
 * A coordinator command runs only when the sender is a configured
 * coordinator and the message is authenticated by our own server's
 * Authentication-Results (auth.h), or when the coordinator sends back the
 * one-time code trucd mailed to their address (CONFIRMER <code>, within 24
 * hours, once).  PRESENTS is also accepted from the session's trainer.
 */
#ifndef TRUCD_COORDINATOR_H
#define TRUCD_COORDINATOR_H

#include <stddef.h>
#include <time.h>

#include "compose.h"

struct app;
struct buf;
struct command;
struct message;
struct notices;

#define REPLY_MAX_ATTACHMENTS 4

/* Files the reply carries (LISTE's CSV, EMARGEMENT's PDF). */
struct reply_files {
	struct out_attachment	 v[REPLY_MAX_ATTACHMENTS];
	char			*data[REPLY_MAX_ATTACHMENTS];
	char			*name[REPLY_MAX_ATTACHMENTS];
	size_t			 n;
};
/* Takes ownership of data. */
void	 reply_files_add(struct reply_files *, const char *filename,
	    const char *content_type, char *data, size_t len);
void	 reply_files_free(struct reply_files *);

struct coord_ctx {
	struct app		*app;
	const struct message	*msg;
	const char		*raw;		/* the message as received */
	size_t			 rawlen;
	const char		*sender;	/* normalised From */
	const char		*lang;
	const char		*why;
	time_t			 now;
	struct buf		*outcomes;	/* blocks of the reply */
	struct notices		*notices;	/* for others */
	struct reply_files	*files;
	int			 trusted;	/* confirmed by a one-time code */
	int			 code_sent;	/* one code per message */
};

/* Applies one coordinator command (or CONFIRMER), appending its outcome. */
void	 coordinator_apply(struct coord_ctx *, const struct command *);

#endif
