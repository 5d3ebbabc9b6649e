/* SPDX-License-Identifier: MIT */
/* test_json.c - the strict JSON reader and the string writer (json.c):
 * values, every kind of malformed input with its exact message, limits,
 * and garbage that must only ever be refused. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "suites.h"

static struct json_value *parse_ok(const char *text)
{
	char err[256];
	struct json_value *v = json_parse(text, strlen(text), err, sizeof(err));

	ck_assert_msg(v != NULL, "'%s' refused: %s", text, err);
	return v;
}

/* `text` (of `len` bytes) is refused with exactly `msg`. */
static void ck_refused_n(const char *text, size_t len, const char *msg)
{
	char err[256] = "untouched";
	struct json_value *v = json_parse(text, len, err, sizeof(err));

	ck_assert_msg(v == NULL, "'%s' accepted", text);
	ck_assert_str_eq(err, msg);
}

#define ck_refused(text, msg) ck_refused_n(text, strlen(text), msg)

START_TEST(scalars)
{
	struct json_value *v;

	v = parse_ok("null");
	ck_assert_int_eq(v->type, JSON_NULL);
	json_free(v);
	v = parse_ok(" \t\r\ntrue\n");
	ck_assert_int_eq(v->type, JSON_TRUE);
	json_free(v);
	v = parse_ok("false");
	ck_assert_int_eq(v->type, JSON_FALSE);
	json_free(v);

	v = parse_ok("0");
	ck_assert(v->type == JSON_NUMBER && v->is_int && v->i == 0);
	json_free(v);
	v = parse_ok("-0");
	ck_assert(v->is_int && v->i == 0);
	json_free(v);
	v = parse_ok("180879360");
	ck_assert(v->is_int && v->i == 180879360 && v->d == 180879360.0);
	json_free(v);
	v = parse_ok("-67108864");
	ck_assert(v->is_int && v->i == -67108864);
	json_free(v);
	v = parse_ok("9223372036854775807");
	ck_assert(v->is_int && v->i == INT64_MAX);
	json_free(v);
	v = parse_ok("-9223372036854775808");
	ck_assert(v->is_int && v->i == INT64_MIN);
	json_free(v);
	/* Out of int64: still a number, not an integer. */
	v = parse_ok("9223372036854775808");
	ck_assert(v->type == JSON_NUMBER && !v->is_int && v->d > 9.2e18);
	json_free(v);
	v = parse_ok("-9223372036854775809");
	ck_assert(!v->is_int && v->d < -9.2e18);
	json_free(v);
	v = parse_ok("123456789012345678901234567890");
	ck_assert(!v->is_int);
	json_free(v);
	/* A fraction or an exponent is never an integer. */
	v = parse_ok("1.5");
	ck_assert(!v->is_int && v->d == 1.5);
	json_free(v);
	v = parse_ok("1e3");
	ck_assert(!v->is_int && v->d == 1000.0);
	json_free(v);
	v = parse_ok("-1.25E-2");
	ck_assert(!v->is_int && v->d == -0.0125);
	json_free(v);
	v = parse_ok("2.0");
	ck_assert(!v->is_int && v->d == 2.0);
	json_free(v);
	v = parse_ok("1e999");
	ck_assert(!v->is_int && v->d > 1e308);
	json_free(v);
}
END_TEST

START_TEST(strings)
{
	struct json_value *v;

	v = parse_ok("\"\"");
	ck_assert(v->type == JSON_STRING && v->n == 0 && v->s[0] == '\0');
	json_free(v);
	v = parse_ok("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
	ck_assert_str_eq(v->s, "a\"b\\c/d\b\f\n\r\t");
	ck_assert_uint_eq(v->n, 12);
	json_free(v);
	/* \u escapes become UTF-8; a surrogate pair one code point. */
	v = parse_ok("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"");
	ck_assert_str_eq(v->s, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(v);
	/* Raw UTF-8 passes; DEL is not a control character in JSON. */
	v = parse_ok("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"");
	ck_assert_str_eq(v->s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f");
	json_free(v);
	/* \u0000 is kept: the length tells. */
	v = parse_ok("\"a\\u0000b\"");
	ck_assert_uint_eq(v->n, 3);
	ck_assert(memcmp(v->s, "a\0b", 4) == 0);
	json_free(v);
}
END_TEST

START_TEST(containers)
{
	struct json_value *v;
	const struct json_value *m;

	v = parse_ok("[]");
	ck_assert(v->type == JSON_ARRAY && v->n == 0);
	json_free(v);
	v = parse_ok("{ }");
	ck_assert(v->type == JSON_OBJECT && v->n == 0);
	ck_assert_ptr_null(json_get(v, "a"));
	json_free(v);
	v = parse_ok("{\"a\": [1, {\"b\": null}, \"x\"], \"c\": true, \"a\": 2}");
	ck_assert_uint_eq(v->n, 3);
	m = json_get(v, "a");
	/* A repeated key: the first wins. */
	ck_assert(m && m->type == JSON_ARRAY && m->n == 3);
	ck_assert(m->items[0]->is_int && m->items[0]->i == 1);
	ck_assert_int_eq(json_get(m->items[1], "b")->type, JSON_NULL);
	ck_assert_str_eq(m->items[2]->s, "x");
	ck_assert_int_eq(json_get(v, "c")->type, JSON_TRUE);
	ck_assert_ptr_null(json_get(v, "d"));
	ck_assert_ptr_null(json_get(m, "a"));
	ck_assert_ptr_null(json_get(NULL, "a"));
	json_free(v);
	json_free(NULL);

	/* Many members: the arrays grow. */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		fputs("[", f);
		for (int i = 0; i < 10000; i++)
			fprintf(f, "%s{\"k%d\": %d}", i ? "," : "", i, i);
		fputs("]", f);
		fclose(f);
		v = parse_ok(text);
		ck_assert_uint_eq(v->n, 10000);
		ck_assert_int_eq(json_get(v->items[9999], "k9999")->i, 9999);
		json_free(v);
		free(text);
	}
}
END_TEST

START_TEST(depth)
{
	char text[2 * JSON_MAX_DEPTH + 8];
	struct json_value *v;
	int i;

	for (i = 0; i < JSON_MAX_DEPTH; i++) {
		text[i] = '[';
		text[2 * JSON_MAX_DEPTH - 1 - i] = ']';
	}
	text[2 * JSON_MAX_DEPTH] = '\0';
	v = parse_ok(text);
	json_free(v);

	memset(text, '[', JSON_MAX_DEPTH + 1);
	text[JSON_MAX_DEPTH + 1] = '\0';
	ck_refused(text, "line 1, column 65: nested deeper than 64 levels");
}
END_TEST

START_TEST(malformed)
{
	ck_refused("", "line 1, column 1: expected a value, found the end of the input");
	ck_refused("  \n ", "line 2, column 2: expected a value, found the end of the input");
	ck_refused("[1,]", "line 1, column 4: expected a value, found ']'");
	ck_refused("[1 2]", "line 1, column 4: expected ',' or ']', found '2'");
	ck_refused("[1", "line 1, column 3: expected ',' or ']', found the end of the input");
	ck_refused("{\"a\" 1}", "line 1, column 6: expected ':', found '1'");
	ck_refused("{\"a\":1,}", "line 1, column 8: expected a string key, found '}'");
	ck_refused("{a:1}", "line 1, column 2: expected a string key, found 'a'");
	ck_refused("{\"a\":1", "line 1, column 7: expected ',' or '}', found the end of the input");
	ck_refused("{\n  \"a\": x\n}", "line 2, column 8: expected a value, found 'x'");
	ck_refused("01", "line 1, column 2: expected the end of the input, found '1'");
	ck_refused("[1]]", "line 1, column 4: expected the end of the input, found ']'");
	ck_refused("1 2", "line 1, column 3: expected the end of the input, found '2'");
	ck_refused("1.", "line 1, column 3: expected a digit after '.', found the end of the input");
	ck_refused("1.e5", "line 1, column 3: expected a digit after '.', found 'e'");
	ck_refused(".5", "line 1, column 1: expected a value, found '.'");
	ck_refused("-", "line 1, column 2: expected a digit, found the end of the input");
	ck_refused("-a", "line 1, column 2: expected a digit, found 'a'");
	ck_refused("+1", "line 1, column 1: expected a value, found '+'");
	ck_refused("1e", "line 1, column 3: expected a digit in the exponent, found the end of the input");
	ck_refused("1e+", "line 1, column 4: expected a digit in the exponent, found the end of the input");
	ck_refused("NaN", "line 1, column 1: expected a value, found 'N'");
	ck_refused("Infinity", "line 1, column 1: expected a value, found 'I'");
	ck_refused("tru", "line 1, column 1: expected a value, found 't'");
	ck_refused("nul", "line 1, column 1: expected a value, found 'n'");
	ck_refused("truex", "line 1, column 5: expected the end of the input, found 'x'");
	ck_refused("'a'", "line 1, column 1: expected a value, found '''");
	ck_refused("\"abc", "line 1, column 5: unterminated string");
	ck_refused("\"abc\\", "line 1, column 6: unterminated string");
	ck_refused("\"a\nb\"", "line 1, column 3: control character 0x0a in a string");
	ck_refused("\"a\tb\"", "line 1, column 3: control character 0x09 in a string");
	ck_refused("\"\\x\"", "line 1, column 3: invalid escape '\\x'");
	ck_refused("\"\\u12\"", "line 1, column 4: invalid \\u escape");
	ck_refused("\"\\u12g4\"", "line 1, column 4: invalid \\u escape");
	ck_refused("\"\\ud800\"", "line 1, column 8: lone high surrogate \\ud800");
	ck_refused("\"\\ud800\\u0041\"", "line 1, column 8: lone high surrogate \\ud800");
	ck_refused("\"\\udc00\"", "line 1, column 8: lone low surrogate \\udc00");
	ck_refused("\"\xff\"", "line 1, column 2: invalid UTF-8 in a string");
	ck_refused("\"\xc0\xaf\"", "line 1, column 2: invalid UTF-8 in a string");
	ck_refused("\"\xed\xa0\x80\"", "line 1, column 2: invalid UTF-8 in a string");
	ck_refused("\"\xf4\x90\x80\x80\"", "line 1, column 2: invalid UTF-8 in a string");
	ck_refused("\"\xe2\x82\"", "line 1, column 2: invalid UTF-8 in a string");
	ck_refused("\"\xe2\x82", "line 1, column 2: invalid UTF-8 in a string");
	ck_refused("\xef\xbb\xbf{}", "line 1, column 1: expected a value, found byte 0xef");
	ck_refused("\x01", "line 1, column 1: expected a value, found byte 0x01");
	/* A NUL inside the buffer is a byte like any other: refused. */
	ck_refused_n("[1]\0", 4, "line 1, column 4: expected the end of the input, found byte 0x00");
	ck_refused_n("\"a\0\"", 4, "line 1, column 3: control character 0x00 in a string");
	/* The length bounds the reading, not a NUL. */
	ck_refused_n("[1]", 2, "line 1, column 3: expected ',' or ']', found the end of the input");
	ck_refused_n("true", 3, "line 1, column 1: expected a value, found 't'");
	ck_refused_n("\"\\u0041\"", 6, "line 1, column 4: invalid \\u escape");
}
END_TEST

START_TEST(small_error_buffer)
{
	char err[8];

	ck_assert_ptr_null(json_parse("[1,]", 4, err, sizeof(err)));
	ck_assert_str_eq(err, "line 1,");
	ck_assert_ptr_null(json_parse("[1,]", 4, err, 0));
}
END_TEST

/* A tiny xorshift: reproducible garbage. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static const char sample[] =
	"{\n  \"version\": 1,\n  \"command\": [\"./app\", \"5000\"],\n"
	"  \"exit_code\": 0, \"signal\": null, \"peak_rss_bytes\": 101814272,\n"
	"  \"functions\": [{\"name\": \"f\", \"lines\": [{\"line\": 27,"
	" \"contents\": \"\\tmemcpy(\\\"\\u00e9\\ud83d\\ude00\\\")\xc3\xa9\","
	" \"mem_bytes\": -1.5e3, \"increment_bytes\": null, \"x\": [true, false, {}]}]}]\n}\n";

/* Whatever garbage comes in, the reader answers: a value or a message,
 * never a crash (run under SANITIZE=1 to also catch a stray read). */
static void survive(const char *text, size_t len)
{
	char err[128] = "";
	struct json_value *v = json_parse(text, len, err, sizeof(err));

	if (v)
		json_free(v);
	else
		ck_assert_msg(strncmp(err, "line ", 5) == 0, "no message for garbage");
}

START_TEST(garbage)
{
	size_t n = sizeof(sample) - 1;
	char *buf = malloc(n + 1);
	static const char alphabet[] = "{}[]\":,\\ntrufalse0123456789-+.eEu \n\x80\xc3\xff\x00";
	uint32_t seed = 0x2545f491;

	ck_assert_ptr_nonnull(buf);
	json_free(parse_ok(sample));
	/* Every prefix (in a buffer of exactly that size). */
	for (size_t len = 0; len <= n; len++) {
		char *exact = malloc(len ? len : 1);

		memcpy(exact, sample, len);
		survive(exact, len);
		free(exact);
	}
	/* Every byte replaced by each interesting byte. */
	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; a < sizeof(alphabet) - 1; a++) {
			memcpy(buf, sample, n);
			buf[i] = alphabet[a];
			survive(buf, n);
		}
	/* Random soup, biased to JSON's own characters. */
	for (int round = 0; round < 20000; round++) {
		size_t len = rnd(&seed) % 48;

		for (size_t i = 0; i < len; i++)
			buf[i] = rnd(&seed) % 4 ? alphabet[rnd(&seed) % (sizeof(alphabet) - 1)]
						: (char)rnd(&seed);
		survive(buf, len);
	}
	free(buf);
}
END_TEST

static char *written(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	json_write_string(f, s);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(writer)
{
	static const char *const round_trip[] = {
		"", "plain", "a\"b\\c/d\b\f\n\r\t", "\x01\x1f\x7f",
		"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	};
	char *got;

	for (size_t i = 0; i < sizeof(round_trip) / sizeof(round_trip[0]); i++) {
		struct json_value *v;

		got = written(round_trip[i]);
		v = parse_ok(got);
		ck_assert_str_eq(v->s, round_trip[i]);
		json_free(v);
		free(got);
	}
	got = written("\x01\b\"");
	ck_assert_str_eq(got, "\"\\u0001\\b\\\"\"");
	free(got);
	/* Invalid UTF-8, truncated at the end too: U+FFFD per byte. */
	got = written("\xff|\xc0\xaf|\xe2\x82");
	ck_assert_str_eq(got, "\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\"");
	free(got);
	got = written(NULL);
	ck_assert_str_eq(got, "\"\"");
	free(got);
}
END_TEST

/* The layout is the writer's: commas, newlines, two spaces a level, []
 * and {} when empty, an inline object on one line, and the newline that
 * ends the document. */
START_TEST(layout)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_writer w = { .out = f };

	ck_assert_ptr_nonnull(f);
	json_begin_object(&w);
	json_key(&w, "n");
	json_int(&w, -3);
	json_key(&w, "u");
	json_uint(&w, UINT64_MAX);
	json_key(&w, "empty");
	json_begin_array(&w);
	json_end_array(&w);
	json_key(&w, "none");
	json_begin_object(&w);
	json_end_object(&w);
	json_key(&w, "list");
	json_begin_array(&w);
	json_string(&w, "a\n");
	json_begin_inline_object(&w);
	json_key(&w, "x");
	json_int_or_null(&w, false, 1);
	json_key(&w, "y");
	json_bool(&w, true);
	json_end_object(&w);
	json_null(&w);
	json_end_array(&w);
	json_end_object(&w);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf,
			 "{\n"
			 "  \"n\": -3,\n"
			 "  \"u\": 18446744073709551615,\n"
			 "  \"empty\": [],\n"
			 "  \"none\": {},\n"
			 "  \"list\": [\n"
			 "    \"a\\n\",\n"
			 "    {\"x\": null, \"y\": true},\n"
			 "    null\n"
			 "  ]\n"
			 "}\n");
	free(buf);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, scalars);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, containers);
	tcase_add_test(tc, depth);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, small_error_buffer);
	tcase_add_test(tc, garbage);
	tcase_add_test(tc, writer);
	tcase_add_test(tc, layout);
	suite_add_tcase(s, tc);
	return s;
}
