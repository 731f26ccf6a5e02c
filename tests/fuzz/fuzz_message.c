/*
 * fuzz_message.c - libFuzzer target for the mail parser: every input is
 * parsed as a message and classified, run through html_to_text() whole
 * and through the RFC 2047 decoder as a header value.  Built and run by
 * tests/fuzz/fuzz.mk ("make fuzz").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "classify.h"
#include "html.h"
#include "message.h"

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
		classify(m, "formation@mairie.example", &c);
		classification_free(&c);
		message_free(m);
	} else {
		if (m != NULL || cause == NULL)
			abort();	/* the contract of message_parse() */
		free(cause);
	}
	t = html_to_text(s, size);
	free(t);
	t = mime_decode_words(s, size < 4096 ? size : 4096);
	free(t);
	return 0;
}
