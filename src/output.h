/* SPDX-License-Identifier: MIT */
/* output.h - the files memprof writes its reports to (-o, --timeline,
 * --plot): written whole at the end or not at all, and never through a
 * name that the shell's `>` would refuse.
 */
#ifndef MEMPROF_OUTPUT_H
#define MEMPROF_OUTPUT_H

#include <stdio.h>

struct output {
	FILE *f;            /* where the report goes */
	int dirfd;          /* FILE's directory, links followed; -1: in place */
	char *base;         /* FILE's name in dirfd, links followed */
	char *tmp;          /* the temporary's name in dirfd, once it has one */
	const char *shown;  /* FILE as given, for messages; NULL: stderr */
};

/* Opens `path` for a report (NULL: stderr), before the program runs so
 * that a file that cannot be written fails early.  A regular file (new or
 * existing) gets an unnamed temporary beside it that output_close renames
 * over it; an existing file's owner and mode are given to the temporary
 * now.  Anything else (/dev/null, a pipe, /dev/stdout) is opened in place.
 * A symlink in a sticky world-writable directory that belongs neither to
 * memprof's user nor to the directory's owner is refused, as
 * fs.protected_symlinks does, and so is an existing file of another user
 * there (fs.protected_regular).  Returns 0, or -1 with a message. */
int output_open(struct output *out, const char *path);

/* Flushes and closes; with `keep`, the temporary replaces FILE (-1 with a
 * message when it cannot), without it FILE stays as it was. */
int output_close(struct output *out, int keep);

#endif
