/* SPDX-License-Identifier: MIT */
/* test_util.c - escaping for the terminal. */
#include <stdlib.h>

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

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, escape_controls);
	tcase_add_test(tc, escape_utf8);
	suite_add_tcase(s, tc);
	return s;
}
