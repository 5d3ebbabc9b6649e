/* SPDX-License-Identifier: MIT */
/* di_lines.c - a function's lines: its line starts (where breakpoints
 * go) and the calling lines of the inlined calls in it, from its unit's
 * line table.  Which functions are wanted is di_find.c's; the copies of
 * an inlined function are di_copies.c's, which reads their lines here.
 *
 * A function's own lines are the is_stmt rows of its CU's line table that
 * fall in the function's ranges but outside the ranges of the inlined
 * subroutines within it: code inlined from elsewhere belongs to the line
 * that called it, so it gets no line start of its own, except where it
 * begins: there the calling line starts (the DIE's call line).  Where
 * several rows share an address the last one wins (it is the one in
 * effect when the instruction runs).
 */
#include "debuginfo_private.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Collects the ranges of inlined subroutines anywhere below `die`. */
void di_inlined_ranges(Dwarf_Die *die, struct ranges *out)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child) != 0)
		return;
	do {
		if (dwarf_tag(&child) == DW_TAG_inlined_subroutine)
			di_die_ranges(&child, out);
		else
			di_inlined_ranges(&child, out);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* Whether `src`, a file name of unit `cu`, is `file`. */
static bool is_source(Dwarf_Die *cu, const char *src,
		      const struct di_source *file)
{
	char *abs;
	bool same;

	if (!strcmp(src, file->name))
		return true;
	abs = di_absolute_path(cu, src);
	same = !strcmp(abs, file->abs);
	free(abs);
	return same;
}

static int cmp_row(const void *a, const void *b)
{
	const struct di_row *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void rows_add(struct rows *r, uint64_t addr, unsigned line)
{
	ARRAY_GROW(r->v, r->n + 1, r->cap);
	r->v[r->n].addr = addr;
	r->v[r->n].line = line;
	r->n++;
}

/* Appends the is_stmt rows of unit `cu` that `rf` lets through, the last
 * one of an address where several follow each other. */
void di_rows_collect(struct debuginfo *di, Dwarf_Die *cu,
		     const struct row_filter *rf, struct rows *r)
{
	Dwarf_Lines *lines;
	size_t nlines, first = r->n;

	if (dwarf_getsrclines(cu, &lines, &nlines) != 0)
		return;
	for (size_t i = 0; i < nlines; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		Dwarf_Addr addr;
		int line;
		bool stmt = false, end = false;
		const char *src;

		if (!l || dwarf_lineaddr(l, &addr) || dwarf_lineno(l, &line) ||
		    dwarf_linebeginstatement(l, &stmt) ||
		    dwarf_lineendsequence(l, &end))
			continue;
		if (end || !stmt || line <= 0 || (unsigned)line < rf->lo ||
		    (unsigned)line > rf->hi || !di_ranges_has(rf->in, addr) ||
		    di_ranges_has(rf->out, addr))
			continue;
		src = dwarf_linesrc(l, NULL, NULL);
		if (!src || !is_source(cu, src, rf->file))
			continue;
		if (r->n > first && r->v[r->n - 1].addr == addr + di->bias)
			r->v[r->n - 1].line = (unsigned)line;
		else
			rows_add(r, addr + di->bias, (unsigned)line);
	}
}

/* Sorts the rows; a malformed table can give an address rows that are
 * not adjacent (found by fuzzing): keep one, the highest line, so that the
 * choice does not depend on qsort. */
void di_rows_finish(struct rows *r)
{
	size_t n = r->n ? 1 : 0;

	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), cmp_row);
	for (size_t i = 1; i < r->n; i++) {
		if (r->v[i].addr == r->v[n - 1].addr)
			n--;
		r->v[n++] = r->v[i];
	}
	r->n = n;
}

/* Where the code of inlined subroutine `die` (its ranges `rg`, in the
 * function whose code is `host`) begins to run: its entry pc (which may
 * be an instruction of the code around it, just before), else its lowest
 * address. */
bool di_copy_entry(Dwarf_Die *die, const struct ranges *rg,
		   const struct ranges *host, uint64_t *entry)
{
	Dwarf_Addr pc;

	if (!rg->n)
		return false;
	if (dwarf_entrypc(die, &pc) == 0 &&
	    (di_ranges_has(rg, pc) || di_ranges_has(host, pc))) {
		*entry = pc;
		return true;
	}
	*entry = rg->v[0].lo;
	for (size_t i = 1; i < rg->n; i++)
		if (rg->v[i].lo < *entry)
			*entry = rg->v[i].lo;
	return true;
}

/* Where inlined subroutine `die` of unit `cu` was called from: the file
 * as the unit names it (NULL when unknown) and *line (0 when unknown). */
const char *di_call_site(Dwarf_Die *cu, Dwarf_Die *die, unsigned *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word l, idx;
	Dwarf_Files *files;
	size_t nfiles;

	*line = dwarf_attr(die, DW_AT_call_line, &attr) &&
			dwarf_formudata(&attr, &l) == 0 && l <= UINT32_MAX ?
		(unsigned)l : 0;
	if (!dwarf_attr(die, DW_AT_call_file, &attr) ||
	    dwarf_formudata(&attr, &idx) != 0 ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

/* The line of `file` from which inlined subroutine `die` of unit `cu` was
 * called, 0 when it was called from another file. */
unsigned di_call_line(Dwarf_Die *cu, Dwarf_Die *die,
		      const struct di_source *file)
{
	unsigned line;
	const char *name = di_call_site(cu, die, &line);

	return line && name && is_source(cu, name, file) ? line : 0;
}

/* Appends, for each inlined subroutine directly in `die` (not inside
 * another) of function code `host`, a row of its calling line in `file`
 * where its code begins. */
void di_call_rows(struct debuginfo *di, Dwarf_Die *cu, Dwarf_Die *die,
		  const struct ranges *host, const struct di_source *file,
		  struct rows *r, int depth)
{
	Dwarf_Die child;

	if (depth > 64 || dwarf_child(die, &child) != 0)
		return;
	do {
		struct ranges rg = { 0 };
		uint64_t entry;
		unsigned line;

		switch (dwarf_tag(&child)) {
		case DW_TAG_inlined_subroutine:
			di_die_ranges(&child, &rg);
			line = di_call_line(cu, &child, file);
			if (line && di_copy_entry(&child, &rg, host, &entry))
				rows_add(r, entry + di->bias, line);
			free(rg.v);
			break;
		case DW_TAG_subprogram:
			break;
		default:
			if (dwarf_haschildren(&child))
				di_call_rows(di, cu, &child, host, file, r,
					     depth + 1);
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

void di_range_copy(const struct ranges *from, uint64_t bias,
		   struct di_range **to, size_t *n)
{
	*n = from->n;
	*to = xcalloc(from->n + 1, sizeof(**to));
	for (size_t i = 0; i < from->n; i++) {
		(*to)[i].lo = from->v[i].lo + bias;
		(*to)[i].hi = from->v[i].hi + bias;
	}
}

/* Adds the calling lines `calls` to `r`: where an inlined call begins,
 * its calling line starts, whatever row the table has there. */
void di_rows_merge_calls(struct rows *r, struct rows *calls)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++) {
		bool call = false;

		for (size_t c = 0; c < calls->n && !call; c++)
			call = calls->v[c].addr == r->v[i].addr;
		if (!call)
			r->v[k++] = r->v[i];
	}
	r->n = k;
	for (size_t c = 0; c < calls->n; c++)
		rows_add(r, calls->v[c].addr, calls->v[c].line);
	free(calls->v);
	calls->v = NULL;
	calls->n = calls->cap = 0;
}

/* Sets first_line and last_line of `f` from its rows and those of its
 * copies, the declaration first. */
void di_line_span(struct di_function *f, int decl_line)
{
	unsigned lo = 0, hi = 0;

	for (size_t c = 0; c <= f->ncopies; c++) {
		const struct di_row *v = c ? f->copies[c - 1].rows : f->rows;
		size_t n = c ? f->copies[c - 1].nrows : f->nrows;

		for (size_t i = 0; i < n; i++) {
			if (!lo || v[i].line < lo)
				lo = v[i].line;
			if (v[i].line > hi)
				hi = v[i].line;
		}
	}
	f->first_line = decl_line > 0 && (!lo || (unsigned)decl_line < lo) ?
				(unsigned)decl_line : lo;
	f->last_line = hi > f->first_line ? hi : f->first_line;
}

/* Fills `f` from the subprogram `die`; returns -1 when it has no rows. */
int di_describe(struct debuginfo *di, Dwarf_Die *cu, Dwarf_Die *die,
		const char *name, struct di_function *f)
{
	struct ranges own = { 0 }, inl = { 0 };
	const char *decl_file = dwarf_decl_file(die);
	int decl_line = 0;
	Dwarf_Addr entry;
	struct di_source file;
	struct rows r = { 0 }, calls = { 0 };
	struct row_filter rf = { &own, &inl, &file, 1, UINT_MAX };

	memset(f, 0, sizeof(*f));
	dwarf_decl_line(die, &decl_line);
	if (!decl_file || dwarf_entrypc(die, &entry) != 0)
		return -1;
	file.name = decl_file;
	file.abs = di_absolute_path(cu, decl_file);
	di_die_ranges(die, &own);
	di_inlined_ranges(die, &inl);
	di_rows_collect(di, cu, &rf, &r);
	di_call_rows(di, cu, die, &own, &file, &calls, 0);
	di_rows_merge_calls(&r, &calls);
	if (own.n == 1) {
		f->code.lo = own.v[0].lo + di->bias;
		f->code.hi = own.v[0].hi + di->bias;
	}
	di_range_copy(&inl, di->bias, &f->inlined, &f->ninlined);
	free(own.v);
	free(inl.v);
	if (!r.n) {
		free(f->inlined);
		f->inlined = NULL;
		free(file.abs);
		return -1;
	}
	di_rows_finish(&r);
	f->rows = r.v;
	f->nrows = r.n;
	f->name = xstrdup(name);
	f->file = file.abs;
	di_line_span(f, decl_line);
	f->entry = entry + di->bias;
	return 0;
}

/* Fills `f` for abstract instance `die`, a function with no code of its
 * own (all its calls were inlined): its copies come later, and its lines
 * with them (an implicit constructor has no declaration line). */
int di_describe_abstract(Dwarf_Die *cu, Dwarf_Die *die, const char *name,
			 struct di_function *f)
{
	const char *decl_file = dwarf_decl_file(die);
	int decl_line = 0;

	memset(f, 0, sizeof(*f));
	if (!decl_file)
		return -1;
	dwarf_decl_line(die, &decl_line);
	f->name = xstrdup(name);
	f->file = di_absolute_path(cu, decl_file);
	f->first_line = f->last_line = decl_line > 0 ? (unsigned)decl_line : 0;
	return 0;
}

unsigned debuginfo_line_at(const struct debuginfo *di, uint64_t addr)
{
	Dwfl_Line *l = dwfl_module_getsrc(di->mod, addr);
	int line = 0;

	if (!l || !dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL) || line <= 0)
		return 0;
	return (unsigned)line;
}
