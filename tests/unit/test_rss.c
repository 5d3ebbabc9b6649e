/* SPDX-License-Identifier: MIT */
/* test_rss.c - statm/status parsers and the reader on live processes. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "rss.h"
#include "suites.h"

/* Parses `text` from an exact-size heap copy with no NUL after it, so a
 * read past `len` is caught by ASan or valgrind. */
static int64_t parse_statm(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int64_t v;

	/* With len 0 the one byte is a digit: parsing it would be a bug. */
	copy[0] = '7';
	memcpy(copy, text, len);
	v = rss_parse_statm(copy, len);
	free(copy);
	return v;
}

#define STATM(s) parse_statm(s, strlen(s))

START_TEST(statm_normal)
{
	ck_assert_int_eq(STATM("1234 567 89 10 0 300 0\n"), 567);
	ck_assert_int_eq(STATM("0 0 0 0 0 0 0\n"), 0);
	ck_assert_int_eq(STATM("2639 1 0 1 0 78 0\n"), 1);
}
END_TEST

START_TEST(statm_no_newline)
{
	ck_assert_int_eq(STATM("1234 567 89 10 0 300 0"), 567);
	ck_assert_int_eq(STATM("1234 567"), 567);
	ck_assert_int_eq(STATM("1234 567\n"), 567);
}
END_TEST

START_TEST(statm_respects_len)
{
	/* Only the first 7 bytes count: "1234 56". */
	ck_assert_int_eq(parse_statm("1234 5678 9\n", 7), 56);
	/* Cut inside the first field or right after it. */
	ck_assert_int_eq(parse_statm("1234 5678 9\n", 3), -1);
	ck_assert_int_eq(parse_statm("1234 5678 9\n", 5), -1);
}
END_TEST

START_TEST(statm_garbage)
{
	ck_assert_int_eq(STATM("abc def"), -1);
	ck_assert_int_eq(STATM("1234 x567 8\n"), -1);
	ck_assert_int_eq(STATM("1234\n"), -1);
	ck_assert_int_eq(STATM("1234"), -1);
	ck_assert_int_eq(STATM("1234 567abc 8\n"), -1);
	ck_assert_int_eq(STATM("-1 5 0\n"), -1);
	ck_assert_int_eq(STATM("1 -5 0\n"), -1);
	ck_assert_int_eq(STATM(" 1 5 0\n"), -1);
	ck_assert_int_eq(STATM("1  5 0\n"), -1);
	ck_assert_int_eq(STATM("\n"), -1);
	ck_assert_int_eq(parse_statm("12\0 34 5", 8), -1);
}
END_TEST

START_TEST(statm_empty)
{
	ck_assert_int_eq(parse_statm("", 0), -1);
	ck_assert_int_eq(parse_statm("1234 567 8", 0), -1);
}
END_TEST

START_TEST(statm_huge)
{
	ck_assert_int_eq(STATM("1 9223372036854775807 0\n"), INT64_MAX);
	ck_assert_int_eq(STATM("1 9223372036854775808 0\n"), -1);
	ck_assert_int_eq(STATM("1 99999999999999999999999999 0\n"), -1);
	ck_assert_int_eq(STATM("99999999999999999999999999 5 0\n"), -1);
	ck_assert_int_eq(STATM("1 4294967296 0\n"), 4294967296LL);
}
END_TEST

static const char status_text[] =
	"Name:\tcat\n"
	"Umask:\t0022\n"
	"State:\tR (running)\n"
	"VmPeak:\t    5620 kB\n"
	"VmSize:\t    5620 kB\n"
	"VmHWM:\t    1012 kB\n"
	"VmRSS:\t    1012 kB\n"
	"Threads:\t1\n";

START_TEST(status_vmhwm)
{
	ck_assert_int_eq(rss_parse_status(status_text, "VmHWM"), 1012 * 1024);
	ck_assert_int_eq(rss_parse_status(status_text, "VmPeak"), 5620 * 1024);
	/* The last line, without its newline. */
	ck_assert_int_eq(rss_parse_status("VmRSS:\t 7 kB\nVmHWM:\t   42 kB",
					  "VmHWM"), 42 * 1024);
	ck_assert_int_eq(rss_parse_status("VmHWM:0 kB\n", "VmHWM"), 0);
}
END_TEST

START_TEST(status_missing_or_malformed)
{
	ck_assert_int_eq(rss_parse_status(status_text, "VmSwap"), -1);
	/* A key is a whole name at the start of a line. */
	ck_assert_int_eq(rss_parse_status(status_text, "VmHW"), -1);
	ck_assert_int_eq(rss_parse_status("XVmHWM:\t 5 kB\n", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("Name:\tVmHWM: 5 kB\n", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM:\t abc kB\n", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM:\t 12\n", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM:\t 12", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM:\t 12 k", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM:\t 12 kB junk\n", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM:\t 12 MB\n", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM:\n", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("", "VmHWM"), -1);
	ck_assert_int_eq(rss_parse_status("VmHWM:\t 9223372036854775807 kB\n",
					  "VmHWM"), -1);
}
END_TEST

START_TEST(read_self)
{
	const size_t big = 32 << 20;
	struct rss *r = rss_open(getpid());
	int64_t before, after, hwm;
	size_t i;
	char *p;

	ck_assert_ptr_nonnull(r);
	before = rss_read(r);
	ck_assert_int_gt(before, 64 * 1024);
	ck_assert_int_lt(before, (int64_t)64 << 30);
	ck_assert_int_eq(before % sysconf(_SC_PAGESIZE), 0);

	/* RSS grows on first touch: 32 MiB touched shows up (the same fd
	 * re-reads fresh values). */
	p = malloc(big);
	ck_assert_ptr_nonnull(p);
	/* Through a volatile pointer, or the compiler drops the stores. */
	for (i = 0; i < big; i += 1024)
		((volatile char *)p)[i] = 1;
	after = rss_read(r);
	ck_assert_int_ge(after - before, (int64_t)28 << 20);
	hwm = rss_read_hwm(r);
	ck_assert_int_ge(hwm, after);
	ck_assert_int_lt(hwm, (int64_t)64 << 30);
	free(p);
	rss_close(r);
}
END_TEST

START_TEST(read_gone_process)
{
	int gate[2];
	struct rss *r;
	pid_t pid;
	char c = 0;

	ck_assert_int_eq(pipe(gate), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(gate[1]);
		/* Waits until the parent has read, then is killed. */
		while (read(gate[0], &c, 1) < 0)
			;
		pause();
		_exit(0);
	}
	close(gate[0]);
	r = rss_open(pid);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_gt(rss_read(r), 0);
	ck_assert_int_gt(rss_read_hwm(r), 0);
	ck_assert_int_eq(write(gate[1], &c, 1), 1);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(rss_read(r), -1);
	ck_assert_int_eq(rss_read_hwm(r), -1);
	rss_close(r);
	close(gate[1]);
}
END_TEST

START_TEST(open_missing_pid)
{
	struct caught c;
	struct rss *r;

	catch_begin(&c);
	r = rss_open(2147483647);
	ck_assert_str_eq(catch_end(&c),
			 "memprof: cannot open '/proc/2147483647/statm': "
			 "No such file or directory\n");
	ck_assert_ptr_null(r);
	rss_close(NULL);
}
END_TEST

Suite *rss_suite(void)
{
	Suite *s = suite_create("rss");
	TCase *parse = tcase_create("parse");
	TCase *live = tcase_create("live");

	tcase_add_test(parse, statm_normal);
	tcase_add_test(parse, statm_no_newline);
	tcase_add_test(parse, statm_respects_len);
	tcase_add_test(parse, statm_garbage);
	tcase_add_test(parse, statm_empty);
	tcase_add_test(parse, statm_huge);
	tcase_add_test(parse, status_vmhwm);
	tcase_add_test(parse, status_missing_or_malformed);
	suite_add_tcase(s, parse);

	tcase_add_test(live, read_self);
	tcase_add_test(live, read_gone_process);
	tcase_add_test(live, open_missing_pid);
	suite_add_tcase(s, live);
	return s;
}
