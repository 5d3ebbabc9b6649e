/* SPDX-License-Identifier: MIT */
/* debuginfo.h - what the target's DWARF says about the functions to
 * profile.  The only module that includes libdw/libdwfl/libelf (debuginfo.c
 * and its rooms src/di_*.c, listed atop debuginfo.c): their types stay
 * behind this interface.
 *
 * Names: types are di_* (struct di_function, struct di_place, ...),
 * functions debuginfo_* (debuginfo_find, debuginfo_symbolize, ...); the
 * helpers the rooms share through debuginfo_private.h are di_*.
 *
 * Addresses are file addresses (the ELF's own vaddrs); the tracer adds the
 * load bias once the process exists.
 */
#ifndef MEMPROF_DEBUGINFO_H
#define MEMPROF_DEBUGINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A line start: where a breakpoint goes. */
struct di_row {
	uint64_t addr;
	unsigned line;
};

struct di_range {
	uint64_t lo, hi;          /* [lo, hi) */
};

struct debuginfo;

/* A copy of a function that the compiler inlined into another function's
 * code (DW_TAG_inlined_subroutine): no call, no return, only code that
 * execution enters and leaves. */
struct di_copy {
	uint64_t id;              /* identifies it in its object */
	uint64_t entry;           /* where its code begins to run */
	struct di_range *ranges;  /* its code, nested copies included */
	size_t nranges;
	struct di_row *rows;      /* line starts of the function's own lines,
				     as di_function.rows */
	size_t nrows;
	struct di_range *host;    /* the code of the function it is in */
	size_t nhost;
	uint64_t host_entry;      /* that function's first instruction */
	uint64_t *outer;          /* ids of the copies around it, innermost
				     first (of any function) */
	size_t nouter;
	unsigned call_line;       /* the calling line in the code around it,
				     0 when that code is in another file */
};

/* One function to profile: its source span and its line starts. */
struct di_function {
	char *name;               /* what reports show: the qualified name
				     (ns::Class::grow<int>, crate::module::f),
				     then its parameter types and then its
				     file:line when another function in the
				     same di_functions would show the same */
	char *qname;              /* the qualified name alone */
	char *params;             /* "(int, char const*)"; "(...) const" for
				     a const method */
	const struct debuginfo *di; /* the object it was found in */
	char *file;               /* absolute when the DWARF allows */
	unsigned first_line;      /* the declaration's line */
	unsigned header_line;     /* where calls begin, when not first_line
				     (--line ranges); 0: first_line */
	unsigned last_line;       /* the highest line with code */
	uint64_t entry;           /* first instruction; 0: it has no code of
				     its own, only copies */
	struct di_row *rows;      /* is_stmt rows of the function's own lines,
				     sorted by address, one per address; an
				     inlined call in it shows as its calling
				     line where the copy's code begins */
	size_t nrows;
	struct di_range code;     /* the function's code when it is one
				     range; {0, 0} when split */
	struct di_range *inlined; /* code inlined into it from elsewhere */
	size_t ninlined;
	uint64_t origin;          /* its abstract instance (0: none) */
	struct di_copy *copies;   /* its copies inlined into other code */
	size_t ncopies, copies_cap;
};

struct di_functions {
	struct di_function *v;
	size_t n, cap;
};

/* Where debuginfo_open looks for DWARF kept in a separate file (build-id,
 * .gnu_debuglink), in libdwfl's syntax: colon-separated entries, "" for
 * the object's own directory, a relative name for a subdirectory of it,
 * an absolute DIR for DIR/.build-id/xx/yyyy.debug, DIR/<the object's
 * directory>/ and DIR/ itself.  NULL (the start) means libdwfl's default,
 * ":.debug:/usr/lib/debug".  Applies to every debuginfo_open after it;
 * `path` must stay valid until then. */
void debuginfo_set_search_path(const char *path);

/* Opens `path` (shown in messages as `shown`).  NULL with a message when
 * the file cannot be read or carries no line information; silently when
 * `shown` is NULL. */
struct debuginfo *debuginfo_open(const char *path, const char *shown);

/* The same, reading the object from `file` (/proc/PID/exe, a path under
 * /proc/PID/root: what the process itself runs) while separate debug
 * files are looked for as for `path`, memprof's own name for it. */
struct debuginfo *debuginfo_open_file(const char *file, const char *path,
				      const char *shown);

/* The GNU build-id of what debuginfo_open read (at most `max` bytes into
 * `id`), and in *start the file address where its ELF header is mapped
 * (its first loadable page).  Returns its length, 0 when the object has
 * none, -1 when it cannot be told. */
long debuginfo_build_id(const struct debuginfo *di, unsigned char *id,
			size_t max, uint64_t *start);

/* The same for the ELF file `file`, without its debug information. */
long debuginfo_file_build_id(const char *file, unsigned char *id, size_t max,
			     uint64_t *start);
void debuginfo_close(struct debuginfo *di);

/* Appends to `out` every function with code and line information that
 * `name` names (the rules: names.h), each once however often it is asked
 * for (the same object and entry are not added twice).  Overloads and
 * template instances are all appended; "main" is the program's main
 * function: the one its compiler marks as such (Rust's crate::main,
 * Fortran's PROGRAM), else the global main.  The names in all of `out`
 * are then made unique (see di_function.name): an entry an earlier call
 * added may be renamed.  Returns 0, or -1 with a message naming close
 * matches when there is none. */
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

/* Like debuginfo_find, silently: the number of functions `name` names
 * in `di` (appended, or listed in `out` already). */
int debuginfo_lookup(struct debuginfo *di, const char *name,
		     struct di_functions *out);

/* The program interpreter (dynamic linker) the file asks for, malloc'd,
 * or NULL for a static program. */
char *debuginfo_interp(const struct debuginfo *di);

/* Whether the file imports symbol `name` (e.g. dlopen). */
int debuginfo_imports(const struct debuginfo *di, const char *name);

/* The value of the symbol `name` defined in ELF file `path` (its dynamic
 * or static symbol table); 0 on success, -1 when it is not there. */
int debuginfo_symbol(const char *path, const char *name, uint64_t *value);

/* Where an address of a live process is: function, file and line. */
struct di_place {
	char *function;  /* "??" when unknown */
	char *file;      /* NULL when unknown */
	unsigned line;   /* 0 when unknown */
};

struct di_symbolizer;

/* Looks addresses of process `pid` up (its executable and every library
 * mapped, their debug info found the standard way).  NULL when it cannot
 * read the process. */
struct di_symbolizer *debuginfo_symbolizer_new(pid_t pid);
void debuginfo_symbolizer_free(struct di_symbolizer *s);

/* Fills out[0..] (each to release with debuginfo_place_release) for
 * address `pc`: where the code of inlined calls is, their functions
 * first, the innermost first, then the function they are in (its line
 * that of the outermost call).  Returns how many places, at most
 * `max`, at least 1 when max > 0. */
size_t debuginfo_symbolize(struct di_symbolizer *s, uint64_t pc,
			   struct di_place *out, size_t max);
void debuginfo_place_release(struct di_place *p);

/* --line=FILE:FROM-TO: appends every function with code on lines
 * FROM..TO of a source file named FILE (the whole path or its last
 * components), its table spanning just those lines.  Returns how many. */
int debuginfo_find_lines(struct debuginfo *di, const char *file,
			 unsigned from, unsigned to, struct di_functions *out);

/* The source line the line table gives the instruction at `addr` of `di`
 * (statement or not), 0 when none. */
unsigned debuginfo_line_at(const struct debuginfo *di, uint64_t addr);

/* The canonical frame address (the stack pointer before the call that
 * made the frame) at address `addr` of `di`, as the frame information
 * (.eh_frame, .debug_frame) gives it: the value of DWARF register *reg
 * (7: rsp, 6: rbp) plus *off.  Returns 0, or -1 when it has no such
 * simple rule there. */
int debuginfo_cfa(const struct debuginfo *di, uint64_t addr, int *reg,
		  int64_t *off);

/* --depth: appends the function whose first instruction is at file
 * address `entry`, when it has line information and is not in `out`
 * already.  Returns 1 when it appended one. */
int debuginfo_find_at(struct debuginfo *di, uint64_t entry,
		      struct di_functions *out);

/* Whether ELF file `path` marks functions with MEMPROF_PROFILE (a block
 * debuginfo_marked would give): a cheap look at its sections, before
 * reading any DWARF. */
int debuginfo_has_marks(const char *path);

void debuginfo_functions_free(struct di_functions *fns);

#endif
