/* deliver.c - sending the outbox. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "deliver.h"
#include "log.h"
#include "outbox.h"
#include "smtp.h"
#include "util.h"

int
deliver_outbox(struct app *app, struct deliver_stats *stats)
{
	struct smtp_conf sc;
	struct smtp *smtp = NULL;
	size_t batch = (size_t)app->conf->smtp_batch;
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
	for (;;) {
		struct outbox_item *items;
		struct smtp_item *si;
		time_t now = app_now(app);
		size_t n = outbox_due(app->db, now, batch, &items), sent = 0;
		size_t refused = 0;

		if (n == 0) {
			free(items);
			break;
		}
		if (smtp == NULL && (smtp = smtp_open(&sc)) == NULL) {
			outbox_items_free(items, n);
			return -1;
		}
		si = xcalloc(n, sizeof *si);
		for (size_t i = 0; i < n; i++) {
			si[i].from = items[i].from;
			si[i].to = items[i].rcpt;
			si[i].data = items[i].data;
			si[i].len = items[i].len;
		}
		smtp_send_batch(smtp, si, n);
		/* One commit for the whole batch's outcome. */
		db_begin(app->db);
		for (size_t i = 0; i < n; i++) {
			switch (si[i].status) {
			case SMTP_SENT:
				outbox_sent(app->db, items[i].id, now);
				stats->sent++;
				sent++;
				break;
			case SMTP_PERMFAIL:
				outbox_failed(app->db, items[i].id, si[i].reply,
				    now);
				log_warnx("mail %lld to %s refused for good: %s",
				    (long long)items[i].id, items[i].rcpt,
				    si[i].reply != NULL ? si[i].reply : "?");
				stats->failed++;
				refused++;
				break;
			case SMTP_TEMPFAIL:
				outbox_retry(app->db, items[i].id,
				    items[i].attempts, si[i].reply, now);
				stats->deferred++;
				break;
			}
			free(si[i].reply);
		}
		db_commit(app->db);
		free(si);
		outbox_items_free(items, n);
		if (sent == 0 && refused == 0) {
			/* Nothing went through: the server is down; stop here. */
			rc = -1;
			break;
		}
	}
	if (smtp != NULL)
		smtp_close(smtp);
	if (stats->sent + stats->failed + stats->deferred > 0)
		log_info("outbox: %zu sent, %zu refused, %zu deferred",
		    stats->sent, stats->failed, stats->deferred);
	return rc;
}
