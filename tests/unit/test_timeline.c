/* SPDX-License-Identifier: MIT */
/* test_timeline.c - the timeline fed scripted samples and calls: one point
 * per interval (its highest), the spans and their bounds, and the mprof
 * .dat text compared whole. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "suites.h"
#include "timeline.h"

#define MiB (1024 * 1024LL)

/* Writes the .dat into memory; the caller frees it. */
static char *dat(const struct timeline *tl, char *const *command,
		 const struct profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(timeline_write_dat(tl, out, command, p), 0);
	ck_assert_int_eq(fclose(out), 0);
	return buf;
}

START_TEST(one_point_per_interval)
{
	struct timeline *tl = timeline_new(10);
	const struct timeline_sample *v;
	size_t n;

	/* Interval 0: a spike between two ordinary samples. */
	timeline_sample_at(tl, 0.000, 10 * MiB);
	timeline_sample_at(tl, 0.004, 50 * MiB);
	timeline_sample_at(tl, 0.009, 11 * MiB);
	/* Interval 1: a plateau, the first of equals kept. */
	timeline_sample_at(tl, 0.011, 12 * MiB);
	timeline_sample_at(tl, 0.015, 12 * MiB);
	/* Interval 3 (2 had no sample), then the end. */
	timeline_sample_at(tl, 0.031, 20 * MiB);
	timeline_sample_at(tl, 0.035, 30 * MiB);
	timeline_sample_at(tl, 0.038, 8 * MiB);
	/* A zombie's statm: the process is gone, not empty. */
	timeline_sample_at(tl, 0.039, 0);
	timeline_finish(tl);
	n = timeline_samples(tl, &v);
	ck_assert_uint_eq(n, 4);
	/* The first point: the interval's highest, at the time measuring
	 * started, so that the timeline begins before any bracket. */
	ck_assert_double_eq_tol(v[0].t, 0.000, 1e-9);
	ck_assert_int_eq(v[0].rss_bytes, 50 * MiB);
	ck_assert_double_eq_tol(v[1].t, 0.011, 1e-9);
	ck_assert_int_eq(v[1].rss_bytes, 12 * MiB);
	ck_assert_double_eq_tol(v[2].t, 0.035, 1e-9);
	ck_assert_int_eq(v[2].rss_bytes, 30 * MiB);
	/* The last sample: the curve ends at the final RSS. */
	ck_assert_double_eq_tol(v[3].t, 0.038, 1e-9);
	ck_assert_int_eq(v[3].rss_bytes, 8 * MiB);
	timeline_free(tl);
}
END_TEST

START_TEST(last_sample_not_doubled)
{
	struct timeline *tl = timeline_new(10);
	const struct timeline_sample *v;

	timeline_sample_at(tl, 0.001, 1 * MiB);
	timeline_sample_at(tl, 0.002, 5 * MiB);
	timeline_finish(tl);
	/* The first point stays at the start; the curve ends at the last
	 * sample. */
	ck_assert_uint_eq(timeline_samples(tl, &v), 2);
	ck_assert_int_eq(v[0].rss_bytes, 5 * MiB);
	ck_assert_double_eq_tol(v[1].t, 0.002, 1e-9);
	timeline_free(tl);

	tl = timeline_new(10);
	timeline_finish(tl);
	ck_assert_uint_eq(timeline_samples(tl, &v), 0);
	ck_assert_uint_eq(timeline_spans(tl, (const struct timeline_span **)&v), 0);
	timeline_free(tl);
}
END_TEST

START_TEST(spans_nested_and_merged)
{
	struct timeline *tl = timeline_new(10);
	const struct timeline_span *sp;
	size_t n;

	/* fn 0 recursing (and running in two threads): one span. */
	timeline_call_at(tl, 0.100, 0, 1, 1 * MiB);
	timeline_call_at(tl, 0.110, 0, 1, 2 * MiB);
	timeline_call_at(tl, 0.120, 0, 0, 3 * MiB);
	timeline_call_at(tl, 0.200, 0, 0, 4 * MiB);
	/* Again 5 ms later: closer than an interval, the same span. */
	timeline_call_at(tl, 0.205, 0, 1, 4 * MiB);
	timeline_call_at(tl, 0.300, 0, 0, 9 * MiB);
	/* 50 ms later: a span of its own. */
	timeline_call_at(tl, 0.350, 0, 1, 9 * MiB);
	timeline_call_at(tl, 0.360, 0, 0, 7 * MiB);
	/* fn 2 ends a call it never began (attached mid-call), then one
	 * call still runs at the end. */
	timeline_call_at(tl, 0.150, 2, 0, 3 * MiB);
	timeline_call_at(tl, 0.330, 2, 1, 8 * MiB);
	timeline_sample_at(tl, 0.400, 6 * MiB);
	timeline_finish(tl);
	n = timeline_spans(tl, &sp);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(sp[0].fn, 0);
	ck_assert_double_eq_tol(sp[0].t0, 0.100, 1e-9);
	ck_assert_double_eq_tol(sp[0].t1, 0.300, 1e-9);
	ck_assert_int_eq(sp[0].rss0, 1 * MiB);
	ck_assert_int_eq(sp[0].rss1, 9 * MiB);
	/* By start: fn 2's open call (0.33, closed at the last sample). */
	ck_assert_uint_eq(sp[1].fn, 2);
	ck_assert_double_eq_tol(sp[1].t0, 0.330, 1e-9);
	ck_assert_double_eq_tol(sp[1].t1, 0.400, 1e-9);
	ck_assert_int_eq(sp[1].rss1, 6 * MiB);
	ck_assert_uint_eq(sp[2].fn, 0);
	ck_assert_double_eq_tol(sp[2].t0, 0.350, 1e-9);
	ck_assert_double_eq_tol(sp[2].t1, 0.360, 1e-9);
	timeline_free(tl);
}
END_TEST

/* A million short calls in a loop are one span.  Calls 50 ms apart, in
 * 100 bursts 2 s apart, are 2000 spans at first: past TIMELINE_SPANS_MAX
 * the merge gap doubles until each burst is one span. */
START_TEST(spans_bounded)
{
	struct timeline *tl = timeline_new(10);
	const struct timeline_span *sp;
	size_t n;
	double t = 0;

	for (int i = 0; i < 1000000; i++, t += 2e-6) {
		timeline_call_at(tl, t, 0, 1, 1 * MiB);
		timeline_call_at(tl, t + 1e-6, 0, 0, 1 * MiB);
	}
	t = 3;
	for (int b = 0; b < 100; b++, t += 2) {
		for (int i = 0; i < 20; i++, t += 0.05) {
			timeline_call_at(tl, t, 1, 1, 1 * MiB);
			timeline_call_at(tl, t + 0.001, 1, 0, 1 * MiB);
		}
	}
	timeline_finish(tl);
	n = timeline_spans(tl, &sp);
	ck_assert_uint_eq(n, 1 + 100);
	ck_assert_uint_eq(sp[0].fn, 0);
	ck_assert_double_eq_tol(sp[0].t0, 0, 1e-9);
	ck_assert_double_eq_tol(sp[0].t1, 2.0 - 1e-6, 1e-6);
	for (size_t i = 1; i < n; i++) {
		double start = 3 + (i - 1) * 3.0;

		ck_assert_uint_eq(sp[i].fn, 1);
		ck_assert_double_eq_tol(sp[i].t0, start, 1e-6);
		ck_assert_double_eq_tol(sp[i].t1, start + 19 * 0.05 + 0.001, 1e-6);
	}
	timeline_free(tl);
}
END_TEST

START_TEST(dat_format)
{
	struct profile *p = profile_new();
	struct timeline *tl = timeline_new(10);
	char *const command[] = { "./app", "a b", "x\ny", NULL };
	unsigned f = profile_add_function(p, "process_data", "/s/seed.c", 18, 34);
	unsigned g = profile_add_function(p, "fill<std::pair<int, int> >",
					  "/s/a.cpp", 1, 2);
	char *got;

	timeline_sample_at(tl, 0.0, 1 * MiB + 512 * 1024);
	timeline_call_at(tl, 0.01, f, 1, 2 * MiB);
	timeline_sample_at(tl, 0.0125, 50 * MiB);
	timeline_call_at(tl, 0.02, g, 1, 60 * MiB);
	timeline_call_at(tl, 0.03, g, 0, 70 * MiB);
	timeline_call_at(tl, 0.04, f, 0, 97 * MiB);
	timeline_sample_at(tl, 0.0401, 97 * MiB);
	timeline_finish(tl);
	got = dat(tl, command, p);
	ck_assert_str_eq(got,
			 "CMDLINE ./app 'a b' x?y\n"
			 "MEM 1.500000 0.0000\n"
			 "MEM 50.000000 0.0125\n"
			 "MEM 97.000000 0.0401\n"
			 "FUNC process_data 2.000000 0.0100 97.000000 0.0400\n"
			 "FUNC fill<std::pair<int,int>> 60.000000 0.0200 70.000000 0.0300\n");
	free(got);
	timeline_free(tl);
	profile_free(p);
}
END_TEST

Suite *timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("sample");

	tcase_add_test(tc, one_point_per_interval);
	tcase_add_test(tc, last_sample_not_doubled);
	tcase_add_test(tc, spans_nested_and_merged);
	tcase_add_test(tc, spans_bounded);
	tcase_add_test(tc, dat_format);
	suite_add_tcase(s, tc);
	return s;
}
