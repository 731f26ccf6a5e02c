/* deliver.c - sending the outbox. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "deliver.h"
#include "log.h"
#include "outbox.h"
#include "scheduler.h"
#include "smtp.h"
#include "util.h"

struct batch {
	struct app		*app;
	struct outbox_item	*items;
	char			**subject, **msgid;	/* of deferred mail */
	struct deliver_stats	*stats;
	time_t			 now;
	size_t			 sent, refused;
};

/*
 * Records one mail's outcome the moment the server has answered, in a
 * transaction of its own: a crash then resends at most the mail in flight.
 * These commits run with synchronous=NORMAL (set by deliver_outbox): in WAL
 * mode that survives the process being killed, and a power cut can at worst
 * send a mail twice, never lose one.
 */
static void
record(struct smtp_item *si, size_t i, void *arg)
{
	struct batch *b = arg;
	struct outbox_item *it = &b->items[i];

	db_begin(b->app->db);
	if (b->msgid[i] != NULL)
		outbox_set_header(b->app->db, it->id, b->subject[i],
		    b->msgid[i]);
	switch (si->status) {
	case SMTP_SENT:
		outbox_sent(b->app->db, it->id, b->now);
		b->stats->sent++;
		b->sent++;
		break;
	case SMTP_PERMFAIL:
		outbox_failed(b->app->db, it->id, si->reply, b->now);
		log_warnx("mail %lld to %s refused for good: %s",
		    (long long)it->id, it->rcpt, si->reply != NULL ? si->reply :
		    "?");
		b->stats->failed++;
		b->refused++;
		break;
	case SMTP_TEMPFAIL:
		outbox_retry(b->app->db, it->id, it->attempts, si->reply, b->now);
		b->stats->deferred++;
		break;
	}
	db_commit(b->app->db);
}

/*
 * Composes the deferred mails of the batch; one that should no longer go
 * (or cannot be made) is marked failed with why and left out.  Returns the
 * new count: the items still to send are packed at the front.
 */
static size_t
compose_deferred(struct app *app, struct batch *b, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct outbox_item *it = &b->items[i];
		const char *why = NULL;
		char *data = NULL;
		int rc = 1;

		if (it->render[0] != '\0') {
			rc = scheduled_render(app, it->render, it->rcpt, &data,
			    &b->subject[i], &b->msgid[i], &why);
			if (rc == 1) {
				free(it->data);
				it->data = data;
				it->len = strlen(data);
			} else {
				db_begin(app->db);
				outbox_failed(app->db, it->id, why, b->now);
				db_commit(app->db);
				log_info("mail %lld to %s not sent: %s",
				    (long long)it->id, it->rcpt, why);
			}
		}
		if (rc != 1) {
			free(it->from);
			free(it->rcpt);
			free(it->data);
			free(it->render);
			continue;
		}
		if (k != i) {
			b->items[k] = *it;
			b->subject[k] = b->subject[i];
			b->msgid[k] = b->msgid[i];
			b->subject[i] = b->msgid[i] = NULL;
		}
		k++;
	}
	return k;
}

int
deliver_outbox(struct app *app, struct deliver_stats *stats)
{
	struct smtp_conf sc;
	struct smtp *smtp = NULL;
	size_t batch = (size_t)app->conf->smtp_batch;
	time_t started = app_now(app);
	int rc = 0;

	memset(stats, 0, sizeof *stats);
	memset(&sc, 0, sizeof sc);
	sc.url = app->conf->smtp.url;
	sc.tls_none = app->conf->smtp.tls_none;
	sc.ca_file = app->conf->smtp.ca_file;
	sc.user = app->conf->smtp.user;
	sc.password = app->conf->smtp.password;
	sc.helo_domain = app->conf->school_domain;
	sc.timeout = 30;
	db_set_synchronous(app->db, 1);
	for (;;) {
		struct batch b;
		struct smtp_item *si;
		size_t n;

		memset(&b, 0, sizeof b);
		b.app = app;
		b.stats = stats;
		b.now = app_now(app);
		n = outbox_due(app->db, b.now, batch, &b.items);
		if (n == 0) {
			free(b.items);
			break;
		}
		if (smtp == NULL && (smtp = smtp_open(&sc)) == NULL) {
			outbox_items_free(b.items, n);
			rc = -1;
			break;
		}
		si = xcalloc(n, sizeof *si);
		b.subject = xcalloc(n, sizeof *b.subject);
		b.msgid = xcalloc(n, sizeof *b.msgid);
		n = compose_deferred(app, &b, n);
		if (n == 0) {
			/* All dropped: nothing to send, the next ones may go. */
			free(b.subject);
			free(b.msgid);
			free(si);
			free(b.items);
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			si[i].from = b.items[i].from;
			si[i].to = b.items[i].rcpt;
			si[i].data = b.items[i].data;
			si[i].len = b.items[i].len;
		}
		smtp_send_batch_cb(smtp, si, n, record, &b);
		for (size_t i = 0; i < n; i++) {
			free(si[i].reply);
			free(b.subject[i]);
			free(b.msgid[i]);
		}
		free(b.subject);
		free(b.msgid);
		free(si);
		outbox_items_free(b.items, n);
		if (b.sent == 0 && b.refused == 0) {
			/* Nothing went through: the server is down; stop here. */
			rc = -1;
			break;
		}
	}
	db_set_synchronous(app->db, 2);
	scheduled_render_done();
	if (stats->sent > 0)
		outbox_compact(app->db, started);
	if (smtp != NULL)
		smtp_close(smtp);
	if (stats->sent + stats->failed + stats->deferred > 0)
		log_info("outbox: %zu sent, %zu refused, %zu deferred",
		    stats->sent, stats->failed, stats->deferred);
	return rc;
}
