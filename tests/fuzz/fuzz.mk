# fuzz.mk - libFuzzer (clang) on the mail parser, run by "make fuzz" as
#   $(MAKE) -f tests/fuzz/fuzz.mk FUZZTIME=60
# Builds the parser modules with -fsanitize=fuzzer,address,undefined, seeds
# the corpus from $(SHARED)/mail-corpus, fuzzes for FUZZTIME seconds and
# fails (libFuzzer's non-zero exit) on any crash, leak, timeout or OOM; the
# input that did it is left in build/fuzz/ as crash-* / leak-* / timeout-*.

CLANG	?= clang
FUZZTIME ?= 60
SHARED	?= ../shared
FUZZDIR	 = build/fuzz
BIN	 = $(FUZZDIR)/fuzz_message

PKG_CFLAGS := $(shell pkg-config --cflags libetpan)
# Debian's libetpan.pc leaks a gcc-only -specs flag that clang refuses.
PKG_LIBS   := $(filter-out -specs=%,$(shell pkg-config --libs libetpan))
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Isrc $(PKG_CFLAGS)
SRCS	 = src/message.c src/html.c src/classify.c src/quote.c src/command.c \
	   src/fold.c src/util.c src/log.c

.PHONY: all run seed clean
all: run

$(BIN): tests/fuzz/fuzz_message.c $(SRCS) src/message.h src/html.h \
    src/classify.h src/quote.h src/command.h src/fold.h src/util.h src/log.h
	@mkdir -p $(FUZZDIR)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_message.c $(SRCS) $(PKG_LIBS)

# Every corpus file, named by its hash (folders hold the same names).
seed:
	@test -d $(SHARED)/mail-corpus || \
	    { echo "fuzz.mk: no $(SHARED)/mail-corpus" >&2; exit 1; }
	@rm -rf $(FUZZDIR)/seed && mkdir -p $(FUZZDIR)/seed $(FUZZDIR)/corpus
	@find $(SHARED)/mail-corpus -type f ! -name '*.tsv' ! -name '*.md' | \
	    while read -r f; do \
		cp "$$f" "$(FUZZDIR)/seed/$$(sha1sum < "$$f" | cut -c1-40)"; \
	    done
	@printf '%s\n' '"Content-Type: "' '"multipart/mixed; boundary="' \
	    '"multipart/alternative"' '"multipart/report; report-type="' \
	    '"message/rfc822"' '"message/delivery-status"' \
	    '"message/disposition-notification"' '"text/html"' \
	    '"text/plain; charset="' '"format=flowed; delsp=yes"' \
	    '"Content-Transfer-Encoding: base64"' '"quoted-printable"' \
	    '"Content-Disposition: attachment; filename*0*="' \
	    '"=?utf-8?Q?"' '"=?iso-8859-1?B?"' '"?="' '"\x0d\x0a\x0d\x0a"' \
	    '"Final-Recipient: rfc822;"' '"Action: failed"' '"Status: 5.1.1"' \
	    '"Auto-Submitted: "' '"<blockquote>"' '"<div class=\"gmail_quote\">"' \
	    '"<div id=\"divRplyFwdMsg\">"' '"&nbsp;"' '"&#x"' '"<!--"' \
	    '"<style>"' '"<pre>"' '"From: "' '"Return-Path: <>"' \
	    > $(FUZZDIR)/message.dict

run: $(BIN) seed
	$(BIN) -max_total_time=$(FUZZTIME) -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -dict=$(FUZZDIR)/message.dict -artifact_prefix=$(FUZZDIR)/ \
	    $(FUZZDIR)/corpus $(FUZZDIR)/seed

clean:
	rm -rf $(FUZZDIR)
