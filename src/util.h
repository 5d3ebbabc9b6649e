/* SPDX-License-Identifier: MIT */
/* util.h - messages and allocation helpers shared by every module.
 *
 * Every message memprof prints goes through mp_error so that it is
 * written with one write(2): the target shares the terminal and a message
 * split over several writes can be torn by the target's own output.  A
 * message is escaped as mp_escape does: the names it quotes come from the
 * program's debugging information.
 */
#ifndef MEMPROF_UTIL_H
#define MEMPROF_UTIL_H

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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
