/* SPDX-License-Identifier: MIT */
/* test_top.c - the --top ranking (top.c) fed scripted profiles, and how
 * both renderers show it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "report.h"
#include "suites.h"
#include "top.h"

/* a() spans lines 1..5 of a.c (fx->path[0]), b() lines 10..12 of b.c
 * (fx->path[1]):
 *   a:1  0        a:2  +10 MiB   a:3  -5 MiB   a:4  +3 MiB   a:5 never ran
 *   b:10 0        b:11 +10 MiB   b:12 +4 KiB                              */
static void fixture_setup(struct report_fixture *fx)
{
	struct profile_stack s = { 0 };
	unsigned a, b;

	report_fixture_setup(fx);
	report_fixture_file(fx, "a.c", "void a(void)\n\tchar *p = grow(10);\n"
			    "\tshrink(p);\n  \t  touch(3);\n}\n");
	report_fixture_file(fx, "b.c", "1\n2\n3\n4\n5\n6\n7\n8\n9\nvoid b(void)\n"
			    "\t\"q\" \\ grow(10);\n}\n");
	a = profile_add_function(fx->p, "a", fx->path[0], 1, 5);
	b = profile_add_function(fx->p, "b", fx->path[1], 10, 12);

	profile_enter(fx->p, &s, EV(0, 1000, 0), a);
	profile_line(fx->p, &s, EV(0x10, 900, 0), a, 2);
	profile_line(fx->p, &s, EV(0x20, 900, 10 * MiB), a, 3);
	profile_line(fx->p, &s, EV(0x30, 900, 5 * MiB), a, 4);
	profile_return(fx->p, &s, EV(0, 1008, 8 * MiB));
	profile_enter(fx->p, &s, EV(0, 1000, 8 * MiB), b);
	profile_line(fx->p, &s, EV(0x10, 900, 8 * MiB), b, 11);
	profile_line(fx->p, &s, EV(0x20, 900, 18 * MiB), b, 12);
	profile_close_all(fx->p, &s, EV(0, 0, 18 * MiB + 4096));
	profile_stack_release(&s);
}

#define ck_top(v, i, fname, l, inc, occ)                                       \
	do {                                                                   \
		ck_assert_str_eq((v)[i].fn->name, fname);                      \
		ck_assert_uint_eq((v)[i].line, l);                             \
		ck_assert_int_eq((v)[i].increment_bytes, inc);                 \
		ck_assert_uint_eq((v)[i].occurrences, occ);                    \
	} while (0)

START_TEST(ranking)
{
	struct report_fixture fx;
	struct top_line *v;
	size_t n;

	fixture_setup(&fx);
	v = top_lines(fx.p, 10, &n);
	/* Only growth ranks; the tie of a:2 and b:11 keeps table order. */
	ck_assert_uint_eq(n, 4);
	ck_top(v, 0, "a", 2, 10 * MiB, 1);
	ck_top(v, 1, "b", 11, 10 * MiB, 1);
	ck_top(v, 2, "a", 4, 3 * MiB, 1);
	ck_top(v, 3, "b", 12, 4096, 1);
	free(v);

	v = top_lines(fx.p, 2, &n);
	ck_assert_uint_eq(n, 2);
	ck_top(v, 0, "a", 2, 10 * MiB, 1);
	ck_top(v, 1, "b", 11, 10 * MiB, 1);
	free(v);

	v = top_lines(fx.p, 0, &n);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	report_fixture_teardown(&fx);
}
END_TEST

START_TEST(nothing_grew)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	struct top_line *v;
	unsigned f = profile_add_function(p, "f", "f.c", 1, 3);
	size_t n = 99;

	/* Nothing ran at all. */
	v = top_lines(p, 10, &n);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	/* Only frees and no change. */
	profile_enter(p, &s, EV(0, 100, 50 * MiB), f);
	profile_line(p, &s, EV(0x10, 90, 50 * MiB), f, 2);
	profile_line(p, &s, EV(0x20, 90, 10 * MiB), f, 3);
	profile_close_all(p, &s, EV(0, 0, 10 * MiB));
	v = top_lines(p, 10, &n);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

/* Many lines, many equal: a full sort, stable in table order. */
START_TEST(many_lines)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "f.c", 1, 1000);
	struct top_line *v;
	size_t n;
	int64_t rss = 0;

	profile_enter(p, &s, EV(0, 100, rss), f);
	for (unsigned line = 2; line <= 1000; line++) {
		profile_line(p, &s, EV(line, 90, rss), f, line);
		rss += (line % 7) * 4096;
	}
	profile_close_all(p, &s, EV(0, 0, rss));
	v = top_lines(p, 2000, &n);
	/* Lines 2..1000 grew by (line % 7) pages: all but the multiples of
	 * 7 (7 to 994) rank. */
	ck_assert_uint_eq(n, 999 - 142);
	for (size_t i = 1; i < n; i++) {
		ck_assert_int_ge(v[i - 1].increment_bytes, v[i].increment_bytes);
		if (v[i - 1].increment_bytes == v[i].increment_bytes)
			ck_assert_uint_lt(v[i - 1].line, v[i].line);
	}
	ck_top(v, 0, "f", 6, 6 * 4096, 1);
	ck_top(v, 1, "f", 13, 6 * 4096, 1);
	free(v);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

static char *const command[] = { "./app", NULL };

START_TEST(text_table)
{
	struct report_fixture fx;
	struct report_run run = {
		.command = command, .exit_code = 0, .peak_rss_bytes = 20 * MiB,
		.final_rss_bytes = 18 * MiB, .precision = 1, .top = 3,
	};
	char *got;

	fixture_setup(&fx);
	got = render(report_text, fx.p, &run, fx.src);
	/* After the tables, before the peak; indentation dropped. */
	ck_assert_ptr_nonnull(strstr(got,
		"}\n"
		"\n"
		"\n"
		"Top lines by Increment\n"
		"\n"
		"Location   Increment   Occurrences   Line Contents\n"
		"==================================================\n"
		"a.c:2      +10.0 MiB             1   char *p = grow(10);\n"
		"b.c:11     +10.0 MiB             1   \"q\" \\ grow(10);\n"
		"a.c:4       +3.0 MiB             1   touch(3);\n"
		"\n"
		"\n"
		"Peak RSS:  20.0 MiB (VmHWM, whole process)\n"
		"Final RSS: 18.0 MiB\n"));
	ck_assert_ptr_null(strstr(got, "b.c:12"));
	free(got);

	/* --precision widens the figures and the column. */
	run.precision = 3;
	run.top = 10;
	got = render(report_text, fx.p, &run, fx.src);
	ck_assert_ptr_nonnull(strstr(got,
		"Location     Increment   Occurrences   Line Contents\n"
		"====================================================\n"
		"a.c:2      +10.000 MiB             1   char *p = grow(10);\n"
		"b.c:11     +10.000 MiB             1   \"q\" \\ grow(10);\n"
		"a.c:4       +3.000 MiB             1   touch(3);\n"
		"b.c:12      +0.004 MiB             1   }\n"
		"\n\n"));
	free(got);

	/* --top=0: no section at all. */
	run.top = 0;
	got = render(report_text, fx.p, &run, fx.src);
	ck_assert_ptr_null(strstr(got, "Top lines"));
	free(got);
	report_fixture_teardown(&fx);
}
END_TEST

START_TEST(text_none_and_same_names)
{
	struct profile *p = profile_new();
	struct source *src = source_new();
	struct profile_stack s = { 0 };
	struct report_run run = {
		.command = command, .peak_rss_bytes = -1, .final_rss_bytes = -1,
		.precision = 1, .top = 10,
	};
	unsigned f = profile_add_function(p, "f", "/nonexistent/1/x.c", 1, 2);
	unsigned g = profile_add_function(p, "g", "/nonexistent/2/x.c", 1, 2);
	unsigned h = profile_add_function(p, "h", "/nonexistent/2/y.c", 5, 6);
	char *got;

	got = render(report_text, p, &run, src);
	ck_assert_ptr_nonnull(strstr(got,
		"\n\nTop lines by Increment\n\nNo line increased RSS.\n\n\n"
		"Peak RSS:  unknown\n"));
	free(got);

	/* Two ranked files named x.c: their whole paths tell them apart. */
	profile_enter(p, &s, EV(0, 100, 0), f);
	profile_close_all(p, &s, EV(0, 0, 2 * MiB));
	profile_enter(p, &s, EV(0, 100, 2 * MiB), g);
	profile_close_all(p, &s, EV(0, 0, 3 * MiB));
	profile_enter(p, &s, EV(0, 100, 3 * MiB), h);
	profile_close_all(p, &s, EV(0, 0, 7 * MiB));
	got = render(report_text, p, &run, src);
	ck_assert_ptr_nonnull(strstr(got,
		"Location               Increment   Occurrences   Line Contents\n"
		"==============================================================\n"
		"y.c:5                   +4.0 MiB             1\n"
		"/nonexistent/1/x.c:1    +2.0 MiB             1\n"
		"/nonexistent/2/x.c:1    +1.0 MiB             1\n"
		"\n\n"));
	free(got);
	profile_stack_release(&s);
	profile_free(p);
	source_free(src);
}
END_TEST

START_TEST(json_list)
{
	struct report_fixture fx;
	struct report_run run = {
		.command = command, .exit_code = 0, .peak_rss_bytes = 20 * MiB,
		.final_rss_bytes = 18 * MiB, .precision = 1, .top = 2,
	};
	char *got, *want;

	fixture_setup(&fx);
	got = render(report_json, fx.p, &run, fx.src);
	ck_assert_int_ge(asprintf(&want,
		"  ],\n"
		"  \"top_lines\": [\n"
		"    {\n"
		"      \"function\": \"a\",\n"
		"      \"file\": \"%s\",\n"
		"      \"line\": 2,\n"
		"      \"contents\": \"\\tchar *p = grow(10);\",\n"
		"      \"increment_bytes\": 10485760,\n"
		"      \"occurrences\": 1\n"
		"    },\n"
		"    {\n"
		"      \"function\": \"b\",\n"
		"      \"file\": \"%s\",\n"
		"      \"line\": 11,\n"
		"      \"contents\": \"\\t\\\"q\\\" \\\\ grow(10);\",\n"
		"      \"increment_bytes\": 10485760,\n"
		"      \"occurrences\": 1\n"
		"    }\n"
		"  ]", fx.path[0], fx.path[1]), 0);
	ck_assert_ptr_nonnull(strstr(got, want));
	free(got);
	free(want);

	run.top = 0;
	got = render(report_json, fx.p, &run, fx.src);
	ck_assert_ptr_nonnull(strstr(got, "\n  \"top_lines\": []"));
	free(got);
	report_fixture_teardown(&fx);
}
END_TEST

Suite *top_suite(void)
{
	Suite *s = suite_create("top");
	TCase *tc = tcase_create("rank");

	tcase_add_test(tc, ranking);
	tcase_add_test(tc, nothing_grew);
	tcase_add_test(tc, many_lines);
	tcase_add_test(tc, text_table);
	tcase_add_test(tc, text_none_and_same_names);
	tcase_add_test(tc, json_list);
	suite_add_tcase(s, tc);
	return s;
}
