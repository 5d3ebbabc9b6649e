/* SPDX-License-Identifier: MIT */
/* source.h - source text for the Line Contents column.
 *
 * Files are read once and kept; a file that cannot be read (missing, not a
 * regular file, larger than SOURCE_MAX) yields empty lines (the table is
 * still worth printing).
 */
#ifndef MEMPROF_SOURCE_H
#define MEMPROF_SOURCE_H

struct source;

/* The largest source file read: a #line may name anything. */
#define SOURCE_MAX (64 << 20)

struct source *source_new(void);
void source_free(struct source *s);

/* From now on, each file that is first read says in one line on stderr
 * when it cannot be read, or when it is newer than the executable
 * `binary` (named `shown` in the message): its Line Contents would not
 * match.  Without it, files are read silently. */
void source_warn_against(struct source *s, const char *binary,
			 const char *shown);

/* Line `line` (1-based) of `path` without its newline, or "" when the file
 * or the line does not exist.  Valid until source_free. */
const char *source_line(struct source *s, const char *path, unsigned line);

#endif
