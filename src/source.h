/* source.h - source text for the Line Contents column.
 *
 * Files are read once and kept; a file that cannot be read yields empty
 * lines (the table is still worth printing).
 */
#ifndef MEMPROF_SOURCE_H
#define MEMPROF_SOURCE_H

struct source;

struct source *source_new(void);
void source_free(struct source *s);

/* Line `line` (1-based) of `path` without its newline, or "" when the file
 * or the line does not exist.  Valid until source_free. */
const char *source_line(struct source *s, const char *path, unsigned line);

#endif
