/* util.h - messages and allocation helpers shared by every module.
 *
 * Every message memprof prints goes through mp_error/mp_warn so that it is
 * written with one write(2): the target shares the terminal and a message
 * split over several writes can be torn by the target's own output.
 */
#ifndef MEMPROF_UTIL_H
#define MEMPROF_UTIL_H

#include <stddef.h>

/* Prints "memprof: <message>\n" to stderr in one write and returns -1, so a
 * failure path reads `return mp_error("cannot open '%s': %s", ...)`. */
int mp_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that cannot fail: on exhaustion memprof aborts with a message,
 * as there is no sensible way to go on profiling. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
