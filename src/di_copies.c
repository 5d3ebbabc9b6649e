/* SPDX-License-Identifier: MIT */
/* di_copies.c - the copies of a profiled function that the compiler
 * inlined into other functions' code, each with its own lines.
 *
 * A profiled function the compiler inlined (its abstract instance has
 * DW_AT_inline) also has copies in other functions' code: every
 * DW_TAG_inlined_subroutine, in any unit, whose abstract origin is it.  A
 * copy's lines are the rows in its ranges, outside the copies nested in
 * it, on the function's own lines: from its declaration to the next
 * function declared after it in the same file (an optimiser moves code of
 * the caller into a copy's ranges: a loop's increment, say).
 */
#include "debuginfo_private.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The abstract instance that `die` (a function's DIE or an inlined
 * subroutine) names with DW_AT_abstract_origin, or `die` itself; false
 * when it has none (it was never inlined).  Whatever DW_AT_inline says:
 * GCC writes "declared inline but ignored" for functions it did inline. */
bool di_abstract_root(Dwarf_Die *die, Dwarf_Die *root)
{
	Dwarf_Attribute attr;

	*root = *die;
	for (int i = 0; i < 8 && dwarf_attr(root, DW_AT_abstract_origin, &attr); i++)
		if (!dwarf_formref_die(&attr, root))
			return false;
	return dwarf_hasattr(root, DW_AT_inline);
}

/* The first line after `line` where a function declared in `file` (below
 * scope `parent` of its unit, outside function bodies) begins;
 * UINT_MAX when there is none. */
static unsigned next_decl(Dwarf_Die *parent, const char *file, unsigned line,
			  int depth)
{
	Dwarf_Die child;
	unsigned best = UINT_MAX;

	if (depth > 32 || dwarf_child(parent, &child) != 0)
		return best;
	do {
		Dwarf_Attribute attr;
		Dwarf_Word l;
		const char *f;
		unsigned n;

		if (dwarf_tag(&child) == DW_TAG_subprogram) {
			if (dwarf_attr(&child, DW_AT_decl_line, &attr) &&
			    dwarf_formudata(&attr, &l) == 0 && l > line &&
			    l < best && (f = dwarf_decl_file(&child)) &&
			    !strcmp(f, file))
				best = (unsigned)l;
		} else if (di_scope_tag(dwarf_tag(&child))) {
			n = next_decl(&child, file, line, depth + 1);
			if (n < best)
				best = n;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return best;
}

/* Deepest nesting of inlined subroutines followed. */
#define MAX_OUTER 64

/* The walk over every unit looking for copies. */
struct copy_walk {
	struct debuginfo *di;
	struct di_functions *out;
	struct origin *origins;
	size_t norigins;
	Dwarf_Die cu, host;
	struct ranges host_ranges;
	uint64_t host_entry;
	Dwarf_Die outer[MAX_OUTER];    /* inlined subroutines around, outermost
					  first */
	size_t nouter;
};

static void add_copy(struct copy_walk *w, Dwarf_Die *die,
		     const struct origin *o)
{
	struct debuginfo *di = w->di;
	struct di_function *f = &w->out->v[o->fn];
	struct ranges rg = { 0 }, nested = { 0 }, in = { 0 };
	struct row_filter rf = { &in, &nested, &o->file, o->lo, o->hi };
	struct rows r = { 0 }, calls = { 0 };
	struct di_copy *c;
	uint64_t entry;

	di_die_ranges(die, &rg);
	if (!di_copy_entry(die, &rg, &w->host_ranges, &entry)) {
		free(rg.v);
		return;
	}
	di_inlined_ranges(die, &nested);
	/* Its lines, the one where it begins too. */
	for (size_t i = 0; i < rg.n; i++)
		di_ranges_add(&in, rg.v[i].lo, rg.v[i].hi);
	di_ranges_add(&in, entry, entry + 1);
	di_rows_collect(di, &w->cu, &rf, &r);
	di_call_rows(di, &w->cu, die, &w->host_ranges, &o->file, &calls, 0);
	di_rows_merge_calls(&r, &calls);
	di_rows_finish(&r);
	free(in.v);
	ARRAY_GROW(f->copies, f->ncopies + 1, f->copies_cap);
	c = &f->copies[f->ncopies++];
	memset(c, 0, sizeof(*c));
	c->id = dwarf_dieoffset(die);
	c->entry = entry + di->bias;
	di_range_copy(&rg, di->bias, &c->ranges, &c->nranges);
	c->rows = r.v;
	c->nrows = r.n;
	di_range_copy(&w->host_ranges, di->bias, &c->host, &c->nhost);
	c->host_entry = w->host_entry + di->bias;
	c->nouter = w->nouter;
	c->outer = xcalloc(w->nouter + 1, sizeof(*c->outer));
	for (size_t i = 0; i < w->nouter; i++)
		c->outer[i] = dwarf_dieoffset(&w->outer[w->nouter - 1 - i]);
	/* The calling line is in the code around: the innermost copy's
	 * function, or the host. */
	{
		Dwarf_Die *around = w->nouter ? &w->outer[w->nouter - 1] : &w->host;
		const char *name = dwarf_decl_file(around);
		Dwarf_Die cu;

		if (name && dwarf_diecu(around, &cu, NULL, NULL)) {
			struct di_source src = { name,
						 di_absolute_path(&cu, name) };

			c->call_line = di_call_line(&w->cu, die, &src);
			free(src.abs);
		}
	}
	free(rg.v);
	free(nested.v);
}

static void walk_body(struct copy_walk *w, Dwarf_Die *die, int depth);

/* A function with code: look for copies in its body. */
static void walk_host(struct copy_walk *w, Dwarf_Die *die, int depth)
{
	Dwarf_Die host = w->host;
	struct ranges hr = w->host_ranges;
	uint64_t he = w->host_entry;
	size_t nouter = w->nouter;
	Dwarf_Addr pc;

	w->host = *die;
	memset(&w->host_ranges, 0, sizeof(w->host_ranges));
	di_die_ranges(die, &w->host_ranges);
	w->host_entry = dwarf_entrypc(die, &pc) == 0 ? pc : 0;
	w->nouter = 0;
	walk_body(w, die, depth + 1);
	free(w->host_ranges.v);
	w->host = host;
	w->host_ranges = hr;
	w->host_entry = he;
	w->nouter = nouter;
}

static void walk_body(struct copy_walk *w, Dwarf_Die *die, int depth)
{
	Dwarf_Die child, root;

	if (depth > 256 || dwarf_child(die, &child) != 0)
		return;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_inlined_subroutine:
			if (di_abstract_root(&child, &root)) {
				uint64_t id = dwarf_dieoffset(&root);

				for (size_t i = 0; i < w->norigins; i++)
					if (w->origins[i].id == id)
						add_copy(w, &child, &w->origins[i]);
			}
			if (w->nouter < MAX_OUTER && dwarf_haschildren(&child)) {
				w->outer[w->nouter++] = child;
				walk_body(w, &child, depth + 1);
				w->nouter--;
			}
			break;
		case DW_TAG_subprogram:
			if (dwarf_hasattr(&child, DW_AT_low_pc) ||
			    dwarf_hasattr(&child, DW_AT_ranges))
				walk_host(w, &child, depth);
			break;
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
			walk_body(w, &child, depth + 1);
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* Scopes of a unit, down to its functions. */
static void walk_scopes(struct copy_walk *w, Dwarf_Die *die, int depth)
{
	Dwarf_Die child;

	if (depth > 64 || dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);

		if (tag == DW_TAG_subprogram &&
		    (dwarf_hasattr(&child, DW_AT_low_pc) ||
		     dwarf_hasattr(&child, DW_AT_ranges)))
			walk_host(w, &child, depth);
		else if (di_scope_tag(tag) && dwarf_haschildren(&child))
			walk_scopes(w, &child, depth + 1);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* Finds the copies of the functions `origins` in every unit of `di`. */
void di_find_copies(struct debuginfo *di, struct di_functions *out,
		    struct origin *origins, size_t n)
{
	struct copy_walk w = { .di = di, .out = out, .origins = origins,
			       .norigins = n };
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie;
	uint8_t unit_type;
	Dwarf_Half version;

	while (dwarf_get_units(di->dw, cu, &cu, &version, &unit_type, &cudie,
			       &subdie) == 0) {
		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
			continue;
		w.cu = cudie;
		walk_scopes(&w, &cudie, 0);
	}
}

/* Records that the copies of abstract instance `root` go to out->v[fn]. */
void di_want_copies(struct origin **v, size_t *n, size_t *cap,
		    Dwarf_Die *root, size_t fn)
{
	struct origin *o;
	const char *name = dwarf_decl_file(root);
	int decl_line = 0;
	Dwarf_Die cu;

	if (!name || !dwarf_diecu(root, &cu, NULL, NULL))
		return;
	ARRAY_GROW(*v, *n + 1, *cap);
	o = &(*v)[(*n)++];
	o->id = dwarf_dieoffset(root);
	o->fn = fn;
	o->file.name = name;
	o->file.abs = di_absolute_path(&cu, name);
	dwarf_decl_line(root, &decl_line);
	o->lo = decl_line > 0 ? (unsigned)decl_line : 1;
	o->hi = decl_line > 0 ? next_decl(&cu, name, o->lo, 0) - 1 : UINT_MAX;
}
