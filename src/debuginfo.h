/* debuginfo.h - what the target's DWARF says about the functions to
 * profile.  The only module that includes libdw/libdwfl/libelf: their types
 * stay behind this interface.
 *
 * Addresses are file addresses (the ELF's own vaddrs); the tracer adds the
 * load bias once the process exists.
 */
#ifndef MEMPROF_DEBUGINFO_H
#define MEMPROF_DEBUGINFO_H

#include <stddef.h>
#include <stdint.h>

/* A line start: where a breakpoint goes. */
struct di_row {
	uint64_t addr;
	unsigned line;
};

struct di_range {
	uint64_t lo, hi;          /* [lo, hi) */
};

/* One function to profile: its source span and its line starts. */
struct di_function {
	char *name;
	char *file;               /* absolute when the DWARF allows */
	unsigned first_line;      /* the declaration's line */
	unsigned last_line;       /* the highest line with code */
	uint64_t entry;           /* first instruction */
	struct di_row *rows;      /* is_stmt rows of the function's own lines,
				     sorted by address, one per address */
	size_t nrows;
	struct di_range code;     /* the function's code when it is one
				     range; {0, 0} when split */
	struct di_range *inlined; /* code inlined into it from elsewhere */
	size_t ninlined;
};

struct di_functions {
	struct di_function *v;
	size_t n;
};

struct debuginfo;

/* Opens `path` (shown in messages as `shown`).  NULL with a message when
 * the file cannot be read or carries no line information. */
struct debuginfo *debuginfo_open(const char *path, const char *shown);
void debuginfo_close(struct debuginfo *di);

/* Appends every function named `name` that has code and line information
 * to `out`.  Returns 0, or -1 with a message naming close matches when
 * there is none. */
int debuginfo_find(struct debuginfo *di, const char *name,
		   struct di_functions *out);

/* The names recorded by MEMPROF_PROFILE in the ".memprof.functions"
 * section, NUL-separated in one block; *n is their count (0 when the
 * program marks nothing).  Valid until debuginfo_close. */
const char *debuginfo_marked(struct debuginfo *di, size_t *n);

/* The ELF entry point (e_entry) and whether the file is position
 * independent (ET_DYN), for computing the load bias. */
uint64_t debuginfo_entry_point(const struct debuginfo *di);
int debuginfo_is_pie(const struct debuginfo *di);

void di_functions_free(struct di_functions *fns);

#endif
