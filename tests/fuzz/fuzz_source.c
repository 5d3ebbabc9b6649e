/* SPDX-License-Identifier: MIT */
/* fuzz_source.c - source_line on any file: the Line Contents column reads
 * whatever file the DWARF names.  The input is the file. */
#include <string.h>

#include "fuzz.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_temp_file(data, size, 0644);
	struct source *s = source_new();
	unsigned newlines = 0, n;

	for (size_t i = 0; i < size; i++)
		newlines += data[i] == '\n';
	/* Every line there is, and the ones just past: a line never
	 * contains a newline, and none exists past the last. */
	for (n = 0; n <= newlines + 2; n++) {
		const char *line = source_line(s, path, n);

		if (!line || strchr(line, '\n'))
			fuzz_fail("a line with a newline in it");
		if ((n == 0 || n > newlines + 1) && line[0])
			fuzz_fail("text for a line that does not exist");
	}
	if (source_line(s, path, (unsigned)-1)[0])
		fuzz_fail("text for line UINT_MAX");
	source_free(s);
	return 0;
}
