/* SPDX-License-Identifier: MIT */
/* test_budget.c - --fail-over sizes and budgets (budget.c), checked
 * against scripted profiles. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "budget.h"
#include "fixtures.h"
#include "suites.h"

static int64_t size_of(const char *s)
{
	int64_t v = -42;

	ck_assert_msg(budget_parse_size(s, &v) == 0, "'%s' refused", s);
	return v;
}

/* budget_exceeded, its message copied into `msg` as the assertions read
 * it. */
static bool over_budget(const struct budget *b, const struct profile *p,
		     int64_t peak_rss_bytes, int precision, char *msg,
		     size_t size)
{
	char *m = NULL;
	bool over = budget_exceeded(b, p, peak_rss_bytes, precision, &m);

	if (m)
		snprintf(msg, size, "%s", m);
	free(m);
	return over;
}

static void ck_refused(const char *s)
{
	int64_t v = -42;

	ck_assert_msg(budget_parse_size(s, &v) < 0, "'%s' accepted", s);
	ck_assert_int_eq(v, -42);
}

START_TEST(sizes)
{
	ck_assert_int_eq(size_of("1048576"), 1048576);
	ck_assert_int_eq(size_of("1"), 1);
	ck_assert_int_eq(size_of("100B"), 100);
	ck_assert_int_eq(size_of("4k"), 4096);
	ck_assert_int_eq(size_of("4KiB"), 4096);
	ck_assert_int_eq(size_of("500M"), 500 * MiB);
	ck_assert_int_eq(size_of("500m"), 500 * MiB);
	ck_assert_int_eq(size_of("200MiB"), 200 * MiB);
	ck_assert_int_eq(size_of("200mib"), 200 * MiB);
	ck_assert_int_eq(size_of("200MIB"), 200 * MiB);
	ck_assert_int_eq(size_of("1.5GiB"), 1536 * MiB);
	ck_assert_int_eq(size_of("1.5G"), 1536 * MiB);
	ck_assert_int_eq(size_of("0.5K"), 512);
	ck_assert_int_eq(size_of("2T"), 2 * 1024 * 1024 * MiB);
	ck_assert_int_eq(size_of("2TiB"), 2 * 1024 * 1024 * MiB);
	ck_assert_int_eq(size_of("007M"), 7 * MiB);
	/* Fractions of a byte round down; extra digits are harmless. */
	ck_assert_int_eq(size_of("0.001K"), 1);
}
END_TEST

START_TEST(sizes_refused)
{
	static const char *const bad[] = {
		"", "M", "MiB", ".5M", "5.M", "5.", "-1", "+1", " 1", "1 ",
		"1 MiB", "1MB", "1mb", "1KB", "1GB", "1Mi", "1iB", "1b2", "1e3",
		"0x10", "1,5M", "0", "0M", "0.0G", "1.5", "1.5B", "0.0001K",
		"9223372036854775808", "9223372036854775807K",
		"99999999999999999999999999", "8388608T", "1M\n", "M1", "1..5M",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_refused(bad[i]);
	ck_assert_int_eq(size_of("9223372036854775807"), INT64_MAX);
	ck_assert_int_eq(size_of("8388607T"), 8388607LL * 1024 * 1024 * MiB);
}
END_TEST

START_TEST(parse)
{
	struct budget b;

	ck_assert_int_eq(budget_parse("50MiB", &b), 0);
	ck_assert_ptr_null(b.func);
	ck_assert_int_eq(b.bytes, 50 * MiB);

	ck_assert_int_eq(budget_parse("process_data:1.5G", &b), 0);
	ck_assert_str_eq(b.func, "process_data");
	ck_assert_int_eq(b.bytes, 1536 * MiB);
	free(b.func);

	/* C++ names: the size follows the last colon. */
	ck_assert_int_eq(budget_parse("ns::Class::run:10M", &b), 0);
	ck_assert_str_eq(b.func, "ns::Class::run");
	ck_assert_int_eq(b.bytes, 10 * MiB);
	free(b.func);

	b.func = (char *)"untouched";
	ck_assert_int_lt(budget_parse(":10M", &b), 0);
	ck_assert_int_lt(budget_parse("f:", &b), 0);
	ck_assert_int_lt(budget_parse("f:x", &b), 0);
	ck_assert_int_lt(budget_parse("10M:f", &b), 0);
	ck_assert_int_lt(budget_parse("", &b), 0);
	ck_assert_int_lt(budget_parse(":", &b), 0);
	ck_assert_str_eq(b.func, "untouched");
}
END_TEST

/* work() (seed.c 18..21): the copy line reaches 96 MiB, the lines after
 * it stay there; idle() never runs. */
static struct profile *scripted(void)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned w = profile_add_function(p, "work", "/src/seed.c", 18, 21);

	profile_add_function(p, "idle", "/src/idle.c", 1, 2);
	profile_enter(p, &s, EV(0, 100, 1 * MiB), w);
	profile_line(p, &s, EV(0x10, 90, 1 * MiB), w, 19);
	profile_line(p, &s, EV(0x20, 90, 20 * MiB), w, 20);
	profile_line(p, &s, EV(0x30, 90, 96 * MiB), w, 21);
	profile_close_all(p, &s, EV(0, 0, 96 * MiB));
	profile_stack_release(&s);
	return p;
}

START_TEST(exceeded)
{
	struct profile *p = scripted();
	struct budget whole = { NULL, 50 * MiB };
	struct budget fn = { (char *)"work", 50 * MiB };
	struct budget idle = { (char *)"idle", 1 };
	char msg[256] = "";

	/* The whole run: VmHWM, placed at the highest line; the line after
	 * the copy reads 96 MiB too, but grew nothing. */
	ck_assert(over_budget(&whole, p, 97 * MiB, 1, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "peak RSS 97.0 MiB exceeds the budget of 50.0 MiB (at seed.c:20 in work)");
	ck_assert(!over_budget(&whole, p, 50 * MiB, 1, msg, sizeof(msg)));
	whole.bytes = 97 * MiB;
	ck_assert(!over_budget(&whole, p, 97 * MiB, 1, msg, sizeof(msg)));
	/* Unknown VmHWM: the highest Mem usage stands in. */
	whole.bytes = 50 * MiB;
	ck_assert(over_budget(&whole, p, -1, 0, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "peak RSS 96 MiB exceeds the budget of 50 MiB (at seed.c:20 in work)");

	/* One function: its own lines' peak, not VmHWM. */
	ck_assert(over_budget(&fn, p, 500 * MiB, 1, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "peak RSS 96.0 MiB in work exceeds its budget of 50.0 MiB (at seed.c:20)");
	fn.bytes = 96 * MiB;
	ck_assert(!over_budget(&fn, p, 500 * MiB, 1, msg, sizeof(msg)));
	/* A function that never ran exceeds nothing. */
	ck_assert(!over_budget(&idle, p, 500 * MiB, 1, msg, sizeof(msg)));

	/* Figures that would read the same get more decimals. */
	whole.bytes = 96 * MiB + 4096;
	ck_assert(over_budget(&whole, p, 96 * MiB + 8192, 1, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "peak RSS 96.01 MiB exceeds the budget of 96.00 MiB (at seed.c:20 in work)");
	/* A small budget is not shown as 0. */
	whole.bytes = 1024;
	ck_assert(over_budget(&whole, p, 3 * MiB, 1, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "peak RSS 3.000 MiB exceeds the budget of 0.001 MiB (at seed.c:20 in work)");
	whole.bytes = 1;
	ck_assert(over_budget(&whole, p, 2, 1, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "peak RSS 0.000002 MiB exceeds the budget of 0.000001 MiB (at seed.c:20 in work)");
	profile_free(p);
}
END_TEST

START_TEST(nothing_ran)
{
	struct profile *p = profile_new();
	struct budget whole = { NULL, 1 * MiB };
	char msg[128];

	profile_add_function(p, "f", "f.c", 1, 2);
	ck_assert(over_budget(&whole, p, 2 * MiB, 1, msg, sizeof(msg)));
	ck_assert_str_eq(msg, "peak RSS 2.0 MiB exceeds the budget of 1.0 MiB");
	ck_assert(!over_budget(&whole, p, -1, 1, msg, sizeof(msg)));
	profile_free(p);
}
END_TEST

START_TEST(validate)
{
	struct profile *p = scripted();
	struct budget ok[] = { { NULL, 1 }, { (char *)"work", 1 },
			       { (char *)"idle", 1 } };
	struct budget bad[] = { { (char *)"work", 1 }, { (char *)"wrk", 1 } };
	struct caught c;

	ck_assert_int_eq(budget_validate(ok, 3, p), 0);
	ck_assert_int_eq(budget_validate(NULL, 0, p), 0);
	catch_begin(&c);
	ck_assert_int_eq(budget_validate(bad, 2, p), -1);
	ck_assert_str_eq(catch_end(&c), "memprof: --fail-over names 'wrk', which is not profiled (add --func=wrk)\n");
	profile_free(p);
}
END_TEST

Suite *budget_suite(void)
{
	Suite *s = suite_create("budget");
	TCase *tc = tcase_create("budget");

	tcase_add_test(tc, sizes);
	tcase_add_test(tc, sizes_refused);
	tcase_add_test(tc, parse);
	tcase_add_test(tc, exceeded);
	tcase_add_test(tc, nothing_ran);
	tcase_add_test(tc, validate);
	suite_add_tcase(s, tc);
	return s;
}
