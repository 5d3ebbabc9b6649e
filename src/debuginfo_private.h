/* SPDX-License-Identifier: MIT */
/* debuginfo_private.h - what the rooms of debug information share (see
 * debuginfo.c for the list): the open object, the structs passed between
 * them and the helpers each offers the others.  Included by src/debuginfo.c
 * and src/di_*.c only; the rest of memprof sees debuginfo.h.
 */
#ifndef MEMPROF_DEBUGINFO_PRIVATE_H
#define MEMPROF_DEBUGINFO_PRIVATE_H

#include "debuginfo.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "names.h"

struct debuginfo {
	Dwfl_Callbacks cb;        /* dwfl keeps a pointer to it */
	bool quiet;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf *dw;
	Dwarf_Addr bias;
	char *shown;
	char *debuginfo_path;
	uint64_t entry;
	bool pie;
	const char *marked;
	size_t nmarked;
	struct name_index *index; /* names of the functions, on first use */
};

struct range {
	uint64_t lo, hi;
};

struct ranges {
	struct range *v;
	size_t n, cap;
};

/* Qualified names of the DIEs met so far, keyed by the DIE's address in
 * the mapped DWARF, unique across units, sections and files. */
struct qmap {
	const void **keys;
	char **vals;
	size_t n, cap;            /* cap: 0 or a power of two */
};

/* A function with code, or inlined copies, as lookups see it. */
struct fn_entry {
	Dwarf_Die die, cu;
	struct fn_name name;      /* strings in the qmap or owned (plain*) */
	bool main_subprogram;     /* DW_AT_main_subprogram: Rust, Fortran */
	bool abstract;            /* no code of its own: only inlined copies */
};

struct name_index {
	struct qmap names;        /* every DIE named so far */
	struct fn_entry *fns;     /* every function with code or copies */
	size_t n, cap;
};

/* A source file, as the rows of a line table are compared with it: its
 * name in its own unit, and made absolute (for rows of another unit). */
struct di_source {
	const char *name;
	char *abs;
};

struct rows {
	struct di_row *v;
	size_t n, cap;
};

/* Which rows of a unit's line table are a function's. */
struct row_filter {
	const struct ranges *in;        /* inside these */
	const struct ranges *out;       /* and outside these */
	const struct di_source *file;
	unsigned lo, hi;                /* on lines lo..hi */
};

/* A function whose copies are looked for. */
struct origin {
	uint64_t id;             /* its abstract instance's DIE offset */
	struct di_function *f;   /* where its copies go (index below) */
	size_t fn;
	struct di_source file;
	unsigned lo, hi;         /* its lines */
};

/* debuginfo.c */
void di_ranges_add(struct ranges *r, uint64_t lo, uint64_t hi);
bool di_ranges_has(const struct ranges *r, uint64_t a);
void di_die_ranges(Dwarf_Die *die, struct ranges *out);
char *di_absolute_path(Dwarf_Die *cu, const char *file);

/* di_elf.c */
void di_read_marked(struct debuginfo *di);

/* di_names.c */
bool di_scope_tag(int tag);
struct name_index *di_index_build(struct debuginfo *di);
void di_index_free(struct name_index *ix);
char *di_params_of(struct name_index *ix, Dwarf_Die *die);
int di_not_found(struct debuginfo *di, const char *pattern);

/* di_lines.c */
void di_inlined_ranges(Dwarf_Die *die, struct ranges *out);
void di_rows_collect(struct debuginfo *di, Dwarf_Die *cu,
		     const struct row_filter *rf, struct rows *r);
void di_rows_finish(struct rows *r);
bool di_copy_entry(Dwarf_Die *die, const struct ranges *rg,
		   const struct ranges *host, uint64_t *entry);
const char *di_call_site(Dwarf_Die *cu, Dwarf_Die *die, unsigned *line);
unsigned di_call_line(Dwarf_Die *cu, Dwarf_Die *die,
		      const struct di_source *file);
void di_call_rows(struct debuginfo *di, Dwarf_Die *cu, Dwarf_Die *die,
		  const struct ranges *host, const struct di_source *file,
		  struct rows *r, int depth);
void di_range_copy(const struct ranges *from, uint64_t bias,
		   struct di_range **to, size_t *n);
void di_rows_merge_calls(struct rows *r, struct rows *calls);
void di_line_span(struct di_function *f, int decl_line);
int di_describe(struct debuginfo *di, Dwarf_Die *cu, Dwarf_Die *die,
		const char *name, struct di_function *f);
int di_describe_abstract(Dwarf_Die *cu, Dwarf_Die *die, const char *name,
			 struct di_function *f);

/* di_copies.c */
bool di_abstract_root(Dwarf_Die *die, Dwarf_Die *root);
void di_find_copies(struct debuginfo *di, struct di_functions *out,
		    struct origin *origins, size_t n);
void di_want_copies(struct origin **v, size_t *n, size_t *cap,
		    Dwarf_Die *root, size_t fn);

#endif
