/* SPDX-License-Identifier: MIT */
/* json.c - a strict, bounded JSON reader and the JSON string writer.
 *
 * The reader is a recursive descent over a length-delimited buffer: every
 * read checks the end, nesting stops at JSON_MAX_DEPTH, the number of
 * values at MAX_VALUES (overcommit would let an absurd file be killed by
 * the kernel rather than refused), and allocation failures are parse
 * errors, so no input can crash memprof.  Duplicate keys are kept; json_get
 * returns the first.  The writer lives here too so that the report and the
 * diff lay out and escape their JSON the same way.
 */
#include "json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* About 64 bytes each: a quarter of a GiB at most. */
#define MAX_VALUES (1u << 22)

struct parser {
	const unsigned char *start, *p, *end;
	char *err;
	size_t errsize;
	size_t values;
	bool failed;
};

static void *fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records the first error, with the line and column of ps->p. */
static void *fail(struct parser *ps, const char *fmt, ...)
{
	unsigned long line = 1, col = 1;
	va_list ap;
	int len;

	if (ps->failed)
		return NULL;
	ps->failed = true;
	for (const unsigned char *q = ps->start; q < ps->p; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	len = snprintf(ps->err, ps->errsize, "line %lu, column %lu: ", line,
		       col);
	if (len < 0 || (size_t)len >= ps->errsize)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(ps->err + len, ps->errsize - (size_t)len, fmt, ap);
	va_end(ap);
	return NULL;
}

/* What is at ps->p, for messages. */
static const char *what_here(const struct parser *ps, char *buf, size_t size)
{
	if (ps->p >= ps->end)
		return "the end of the input";
	if (*ps->p >= 0x21 && *ps->p < 0x7f)
		snprintf(buf, size, "'%c'", *ps->p);
	else
		snprintf(buf, size, "byte 0x%02x", *ps->p);
	return buf;
}

static void *unexpected(struct parser *ps, const char *expected)
{
	char buf[16];

	return fail(ps, "expected %s, found %s", expected,
		    what_here(ps, buf, sizeof(buf)));
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json_value *new_value(struct parser *ps, enum json_type type)
{
	struct json_value *v;

	if (++ps->values > MAX_VALUES)
		return fail(ps, "more than %u values", MAX_VALUES);
	v = calloc(1, sizeof(*v));
	if (!v)
		return fail(ps, "out of memory");
	v->type = type;
	return v;
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	for (size_t i = 0; v->items && i < v->n; i++) {
		json_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

/* A growing byte buffer whose allocation failures become parse errors. */
struct buf {
	char *s;
	size_t n, cap;
};

static bool buf_add(struct parser *ps, struct buf *b, const void *bytes,
		    size_t n)
{
	if (b->cap - b->n < n + 1) {
		size_t cap = b->cap ? b->cap : 32;
		char *s;

		while (cap - b->n < n + 1)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s) {
			fail(ps, "out of memory");
			return false;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->n, bytes, n);
	b->n += n;
	b->s[b->n] = '\0';
	return true;
}

/* Length (2 to 4) of the valid UTF-8 sequence at s, which has `avail`
 * bytes, or 0: no overlong forms, no surrogates, nothing above U+10FFFF.
 * The bound is checked before each byte is read. */
static int utf8_length(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if ((size_t)n > avail)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static int hex4(const unsigned char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A \uXXXX escape at ps->p (just after the backslash and 'u'), with the
 * low half of a surrogate pair when there must be one. */
static bool unicode_escape(struct parser *ps, long *cp)
{
	long hi, lo;

	if (ps->end - ps->p < 4 || (hi = hex4(ps->p)) < 0) {
		fail(ps, "invalid \\u escape");
		return false;
	}
	ps->p += 4;
	if (hi >= 0xdc00 && hi <= 0xdfff) {
		fail(ps, "lone low surrogate \\u%04lx", hi);
		return false;
	}
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		return true;
	}
	if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
	    (lo = hex4(ps->p + 2)) < 0xdc00 || lo > 0xdfff) {
		fail(ps, "lone high surrogate \\u%04lx", hi);
		return false;
	}
	ps->p += 6;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return true;
}

static bool put_code_point(struct parser *ps, struct buf *b, long cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(ps, b, u, n);
}

/* A string at ps->p (its opening quote).  Returns the decoded text (an
 * allocated, NUL-terminated buffer) with its length, or NULL. */
static char *parse_string(struct parser *ps, size_t *len)
{
	struct buf b = { 0 };

	ps->p++;
	if (!buf_add(ps, &b, "", 0))
		return NULL;
	for (;;) {
		const unsigned char *run = ps->p;
		unsigned char c;

		/* Copy plain ASCII in one go. */
		while (ps->p < ps->end && *ps->p >= 0x20 && *ps->p < 0x80 &&
		       *ps->p != '"' && *ps->p != '\\')
			ps->p++;
		if (ps->p > run && !buf_add(ps, &b, run, (size_t)(ps->p - run)))
			goto bad;
		if (ps->p >= ps->end) {
			fail(ps, "unterminated string");
			goto bad;
		}
		c = *ps->p;
		if (c == '"') {
			ps->p++;
			*len = b.n;
			return b.s;
		}
		if (c < 0x20) {
			fail(ps, "control character 0x%02x in a string", c);
			goto bad;
		}
		if (c >= 0x80) {
			int n = utf8_length(ps->p, (size_t)(ps->end - ps->p));

			if (!n) {
				fail(ps, "invalid UTF-8 in a string");
				goto bad;
			}
			if (!buf_add(ps, &b, ps->p, (size_t)n))
				goto bad;
			ps->p += n;
			continue;
		}
		/* A backslash. */
		if (++ps->p >= ps->end) {
			fail(ps, "unterminated string");
			goto bad;
		}
		c = *ps->p++;
		{
			static const char from[] = "\"\\/bfnrt";
			static const char to[] = "\"\\/\b\f\n\r\t";
			const char *e = c ? strchr(from, c) : NULL;
			long cp;

			if (e) {
				if (!buf_add(ps, &b, &to[e - from], 1))
					goto bad;
				continue;
			}
			if (c != 'u') {
				ps->p--;
				fail(ps, "invalid escape '\\%c'", c >= 0x21 && c < 0x7f ? c : '?');
				goto bad;
			}
			if (!unicode_escape(ps, &cp) ||
			    !put_code_point(ps, &b, cp))
				goto bad;
		}
	}
bad:
	free(b.s);
	return NULL;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static struct json_value *parse_number(struct parser *ps)
{
	const unsigned char *s = ps->p;
	bool integral = true, neg = false;
	struct json_value *v;
	char *copy;
	size_t n;

	if (ps->p < ps->end && *ps->p == '-') {
		neg = true;
		ps->p++;
	}
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (ps->p < ps->end && is_digit(*ps->p))
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	else
		return unexpected(ps, "a digit");
	if (ps->p < ps->end && *ps->p == '.') {
		integral = false;
		ps->p++;
		if (ps->p >= ps->end || !is_digit(*ps->p))
			return unexpected(ps, "a digit after '.'");
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		integral = false;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || !is_digit(*ps->p))
			return unexpected(ps, "a digit in the exponent");
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	v = new_value(ps, JSON_NUMBER);
	if (!v)
		return NULL;
	n = (size_t)(ps->p - s);
	copy = malloc(n + 1);
	if (!copy) {
		free(v);
		return fail(ps, "out of memory");
	}
	memcpy(copy, s, n);
	copy[n] = '\0';
	v->d = strtod(copy, NULL);
	free(copy);
	if (integral) {
		/* Exactly, as -(magnitude) so that INT64_MIN fits too. */
		int64_t m = 0;

		v->is_int = true;
		for (const unsigned char *q = s + neg; q < ps->p; q++) {
			int d = *q - '0';

			if (m < (INT64_MIN + d) / 10) {
				v->is_int = false;
				break;
			}
			m = m * 10 - d;
		}
		if (v->is_int && !neg && m == INT64_MIN)
			v->is_int = false;
		v->i = v->is_int ? (neg ? m : -m) : 0;
	}
	return v;
}

static struct json_value *parse_value(struct parser *ps, int depth);

/* Appends `item` (and `key`) to an array or object; frees them on failure. */
static bool add_member(struct parser *ps, struct json_value *v,
		       struct json_value *item, char *key, size_t *cap)
{
	if (v->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;
		struct json_value **items = realloc(v->items,
						    ncap * sizeof(*items));

		if (items)
			v->items = items;
		if (items && v->type == JSON_OBJECT) {
			char **keys = realloc(v->keys, ncap * sizeof(*keys));

			if (keys)
				v->keys = keys;
			else
				items = NULL;
		}
		if (!items) {
			json_free(item);
			free(key);
			fail(ps, "out of memory");
			return false;
		}
		*cap = ncap;
	}
	v->items[v->n] = item;
	if (v->keys)
		v->keys[v->n] = key;
	v->n++;
	return true;
}

/* An array or object at ps->p (its opening bracket). */
static struct json_value *parse_container(struct parser *ps, int depth)
{
	bool object = *ps->p == '{';
	char close = object ? '}' : ']';
	struct json_value *v;
	size_t cap = 0;

	if (depth >= JSON_MAX_DEPTH)
		return fail(ps, "nested deeper than %d levels", JSON_MAX_DEPTH);
	v = new_value(ps, object ? JSON_OBJECT : JSON_ARRAY);
	if (!v)
		return NULL;
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		struct json_value *item;
		char *key = NULL;
		size_t keylen;

		if (object) {
			if (ps->p >= ps->end || *ps->p != '"') {
				unexpected(ps, "a string key");
				goto bad;
			}
			key = parse_string(ps, &keylen);
			if (!key)
				goto bad;
			skip_space(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				unexpected(ps, "':'");
				goto bad;
			}
			ps->p++;
			skip_space(ps);
		}
		item = parse_value(ps, depth + 1);
		if (!item) {
			free(key);
			goto bad;
		}
		if (!add_member(ps, v, item, key, &cap))
			goto bad;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_space(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return v;
		}
		unexpected(ps, object ? "',' or '}'" : "',' or ']'");
		goto bad;
	}
bad:
	json_free(v);
	return NULL;
}

static struct json_value *parse_literal(struct parser *ps, const char *word,
					enum json_type type)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return unexpected(ps, "a value");
	ps->p += n;
	return new_value(ps, type);
}

static struct json_value *parse_value(struct parser *ps, int depth)
{
	struct json_value *v;

	if (ps->p >= ps->end)
		return unexpected(ps, "a value");
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, depth);
	case '"':
		v = new_value(ps, JSON_STRING);
		if (v && !(v->s = parse_string(ps, &v->n))) {
			free(v);
			v = NULL;
		}
		return v;
	case 't':
		return parse_literal(ps, "true", JSON_TRUE);
	case 'f':
		return parse_literal(ps, "false", JSON_FALSE);
	case 'n':
		return parse_literal(ps, "null", JSON_NULL);
	default:
		if (*ps->p == '-' || is_digit(*ps->p))
			return parse_number(ps);
		return unexpected(ps, "a value");
	}
}

struct json_value *json_parse(const char *text, size_t len, char *err,
			      size_t errsize)
{
	struct parser ps = {
		.start = (const unsigned char *)text,
		.p = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
		.err = err,
		.errsize = errsize,
	};
	struct json_value *v;

	if (errsize)
		err[0] = '\0';
	skip_space(&ps);
	v = parse_value(&ps, 0);
	if (!v)
		return NULL;
	skip_space(&ps);
	if (ps.p < ps.end) {
		json_free(v);
		return unexpected(&ps, "the end of the input");
	}
	return v;
}

const struct json_value *json_get(const struct json_value *obj,
				  const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

void json_write_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	putc('"', out);
	while (*s) {
		int n;

		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*s < 0x20) {
				fprintf(out, "\\u%04x", *s);
			} else if (*s < 0x80) {
				putc(*s, out);
			} else if ((n = utf8_length(s, strnlen((const char *)s, 4))) > 0) {
				fwrite(s, 1, (size_t)n, out);
				s += n;
				continue;
			} else {
				fputs("\\ufffd", out);
			}
		}
		s++;
	}
	putc('"', out);
}

/* Before a key, or a value that has none: the separator from what came
 * before in the current container, and the indentation. */
static void separate(struct json_writer *w)
{
	struct json_level *l;

	if (w->keyed) {
		w->keyed = false;
		return;
	}
	if (w->depth == 0)
		return;
	l = &w->level[w->depth - 1];
	if (l->one_line) {
		if (l->any)
			fputs(", ", w->out);
	} else {
		fputs(l->any ? ",\n" : "\n", w->out);
		fprintf(w->out, "%*s", 2 * w->depth, "");
	}
	l->any = true;
}

static void begin(struct json_writer *w, char c, bool one_line)
{
	separate(w);
	putc(c, w->out);
	if (w->depth > 0 && w->level[w->depth - 1].one_line)
		one_line = true;
	w->level[w->depth++] = (struct json_level){ .one_line = one_line };
}

static void end(struct json_writer *w, char c)
{
	const struct json_level *l = &w->level[--w->depth];

	if (l->any && !l->one_line)
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	putc(c, w->out);
	if (w->depth == 0)
		putc('\n', w->out);
}

void json_begin_object(struct json_writer *w)
{
	begin(w, '{', false);
}

void json_begin_inline_object(struct json_writer *w)
{
	begin(w, '{', true);
}

void json_end_object(struct json_writer *w)
{
	end(w, '}');
}

void json_begin_array(struct json_writer *w)
{
	begin(w, '[', false);
}

void json_end_array(struct json_writer *w)
{
	end(w, ']');
}

void json_key(struct json_writer *w, const char *key)
{
	separate(w);
	json_write_string(w->out, key);
	fputs(": ", w->out);
	w->keyed = true;
}

void json_string(struct json_writer *w, const char *s)
{
	separate(w);
	json_write_string(w->out, s);
}

void json_int(struct json_writer *w, int64_t v)
{
	separate(w);
	fprintf(w->out, "%" PRId64, v);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	separate(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_bool(struct json_writer *w, bool v)
{
	separate(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	separate(w);
	fputs("null", w->out);
}

void json_int_or_null(struct json_writer *w, bool known, int64_t v)
{
	if (known)
		json_int(w, v);
	else
		json_null(w);
}
