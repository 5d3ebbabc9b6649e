/* SPDX-License-Identifier: MIT */
/* fuzz_statm.c - rss_parse_statm on any text: the /proc/PID/statm reader
 * trusts nothing it reads.  The input is parsed from an exact-size copy,
 * without a NUL after it, so a read past its length is caught. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	int64_t pages;

	memcpy(text, data, size);
	pages = rss_parse_statm(text, size);
	/* A number comes only from text that starts with a digit and has a
	 * space after its first field. */
	if (pages < -1)
		fuzz_fail("negative page count other than -1");
	if (pages >= 0 && (size < 3 || text[0] < '0' || text[0] > '9' ||
			   !memchr(text, ' ', size)))
		fuzz_fail("a page count from malformed text");
	free(text);
	return 0;
}
