/* SPDX-License-Identifier: MIT */
/* source.c - source text for the Line Contents column.
 *
 * Each file is read whole the first time it is asked for and split into
 * lines in place ('\n' and a '\r' before it become NULs), so a line is a
 * pointer into the file's buffer.  A file that cannot be read is cached as
 * having no lines: the report still prints its numbers, with empty text.
 * The name comes from the program's debugging information, so it may name
 * anything (#line "/dev/zero", a FIFO, /dev/stdin): only a regular file of
 * at most SOURCE_MAX bytes is read, opened without blocking and without
 * becoming a controlling terminal.  Once told which executable the report
 * is about (source_warn_against), a file that cannot be read, or that is
 * newer than the executable (its lines may have moved), is said in one
 * line when it is first read.  Where the file name comes from (DWARF) is
 * the debug-info rooms' business (debuginfo.c, di_*.c).
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Why a file was not read, beside errno values. */
#define NOT_REGULAR (-1)
#define TOO_LARGE (-2)

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
	char *binary;                  /* named in warnings; NULL: none */
	struct timespec binary_mtime;  /* {0, 0}: unknown */
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
	free(s->binary);
	free(s);
}

void source_warn_against(struct source *s, const char *binary,
			 const char *shown)
{
	struct stat st;

	free(s->binary);
	s->binary = xstrdup(shown);
	if (stat(binary, &st) == 0)
		s->binary_mtime = st.st_mtim;
}

/* The whole file, NUL-terminated, in a buffer of its own, its fstat in
 * `st`; NULL when it cannot be read, with why in `*why` (an errno value,
 * NOT_REGULAR or TOO_LARGE).  O_NONBLOCK: opening a FIFO must not wait for
 * a writer (it is refused once opened, never read). */
static char *read_whole(const char *path, size_t *lenp, struct stat *st,
			int *why)
{
	size_t len = 0, cap = 4096;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		*why = errno;
		return NULL;
	}
	if (fstat(fd, st) < 0)
		*why = errno;
	else if (!S_ISREG(st->st_mode))
		*why = NOT_REGULAR;
	else if (st->st_size > SOURCE_MAX)
		*why = TOO_LARGE;
	else
		*why = 0;
	if (*why) {
		close(fd);
		return NULL;
	}
	/* The size fstat gives, read in one go where it is right. */
	if ((size_t)st->st_size + 2 > cap)
		cap = (size_t)st->st_size + 2;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		ARRAY_GROW(buf, len + 2, cap);
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || len + (size_t)n > SOURCE_MAX) {
			/* A file that grows while it is read: capped too. */
			*why = n < 0 ? errno : TOO_LARGE;
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

/* The one line said about a file once it was (not) read. */
static void source_warn(const struct source *s, const char *path,
			const struct stat *st, int why)
{
	const struct timespec *b = &s->binary_mtime;

	if (!s->binary)
		return;
	if (st) {
		if ((b->tv_sec || b->tv_nsec) &&
		    (st->st_mtim.tv_sec > b->tv_sec ||
		     (st->st_mtim.tv_sec == b->tv_sec &&
		      st->st_mtim.tv_nsec > b->tv_nsec)))
			mp_error("warning: source '%s' is newer than '%s'; Line Contents may not match",
				 path, s->binary);
	} else if (why == ENOENT) {
		mp_error("warning: source '%s' not found; Line Contents left empty",
			 path);
	} else if (why == NOT_REGULAR) {
		mp_error("warning: source '%s' is not a regular file; Line Contents left empty",
			 path);
	} else if (why == TOO_LARGE) {
		mp_error("warning: source '%s' is larger than %d MiB; Line Contents left empty",
			 path, SOURCE_MAX >> 20);
	} else {
		mp_error("warning: cannot read source '%s': %s; Line Contents left empty",
			 path, strerror(why));
	}
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
		ARRAY_GROW(f->lines, f->nlines + 1, cap);
		f->lines[f->nlines++] = f->text + start;
		start = i + 1;
	}
}

static struct source_file *source_load(struct source *s, const char *path)
{
	struct source_file *f;
	struct stat st;
	size_t len = 0;
	int why = 0;

	ARRAY_GROW(s->files, s->nfiles + 1, s->cap);
	f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->text = read_whole(path, &len, &st, &why);
	if (f->text)
		split_lines(f, len);
	source_warn(s, path, f->text ? &st : NULL, why);
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
