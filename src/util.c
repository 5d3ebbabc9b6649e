/* SPDX-License-Identifier: MIT */
/* util.c - one-write messages, escaping for the terminal, allocation that
 * aborts on exhaustion, array growth and the string buffer. */
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The length of the printable UTF-8 character at `p`, 0 when what starts
 * there is not one: overlong forms, surrogates, code points past U+10FFFF
 * and the C1 controls (U+0080-U+009F, which some terminals obey) are not.
 * The NUL at the end of the string stops a truncated sequence. */
static size_t utf8_printable(const unsigned char *p)
{
	uint32_t cp;
	size_t n;

	if (p[0] < 0xc2)
		return 0;
	if (p[0] < 0xe0) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] < 0xf0) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] < 0xf5) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return n;
}

/* Escapes `s` into `out` (room for 4 * strlen(s) + 1); returns the length. */
static size_t escape_into(char *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;

	while (*p) {
		size_t n;

		if ((*p >= 0x20 && *p < 0x7f) || *p == '\t') {
			out[len++] = (char)*p++;
		} else if ((n = utf8_printable(p)) > 0) {
			memcpy(out + len, p, n);
			len += n;
			p += n;
		} else {
			out[len++] = '\\';
			out[len++] = 'x';
			out[len++] = hex[*p >> 4];
			out[len++] = hex[*p & 0xf];
			p++;
		}
	}
	out[len] = '\0';
	return len;
}

char *mp_escape(const char *s)
{
	char *out = xmalloc(4 * strlen(s) + 1);

	escape_into(out, s);
	return out;
}

int mp_error(const char *fmt, ...)
{
	char buf[1024], esc[4 * sizeof(buf)];
	int len = snprintf(buf, sizeof(buf), "memprof: ");
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	len += vsnprintf(buf + len, sizeof(buf) - (size_t)len - 1, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 2)
		len = (int)sizeof(buf) - 2;
	buf[len] = '\0';
	n = escape_into(esc, buf);
	esc[n++] = '\n';
	fflush(stderr);
	if (write(STDERR_FILENO, esc, n) < 0) {
		/* nowhere left to say it */
	}
	return -1;
}

static void *oom(size_t n)
{
	mp_error("out of memory allocating %zu bytes", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom(n);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom(n * size);
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom(n);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb);
}

void *array_grow(void *p, size_t n, size_t *cap, size_t size)
{
	size_t room = *cap ? *cap : 16;

	while (room < n) {
		if (room > SIZE_MAX / 2)
			oom(SIZE_MAX);
		room *= 2;
	}
	if (size && room > SIZE_MAX / size)
		oom(SIZE_MAX);
	*cap = room;
	return xrealloc(p, room * size);
}

/* Makes room in `sb` for `n` more bytes and the NUL. */
static void strbuf_grow(struct strbuf *sb, size_t n)
{
	if (n > SIZE_MAX - sb->len - 1)
		oom(SIZE_MAX);
	ARRAY_GROW(sb->buf, sb->len + n + 1, sb->cap);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	/* A first try into the room there is, then a second into room for
	 * all of it: most strings fit at once. */
	strbuf_grow(sb, 0);
	va_copy(again, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	if (n < 0) {
		va_end(again);
		mp_error("cannot format '%s'", fmt);
		abort();
	}
	if ((size_t)n >= sb->cap - sb->len) {
		strbuf_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, again);
	}
	va_end(again);
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	*sb = (struct strbuf)STRBUF_INIT;
}

char *strbuf_detach(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");

	*sb = (struct strbuf)STRBUF_INIT;
	return s;
}
