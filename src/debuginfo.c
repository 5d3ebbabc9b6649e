/* debuginfo.c - functions to line-start addresses, through libdwfl.
 *
 * A function's own lines are the is_stmt rows of its CU's line table that
 * fall in the function's ranges but outside the ranges of the inlined
 * subroutines within it: code inlined from elsewhere belongs to the line
 * that called it, so it gets no breakpoint and is charged to that line.
 * Where several rows share an address the last one wins (it is the one in
 * effect when the instruction runs).
 */
#include "debuginfo.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct debuginfo {
	Dwfl_Callbacks cb;        /* dwfl keeps a pointer to it */
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
};

struct range {
	uint64_t lo, hi;
};

struct ranges {
	struct range *v;
	size_t n, cap;
};

static void ranges_add(struct ranges *r, uint64_t lo, uint64_t hi)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n].lo = lo;
	r->v[r->n].hi = hi;
	r->n++;
}

static bool ranges_has(const struct ranges *r, uint64_t a)
{
	for (size_t i = 0; i < r->n; i++)
		if (a >= r->v[i].lo && a < r->v[i].hi)
			return true;
	return false;
}

static void die_ranges(Dwarf_Die *die, struct ranges *out)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0)
		ranges_add(out, lo, hi);
}

static void read_marked(struct debuginfo *di)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(di->mod, &bias);
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehdr;

	if (!elf)
		return;
	if (gelf_getehdr(elf, &ehdr)) {
		di->entry = ehdr.e_entry;
		di->pie = ehdr.e_type == ET_DYN;
	}
	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;
		Elf_Data *data;
		const char *p, *end;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name || strcmp(name, ".memprof.functions"))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || !data->d_size)
			return;
		p = data->d_buf;
		end = p + data->d_size;
		if (end[-1] != '\0')
			return; /* not written by our macro: ignore */
		di->marked = p;
		for (; p < end; p += strlen(p) + 1)
			if (*p)
				di->nmarked++;
		return;
	}
}

struct debuginfo *debuginfo_open(const char *path, const char *shown)
{
	static const Dwfl_Callbacks cb_template = {
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
	};
	struct debuginfo *di = xcalloc(1, sizeof(*di));
	int fd;

	di->cb = cb_template;
	di->cb.debuginfo_path = &di->debuginfo_path;
	di->shown = xstrdup(shown);
	di->dwfl = dwfl_begin(&di->cb);
	if (!di->dwfl) {
		mp_error("cannot read '%s': %s", shown, dwfl_errmsg(-1));
		goto fail;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		mp_error("cannot open '%s': %m", shown);
		goto fail;
	}
	/* Base 0: the module's addresses are the file's own vaddrs. */
	di->mod = dwfl_report_elf(di->dwfl, path, path, fd, 0, false);
	if (!di->mod) {
		close(fd);
		mp_error("cannot read '%s': %s", shown, dwfl_errmsg(-1));
		goto fail;
	}
	dwfl_report_end(di->dwfl, NULL, NULL);
	read_marked(di);
	di->dw = dwfl_module_getdwarf(di->mod, &di->bias);
	if (!di->dw) {
		mp_error("'%s' has no line information; rebuild it with -g", shown);
		goto fail;
	}
	return di;
fail:
	debuginfo_close(di);
	return NULL;
}

void debuginfo_close(struct debuginfo *di)
{
	if (!di)
		return;
	dwfl_end(di->dwfl);
	free(di->shown);
	free(di);
}

const char *debuginfo_marked(struct debuginfo *di, size_t *n)
{
	*n = di->nmarked;
	return di->marked;
}

uint64_t debuginfo_entry_point(const struct debuginfo *di)
{
	return di->entry;
}

int debuginfo_is_pie(const struct debuginfo *di)
{
	return di->pie;
}

/* --- walking the DIEs --- */

typedef int die_visit_fn(Dwarf_Die *cu, Dwarf_Die *die, void *arg);

/* Calls `visit` for every subprogram with code, looking into namespaces,
 * classes and structures (C++ methods) as well as the CU's top level. */
static int walk_subprograms(Dwarf_Die *cu, Dwarf_Die *parent,
			    die_visit_fn *visit, void *arg)
{
	Dwarf_Die child;

	if (dwarf_child(parent, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);
		int rc = 0;

		if (tag == DW_TAG_subprogram) {
			if (dwarf_hasattr(&child, DW_AT_low_pc) ||
			    dwarf_hasattr(&child, DW_AT_ranges))
				rc = visit(cu, &child, arg);
		} else if (tag == DW_TAG_namespace ||
			   tag == DW_TAG_class_type ||
			   tag == DW_TAG_structure_type) {
			rc = walk_subprograms(cu, &child, visit, arg);
		}
		if (rc)
			return rc;
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

static int walk_all(struct debuginfo *di, die_visit_fn *visit, void *arg)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie;
	uint8_t unit_type;
	Dwarf_Half version;
	int rc;

	while (dwarf_get_units(di->dw, cu, &cu, &version, &unit_type, &cudie,
			       &subdie) == 0) {
		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
			continue;
		rc = walk_subprograms(&cudie, &cudie, visit, arg);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	if (!dwarf_attr_integrate(die, DW_AT_name, &attr))
		return NULL;
	return dwarf_formstring(&attr);
}

/* Collects the ranges of inlined subroutines anywhere below `die`. */
static void inlined_ranges(Dwarf_Die *die, struct ranges *out)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child) != 0)
		return;
	do {
		if (dwarf_tag(&child) == DW_TAG_inlined_subroutine)
			die_ranges(&child, out);
		else
			inlined_ranges(&child, out);
	} while (dwarf_siblingof(&child, &child) == 0);
}

static char *absolute_path(Dwarf_Die *cu, const char *file)
{
	Dwarf_Attribute attr;
	const char *dir;
	char *s;

	if (file[0] == '/' || !dwarf_attr(cu, DW_AT_comp_dir, &attr) ||
	    !(dir = dwarf_formstring(&attr)))
		return xstrdup(file);
	s = xmalloc(strlen(dir) + strlen(file) + 2);
	sprintf(s, "%s/%s", dir, file);
	return s;
}

static int cmp_row(const void *a, const void *b)
{
	const struct di_row *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Fills `f` from the subprogram `die`; returns -1 when it has no rows. */
static int describe(struct debuginfo *di, Dwarf_Die *cu, Dwarf_Die *die,
		    const char *name, struct di_function *f)
{
	struct ranges own = { 0 }, inl = { 0 };
	Dwarf_Lines *lines;
	size_t nlines;
	const char *decl_file = dwarf_decl_file(die);
	int decl_line = 0;
	Dwarf_Addr entry;
	unsigned lo_line = 0, hi_line = 0;

	memset(f, 0, sizeof(*f));
	dwarf_decl_line(die, &decl_line);
	if (!decl_file || dwarf_entrypc(die, &entry) != 0 ||
	    dwarf_getsrclines(cu, &lines, &nlines) != 0)
		return -1;
	die_ranges(die, &own);
	inlined_ranges(die, &inl);
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
		if (end || !stmt || line <= 0 || !ranges_has(&own, addr) ||
		    ranges_has(&inl, addr))
			continue;
		src = dwarf_linesrc(l, NULL, NULL);
		if (!src || strcmp(src, decl_file))
			continue;
		if (f->nrows && f->rows[f->nrows - 1].addr == addr) {
			f->rows[f->nrows - 1].line = (unsigned)line;
		} else {
			f->rows = xrealloc(f->rows,
					   (f->nrows + 1) * sizeof(*f->rows));
			f->rows[f->nrows].addr = addr + di->bias;
			f->rows[f->nrows].line = (unsigned)line;
			f->nrows++;
		}
	}
	if (own.n == 1) {
		f->code.lo = own.v[0].lo + di->bias;
		f->code.hi = own.v[0].hi + di->bias;
	}
	f->ninlined = inl.n;
	f->inlined = xcalloc(inl.n, sizeof(*f->inlined));
	for (size_t i = 0; i < inl.n; i++) {
		f->inlined[i].lo = inl.v[i].lo + di->bias;
		f->inlined[i].hi = inl.v[i].hi + di->bias;
	}
	free(own.v);
	free(inl.v);
	if (!f->nrows) {
		free(f->inlined);
		f->inlined = NULL;
		return -1;
	}
	qsort(f->rows, f->nrows, sizeof(*f->rows), cmp_row);
	for (size_t i = 0; i < f->nrows; i++) {
		if (!lo_line || f->rows[i].line < lo_line)
			lo_line = f->rows[i].line;
		if (f->rows[i].line > hi_line)
			hi_line = f->rows[i].line;
	}
	f->name = xstrdup(name);
	f->file = absolute_path(cu, decl_file);
	f->first_line = decl_line > 0 && (unsigned)decl_line < lo_line ?
				(unsigned)decl_line : lo_line;
	f->last_line = hi_line;
	f->entry = entry + di->bias;
	return 0;
}

struct find_ctx {
	struct debuginfo *di;
	const char *name;
	struct di_functions *out;
	size_t found;       /* subprograms of that name with code */
};

static int find_visit(Dwarf_Die *cu, Dwarf_Die *die, void *arg)
{
	struct find_ctx *c = arg;
	const char *name = die_name(die);
	struct di_function f;

	if (!name || strcmp(name, c->name))
		return 0;
	c->found++;
	if (describe(c->di, cu, die, name, &f) < 0)
		return 0;
	c->out->v = xrealloc(c->out->v, (c->out->n + 1) * sizeof(f));
	c->out->v[c->out->n++] = f;
	return 0;
}

/* --- suggestions for a name that is not there --- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row, d;

	if (la > 200 || lb > 200)
		return (size_t)-1;
	row = xmalloc((lb + 1) * sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

#define MAX_SUGGESTIONS 3

struct suggest_ctx {
	const char *name;
	size_t limit;
	const char *best[MAX_SUGGESTIONS];
	size_t dist[MAX_SUGGESTIONS];
	size_t n;
};

static int suggest_visit(Dwarf_Die *cu, Dwarf_Die *die, void *arg)
{
	struct suggest_ctx *c = arg;
	const char *name = die_name(die);
	size_t d, i;

	(void)cu;
	if (!name)
		return 0;
	d = edit_distance(c->name, name);
	if (d > c->limit && !strstr(name, c->name))
		return 0;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->best[i], name))
			return 0;
	for (i = c->n; i > 0 && c->dist[i - 1] > d; i--)
		if (i < MAX_SUGGESTIONS) {
			c->best[i] = c->best[i - 1];
			c->dist[i] = c->dist[i - 1];
		}
	if (i < MAX_SUGGESTIONS) {
		c->best[i] = name;
		c->dist[i] = d;
		if (c->n < MAX_SUGGESTIONS)
			c->n++;
	}
	return 0;
}

static int not_found(struct debuginfo *di, const char *name)
{
	struct suggest_ctx c = { .name = name };
	char list[512] = "";
	size_t len = 0;

	c.limit = strlen(name) / 3 > 2 ? strlen(name) / 3 : 2;
	walk_all(di, suggest_visit, &c);
	if (!c.n)
		return mp_error("function '%s' not found in '%s'", name,
				di->shown);
	for (size_t i = 0; i < c.n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
					"%s'%s'", i ? ", " : "", c.best[i]);
	return mp_error("function '%s' not found in '%s' (did you mean %s?)",
			name, di->shown, list);
}

int debuginfo_find(struct debuginfo *di, const char *name,
		   struct di_functions *out)
{
	struct find_ctx c = { .di = di, .name = name, .out = out };
	size_t before = out->n;

	walk_all(di, find_visit, &c);
	if (out->n > before)
		return 0;
	if (c.found)
		return mp_error("'%s' has no line information for '%s'; rebuild it with -g",
				di->shown, name);
	return not_found(di, name);
}

void di_functions_free(struct di_functions *fns)
{
	for (size_t i = 0; i < fns->n; i++) {
		free(fns->v[i].name);
		free(fns->v[i].file);
		free(fns->v[i].rows);
		free(fns->v[i].inlined);
	}
	free(fns->v);
	fns->v = NULL;
	fns->n = 0;
}
