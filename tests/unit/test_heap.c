/* SPDX-License-Identifier: MIT */
/* test_heap.c - --heap: the LD_PRELOAD list, finding the library, the
 * option, the per-line heap accounting and the Heap inc column. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "heap.h"
#include "options.h"
#include "profile.h"
#include "report.h"
#include "suites.h"

#define LIB "/opt/memprof/lib/memprof/libmemprof_heap.so"

static void ck_list(const char *old, const char *lib, const char *want)
{
	char *got = heap_preload_list(old, lib);

	if (!want) {
		ck_assert_ptr_null(got);
		return;
	}
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(preload_list)
{
	ck_list(NULL, LIB, LIB);
	ck_list("", LIB, LIB);
	/* Appended: an allocator the user preloads keeps the calls. */
	ck_list("/usr/lib/libjemalloc.so.2", LIB, "/usr/lib/libjemalloc.so.2:" LIB);
	ck_list("a.so b.so", LIB, "a.so b.so:" LIB);
	/* Listed already, whole, with either separator. */
	ck_list(LIB, LIB, LIB);
	ck_list("a.so:" LIB, LIB, "a.so:" LIB);
	ck_list(LIB " b.so", LIB, LIB " b.so");
	/* Only as a whole element. */
	ck_list(LIB ".old", LIB, LIB ".old:" LIB);
	ck_list("/x" LIB, LIB, "/x" LIB ":" LIB);
	/* The dynamic linker would split these. */
	ck_list(NULL, "/my dir/libmemprof_heap.so", NULL);
	ck_list("a.so", "/a:b/libmemprof_heap.so", NULL);
	ck_list(NULL, "", NULL);
}
END_TEST

START_TEST(is_library)
{
	ck_assert(heap_is_library(LIB));
	ck_assert(heap_is_library("libmemprof_heap.so"));
	ck_assert(!heap_is_library("/lib/x86_64-linux-gnu/libc.so.6"));
	ck_assert(!heap_is_library("/x/libmemprof_heap.so.1"));
	ck_assert(!heap_is_library("/x/mylibmemprof_heap.so"));
	ck_assert(!heap_is_library("/libmemprof_heap.so/x"));
}
END_TEST

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* A tree like an install: PREFIX/bin/memprof, PREFIX/lib/memprof/. */
START_TEST(find_library)
{
	char root[] = "/tmp/memprof-heap-XXXXXX", p[256], exe[256], got_want[256];
	char *got;

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/bin", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib/memprof", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/other", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(exe, sizeof(exe), "%s/bin/memprof", root);

	/* Nowhere. */
	ck_assert_ptr_null(heap_find_library(exe, NULL));
	snprintf(p, sizeof(p), "%s/other", root);
	ck_assert_ptr_null(heap_find_library(exe, p));

	/* In the configured libdir only. */
	snprintf(p, sizeof(p), "%s/other/libmemprof_heap.so", root);
	touch(p);
	snprintf(got_want, sizeof(got_want), "%s/other", root);
	got = heap_find_library(exe, got_want);
	ck_assert_str_eq(got, p);
	free(got);

	/* PREFIX/lib/memprof comes before it. */
	snprintf(p, sizeof(p), "%s/lib/memprof/libmemprof_heap.so", root);
	touch(p);
	got = heap_find_library(exe, got_want);
	ck_assert_str_eq(got, p);
	free(got);

	/* Beside the executable (the build tree) first of all. */
	snprintf(p, sizeof(p), "%s/bin/libmemprof_heap.so", root);
	touch(p);
	got = heap_find_library(exe, NULL);
	ck_assert_str_eq(got, p);
	free(got);

	/* An executable at the root has no parent directory to look in. */
	ck_assert_ptr_null(heap_find_library("/memprof-nowhere", NULL));

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

static enum options_result parse(struct options *o, char **argv, char **err)
{
	size_t n = 0, m = 0;
	char *out = NULL;
	FILE *fo = open_memstream(&out, &m), *fe = open_memstream(err, &n);
	int argc = 0;
	enum options_result r;

	while (argv[argc])
		argc++;
	r = options_parse(o, argc, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	free(out);
	return r;
}

START_TEST(option)
{
	struct options o;
	char *err;

	ck_assert_int_eq(parse(&o, (char *[]){ "memprof", "./app", NULL }, &err),
			 OPTIONS_RUN);
	ck_assert_uint_eq(o.columns & column_bit("heap"), 0);
	options_free(&o);
	free(err);

	/* o.command points into the argv: it must outlive the checks. */
	char *with_heap[] = { "memprof", "--heap", "./app", "--heap", NULL };

	ck_assert_int_eq(parse(&o, with_heap, &err), OPTIONS_RUN);
	ck_assert_uint_eq(o.columns & column_bit("heap"),
			  column_bit("heap"));
	ck_assert_str_eq(o.command[1], "--heap");
	options_free(&o);
	free(err);

	ck_assert_int_eq(parse(&o, (char *[]){ "memprof", "--heap=yes", "./app", NULL }, &err),
			 OPTIONS_USAGE);
	ck_assert_str_eq(err, "memprof: option '--heap' doesn't allow an argument\n"
			      "Try 'memprof --help' for more information.\n");
	options_free(&o);
	free(err);

	/* --he could be --heap or --help. */
	ck_assert_int_eq(parse(&o, (char *[]){ "memprof", "--he", "./app", NULL }, &err),
			 OPTIONS_USAGE);
	ck_assert_str_eq(err, "memprof: option '--he' is ambiguous\n"
			      "Try 'memprof --help' for more information.\n");
	options_free(&o);
	free(err);
}
END_TEST

/* A function on lines 10..13: 64 MiB reserved on 11 (heap only), touched
 * on 12 (RSS only), freed on 13 (both); line 13 runs twice, the second
 * time with a small free that is not worth a page.  Fed like the tracer
 * does: each event carries the live heap bytes then. */
struct fixture {
	struct profile *p;
	unsigned fn;
};

static void event_line(struct fixture *fx, struct profile_stack *s,
		       unsigned line, uint64_t addr, int64_t rss, int64_t heap)
{
	struct line_event ev = { .addr = addr, .sp = 900, .rss = rss,
				 .heap_bytes = heap };

	profile_line(fx->p, s, &ev, fx->fn, line);
}

static void fixture_setup(struct fixture *fx)
{
	struct profile_stack s = { 0 };
	struct line_event ev = { .sp = 1000, .rss = 10 * MiB,
				 .heap_bytes = 1000 };

	fx->p = profile_new();
	fx->fn = profile_add_function(fx->p, "touch", "/nonexistent/t.c", 10, 14);
	for (unsigned l = 11; l <= 13; l++)
		profile_mark_code(fx->p, fx->fn, l);
	profile_enter(fx->p, &s, &ev, fx->fn);
	event_line(fx, &s, 11, 0x10, 10 * MiB, 1000);
	event_line(fx, &s, 12, 0x20, 10 * MiB, 1000 + 64 * MiB);
	event_line(fx, &s, 13, 0x30, 74 * MiB, 1000 + 64 * MiB);
	event_line(fx, &s, 13, 0x30, 10 * MiB, 1000);
	ev.sp = 1008;
	ev.heap_bytes = 1000 - 24;
	profile_return(fx->p, &s, &ev);
	profile_stack_release(&s);
}

START_TEST(accounting)
{
	struct fixture fx;
	const struct profile_line *l;

	fixture_setup(&fx);
	l = profile_function(fx.p, fx.fn)->lines;
	ck_assert_int_eq(l[0].heap_increment_bytes, 0);
	ck_assert_int_eq(l[1].heap_increment_bytes, 64 * MiB);
	ck_assert_int_eq(l[1].increment_bytes, 0);
	ck_assert_int_eq(l[2].heap_increment_bytes, 0);
	ck_assert_int_eq(l[2].increment_bytes, 64 * MiB);
	ck_assert_int_eq(l[3].heap_increment_bytes, -64 * MiB - 24);
	ck_assert_int_eq(l[3].increment_bytes, -64 * MiB);
	ck_assert_uint_eq(l[4].finished, 0);
	profile_free(fx.p);
}
END_TEST

static char *const command[] = { "./t", NULL };

START_TEST(text_column)
{
	struct fixture fx;
	struct report_run run = {
		.command = command, .exit_code = 0, .peak_rss_bytes = 74 * MiB,
		.final_rss_bytes = 10 * MiB, .precision = 1,
		.columns = column_bit("heap"),
	};
	char *got;

	fixture_setup(&fx);
	got = render(report_text, fx.p, &run, NULL);
	ck_assert_str_eq(got,
		"Filename: /nonexistent/t.c\n"
		"\n"
		"Line #    Mem usage    Increment     Heap inc  Occurrences   Line Contents\n"
		"==========================================================================\n"
		"    10     10.0 MiB      0.0 MiB      0.0 MiB           1   \n"
		"    11     10.0 MiB      0.0 MiB     64.0 MiB           1   \n"
		"    12     74.0 MiB     64.0 MiB      0.0 MiB           1   \n"
		"    13     10.0 MiB    -64.0 MiB    -64.0 MiB           2   \n"
		"    14                                                      \n"
		"\n"
		"\n"
		"Peak RSS:  74.0 MiB (VmHWM, whole process)\n"
		"Final RSS: 10.0 MiB\n");
	free(got);

	/* Without --heap, memory_profiler's layout, byte for byte. */
	run.columns = 0;
	got = render(report_text, fx.p, &run, NULL);
	ck_assert_ptr_nonnull(strstr(got,
		"Line #    Mem usage    Increment  Occurrences   Line Contents\n"
		"=============================================================\n"
		"    10     10.0 MiB      0.0 MiB           1   \n"
		"    11     10.0 MiB      0.0 MiB           1   \n"));
	free(got);
	profile_free(fx.p);
}
END_TEST

START_TEST(json_key)
{
	struct fixture fx;
	struct report_run run = {
		.command = command, .exit_code = 0, .peak_rss_bytes = 74 * MiB,
		.final_rss_bytes = 10 * MiB, .precision = 1,
		.columns = column_bit("heap"),
	};
	char *got;

	fixture_setup(&fx);
	got = render(report_json, fx.p, &run, NULL);
	ck_assert_ptr_nonnull(strstr(got,
		"  \"final_rss_bytes\": 10485760,\n"
		"  \"heap\": true,\n"));
	ck_assert_ptr_nonnull(strstr(got,
		"          \"line\": 13,\n"
		"          \"contents\": \"\",\n"
		"          \"occurrences\": 2,\n"
		"          \"mem_bytes\": 10485760,\n"
		"          \"increment_bytes\": -67108864,\n"
		"          \"heap_increment_bytes\": -67108888\n"
		"        }"));
	/* A line that never ran: null, like its other figures. */
	ck_assert_ptr_nonnull(strstr(got,
		"          \"line\": 14,\n"
		"          \"contents\": \"\",\n"
		"          \"occurrences\": 0,\n"
		"          \"mem_bytes\": null,\n"
		"          \"increment_bytes\": null,\n"
		"          \"heap_increment_bytes\": null\n"
		"        }"));
	free(got);

	/* Without --heap: "heap": false and no per-line key. */
	run.columns = 0;
	got = render(report_json, fx.p, &run, NULL);
	ck_assert_ptr_nonnull(strstr(got, "  \"heap\": false,\n"));
	ck_assert_ptr_null(strstr(got, "heap_increment_bytes"));
	free(got);
	profile_free(fx.p);
}
END_TEST

Suite *heap_suite(void)
{
	Suite *s = suite_create("heap");
	TCase *tc = tcase_create("heap");

	tcase_add_test(tc, preload_list);
	tcase_add_test(tc, is_library);
	tcase_add_test(tc, find_library);
	tcase_add_test(tc, option);
	tcase_add_test(tc, accounting);
	tcase_add_test(tc, text_column);
	tcase_add_test(tc, json_key);
	suite_add_tcase(s, tc);
	return s;
}
