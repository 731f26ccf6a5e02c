/*
 * fuzz_message.c - libFuzzer target for the mail parser: every input is
 * parsed as a message and classified, its text cut to the person's own
 * words and read for commands (as process.c does), and the raw input run
 * through html_to_text() whole and through the RFC 2047 decoder as a header
 * value.  Built and run by
 * tests/fuzz/fuzz.mk ("make fuzz").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <string.h>

#include "classify.h"
#include "command.h"
#include "html.h"
#include "message.h"
#include "quote.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data;
	struct parse_limits	 lim = { 1u << 20, 500 };
	struct message		*m = NULL;
	struct classification	 c;
	char			*cause = NULL, *t;

	if (message_parse(s, size, &lim, &m, &cause) == 0) {
		/* What message.h promises: UTF-8 text, no NUL inside. */
		if (!utf8_valid(m->text, strlen(m->text)) ||
		    !utf8_valid(m->subject, strlen(m->subject)) ||
		    (m->from_name != NULL &&
		    !utf8_valid(m->from_name, strlen(m->from_name))) ||
		    (m->html != NULL && !utf8_valid(m->html, strlen(m->html))))
			abort();
		classify(m, "formation@mairie.example", &c);
		classification_free(&c);
		{
			struct command_list cl;
			char *words = own_words(m->text);
			char *subject = subject_strip(m->subject);

			commands_parse(subject, words, 20, &cl);
			if (cl.n > 20)
				abort();	/* never more than the limit */
			commands_free(&cl);
			free(words);
			free(subject);
		}
		message_free(m);
	} else {
		if (m != NULL || cause == NULL)
			abort();	/* the contract of message_parse() */
		free(cause);
	}
	t = html_to_text(s, size);
	if (!utf8_valid(t, strlen(t)))
		abort();
	free(t);
	t = mime_decode_words(s, size < 4096 ? size : 4096);
	free(t);
	return 0;
}
