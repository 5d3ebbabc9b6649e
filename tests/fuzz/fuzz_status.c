/* SPDX-License-Identifier: MIT */
/* fuzz_status.c - rss_parse_status on any text, for the keys memprof
 * asks for and a few odd ones.  The first byte picks the key; the rest is
 * the text, NUL-terminated as read from /proc/PID/status. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "VmHWM", "VmRSS", "V", "", "VmHWM:" };
	const char *key;
	char *text;
	int64_t bytes;

	if (size == 0)
		return 0;
	key = keys[data[0] % (sizeof(keys) / sizeof(keys[0]))];
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	bytes = rss_parse_status(text, key);
	if (bytes < -1 || (bytes >= 0 && bytes % 1024))
		fuzz_fail("a size that is not -1 or a whole number of kB");
	if (bytes >= 0 && !strstr(text, key))
		fuzz_fail("a size for a key that is not in the text");
	free(text);
	return 0;
}
