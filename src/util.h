/* SPDX-License-Identifier: MIT */
/* util.h - messages, allocation, array growth and string building shared
 * by every module.
 *
 * Every message memprof prints goes through mp_error so that it is
 * written with one write(2): the target shares the terminal and a message
 * split over several writes can be torn by the target's own output.  A
 * message is escaped as mp_escape does: the names it quotes come from the
 * program's debugging information.
 */
#ifndef MEMPROF_UTIL_H
#define MEMPROF_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Prints "memprof: <message>\n" to stderr in one write and returns -1, so a
 * failure path reads `return mp_error("cannot open '%s': %s", ...)`. */
int mp_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* `s` as it may reach a terminal: every byte that is not printable text
 * (a control character but the tab, DEL, a C1 control, a byte that is not
 * part of valid UTF-8) written as \xHH, so that a name or a line from the
 * debugging information can neither move the cursor nor forge a line.
 * Valid printable UTF-8 and backslashes pass unchanged.  Owned by the
 * caller. */
char *mp_escape(const char *s);

/* Allocation that cannot fail: on exhaustion memprof aborts with a message,
 * as there is no sensible way to go on profiling. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* The printf of `fmt` in a string of its own, owned by the caller; aborts
 * as xmalloc does when it cannot be had. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows the array `p`, which has room for `cap` elements, so that it has
 * room for at least `n`, doubling its room (16 at first) so that adding
 * one element at a time costs amortised constant time.  `cap` must be a
 * size_t lvalue; both it and `p` are updated, and the elements already
 * there keep their values.  A size past SIZE_MAX aborts as xrealloc does:
 *
 *	ARRAY_GROW(r->v, r->n + 1, r->cap);
 *	r->v[r->n++] = x;
 */
#define ARRAY_GROW(p, n, cap)                                              \
	do {                                                               \
		if ((n) > (cap))                                           \
			(p) = array_grow((p), (n), &(cap), sizeof(*(p)));  \
	} while (0)

/* ARRAY_GROW's slow path: reallocates `p` of `*cap` elements of `size`
 * bytes to room for at least `n`, sets *cap to that room. */
void *array_grow(void *p, size_t n, size_t *cap, size_t size);

/* A string built by appending, in the manner of git's strbuf: `buf` is
 * NULL until something is added, then NUL-terminated with `len` bytes
 * before the NUL.  Start one as STRBUF_INIT; end it with strbuf_release,
 * or take its string with strbuf_detach. */
struct strbuf {
	char *buf;
	size_t len, cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Frees the string and leaves `sb` empty, as STRBUF_INIT. */
void strbuf_release(struct strbuf *sb);

/* The string built so far ("" when nothing was added), now owned by the
 * caller; `sb` is left empty, as STRBUF_INIT. */
char *strbuf_detach(struct strbuf *sb);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
