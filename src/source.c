/* source.c - source text for the Line Contents column.
 *
 * Each file is read whole the first time it is asked for and split into
 * lines in place ('\n' and a '\r' before it become NULs), so a line is a
 * pointer into the file's buffer.  A file that cannot be read is cached as
 * having no lines: the report still prints its numbers, with empty text.
 * Where the file name comes from (DWARF) is debuginfo.c's business.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct source_file {
	char *path;
	char *text;      /* the file, NUL-terminated, newlines turned to NULs */
	char **lines;    /* lines[i] is line i + 1 */
	size_t nlines;
};

struct source {
	struct source_file *files;
	size_t nfiles;
	size_t cap;
};

struct source *source_new(void)
{
	return xcalloc(1, sizeof(struct source));
}

void source_free(struct source *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].path);
		free(s->files[i].text);
		free(s->files[i].lines);
	}
	free(s->files);
	free(s);
}

/* The whole file, NUL-terminated, in a buffer of its own; NULL when it
 * cannot be read. */
static char *read_whole(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static void split_lines(struct source_file *f, size_t len)
{
	size_t i, start = 0, cap = 0;

	for (i = 0; i <= len; i++) {
		size_t end;

		/* The end of the text closes a last line only when that line
		 * is not empty: "a\n" is one line, "a\nb" two. */
		if (i < len ? f->text[i] != '\n' : i == start)
			continue;
		end = i;
		if (end > start && f->text[end - 1] == '\r')
			end--;
		f->text[end] = '\0';
		if (f->nlines == cap) {
			cap = cap ? cap * 2 : 64;
			f->lines = xrealloc(f->lines, cap * sizeof(*f->lines));
		}
		f->lines[f->nlines++] = f->text + start;
		start = i + 1;
	}
}

static struct source_file *source_load(struct source *s, const char *path)
{
	struct source_file *f;
	size_t len = 0;

	if (s->nfiles == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->files = xrealloc(s->files, s->cap * sizeof(*s->files));
	}
	f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->text = read_whole(path, &len);
	if (f->text)
		split_lines(f, len);
	return f;
}

const char *source_line(struct source *s, const char *path, unsigned line)
{
	struct source_file *f = NULL;
	size_t i;

	if (!path)
		return "";
	/* A handful of files per run: a linear search is plenty. */
	for (i = 0; i < s->nfiles; i++) {
		if (strcmp(s->files[i].path, path) == 0) {
			f = &s->files[i];
			break;
		}
	}
	if (!f)
		f = source_load(s, path);
	if (line == 0 || line > f->nlines)
		return "";
	return f->lines[line - 1];
}
