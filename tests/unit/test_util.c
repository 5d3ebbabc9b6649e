/* SPDX-License-Identifier: MIT */
/* test_util.c - escaping for the terminal, array growth, the string
 * buffer and xasprintf. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "util.h"

static void ck_escape(const char *in, const char *want)
{
	char *got = mp_escape(in);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(escape_controls)
{
	ck_escape("", "");
	ck_escape("plain text, 100%", "plain text, 100%");
	/* The tab is text; the other C0 controls and DEL are not. */
	ck_escape("\ta\tb", "\ta\tb");
	ck_escape("\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07");
	ck_escape("a\nb\rc\x7f", "a\\x0ab\\x0dc\\x7f");
	/* A backslash passes: source text is full of them. */
	ck_escape("puts(\"\\n\");", "puts(\"\\n\");");
}
END_TEST

START_TEST(escape_utf8)
{
	/* Printable UTF-8 of every length passes. */
	ck_escape("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		  "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* C1 controls (U+009B is CSI), stray and truncated bytes, overlong
	 * forms, surrogates and code points past U+10FFFF do not. */
	ck_escape("\xc2\x9b", "\\xc2\\x9b");
	ck_escape("\xff\x80", "\\xff\\x80");
	ck_escape("\xe2\x82", "\\xe2\\x82");
	ck_escape("\xc0\xaf\xe0\x80\xaf", "\\xc0\\xaf\\xe0\\x80\\xaf");
	ck_escape("\xed\xa0\x80", "\\xed\\xa0\\x80");
	ck_escape("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	/* Valid text right after a bad byte is still text. */
	ck_escape("\xe2\xc3\xa9", "\\xe2\xc3\xa9");
}
END_TEST

START_TEST(grow_array)
{
	int *v = NULL;
	size_t n = 0, cap = 0;

	for (int i = 0; i < 1000; i++) {
		ARRAY_GROW(v, n + 1, cap);
		ck_assert_uint_ge(cap, n + 1);
		v[n++] = i;
	}
	/* Doubling from 16: 1000 elements need 1024. */
	ck_assert_uint_eq(cap, 1024);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(v[i], i);
	/* Room enough already: nothing moves. */
	int *same = v;
	ARRAY_GROW(v, 1024, cap);
	ck_assert_ptr_eq(v, same);
	ck_assert_uint_eq(cap, 1024);
	/* Asking for many at once jumps past them. */
	ARRAY_GROW(v, 5000, cap);
	ck_assert_uint_eq(cap, 8192);
	ck_assert_int_eq(v[999], 999);
	free(v);
}
END_TEST

/* A size past SIZE_MAX aborts rather than wrapping to a small buffer. */
START_TEST(grow_array_overflow)
{
	uint64_t *v = NULL;
	size_t cap = 0;

	ARRAY_GROW(v, SIZE_MAX / 4, cap);
}
END_TEST

START_TEST(grow_array_overflow_count)
{
	char *v = NULL;
	size_t cap = SIZE_MAX / 2 + 1;

	ARRAY_GROW(v, SIZE_MAX, cap);
}
END_TEST

START_TEST(strbuf_build)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	strbuf_addstr(&sb, "");
	ck_assert_str_eq(sb.buf, "");
	ck_assert_uint_eq(sb.len, 0);
	strbuf_addstr(&sb, "main");
	strbuf_add(&sb, "::xy", 3);
	strbuf_addf(&sb, "%s(%d)", "parse", 42);
	ck_assert_str_eq(sb.buf, "main::xparse(42)");
	ck_assert_uint_eq(sb.len, strlen("main::xparse(42)"));
	/* Past any first guess of room. */
	for (int i = 0; i < 200; i++)
		strbuf_addf(&sb, "%05d", i);
	ck_assert_uint_eq(sb.len, 16 + 5 * 200);
	ck_assert_uint_eq(strlen(sb.buf), sb.len);
	ck_assert(memcmp(sb.buf + 16, "0000000001", 10) == 0);
	ck_assert_str_eq(sb.buf + sb.len - 5, "00199");
	s = strbuf_detach(&sb);
	ck_assert_ptr_null(sb.buf);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_uint_eq(strlen(s), 16 + 5 * 200);
	free(s);

	/* Detached before anything was added: an empty string to free. */
	s = strbuf_detach(&sb);
	ck_assert_str_eq(s, "");
	free(s);

	strbuf_addstr(&sb, "gone");
	strbuf_release(&sb);
	ck_assert_ptr_null(sb.buf);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_uint_eq(sb.cap, 0);
	strbuf_release(&sb);
}
END_TEST

START_TEST(asprintf_alloc)
{
	char big[3000];
	char *s;

	s = xasprintf("%s/%s:%u", "/usr/src", "main.c", 12u);
	ck_assert_str_eq(s, "/usr/src/main.c:12");
	free(s);
	s = xasprintf("%s", "");
	ck_assert_str_eq(s, "");
	free(s);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = xasprintf("<%s>", big);
	ck_assert_uint_eq(strlen(s), sizeof(big) + 1);
	ck_assert_int_eq(s[0], '<');
	ck_assert_int_eq(s[sizeof(big)], '>');
	free(s);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, escape_controls);
	tcase_add_test(tc, escape_utf8);
	suite_add_tcase(s, tc);
	tc = tcase_create("build");
	tcase_add_test(tc, grow_array);
	tcase_add_test_raise_signal(tc, grow_array_overflow, SIGABRT);
	tcase_add_test_raise_signal(tc, grow_array_overflow_count, SIGABRT);
	tcase_add_test(tc, strbuf_build);
	tcase_add_test(tc, asprintf_alloc);
	suite_add_tcase(s, tc);
	return s;
}
