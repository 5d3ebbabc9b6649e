/* SPDX-License-Identifier: MIT */
/* test_source.c - source lines for the Line Contents column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "suites.h"

/* Writes `text` to a new temporary file; its path goes to `path`. */
static void write_temp(char *path, const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/memprof-src-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

START_TEST(lines)
{
	static const char text[] = "first\n"
				   "second\r\n"
				   "\tthird, with a tab\n"
				   "\n"
				   "a\rb\n"
				   "last without newline";
	struct source *s = source_new();
	char path[64];

	write_temp(path, text, strlen(text));
	ck_assert_str_eq(source_line(s, path, 1), "first");
	ck_assert_str_eq(source_line(s, path, 2), "second");
	ck_assert_str_eq(source_line(s, path, 3), "\tthird, with a tab");
	ck_assert_str_eq(source_line(s, path, 4), "");
	ck_assert_str_eq(source_line(s, path, 5), "a\rb");
	ck_assert_str_eq(source_line(s, path, 6), "last without newline");
	ck_assert_str_eq(source_line(s, path, 7), "");
	ck_assert_str_eq(source_line(s, path, 0), "");
	ck_assert_str_eq(source_line(s, path, 4000000000u), "");
	unlink(path);
	source_free(s);
}
END_TEST

START_TEST(trailing_newline_and_crlf)
{
	static const char text[] = "a\r\nb\r\n";
	struct source *s = source_new();
	char path[64];

	write_temp(path, text, strlen(text));
	ck_assert_str_eq(source_line(s, path, 1), "a");
	ck_assert_str_eq(source_line(s, path, 2), "b");
	/* The final newline ends line 2, it does not start line 3. */
	ck_assert_str_eq(source_line(s, path, 3), "");
	unlink(path);
	source_free(s);
}
END_TEST

START_TEST(read_once)
{
	struct source *s = source_new();
	char path[64];
	const char *l1;

	write_temp(path, "one\ntwo\n", 8);
	l1 = source_line(s, path, 1);
	ck_assert_str_eq(l1, "one");
	/* Cached: the same storage, still there once the file is gone. */
	unlink(path);
	ck_assert_ptr_eq(source_line(s, path, 1), l1);
	ck_assert_str_eq(source_line(s, path, 2), "two");
	source_free(s);
}
END_TEST

START_TEST(several_files)
{
	struct source *s = source_new();
	char a[64], b[64];
	int i;

	write_temp(a, "in a\n", 5);
	write_temp(b, "in b\nb2\n", 8);
	/* Enough lookups to grow the cache past its first allocation. */
	for (i = 0; i < 3; i++) {
		ck_assert_str_eq(source_line(s, a, 1), "in a");
		ck_assert_str_eq(source_line(s, b, 2), "b2");
	}
	for (i = 0; i < 10; i++) {
		char missing[64];

		snprintf(missing, sizeof(missing), "/nonexistent/%d.c", i);
		ck_assert_str_eq(source_line(s, missing, 1), "");
	}
	ck_assert_str_eq(source_line(s, a, 1), "in a");
	ck_assert_str_eq(source_line(s, b, 1), "in b");
	unlink(a);
	unlink(b);
	source_free(s);
}
END_TEST

START_TEST(missing_and_empty)
{
	struct source *s = source_new();
	char path[64];

	ck_assert_str_eq(source_line(s, "/nonexistent/memprof/x.c", 1), "");
	ck_assert_str_eq(source_line(s, "/nonexistent/memprof/x.c", 2), "");
	ck_assert_str_eq(source_line(s, "", 1), "");
	ck_assert_str_eq(source_line(s, "/", 1), "");   /* a directory */
	write_temp(path, "", 0);
	ck_assert_str_eq(source_line(s, path, 1), "");
	unlink(path);
	source_free(s);
	source_free(NULL);
}
END_TEST

START_TEST(long_file)
{
	/* Bigger than the first read buffer: lines across the boundary. */
	size_t n = 20000, i;
	char *text = malloc(n * 8), *p = text;
	struct source *s = source_new();
	char path[64];

	for (i = 1; i <= n; i++)
		p += sprintf(p, "l%zu\n", i);
	write_temp(path, text, (size_t)(p - text));
	ck_assert_str_eq(source_line(s, path, 1), "l1");
	ck_assert_str_eq(source_line(s, path, 1000), "l1000");
	ck_assert_str_eq(source_line(s, path, 20000), "l20000");
	ck_assert_str_eq(source_line(s, path, 20001), "");
	unlink(path);
	free(text);
	source_free(s);
}
END_TEST

START_TEST(only_regular_files)
{
	struct source *s = source_new();
	char path[64], fifo[64];
	int fd;

	/* Endless, or waiting for a writer: neither is read. */
	ck_assert_str_eq(source_line(s, "/dev/zero", 1), "");
	strcpy(fifo, "/tmp/memprof-fifo-XXXXXX");
	fd = mkstemp(fifo);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(fifo);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_str_eq(source_line(s, fifo, 1), "");
	unlink(fifo);
	/* A file past SOURCE_MAX (sparse: no disk needed) is not read. */
	write_temp(path, "first\n", 6);
	ck_assert_int_eq(truncate(path, SOURCE_MAX + 1), 0);
	ck_assert_str_eq(source_line(s, path, 1), "");
	unlink(path);
	/* SOURCE_MAX itself is. */
	write_temp(path, "first\n", 6);
	ck_assert_int_eq(truncate(path, SOURCE_MAX), 0);
	ck_assert_str_eq(source_line(s, path, 1), "first");
	unlink(path);
	source_free(s);
}
END_TEST

Suite *source_suite(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("lines");

	tcase_add_test(tc, lines);
	tcase_add_test(tc, trailing_newline_and_crlf);
	tcase_add_test(tc, read_once);
	tcase_add_test(tc, several_files);
	tcase_add_test(tc, missing_and_empty);
	tcase_add_test(tc, long_file);
	tcase_add_test(tc, only_regular_files);
	suite_add_tcase(s, tc);
	return s;
}
