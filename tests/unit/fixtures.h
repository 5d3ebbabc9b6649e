/* SPDX-License-Identifier: MIT */
/* fixtures.h - what several suites build alike: memprof's messages caught
 * on fd 2, scripted line events, a scripted profile with the source files
 * it names, and a report rendered into memory.  Every helper fails the
 * running check (ck_assert) rather than return an error. */
#ifndef MEMPROF_TEST_FIXTURES_H
#define MEMPROF_TEST_FIXTURES_H

#include <stdio.h>

#include "profile.h"
#include "report.h"
#include "source.h"

#define MiB (1024 * 1024LL)

/* A line event at `addr` with stack pointer `sp` and RSS `rss`, no other
 * figure (a compound literal: valid in the enclosing block). */
#define EV(addr_, sp_, rss_)                                                   \
	(&(struct line_event){ .addr = (addr_), .sp = (sp_), .rss = (rss_) })

/* Messages go to fd 2 in one write: catch_begin sends fd 2 to a temporary
 * file, catch_end puts it back and returns what was written (in `c`, so
 * valid until its next catch_begin). */
struct caught {
	int fd, saved;
	char text[1024];
};

void catch_begin(struct caught *c);
const char *catch_end(struct caught *c);

/* A profile for the renderers, the source cache to render it with and the
 * files its functions are in, written to a temporary directory. */
struct report_fixture {
	struct profile *p;
	struct source *src;
	char dir[64];          /* "" until the first file */
	char path[2][96];      /* the files, in the order written */
	unsigned nfiles;
};

/* An empty profile and source cache, no files yet. */
void report_fixture_setup(struct report_fixture *fx);

/* Writes `text` to a file named `name` in fx's directory (made on the
 * first call).  Returns its path, fx->path[i] for the i-th file. */
const char *report_fixture_file(struct report_fixture *fx, const char *name,
				const char *text);

/* Frees the profile and the cache, removes the files and the directory. */
void report_fixture_teardown(struct report_fixture *fx);

typedef int report_fn(FILE *out, const struct profile *p,
		      const struct report_run *run, struct source *src);

/* What `fn` (report_text, report_json) writes, checked to succeed and to
 * hold no NUL byte; the caller frees it.  A NULL `src` renders with an
 * empty cache of its own (the profile's files are not there to read). */
char *render(report_fn *fn, const struct profile *p,
	     const struct report_run *run, struct source *src);

#endif
