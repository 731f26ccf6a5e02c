# trucd - build, test, demo.  Plain GNU make, no generated files.
#
#   make                  build/trucd, build/trucctl
#   make check            unit tests + shell tests (real servers on loopback)
#   make check SANITIZE=1 the same under AddressSanitizer + UBSan (build/san)
#   make demo             the whole thing end to end on throwaway servers
#   make fuzz             libFuzzer on the mail parser (clang)

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc

# The daemon links only what it runs; trucctl adds pango and cairo (the PDF
# sheet, which trucd asks trucctl for), the tests libical (to read our
# invitations back with a parser that is not ours).
DAEMON_PKGS = libetpan libcurl sqlite3 libconfuse gnutls
PKGS	 = $(DAEMON_PKGS) pangocairo libical
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# Debian's libetpan.pc leaks a gcc-only -specs flag: drop it.
PKG_LIBS   := $(filter-out -specs=%,$(shell pkg-config --libs $(PKGS)))
DAEMON_LIBS := $(filter-out -specs=%,$(shell pkg-config --libs $(DAEMON_PKGS)))

WARN	 = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
	   -Wstrict-prototypes -Wpointer-arith -Wvla -Wnull-dereference \
	   -Wimplicit-fallthrough
CSTD	 = -std=c11 -D_GNU_SOURCE
OPT	?= -O2 -g

ifeq ($(SANITIZE),1)
BUILD	?= build/san
OPT	 = -O1 -g -fno-omit-frame-pointer
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all
else
BUILD	?= build
SANFLAGS =
endif

CFLAGS_ALL  = $(CSTD) $(OPT) $(WARN) $(SANFLAGS) -MMD -MP $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)
LIBS_ALL    = $(PKG_LIBS) -lm

MAINS	 = src/trucd.c src/trucctl.c
LIBSRCS	 = $(filter-out $(MAINS),$(wildcard src/*.c))
LIBOBJS	 = $(LIBSRCS:src/%.c=$(BUILD)/obj/%.o)
LIB	 = $(BUILD)/libtrucd.a

UNITSRCS = $(wildcard tests/unit/test_*.c)
UNITBINS = $(UNITSRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOLSRCS = $(wildcard tests/tools/*.c)
TOOLBINS = $(TOOLSRCS:tests/tools/%.c=$(BUILD)/tools/%)
BENCHSRCS = $(wildcard bench/*.c)
BENCHBINS = $(BENCHSRCS:bench/%.c=$(BUILD)/bench/%)

.PHONY: all check unit demo fuzz bench install clean
all: $(BUILD)/trucd $(BUILD)/trucctl

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIBOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/trucd: $(BUILD)/obj/trucd.o $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(DAEMON_LIBS) -lm

$(BUILD)/trucctl: $(BUILD)/obj/trucctl.o $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

# Each unit test links the archive: only the modules it uses are pulled in.
$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isrc $(LDFLAGS_ALL) -o $@ $< $(LIB) $(LIBS_ALL) -lcmocka

$(BUILD)/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isrc $(LDFLAGS_ALL) -o $@ $< $(LIB) $(LIBS_ALL)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isrc $(LDFLAGS_ALL) -o $@ $< $(LIB) $(LIBS_ALL)

unit: $(UNITBINS)

check: all $(UNITBINS) $(TOOLBINS)
	BUILD=$(BUILD) SHARED=$(abspath ../shared) bash tests/run.sh

demo: all
	BUILD=$(BUILD) bash tests/demo.sh

bench: all $(BENCHBINS) $(TOOLBINS)
	BUILD=$(BUILD) bash bench/run.sh

FUZZTIME ?= 60
fuzz:
	$(MAKE) -f tests/fuzz/fuzz.mk FUZZTIME=$(FUZZTIME)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/share/trucd/templates/fr \
	    $(DESTDIR)$(PREFIX)/share/trucd/templates/en \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)/etc/trucd
	install -m 755 $(BUILD)/trucd $(DESTDIR)$(PREFIX)/sbin/trucd
	install -m 755 $(BUILD)/trucctl $(DESTDIR)$(PREFIX)/bin/trucctl
	install -m 644 templates/fr/* $(DESTDIR)$(PREFIX)/share/trucd/templates/fr/
	install -m 644 templates/en/* $(DESTDIR)$(PREFIX)/share/trucd/templates/en/
	-install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	-install -m 644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	test -e $(DESTDIR)/etc/trucd/trucd.conf || \
	    install -m 640 conf/trucd.conf $(DESTDIR)/etc/trucd/trucd.conf

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d $(BUILD)/tools/*.d $(BUILD)/bench/*.d)
