/* SPDX-License-Identifier: MIT */
/* json.h - a strict JSON reader for memprof's own reports, and the writer
 * the JSON renderers (report_json.c, diff.c) share.
 *
 * The reader takes untrusted input (`memprof diff` reads any file it is
 * given): it accepts exactly RFC 8259 JSON in UTF-8, never reads past the
 * buffer, bounds nesting, and reports every failure, out of memory
 * included, as an error message instead of aborting.
 */
#ifndef MEMPROF_JSON_H
#define MEMPROF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/* A parsed value.  Read-only for callers; released with json_free on the
 * root. */
struct json_value {
	enum json_type type;
	bool is_int;              /* NUMBER: integral, no fraction or exponent,
				     within int64 */
	int64_t i;                /* NUMBER: the value when is_int */
	double d;                 /* NUMBER: the value */
	char *s;                  /* STRING: UTF-8, NUL-terminated (may also
				     hold a NUL from \u0000: see n) */
	size_t n;                 /* STRING: bytes; ARRAY, OBJECT: members */
	struct json_value **items; /* ARRAY, OBJECT: the values, in order */
	char **keys;              /* OBJECT: the keys, in order */
};

/* Deepest nesting of arrays and objects accepted. */
#define JSON_MAX_DEPTH 64

/* Parses `len` bytes (NULs included: they are errors) as one JSON value,
 * optionally surrounded by whitespace.  Returns the value, or NULL with
 * "line L, column C: what" in `err`. */
struct json_value *json_parse(const char *text, size_t len, char *err,
			      size_t errsize);
void json_free(struct json_value *v);

/* The member `key` of an object (the first, should the key repeat), or
 * NULL when absent or `obj` is not an object. */
const struct json_value *json_get(const struct json_value *obj,
				  const char *key);

/* Writes `s` as a JSON string: quoted, escaped, valid UTF-8 passed through
 * and any other byte >= 0x80 replaced with U+FFFD, so the output is valid
 * JSON whatever `s` holds.  NULL is written as "". */
void json_write_string(FILE *out, const char *s);

/* The writer: a document laid out like Python's json.dumps(indent=2), the
 * commas, newlines and indentation its business, not the caller's.  Each
 * value (a scalar or a container's beginning) inside an object follows a
 * json_key; inside an array it is the next element.  An empty container
 * is written [] or {}; an inline object ({"a": 1, "b": 2}, for small
 * records in a list) holds its members on one line.  The document ends
 * with a newline when its outermost container ends.  Containers nest up
 * to JSON_MAX_DEPTH.  Zero-initialise, then set `out`; write errors are
 * left to ferror(out). */
struct json_writer {
	FILE *out;
	bool keyed;               /* a key was written, its value comes next */
	int depth;                /* containers open */
	struct json_level {
		bool any;         /* a member or element was written */
		bool one_line;    /* members on one line */
	} level[JSON_MAX_DEPTH];
};

void json_begin_object(struct json_writer *w);
void json_begin_inline_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);
void json_int(struct json_writer *w, int64_t v);
void json_uint(struct json_writer *w, uint64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);
/* json_int(v) when `known`, else null: a figure that may be unknown. */
void json_int_or_null(struct json_writer *w, bool known, int64_t v);

#endif
