# SPDX-License-Identifier: MIT
# memprof - build, test, install.  No configure step: flags come from
# pkg-config.  `make demo` and `make check` install missing build
# dependencies first (scripts/install-deps), so a fresh Debian machine needs
# nothing else.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
INCDIR   ?= $(PREFIX)/include
# --heap's preload library; memprof also finds it from its own directory
# (BINDIR/../lib/memprof), so a relocated install works too.
PKGLIBDIR ?= $(PREFIX)/lib/memprof
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

# The fuzz harnesses (tests/fuzz/fuzz_NAME.c), one per untrusted input.
FUZZ_NAMES := statm status options source debuginfo report
FUZZ_REPLAY := $(foreach n,$(FUZZ_NAMES),$(B)/fuzz/replay_$(n))

.PHONY: all deps demo check check-run unit e2e testdata install clean bench \
	check-valgrind check-valgrind-run fuzz fuzz-run fuzz-replay fuzz-merge stress

all: $(B)/memprof

deps:
	@scripts/install-deps

$(B)/obj/%.o: src/%.c $(wildcard src/*.h) | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/memprof: $(OBJS) | $(B)/libmemprof_heap.so
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS)

$(B)/obj/heap.o: ALL_CFLAGS += -DMEMPROF_PKGLIBDIR='"$(PKGLIBDIR)"'

# --heap's library (src/heap/), preloaded into the program memprof starts
# and found beside memprof: libc only, never sanitized (it runs in the
# program), and without -g so that --func never finds its wrappers.
$(B)/libmemprof_heap.so: src/heap/memprof_heap.c | $(B)/obj
	$(CC) $(WARN) -O2 -fPIC -shared -fvisibility=hidden -o $@ $<

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

# The inlining test's program at -O3 too (more copies, unrolled loops).
TD_BINS  += $(B)/testdata/inlined-O3
$(B)/testdata/%-O3: testdata/%.c include/memprof.h | $(B)/testdata
	$(CC) $(TD_FLAGS) -O3 -o $@ $<

# C++ targets (testdata/*.cpp), built the same four ways with g++; Fortran
# (*.f90) the four ways and Rust (*.rs) at -O0 and -O2 when gfortran and
# rustc are here (scripts/install-deps installs them; without them their
# end-to-end cases say "skip").
FORTRAN  ?= gfortran
RUSTC    ?= rustc
TD_LANGS := $(patsubst testdata/%.cpp,%,$(wildcard testdata/*.cpp))
ifneq ($(shell command -v $(FORTRAN) 2>/dev/null),)
TD_LANGS += $(patsubst testdata/%.f90,%,$(wildcard testdata/*.f90))
endif
TD_BINS  += $(foreach n,$(TD_LANGS),$(foreach v,O0 O2 O0-nopie O2-nopie,$(B)/testdata/$(n)-$(v)))
ifneq ($(shell command -v $(RUSTC) 2>/dev/null),)
TD_BINS  += $(foreach n,$(patsubst testdata/%.rs,%,$(wildcard testdata/*.rs)),$(B)/testdata/$(n)-O0 $(B)/testdata/$(n)-O2)
endif

$(B)/testdata/%-O0: testdata/%.cpp include/memprof.h | $(B)/testdata
	$(CXX) $(TD_FLAGS) -O0 -o $@ $<
$(B)/testdata/%-O2: testdata/%.cpp include/memprof.h | $(B)/testdata
	$(CXX) $(TD_FLAGS) -O2 -o $@ $<
$(B)/testdata/%-O0-nopie: testdata/%.cpp include/memprof.h | $(B)/testdata
	$(CXX) $(TD_FLAGS) -O0 -fno-pie -no-pie -o $@ $<
$(B)/testdata/%-O2-nopie: testdata/%.cpp include/memprof.h | $(B)/testdata
	$(CXX) $(TD_FLAGS) -O2 -fno-pie -no-pie -o $@ $<
# gfortran writes a module's .mod file: into a directory of each build's own.
FORTRAN_BUILD = mkdir -p $@.mod && $(FORTRAN) -g -J $@.mod
$(B)/testdata/%-O0: testdata/%.f90 | $(B)/testdata
	$(FORTRAN_BUILD) -O0 -o $@ $<
$(B)/testdata/%-O2: testdata/%.f90 | $(B)/testdata
	$(FORTRAN_BUILD) -O2 -o $@ $<
$(B)/testdata/%-O0-nopie: testdata/%.f90 | $(B)/testdata
	$(FORTRAN_BUILD) -O0 -fno-pie -no-pie -o $@ $<
$(B)/testdata/%-O2-nopie: testdata/%.f90 | $(B)/testdata
	$(FORTRAN_BUILD) -O2 -fno-pie -no-pie -o $@ $<
$(B)/testdata/%-O0: testdata/%.rs | $(B)/testdata
	$(RUSTC) -g -C opt-level=0 -o $@ $<
$(B)/testdata/%-O2: testdata/%.rs | $(B)/testdata
	$(RUSTC) -g -C opt-level=2 -o $@ $<

# A shared library, a program linked with it and one that dlopens it.
LIB_BINS := $(foreach v,O0 O2,$(B)/testdata/libmplib-$(v).so $(B)/testdata/uselib-$(v) $(B)/testdata/dlopener-$(v))

$(B)/testdata/libmplib-%.so: testdata/lib/mplib.c include/memprof.h | $(B)/testdata
	$(CC) $(TD_FLAGS) -$* -fPIC -shared -o $@ $<
$(B)/testdata/uselib-%: testdata/lib/uselib.c $(B)/testdata/libmplib-%.so
	$(CC) $(TD_FLAGS) -$* -o $@ $< -L$(B)/testdata -l:libmplib-$*.so -Wl,-rpath,'$$ORIGIN'
$(B)/testdata/dlopener-%: testdata/lib/dlopener.c | $(B)/testdata
	$(CC) $(TD_FLAGS) -$* -o $@ $< -ldl

testdata: $(TD_BINS) $(LIB_BINS)

$(B)/unit-tests: $(UNIT_SRCS) $(LIB_OBJS) $(wildcard tests/unit/*.h)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Isrc -o $@ $(UNIT_SRCS) $(LIB_OBJS) $(PKG_LIBS) $(CHECK_LIBS)

unit: $(B)/unit-tests
	$(B)/unit-tests

# The fuzz corpus as a regression test: each harness, built with $(CC)
# and run once on every input kept in tests/fuzz/corpus/NAME.
$(B)/fuzz:
	mkdir -p $@

$(B)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
		$(LIB_OBJS) | $(B)/fuzz
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< tests/fuzz/fuzz_common.c tests/fuzz/replay.c $(LIB_OBJS) $(PKG_LIBS)

REPLAY_ALL = for n in $(FUZZ_NAMES); do $(B)/fuzz/replay_$$n tests/fuzz/corpus/$$n || exit 1; done

fuzz-replay: $(FUZZ_REPLAY)
	$(REPLAY_ALL)

e2e: $(B)/memprof testdata
	MEMPROF=$(B)/memprof TESTDATA=$(B)/testdata tests/e2e/run

# The quick start: dependencies first, then a fresh make that sees them.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: $(B)/memprof $(B)/unit-tests testdata $(FUZZ_REPLAY)
	$(B)/unit-tests
	$(REPLAY_ALL)
	MEMPROF=$(B)/memprof TESTDATA=$(B)/testdata tests/e2e/run

# The end-to-end suite with memprof under valgrind: an error or a leak in
# memprof makes it exit 99 (so the case fails) and fills its log.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect

check-valgrind:
	@scripts/install-deps valgrind
	@$(MAKE) --no-print-directory check-valgrind-run

check-valgrind-run: $(B)/memprof testdata
	rm -rf $(B)/valgrind
	mkdir -p $(B)/valgrind
	MEMPROF_WRAPPER="$(VALGRIND) --log-file=$(CURDIR)/$(B)/valgrind/%p.log" MP_TIMEOUT=300 \
		MEMPROF=$(B)/memprof TESTDATA=$(B)/testdata tests/e2e/run
	@if [ -n "$$(find $(B)/valgrind -type f -size +0)" ]; then \
		echo "valgrind found errors: $$(find $(B)/valgrind -type f -size +0)"; exit 1; fi
	@echo "valgrind: no errors, no leaks"

# A bounded libFuzzer campaign over every harness (under 2 minutes); clang
# and libFuzzer are installed first when missing.  New inputs go to
# build-fuzz/corpus, crashes to build-fuzz/crashes; `make fuzz-merge` adds
# the new inputs that cover more to tests/fuzz/corpus.
FZ        := build-fuzz
FUZZ_CC   := clang
FUZZ_FLAGS = $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer $(PKG_CFLAGS) -Iinclude -Isrc -DMEMPROF_VERSION='"$(VERSION)"'
FUZZ_OBJS := $(patsubst src/%.c,$(FZ)/obj/%.o,$(filter-out src/main.c,$(SRCS)))
.SECONDARY: $(FUZZ_OBJS)

$(FZ)/obj:
	mkdir -p $@

$(FZ)/obj/%.o: src/%.c $(wildcard src/*.h) | $(FZ)/obj
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< tests/fuzz/fuzz_common.c $(FUZZ_OBJS) $(PKG_LIBS)

fuzz:
	@scripts/install-deps fuzz
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(foreach n,$(FUZZ_NAMES),$(FZ)/fuzz_$(n))
	FUZZ=$(FZ) tests/fuzz/run $(FUZZ_NAMES)

fuzz-merge: $(foreach n,$(FUZZ_NAMES),$(FZ)/fuzz_$(n))
	FUZZ=$(FZ) tests/fuzz/run --merge $(FUZZ_NAMES)

# The whole end-to-end suite 10 times in a row; names the flaky cases.
stress: $(B)/memprof testdata
	MEMPROF=$(B)/memprof TESTDATA=$(B)/testdata scripts/stress 10

demo: deps
	@$(MAKE) --no-print-directory $(B)/memprof $(B)/testdata/seed-O0
	@echo '$$ $(B)/memprof --func=process_data $(B)/testdata/seed-O0 5000'
	@$(B)/memprof --func=process_data $(B)/testdata/seed-O0 5000

bench: deps
	@$(MAKE) --no-print-directory $(B)/memprof
	scripts/bench

install: $(B)/memprof
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(INCDIR) \
		$(DESTDIR)$(PKGLIBDIR)
	install -m 755 $(B)/memprof $(DESTDIR)$(BINDIR)/memprof
	install -m 644 $(B)/libmemprof_heap.so $(DESTDIR)$(PKGLIBDIR)/libmemprof_heap.so
	install -m 644 man/memprof.1 $(DESTDIR)$(MANDIR)/man1/memprof.1
	install -m 644 include/memprof.h $(DESTDIR)$(INCDIR)/memprof.h

clean:
	rm -rf build build-san build-fuzz
