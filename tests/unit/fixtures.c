/* SPDX-License-Identifier: MIT */
/* fixtures.c - the fixture builders the suites share (fixtures.h). */
#include "fixtures.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

void catch_begin(struct caught *c)
{
	char path[] = "/tmp/memprof-test-XXXXXX";

	c->fd = mkstemp(path);
	ck_assert_int_ge(c->fd, 0);
	unlink(path);
	c->saved = dup(STDERR_FILENO);
	dup2(c->fd, STDERR_FILENO);
}

const char *catch_end(struct caught *c)
{
	ssize_t n;

	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	n = pread(c->fd, c->text, sizeof(c->text) - 1, 0);
	close(c->fd);
	c->text[n > 0 ? n : 0] = '\0';
	return c->text;
}

void report_fixture_setup(struct report_fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->p = profile_new();
	fx->src = source_new();
}

const char *report_fixture_file(struct report_fixture *fx, const char *name,
				const char *text)
{
	char *path;
	FILE *f;

	ck_assert_uint_lt(fx->nfiles, sizeof(fx->path) / sizeof(fx->path[0]));
	if (!fx->dir[0]) {
		strcpy(fx->dir, "/tmp/memprof-test-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	}
	path = fx->path[fx->nfiles++];
	snprintf(path, sizeof(fx->path[0]), "%s/%s", fx->dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

void report_fixture_teardown(struct report_fixture *fx)
{
	profile_free(fx->p);
	source_free(fx->src);
	for (unsigned i = 0; i < fx->nfiles; i++)
		unlink(fx->path[i]);
	if (fx->dir[0])
		rmdir(fx->dir);
}

char *render(report_fn *fn, const struct profile *p,
	     const struct report_run *run, struct source *src)
{
	struct source *own = src ? NULL : source_new();
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(fn(out, p, run, src ? src : own), 0);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_uint_eq(strlen(buf), len);
	source_free(own);
	return buf;
}
