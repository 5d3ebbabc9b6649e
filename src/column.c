/* column.c - how the figure columns of a report are formatted.
 */
#include "column.h"

#include <stdio.h>
#include <string.h>

void column_mib(char *buf, size_t size, int width, int precision,
		int64_t bytes)
{
	double mib = (double)bytes / (1024.0 * 1024.0);
	const char *p;

	snprintf(buf, size, "%*.*f MiB", width, precision, mib);
	/* A small free rounds to "-0.0"; say 0.0, there was no change. */
	if (!strchr(buf, '-'))
		return;
	for (p = buf; *p; p++)
		if (*p >= '1' && *p <= '9')
			return;
	snprintf(buf, size, "%*.*f MiB", width, precision, 0.0);
}
