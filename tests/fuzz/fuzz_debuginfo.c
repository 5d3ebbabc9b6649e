/* SPDX-License-Identifier: MIT */
/* fuzz_debuginfo.c - the target program as memprof reads it: the ELF
 * checks before the run (tracee_resolve), then its DWARF through libdwfl
 * (debuginfo_open, the marks, debuginfo_find for main, for each marked
 * name and for a name that is not there, which walks every DIE for
 * suggestions).  The input is the program file. */
#include <stdlib.h>
#include <string.h>

#include "debuginfo.h"
#include "fuzz.h"
#include "tracee.h"

static void check(const struct di_functions *fns)
{
	for (size_t i = 0; i < fns->n; i++) {
		const struct di_function *f = &fns->v[i];

		if (!f->name || !f->file || !f->nrows)
			fuzz_fail("a function without a name, file or rows");
		if (f->first_line > f->last_line)
			fuzz_fail("first_line after last_line");
		for (size_t r = 1; r < f->nrows; r++)
			if (f->rows[r - 1].addr >= f->rows[r].addr)
				fuzz_fail("rows not sorted by address, one per address");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_temp_file(data, size, 0755);
	struct di_functions fns = { 0 };
	struct debuginfo *di;
	const char *marked;
	size_t nmarked;
	char *resolved;

	resolved = tracee_resolve(path);
	free(resolved);
	di = debuginfo_open(path, "fuzz");
	if (!di)
		return 0;
	(void)debuginfo_entry_point(di);
	(void)debuginfo_is_pie(di);
	debuginfo_find(di, "main", &fns);
	marked = debuginfo_marked(di, &nmarked);
	for (const char *m = marked; nmarked; m += strlen(m) + 1) {
		if (!*m)
			continue;
		nmarked--;
		debuginfo_find(di, m, &fns);
	}
	debuginfo_find(di, "no_such_function_here", &fns);
	check(&fns);
	debuginfo_functions_free(&fns);
	debuginfo_close(di);
	return 0;
}
