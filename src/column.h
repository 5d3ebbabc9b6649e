/* column.h - the figure columns of a report's line rows.
 */
#ifndef MEMPROF_COLUMN_H
#define MEMPROF_COLUMN_H

#include <stddef.h>
#include <stdint.h>

/* `bytes` as MiB in memory_profiler's '{0:W.Pf} MiB' (width 0: none), a
 * change that rounds to -0 written as 0. */
void column_mib(char *buf, size_t size, int width, int precision,
		int64_t bytes);

#endif
