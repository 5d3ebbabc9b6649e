/* SPDX-License-Identifier: MIT */
/* test_report.c - the text and JSON renderers, whole output compared.
 *
 * The expected tables were produced by memory_profiler 0.61's own
 * template ('{0:>6} {1:>12} {2:>12}  {3:>10}   {4:<}') from the same
 * figures, so a byte of difference is a difference from memory_profiler.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "report.h"
#include "suites.h"

/* The source of the profiled "program": work() spans lines 3..7 and
 * pending() lines 8..9.  Line 6 has quotes, a backslash and a tab; line 9
 * a control character, valid UTF-8 and an invalid byte (the text report
 * shows the first and the last as \xHH). */
static const char source_text[] =
	"/* report test */\n"
	"#include <stdlib.h>\n"
	"void work(void)\n"
	"{\n"
	"\tchar *p = grow(64);\n"
	"\tputs(\"a\\b\");\n"
	"}\n"
	"int pending(void)\n"
	"\x01 \xc3\xa9 \xff\n";

/* The profile of work.c, in fx->path[0]. */
static void fixture_setup(struct report_fixture *fx)
{
	struct profile_stack s = { 0 }, s2 = { 0 };
	unsigned work, pending;
	const char *path;

	report_fixture_setup(fx);
	path = report_fixture_file(fx, "work.c", source_text);
	work = profile_add_function(fx->p, "work", path, 3, 7);
	profile_mark_code(fx->p, work, 5);
	profile_mark_code(fx->p, work, 6);
	profile_mark_code(fx->p, work, 7);
	pending = profile_add_function(fx->p, "pending", path, 8, 9);
	profile_mark_code(fx->p, pending, 9);

	/* 64 MiB up on line 5, down on line 6, one page freed on line 7. */
	profile_enter(fx->p, &s, EV(0, 1000, 100 * MiB), work);
	profile_line(fx->p, &s, EV(0x10, 900, 100 * MiB), work, 5);
	profile_line(fx->p, &s, EV(0x20, 900, 164 * MiB), work, 6);
	profile_line(fx->p, &s, EV(0x30, 900, 100 * MiB), work, 7);
	profile_return(fx->p, &s, EV(0, 1008, 100 * MiB - 4096));
	ck_assert_uint_eq(s.depth, 0);
	/* pending() was entered and never left: occurrences, no figures. */
	profile_enter(fx->p, &s2, EV(0, 2000, 120 * MiB), pending);
	profile_stack_release(&s);
	profile_stack_release(&s2);
}

static char *expect(const char *fmt, const char *path)
{
	char *s;

	ck_assert_int_ge(asprintf(&s, fmt, path, path), 0);
	return s;
}

static char *const command[] = { "./app", "5000", NULL };

#define TABLES_P1                                                              \
	"Filename: %s\n"                                                       \
	"\n"                                                                   \
	"Line #    Mem usage    Increment  Occurrences   Line Contents\n"      \
	"=============================================================\n"      \
	"     3    100.0 MiB      0.0 MiB           1   void work(void)\n"     \
	"     4                                         {\n"                   \
	"     5    164.0 MiB     64.0 MiB           1   \tchar *p = grow(64);\n" \
	"     6    100.0 MiB    -64.0 MiB           1   \tputs(\"a\\b\");\n"   \
	"     7    100.0 MiB      0.0 MiB           1   }\n"                   \
	"\n"                                                                   \
	"\n"                                                                   \
	"Filename: %s\n"                                                       \
	"\n"                                                                   \
	"Line #    Mem usage    Increment  Occurrences   Line Contents\n"      \
	"=============================================================\n"      \
	"     8                                     1   int pending(void)\n"   \
	"     9                                         \\x01 \xc3\xa9 \\xff\n"\
	"\n"                                                                   \
	"\n"

START_TEST(text_precision_1)
{
	struct report_fixture fx;
	struct report_run run = {
		.command = command, .exit_code = 0, .signal = 0,
		.peak_rss_bytes = 172 * MiB + 512 * 1024,
		.final_rss_bytes = 100 * MiB - 4096, .precision = 1,
	};
	char *got, *want;

	fixture_setup(&fx);
	got = render(report_text, fx.p, &run, fx.src);
	want = expect(TABLES_P1
		      "Peak RSS:  172.5 MiB (VmHWM, whole process)\n"
		      "Final RSS: 100.0 MiB\n", fx.path[0]);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	report_fixture_teardown(&fx);
}
END_TEST

START_TEST(text_precision_3_unknown_rss)
{
	struct report_fixture fx;
	struct report_run run = {
		.command = command, .exit_code = -1, .signal = SIGKILL,
		.peak_rss_bytes = -1, .final_rss_bytes = -1, .precision = 3,
	};
	char *got, *want;

	fixture_setup(&fx);
	got = render(report_text, fx.p, &run, fx.src);
	want = expect(
		"Filename: %s\n"
		"\n"
		"Line #    Mem usage    Increment  Occurrences   Line Contents\n"
		"=============================================================\n"
		"     3  100.000 MiB    0.000 MiB           1   void work(void)\n"
		"     4                                         {\n"
		"     5  164.000 MiB   64.000 MiB           1   \tchar *p = grow(64);\n"
		"     6  100.000 MiB  -64.000 MiB           1   \tputs(\"a\\b\");\n"
		"     7   99.996 MiB   -0.004 MiB           1   }\n"
		"\n"
		"\n"
		"Filename: %s\n"
		"\n"
		"Line #    Mem usage    Increment  Occurrences   Line Contents\n"
		"=============================================================\n"
		"     8                                     1   int pending(void)\n"
		"     9                                         \\x01 \xc3\xa9 \\xff\n"
		"\n"
		"\n"
		"Peak RSS:  unknown\n"
		"Final RSS: unknown\n", fx.path[0]);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	report_fixture_teardown(&fx);
}
END_TEST

START_TEST(text_precision_0)
{
	struct report_fixture fx;
	struct report_run run = {
		.command = command, .exit_code = 3, .signal = 0,
		.peak_rss_bytes = 172 * MiB + 512 * 1024,
		.final_rss_bytes = 0, .precision = 0,
	};
	char *got;

	fixture_setup(&fx);
	got = render(report_text, fx.p, &run, fx.src);
	ck_assert_ptr_nonnull(strstr(got,
		"     3      100 MiB        0 MiB           1   void work(void)\n"
		"     4                                         {\n"
		"     5      164 MiB       64 MiB           1   \tchar *p = grow(64);\n"
		"     6      100 MiB      -64 MiB           1   \tputs(\"a\\b\");\n"
		"     7      100 MiB        0 MiB           1   }\n"
		"\n\n"));
	/* 172.5 rounds to even, as Python's format does. */
	ck_assert_ptr_nonnull(strstr(got,
		"\n\n\nPeak RSS:  172 MiB (VmHWM, whole process)\n"
		"Final RSS: 0 MiB\n"));
	ck_assert_int_eq(got[strlen(got) - 1], '\n');
	free(got);
	report_fixture_teardown(&fx);
}
END_TEST

START_TEST(text_missing_source)
{
	struct profile *p = profile_new();
	struct source *src = source_new();
	struct profile_stack s = { 0 };
	struct report_run run = {
		.command = command, .exit_code = 0, .peak_rss_bytes = 4096,
		.final_rss_bytes = 4096, .precision = 1,
	};
	unsigned f = profile_add_function(p, "gone", "/nonexistent/gone.c", 1, 2);
	char *got;

	profile_enter(p, &s, EV(0, 100, 4096), f);
	profile_line(p, &s, EV(0x10, 90, 1 * MiB), f, 2);
	/* One page down on line 2 rounds to "-0.0": shown as 0.0. */
	profile_close_all(p, &s, EV(0, 0, 1 * MiB - 4096));
	got = render(report_text, p, &run, src);
	ck_assert_str_eq(got,
		"Filename: /nonexistent/gone.c\n"
		"\n"
		"Line #    Mem usage    Increment  Occurrences   Line Contents\n"
		"=============================================================\n"
		"     1      1.0 MiB      1.0 MiB           1   \n"
		"     2      1.0 MiB      0.0 MiB           1   \n"
		"\n"
		"\n"
		"Peak RSS:  0.0 MiB (VmHWM, whole process)\n"
		"Final RSS: 0.0 MiB\n");
	free(got);
	profile_stack_release(&s);
	profile_free(p);
	source_free(src);
}
END_TEST

START_TEST(json_whole)
{
	struct report_fixture fx;
	char *const cmd[] = { "./app", "say \"hi\"\\", NULL };
	struct report_run run = {
		.command = cmd, .exit_code = -1, .signal = SIGSEGV,
		.peak_rss_bytes = 172 * MiB + 512 * 1024,
		.final_rss_bytes = -1, .precision = 1,
	};
	char *got, *want;

	fixture_setup(&fx);
	got = render(report_json, fx.p, &run, fx.src);
	want = expect(
		"{\n"
		"  \"version\": 1,\n"
		"  \"command\": [\n"
		"    \"./app\",\n"
		"    \"say \\\"hi\\\"\\\\\"\n"
		"  ],\n"
		"  \"exit_code\": null,\n"
		"  \"signal\": \"SIGSEGV\",\n"
		"  \"metric\": \"rss\",\n"
		"  \"peak_rss_bytes\": 180879360,\n"
		"  \"final_rss_bytes\": null,\n"
		"  \"heap\": false,\n"
		"  \"peak\": null,\n"
		"  \"functions\": [\n"
		"    {\n"
		"      \"name\": \"work\",\n"
		"      \"file\": \"%s\",\n"
		"      \"first_line\": 3,\n"
		"      \"last_line\": 7,\n"
		"      \"calls\": 1,\n"
		"      \"lines\": [\n"
		"        {\n"
		"          \"line\": 3,\n"
		"          \"contents\": \"void work(void)\",\n"
		"          \"occurrences\": 1,\n"
		"          \"mem_bytes\": 104857600,\n"
		"          \"increment_bytes\": 0\n"
		"        },\n"
		"        {\n"
		"          \"line\": 4,\n"
		"          \"contents\": \"{\",\n"
		"          \"occurrences\": 0,\n"
		"          \"mem_bytes\": null,\n"
		"          \"increment_bytes\": null\n"
		"        },\n"
		"        {\n"
		"          \"line\": 5,\n"
		"          \"contents\": \"\\tchar *p = grow(64);\",\n"
		"          \"occurrences\": 1,\n"
		"          \"mem_bytes\": 171966464,\n"
		"          \"increment_bytes\": 67108864\n"
		"        },\n"
		"        {\n"
		"          \"line\": 6,\n"
		"          \"contents\": \"\\tputs(\\\"a\\\\b\\\");\",\n"
		"          \"occurrences\": 1,\n"
		"          \"mem_bytes\": 104857600,\n"
		"          \"increment_bytes\": -67108864\n"
		"        },\n"
		"        {\n"
		"          \"line\": 7,\n"
		"          \"contents\": \"}\",\n"
		"          \"occurrences\": 1,\n"
		"          \"mem_bytes\": 104853504,\n"
		"          \"increment_bytes\": -4096\n"
		"        }\n"
		"      ]\n"
		"    },\n"
		"    {\n"
		"      \"name\": \"pending\",\n"
		"      \"file\": \"%s\",\n"
		"      \"first_line\": 8,\n"
		"      \"last_line\": 9,\n"
		"      \"calls\": 1,\n"
		"      \"lines\": [\n"
		"        {\n"
		"          \"line\": 8,\n"
		"          \"contents\": \"int pending(void)\",\n"
		"          \"occurrences\": 1,\n"
		"          \"mem_bytes\": null,\n"
		"          \"increment_bytes\": null\n"
		"        },\n"
		"        {\n"
		"          \"line\": 9,\n"
		"          \"contents\": \"\\u0001 \xc3\xa9 \\ufffd\",\n"
		"          \"occurrences\": 0,\n"
		"          \"mem_bytes\": null,\n"
		"          \"increment_bytes\": null\n"
		"        }\n"
		"      ]\n"
		"    }\n"
		"  ],\n"
		"  \"top_lines\": []\n"
		"}\n", fx.path[0]);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	report_fixture_teardown(&fx);
}
END_TEST

START_TEST(json_empty_and_strings)
{
	struct profile *p = profile_new();
	struct source *src = source_new();
	/* Valid 2-, 3- and 4-byte UTF-8 pass; an overlong '/', a surrogate,
	 * a code point above U+10FFFF, a stray continuation byte and a
	 * truncated sequence do not. */
	char *const cmd[] = {
		"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		"\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80|\xe2\x82",
		"\x1f\x7f\b\f\n\r/",
		NULL,
	};
	struct report_run run = {
		.command = cmd, .exit_code = 0, .signal = 0,
		.peak_rss_bytes = 0, .final_rss_bytes = 123456789, .precision = 1,
	};
	char *got;

	got = render(report_json, p, &run, src);
	ck_assert_str_eq(got,
		"{\n"
		"  \"version\": 1,\n"
		"  \"command\": [\n"
		"    \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\n"
		"    \"\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd"
		"\\ufffd|\\ufffd|\\ufffd\\ufffd\",\n"
		"    \"\\u001f\x7f\\b\\f\\n\\r/\"\n"
		"  ],\n"
		"  \"exit_code\": 0,\n"
		"  \"signal\": null,\n"
		"  \"metric\": \"rss\",\n"
		"  \"peak_rss_bytes\": 0,\n"
		"  \"final_rss_bytes\": 123456789,\n"
		"  \"heap\": false,\n"
		"  \"peak\": null,\n"
		"  \"functions\": [],\n"
		"  \"top_lines\": []\n"
		"}\n");
	free(got);

	run.command = NULL;
	run.signal = SIGKILL;
	run.exit_code = 137;
	got = render(report_json, p, &run, src);
	ck_assert_ptr_nonnull(strstr(got, "  \"command\": [],\n"
					  "  \"exit_code\": 137,\n"
					  "  \"signal\": \"SIGKILL\",\n"));
	free(got);

	run.signal = SIGRTMIN + 2;
	got = render(report_json, p, &run, src);
	ck_assert_ptr_nonnull(strstr(got, "  \"signal\": \"SIGRTMIN+2\",\n"));
	free(got);

	got = render(report_text, p, &run, src);
	ck_assert_str_eq(got, "Peak RSS:  0.0 MiB (VmHWM, whole process)\n"
			      "Final RSS: 117.7 MiB\n");
	free(got);
	profile_free(p);
	source_free(src);
}
END_TEST

START_TEST(write_error)
{
	struct report_fixture fx;
	struct report_run run = {
		.command = command, .exit_code = 0, .peak_rss_bytes = -1,
		.final_rss_bytes = -1, .precision = 1,
	};
	FILE *full = fopen("/dev/full", "w");

	ck_assert_ptr_nonnull(full);
	fixture_setup(&fx);
	ck_assert_int_eq(report_text(full, fx.p, &run, fx.src), -1);
	clearerr(full);
	ck_assert_int_eq(report_json(full, fx.p, &run, fx.src), -1);
	fclose(full);
	report_fixture_teardown(&fx);
}
END_TEST

/* Both renderers trust the table: every column is complete, and the JSON
 * ranks order every column once. */
START_TEST(column_table_complete)
{
	bool ranked[16] = { false };

	ck_assert_uint_le(column_count, 16);
	for (size_t i = 0; i < column_count; i++) {
		const struct column *c = &column_table[i];

		ck_assert_ptr_nonnull(c->title);
		ck_assert_ptr_nonnull(c->gap);
		ck_assert_int_gt(c->width, 0);
		ck_assert_ptr_nonnull(c->json_key[0]);
		ck_assert_ptr_nonnull(c->text);
		ck_assert_ptr_nonnull(c->json);
		ck_assert_int_ge(c->json_rank, 0);
		ck_assert_int_lt(c->json_rank, (int)column_count);
		ck_assert(!ranked[c->json_rank]);
		ranked[c->json_rank] = true;
		ck_assert_ptr_eq(column_json_order((size_t)c->json_rank), c);
	}
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *text = tcase_create("text");
	TCase *json = tcase_create("json");

	tcase_add_test(text, text_precision_1);
	tcase_add_test(text, text_precision_3_unknown_rss);
	tcase_add_test(text, text_precision_0);
	tcase_add_test(text, text_missing_source);
	tcase_add_test(text, column_table_complete);
	suite_add_tcase(s, text);

	tcase_add_test(json, json_whole);
	tcase_add_test(json, json_empty_and_strings);
	tcase_add_test(json, write_error);
	suite_add_tcase(s, json);
	return s;
}
