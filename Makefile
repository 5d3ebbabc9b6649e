# memprof - build, test, install.  No configure step: flags come from
# pkg-config.  `make demo` and `make check` install missing build
# dependencies first (scripts/install-deps), so a fresh Debian machine needs
# nothing else.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
INCDIR   ?= $(PREFIX)/include
DESTDIR  ?=

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
PKGS     := libdw libelf libunwind-ptrace capstone
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

ifeq ($(SANITIZE),1)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
B   := build-san
else
SAN :=
B   := build
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) $(PKG_CFLAGS) -Iinclude -DMEMPROF_VERSION='"$(VERSION)"'

SRCS     := $(wildcard src/*.c)
OBJS     := $(patsubst src/%.c,$(B)/obj/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(B)/obj/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/*.c)

# Target programs for the end-to-end tests, each built four ways.
TD_SRCS  := $(wildcard testdata/*.c)
TD_NAMES := $(patsubst testdata/%.c,%,$(TD_SRCS))
TD_BINS  := $(foreach n,$(TD_NAMES),$(foreach v,O0 O2 O0-nopie O2-nopie,$(B)/testdata/$(n)-$(v)))
TD_FLAGS := -g -Iinclude -pthread

.PHONY: all deps demo check check-run unit e2e testdata install clean bench

all: $(B)/memprof

deps:
	@scripts/install-deps

$(B)/obj/%.o: src/%.c $(wildcard src/*.h) | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/memprof: $(OBJS)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS)

$(B)/obj:
	mkdir -p $@

$(B)/testdata:
	mkdir -p $@

$(B)/testdata/%-O0: testdata/%.c include/memprof.h | $(B)/testdata
	$(CC) $(TD_FLAGS) -O0 -o $@ $<
$(B)/testdata/%-O2: testdata/%.c include/memprof.h | $(B)/testdata
	$(CC) $(TD_FLAGS) -O2 -o $@ $<
$(B)/testdata/%-O0-nopie: testdata/%.c include/memprof.h | $(B)/testdata
	$(CC) $(TD_FLAGS) -O0 -fno-pie -no-pie -o $@ $<
$(B)/testdata/%-O2-nopie: testdata/%.c include/memprof.h | $(B)/testdata
	$(CC) $(TD_FLAGS) -O2 -fno-pie -no-pie -o $@ $<

testdata: $(TD_BINS)

$(B)/unit-tests: $(UNIT_SRCS) $(LIB_OBJS) $(wildcard tests/unit/*.h)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Isrc -o $@ $(UNIT_SRCS) $(LIB_OBJS) $(PKG_LIBS) $(CHECK_LIBS)

unit: $(B)/unit-tests
	$(B)/unit-tests

e2e: $(B)/memprof testdata
	MEMPROF=$(B)/memprof TESTDATA=$(B)/testdata tests/e2e/run

# The quick start: dependencies first, then a fresh make that sees them.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: $(B)/memprof $(B)/unit-tests testdata
	$(B)/unit-tests
	MEMPROF=$(B)/memprof TESTDATA=$(B)/testdata tests/e2e/run

demo: deps
	@$(MAKE) --no-print-directory $(B)/memprof $(B)/testdata/seed-O0
	@echo '$$ $(B)/memprof --func=process_data $(B)/testdata/seed-O0 5000'
	@$(B)/memprof --func=process_data $(B)/testdata/seed-O0 5000

bench: deps
	@$(MAKE) --no-print-directory $(B)/memprof
	scripts/bench

install: $(B)/memprof
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(INCDIR)
	install -m 755 $(B)/memprof $(DESTDIR)$(BINDIR)/memprof
	install -m 644 man/memprof.1 $(DESTDIR)$(MANDIR)/man1/memprof.1
	install -m 644 include/memprof.h $(DESTDIR)$(INCDIR)/memprof.h

clean:
	rm -rf build build-san
