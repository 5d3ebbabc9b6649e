/* debuginfo.c - functions to line-start addresses, through libdwfl.
 *
 * A function's own lines are the is_stmt rows of its CU's line table that
 * fall in the function's ranges but outside the ranges of the inlined
 * subroutines within it: code inlined from elsewhere belongs to the line
 * that called it, so it gets no line start of its own, except where it
 * begins: there the calling line starts (the DIE's call line).  Where
 * several rows share an address the last one wins (it is the one in
 * effect when the instruction runs).
 *
 * A profiled function the compiler inlined (its abstract instance has
 * DW_AT_inline) also has copies in other functions' code: every
 * DW_TAG_inlined_subroutine, in any unit, whose abstract origin is it.  A
 * copy's lines are the rows in its ranges, outside the copies nested in
 * it, on the function's own lines: from its declaration to the next
 * function declared after it in the same file (an optimiser moves code of
 * the caller into a copy's ranges: a loop's increment, say).
 */
#include "debuginfo.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "names.h"
#include "util.h"

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

static void ranges_add(struct ranges *r, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return;
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

static const char *search_path;

void debuginfo_set_search_path(const char *path)
{
	search_path = path;
}

/* `path` made absolute (not resolved: a debug file may sit beside a
 * symbolic link), as libdwfl wants it for the absolute entries of the
 * search path. */
static char *absolute(const char *path)
{
	char *cwd, *s;

	if (path[0] == '/' || !(cwd = getcwd(NULL, 0)))
		return xstrdup(path);
	s = xmalloc(strlen(cwd) + strlen(path) + 2);
	sprintf(s, "%s/%s", cwd, path[0] == '.' && path[1] == '/' ? path + 2 :
								    path);
	free(cwd);
	return s;
}

/* Says that `di` has no line information, and where it was looked for
 * when the file names a separate debug file. */
static void no_lines(struct debuginfo *di)
{
	GElf_Addr bias;
	GElf_Word crc;
	Elf *elf = dwfl_module_getelf(di->mod, &bias);
	const char *link = elf ? dwelf_elf_gnu_debuglink(elf, &crc) : NULL;

	if (link)
		mp_error("'%s' has no line information: its debug file '%s' was not found (see --debuginfo-path)",
			 di->shown, link);
	else
		mp_error("'%s' has no line information; rebuild it with -g",
			 di->shown);
}

struct debuginfo *debuginfo_open(const char *path, const char *shown)
{
	return debuginfo_open_file(path, path, shown);
}

struct debuginfo *debuginfo_open_file(const char *file, const char *path,
				      const char *shown)
{
	static const Dwfl_Callbacks cb_template = {
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
	};
	struct debuginfo *di = xcalloc(1, sizeof(*di));
	char *abs;
	int fd;

	di->cb = cb_template;
	di->debuginfo_path = search_path ? xstrdup(search_path) : NULL;
	di->cb.debuginfo_path = &di->debuginfo_path;
	/* Quiet for a library that may well carry no DWARF (libc). */
	di->quiet = !shown;
	di->shown = xstrdup(shown ? shown : path);
	di->dwfl = dwfl_begin(&di->cb);
	if (!di->dwfl) {
		if (shown)
			mp_error("cannot read '%s': %s", shown, dwfl_errmsg(-1));
		goto fail;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (shown)
			mp_error("cannot open '%s': %m", shown);
		goto fail;
	}
	/* Base 0: the module's addresses are the file's own vaddrs.  Named
	 * `path` (not /proc/PID/...): separate debug files are looked for
	 * beside it. */
	abs = absolute(path);
	di->mod = dwfl_report_elf(di->dwfl, abs, abs, fd, 0, false);
	free(abs);
	if (!di->mod) {
		close(fd);
		if (shown)
			mp_error("cannot read '%s': %s", shown, dwfl_errmsg(-1));
		goto fail;
	}
	dwfl_report_end(di->dwfl, NULL, NULL);
	read_marked(di);
	di->dw = dwfl_module_getdwarf(di->mod, &di->bias);
	if (!di->dw) {
		if (shown)
			no_lines(di);
		goto fail;
	}
	return di;
fail:
	debuginfo_close(di);
	return NULL;
}

static void index_free(struct name_index *ix);

void debuginfo_close(struct debuginfo *di)
{
	if (!di)
		return;
	index_free(di->index);
	dwfl_end(di->dwfl);
	free(di->debuginfo_path);
	free(di->shown);
	free(di);
}

const char *debuginfo_marked(struct debuginfo *di, size_t *n)
{
	*n = di->nmarked;
	return di->marked;
}

/* The page where the first loadable segment of `elf` starts: where its
 * ELF header is, relative to the load bias. */
static int image_start(Elf *elf, uint64_t *start)
{
	uint64_t first = UINT64_MAX;
	size_t nph;

	if (elf_getphdrnum(elf, &nph) < 0)
		return -1;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_vaddr < first)
			first = ph.p_vaddr & ~(uint64_t)4095;
	}
	if (first == UINT64_MAX)
		return -1;
	*start = first;
	return 0;
}

long debuginfo_build_id(const struct debuginfo *di, unsigned char *id,
			size_t max, uint64_t *start)
{
	const unsigned char *bits;
	GElf_Addr vaddr, bias;
	Elf *elf = dwfl_module_getelf(di->mod, &bias);
	int n = dwfl_module_build_id(di->mod, &bits, &vaddr);

	if (!elf || image_start(elf, start) < 0 || n < 0)
		return -1;
	if ((size_t)n > max)
		n = (int)max;
	memcpy(id, bits, (size_t)n);
	return n;
}

long debuginfo_file_build_id(const char *file, unsigned char *id, size_t max,
			     uint64_t *start)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	const void *bits;
	ssize_t n = -1;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && image_start(elf, start) == 0) {
		n = dwelf_elf_gnu_build_id(elf, &bits);
		if (n > (ssize_t)max)
			n = (ssize_t)max;
		if (n > 0)
			memcpy(id, bits, (size_t)n);
	}
	elf_end(elf);
	close(fd);
	return n < 0 ? -1 : n;
}

uint64_t debuginfo_entry_point(const struct debuginfo *di)
{
	return di->entry;
}

int debuginfo_is_pie(const struct debuginfo *di)
{
	return di->pie;
}

/* --- names ---
 *
 * A function's qualified name is built from the DIE tree: the scopes
 * around its declaration (namespaces, classes, Fortran modules, the
 * function around a nested one), then its own DW_AT_name.  A member
 * function's definition usually sits at the unit's top level and names
 * its declaration inside the class with DW_AT_specification; a concrete
 * out-of-line copy names its abstract instance with DW_AT_abstract_origin:
 * both take the name of the DIE they complete.  Names are computed once,
 * on the first lookup, for every function with code (the index); the
 * rules for matching them are names.c's.
 */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = 2 * (b->len + n + 1);
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	memset(b, 0, sizeof(*b));
	return s;
}

/* Qualified names of the DIEs met so far, keyed by the DIE's address in
 * the mapped DWARF, unique across units, sections and files. */
struct qmap {
	const void **keys;
	char **vals;
	size_t n, cap;            /* cap: 0 or a power of two */
};

static size_t qmap_slot(const struct qmap *m, const void *key)
{
	size_t i = (size_t)(((uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15u) >> 32);

	for (i &= m->cap - 1; m->keys[i] && m->keys[i] != key;
	     i = (i + 1) & (m->cap - 1))
		;
	return i;
}

static const char *qmap_get(const struct qmap *m, const void *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = qmap_slot(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

/* Stores `val` (taking it) under `key` and returns it; a key already
 * there keeps its value (others may point to it), which is returned. */
static const char *qmap_put(struct qmap *m, const void *key, char *val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct qmap old = *m;

		m->cap = old.cap ? 2 * old.cap : 1024;
		m->keys = xcalloc(m->cap, sizeof(*m->keys));
		m->vals = xcalloc(m->cap, sizeof(*m->vals));
		for (size_t j = 0; j < old.cap; j++)
			if (old.keys[j]) {
				i = qmap_slot(m, old.keys[j]);
				m->keys[i] = old.keys[j];
				m->vals[i] = old.vals[j];
			}
		free(old.keys);
		free(old.vals);
	}
	i = qmap_slot(m, key);
	if (m->keys[i]) {
		free(val);
		return m->vals[i];
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return val;
}

static void qmap_free(struct qmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->vals[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

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

static bool scope_tag(int tag)
{
	switch (tag) {
	case DW_TAG_namespace:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_interface_type:
	case DW_TAG_module:
	case DW_TAG_subprogram:
		return true;
	}
	return false;
}

/* The DIE that `die` completes: the declaration a definition names with
 * DW_AT_specification, or the abstract instance a concrete copy names
 * with DW_AT_abstract_origin. */
static bool completes(Dwarf_Die *die, Dwarf_Die *target)
{
	Dwarf_Attribute attr;

	return (dwarf_attr(die, DW_AT_specification, &attr) ||
		dwarf_attr(die, DW_AT_abstract_origin, &attr)) &&
	       dwarf_formref_die(&attr, target) != NULL;
}

static const char *own_name(Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);

	if (name)
		return name;
	/* As c++filt writes them. */
	return dwarf_tag(die) == DW_TAG_namespace ? "(anonymous namespace)" :
						    "{unnamed}";
}

static char *join(const char *prefix, const char *name)
{
	char *s;

	if (!*prefix)
		return xstrdup(name);
	s = xmalloc(strlen(prefix) + strlen(name) + 3);
	sprintf(s, "%s::%s", prefix, name);
	return s;
}

static const char *qname_of(struct name_index *ix, Dwarf_Die *die, int depth);

/* The qualified name of the scope around `die`, found by searching its
 * unit from the root: slow, so only for a DIE the walk has not met (a
 * declaration after its definition, a class inside a function). */
static const char *enclosing(struct name_index *ix, Dwarf_Die *die, int depth)
{
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes_die(die, &scopes);
	const char *q = "";

	for (int i = 1; i < n; i++)
		if (scope_tag(dwarf_tag(&scopes[i]))) {
			q = qname_of(ix, &scopes[i], depth + 1);
			break;
		}
	free(scopes);
	return q;
}

/* The qualified name of any DIE: a function, a scope or a type. */
static const char *qname_of(struct name_index *ix, Dwarf_Die *die, int depth)
{
	const char *q = qmap_get(&ix->names, die->addr);
	Dwarf_Die target;

	if (q)
		return q;
	if (depth > 16)
		return own_name(die);
	if (completes(die, &target))
		return qmap_put(&ix->names, die->addr,
				xstrdup(qname_of(ix, &target, depth + 1)));
	return qmap_put(&ix->names, die->addr,
			join(enclosing(ix, die, depth), own_name(die)));
}

static void index_add(struct name_index *ix, Dwarf_Die *cu, Dwarf_Die *die,
		      const char *q, bool fold)
{
	const char *base = dwarf_diename(die);
	struct fn_entry *e;

	if (!base)
		return;
	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? 2 * ix->cap : 256;
		ix->fns = xrealloc(ix->fns, ix->cap * sizeof(*ix->fns));
	}
	e = &ix->fns[ix->n++];
	e->die = *die;
	e->cu = *cu;
	e->name.qname = q;
	e->name.base = base;
	e->name.plain = names_strip_templates(q);
	e->name.plain_base = names_strip_templates(base);
	e->name.fold = fold;
	e->main_subprogram = dwarf_hasattr_integrate(die, DW_AT_main_subprogram);
	e->abstract = !dwarf_hasattr(die, DW_AT_low_pc) &&
		      !dwarf_hasattr(die, DW_AT_ranges);
}

/* A DIE that completes another (see completes()), named once the walk
 * has named what it completes: a definition may come before its
 * declaration (rustc writes impl blocks before the type), and looking a
 * declaration up from the unit's root each time would be quadratic. */
struct pending {
	Dwarf_Die die, cu;
	bool fold;
	int depth;
};

struct pendings {
	struct pending *v;
	size_t n, cap;
};

static void index_walk(struct name_index *ix, struct pendings *later,
		       Dwarf_Die *cu, Dwarf_Die *parent, const char *prefix,
		       bool fold, int depth);

/* Indexes `die`, named `q`, when it is a function with code or an
 * abstract instance the compiler inlined, and names what is below it. */
static void index_visit(struct name_index *ix, struct pendings *later,
			Dwarf_Die *cu, Dwarf_Die *die, const char *q, bool fold,
			int depth)
{
	if (dwarf_tag(die) == DW_TAG_subprogram &&
	    (dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges) ||
	     dwarf_hasattr(die, DW_AT_inline)))
		index_add(ix, cu, die, q, fold);
	index_walk(ix, later, cu, die, q, fold, depth + 1);
}

/* Names every scope and function below `parent` (whose name is `prefix`)
 * and indexes the functions with code; those that complete another DIE
 * go to `later`.  Lexical blocks are not entered: what little is declared
 * there is named by enclosing() on demand. */
static void index_walk(struct name_index *ix, struct pendings *later,
		       Dwarf_Die *cu, Dwarf_Die *parent, const char *prefix,
		       bool fold, int depth)
{
	Dwarf_Die child, target;

	/* Real scopes nest a few levels; a broken file may nest forever. */
	if (depth > 64 || dwarf_child(parent, &child) != 0)
		return;
	do {
		const char *q;

		if (!scope_tag(dwarf_tag(&child)))
			continue;
		q = qmap_get(&ix->names, child.addr);
		if (!q && completes(&child, &target)) {
			if (later->n == later->cap) {
				later->cap = later->cap ? 2 * later->cap : 256;
				later->v = xrealloc(later->v, later->cap *
							      sizeof(*later->v));
			}
			later->v[later->n++] = (struct pending){
				.die = child, .cu = *cu, .fold = fold,
				.depth = depth,
			};
			continue;
		}
		if (!q)
			q = qmap_put(&ix->names, child.addr,
				     join(prefix, own_name(&child)));
		index_visit(ix, later, cu, &child, q, fold, depth);
	} while (dwarf_siblingof(&child, &child) == 0);
}

static bool fortran(Dwarf_Die *cu)
{
	switch (dwarf_srclang(cu)) {
	case DW_LANG_Fortran77:
	case DW_LANG_Fortran90:
	case DW_LANG_Fortran95:
	case DW_LANG_Fortran03:
	case DW_LANG_Fortran08:
	case 0x2d: /* DW_LANG_Fortran18 */
		return true;
	}
	return false;
}

/* Builds di->index: names every function with code, once. */
static struct name_index *index_build(struct debuginfo *di)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie;
	uint8_t unit_type;
	Dwarf_Half version;

	struct pendings later = { 0 };

	if (di->index)
		return di->index;
	di->index = xcalloc(1, sizeof(*di->index));
	while (dwarf_get_units(di->dw, cu, &cu, &version, &unit_type, &cudie,
			       &subdie) == 0) {
		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
			continue;
		index_walk(di->index, &later, &cudie, &cudie, "",
			   fortran(&cudie), 0);
	}
	/* Everything else is named: now those that complete it (the list
	 * grows as their children are walked). */
	for (size_t i = 0; i < later.n; i++) {
		struct pending p = later.v[i];
		Dwarf_Die target;
		const char *q = qmap_get(&di->index->names, p.die.addr);

		if (!q && completes(&p.die, &target))
			q = qmap_put(&di->index->names, p.die.addr,
				     xstrdup(qname_of(di->index, &target, 1)));
		if (q)
			index_visit(di->index, &later, &p.cu, &p.die, q, p.fold,
				    p.depth);
	}
	free(later.v);
	return di->index;
}

static void index_free(struct name_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++) {
		free((char *)ix->fns[i].name.plain);
		free((char *)ix->fns[i].name.plain_base);
	}
	free(ix->fns);
	qmap_free(&ix->names);
	free(ix);
}

/* --- parameter types, to tell overloads apart --- */

static void type_name(struct name_index *ix, struct sbuf *b, Dwarf_Die *t,
		      int depth);

/* The type of `die` (a parameter, a function, a modifier), or void. */
static void type_of(struct name_index *ix, struct sbuf *b, Dwarf_Die *die,
		    int depth)
{
	Dwarf_Attribute attr;
	Dwarf_Die t;

	if (dwarf_attr_integrate(die, DW_AT_type, &attr) &&
	    dwarf_formref_die(&attr, &t))
		type_name(ix, b, &t, depth + 1);
	else
		sb_add(b, "void");
}

/* "(int, char const*)" from the formal parameters below `die`; *is_const
 * (when not NULL) tells a C++ method whose `this` points to const. */
static void param_list(struct name_index *ix, struct sbuf *b, Dwarf_Die *die,
		       bool *is_const, int depth)
{
	Dwarf_Die child;
	bool first = true;

	sb_add(b, "(");
	if (dwarf_child(die, &child) == 0) {
		do {
			int tag = dwarf_tag(&child);
			Dwarf_Attribute attr;
			bool artificial = false;

			if (tag == DW_TAG_unspecified_parameters) {
				sb_add(b, first ? "..." : ", ...");
				first = false;
				continue;
			}
			if (tag != DW_TAG_formal_parameter)
				continue;
			if (dwarf_attr_integrate(&child, DW_AT_artificial, &attr))
				dwarf_formflag(&attr, &artificial);
			if (artificial) {
				/* `this`: a pointer, to const for a const
				 * method. */
				struct sbuf t = { 0 };

				type_of(ix, &t, &child, depth);
				if (is_const && t.len >= 7 &&
				    !strcmp(t.s + t.len - 7, " const*"))
					*is_const = true;
				free(t.s);
				continue;
			}
			if (!first)
				sb_add(b, ", ");
			type_of(ix, b, &child, depth);
			first = false;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	sb_add(b, ")");
}

/* A type as c++filt would write it: "char const*", "std::vector<int,
 * std::allocator<int> >&", "void (*)(int)".  Rust names its pointer types
 * itself ("&mut r::Store"): those names are used as they are. */
static void type_name(struct name_index *ix, struct sbuf *b, Dwarf_Die *t,
		      int depth)
{
	const char *name = dwarf_diename(t);
	const char *suffix;
	Dwarf_Attribute attr;
	Dwarf_Die inner;

	if (depth > 12) {
		sb_add(b, "...");
		return;
	}
	switch (dwarf_tag(t)) {
	case DW_TAG_pointer_type:
		suffix = "*";
		break;
	case DW_TAG_reference_type:
		suffix = "&";
		break;
	case DW_TAG_rvalue_reference_type:
		suffix = "&&";
		break;
	case DW_TAG_const_type:
		suffix = " const";
		break;
	case DW_TAG_volatile_type:
		suffix = " volatile";
		break;
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		suffix = "";
		break;
	case DW_TAG_array_type:
		type_of(ix, b, t, depth);
		sb_add(b, "[]");
		return;
	case DW_TAG_subroutine_type:
		type_of(ix, b, t, depth);
		sb_add(b, " ");
		param_list(ix, b, t, NULL, depth);
		return;
	case DW_TAG_base_type:
	case DW_TAG_unspecified_type:
		sb_add(b, name ? name : "?");
		return;
	default: /* typedefs, classes, structures, unions, enumerations */
		sb_add(b, name ? qname_of(ix, t, 0) : "{unnamed}");
		return;
	}
	if (name) {
		sb_add(b, name);
		return;
	}
	if (*suffix == '*' && dwarf_attr_integrate(t, DW_AT_type, &attr) &&
	    dwarf_formref_die(&attr, &inner) &&
	    dwarf_tag(&inner) == DW_TAG_subroutine_type) {
		type_of(ix, b, &inner, depth);
		sb_add(b, " (*)");
		param_list(ix, b, &inner, NULL, depth);
		return;
	}
	type_of(ix, b, t, depth);
	sb_add(b, suffix);
}

/* The parameter types of function `die`, from its declaration (where a
 * member function's parameters have their types and `this` is marked). */
static char *params_of(struct name_index *ix, Dwarf_Die *die)
{
	Dwarf_Die root = *die, target;
	struct sbuf b = { 0 };
	bool is_const = false;

	for (int i = 0; i < 8 && completes(&root, &target); i++)
		root = target;
	param_list(ix, &b, &root, &is_const, 0);
	if (is_const)
		sb_add(&b, " const");
	return sb_take(&b);
}

/* --- a function's lines --- */

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

/* A source file, as the rows of a line table are compared with it: its
 * name in its own unit, and made absolute (for rows of another unit). */
struct source {
	const char *name;
	char *abs;
};

/* Whether `src`, a file name of unit `cu`, is `file`. */
static bool is_source(Dwarf_Die *cu, const char *src, const struct source *file)
{
	char *abs;
	bool same;

	if (!strcmp(src, file->name))
		return true;
	abs = absolute_path(cu, src);
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

struct rows {
	struct di_row *v;
	size_t n;
};

static void rows_add(struct rows *r, uint64_t addr, unsigned line)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n].addr = addr;
	r->v[r->n].line = line;
	r->n++;
}

/* Which rows of a unit's line table are a function's. */
struct row_filter {
	const struct ranges *in;        /* inside these */
	const struct ranges *out;       /* and outside these */
	const struct source *file;
	unsigned lo, hi;                /* on lines lo..hi */
};

/* Appends the is_stmt rows of unit `cu` that `rf` lets through, the last
 * one of an address where several follow each other. */
static void rows_collect(struct debuginfo *di, Dwarf_Die *cu,
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
		    (unsigned)line > rf->hi || !ranges_has(rf->in, addr) ||
		    ranges_has(rf->out, addr))
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
static void rows_finish(struct rows *r)
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
static bool copy_entry(Dwarf_Die *die, const struct ranges *rg,
		       const struct ranges *host, uint64_t *entry)
{
	Dwarf_Addr pc;

	if (!rg->n)
		return false;
	if (dwarf_entrypc(die, &pc) == 0 &&
	    (ranges_has(rg, pc) || ranges_has(host, pc))) {
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
static const char *call_site(Dwarf_Die *cu, Dwarf_Die *die, unsigned *line)
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
static unsigned call_line(Dwarf_Die *cu, Dwarf_Die *die,
			  const struct source *file)
{
	unsigned line;
	const char *name = call_site(cu, die, &line);

	return line && name && is_source(cu, name, file) ? line : 0;
}

/* Appends, for each inlined subroutine directly in `die` (not inside
 * another) of function code `host`, a row of its calling line in `file`
 * where its code begins. */
static void call_rows(struct debuginfo *di, Dwarf_Die *cu, Dwarf_Die *die,
		      const struct ranges *host, const struct source *file,
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
			die_ranges(&child, &rg);
			line = call_line(cu, &child, file);
			if (line && copy_entry(&child, &rg, host, &entry))
				rows_add(r, entry + di->bias, line);
			free(rg.v);
			break;
		case DW_TAG_subprogram:
			break;
		default:
			if (dwarf_haschildren(&child))
				call_rows(di, cu, &child, host, file, r,
					  depth + 1);
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static void range_copy(const struct ranges *from, uint64_t bias,
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
static void rows_merge_calls(struct rows *r, struct rows *calls)
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
	calls->n = 0;
}

/* Sets first_line and last_line of `f` from its rows and those of its
 * copies, the declaration first. */
static void line_span(struct di_function *f, int decl_line)
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
static int describe(struct debuginfo *di, Dwarf_Die *cu, Dwarf_Die *die,
		    const char *name, struct di_function *f)
{
	struct ranges own = { 0 }, inl = { 0 };
	const char *decl_file = dwarf_decl_file(die);
	int decl_line = 0;
	Dwarf_Addr entry;
	struct source file;
	struct rows r = { 0 }, calls = { 0 };
	struct row_filter rf = { &own, &inl, &file, 1, UINT_MAX };

	memset(f, 0, sizeof(*f));
	dwarf_decl_line(die, &decl_line);
	if (!decl_file || dwarf_entrypc(die, &entry) != 0)
		return -1;
	file.name = decl_file;
	file.abs = absolute_path(cu, decl_file);
	die_ranges(die, &own);
	inlined_ranges(die, &inl);
	rows_collect(di, cu, &rf, &r);
	call_rows(di, cu, die, &own, &file, &calls, 0);
	rows_merge_calls(&r, &calls);
	if (own.n == 1) {
		f->code.lo = own.v[0].lo + di->bias;
		f->code.hi = own.v[0].hi + di->bias;
	}
	range_copy(&inl, di->bias, &f->inlined, &f->ninlined);
	free(own.v);
	free(inl.v);
	if (!r.n) {
		free(f->inlined);
		f->inlined = NULL;
		free(file.abs);
		return -1;
	}
	rows_finish(&r);
	f->rows = r.v;
	f->nrows = r.n;
	f->name = xstrdup(name);
	f->file = file.abs;
	line_span(f, decl_line);
	f->entry = entry + di->bias;
	return 0;
}

/* Fills `f` for abstract instance `die`, a function with no code of its
 * own (all its calls were inlined): its copies come later, and its lines
 * with them (an implicit constructor has no declaration line). */
static int describe_abstract(Dwarf_Die *cu, Dwarf_Die *die, const char *name,
			     struct di_function *f)
{
	const char *decl_file = dwarf_decl_file(die);
	int decl_line = 0;

	memset(f, 0, sizeof(*f));
	if (!decl_file)
		return -1;
	dwarf_decl_line(die, &decl_line);
	f->name = xstrdup(name);
	f->file = absolute_path(cu, decl_file);
	f->first_line = f->last_line = decl_line > 0 ? (unsigned)decl_line : 0;
	return 0;
}

/* --- inlined copies --- */

/* The abstract instance that `die` (a function's DIE or an inlined
 * subroutine) names with DW_AT_abstract_origin, or `die` itself; false
 * when it has none (it was never inlined).  Whatever DW_AT_inline says:
 * GCC writes "declared inline but ignored" for functions it did inline. */
static bool abstract_root(Dwarf_Die *die, Dwarf_Die *root)
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
		} else if (scope_tag(dwarf_tag(&child))) {
			n = next_decl(&child, file, line, depth + 1);
			if (n < best)
				best = n;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return best;
}

/* Deepest nesting of inlined subroutines followed. */
#define MAX_OUTER 64

/* A function whose copies are looked for. */
struct origin {
	uint64_t id;             /* its abstract instance's DIE offset */
	struct di_function *f;   /* where its copies go (index below) */
	size_t fn;
	struct source file;
	unsigned lo, hi;         /* its lines */
};

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

	die_ranges(die, &rg);
	if (!copy_entry(die, &rg, &w->host_ranges, &entry)) {
		free(rg.v);
		return;
	}
	inlined_ranges(die, &nested);
	/* Its lines, the one where it begins too. */
	for (size_t i = 0; i < rg.n; i++)
		ranges_add(&in, rg.v[i].lo, rg.v[i].hi);
	ranges_add(&in, entry, entry + 1);
	rows_collect(di, &w->cu, &rf, &r);
	call_rows(di, &w->cu, die, &w->host_ranges, &o->file, &calls, 0);
	rows_merge_calls(&r, &calls);
	rows_finish(&r);
	free(in.v);
	f->copies = xrealloc(f->copies, (f->ncopies + 1) * sizeof(*f->copies));
	c = &f->copies[f->ncopies++];
	memset(c, 0, sizeof(*c));
	c->id = dwarf_dieoffset(die);
	c->entry = entry + di->bias;
	range_copy(&rg, di->bias, &c->ranges, &c->nranges);
	c->rows = r.v;
	c->nrows = r.n;
	range_copy(&w->host_ranges, di->bias, &c->host, &c->nhost);
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
			struct source src = { name, absolute_path(&cu, name) };

			c->call_line = call_line(&w->cu, die, &src);
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
	die_ranges(die, &w->host_ranges);
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
			if (abstract_root(&child, &root)) {
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
		else if (scope_tag(tag) && dwarf_haschildren(&child))
			walk_scopes(w, &child, depth + 1);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* Finds the copies of the functions `origins` in every unit of `di`. */
static void find_copies(struct debuginfo *di, struct di_functions *out,
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

/* Whether `out` already has the function at `entry` of `di` (the one of
 * abstract instance `origin`, for a function without code). */
static bool listed(const struct di_functions *out, const struct debuginfo *di,
		   uint64_t entry, uint64_t origin)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].di == di &&
		    (entry ? out->v[i].entry == entry :
			     !out->v[i].entry && out->v[i].origin == origin))
			return true;
	return false;
}

/* Whether a function of `di` in `out` has the copies of `origin`. */
static bool has_copies_of(const struct di_functions *out,
			  const struct debuginfo *di, uint64_t origin)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].di == di && out->v[i].origin == origin)
			return true;
	return false;
}

static void di_function_free(struct di_function *f)
{
	free(f->name);
	free(f->qname);
	free(f->params);
	free(f->file);
	free(f->rows);
	free(f->inlined);
	for (size_t i = 0; i < f->ncopies; i++) {
		free(f->copies[i].ranges);
		free(f->copies[i].rows);
		free(f->copies[i].host);
		free(f->copies[i].outer);
	}
	free(f->copies);
}

/* Makes the names in `fns` unique: a name shared by several functions
 * (overloads, or static functions of the same name in several files)
 * gets their parameter types, and where that is not enough their
 * file:line. */
static void unique_names(struct di_functions *fns)
{
	bool *dup = xcalloc(fns->n, sizeof(*dup));

	for (size_t i = 0; i < fns->n; i++)
		if (fns->v[i].qname) {
			free(fns->v[i].name);
			fns->v[i].name = xstrdup(fns->v[i].qname);
		}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < fns->n; i++) {
			dup[i] = false;
			for (size_t j = 0; j < fns->n && !dup[i]; j++)
				dup[i] = j != i && fns->v[i].qname &&
					 !strcmp(fns->v[i].name, fns->v[j].name);
		}
		for (size_t i = 0; i < fns->n; i++) {
			struct di_function *f = &fns->v[i];
			const char *file;
			char *s;

			if (!dup[i])
				continue;
			if (pass == 0) {
				s = xmalloc(strlen(f->name) +
					    strlen(f->params ? f->params : "") + 1);
				sprintf(s, "%s%s", f->name,
					f->params ? f->params : "");
			} else {
				file = strrchr(f->file, '/');
				file = file ? file + 1 : f->file;
				s = xmalloc(strlen(f->name) + strlen(file) + 16);
				sprintf(s, "%s at %s:%u", f->name, file,
					f->first_line);
			}
			free(f->name);
			f->name = s;
		}
	}
	free(dup);
}

enum which { BY_PATTERN, FLAGGED_MAIN, GLOBAL_MAIN };

static bool hits(enum which which, const char *pattern,
		 const struct fn_entry *e)
{
	switch (which) {
	case FLAGGED_MAIN:
		return e->main_subprogram;
	case GLOBAL_MAIN:
		return !strcmp(e->name.qname, "main");
	default:
		return names_match(pattern, &e->name);
	}
}

/* Records that the copies of abstract instance `root` go to out->v[fn]. */
static void want_copies(struct origin **v, size_t *n, Dwarf_Die *root,
			size_t fn)
{
	struct origin *o;
	const char *name = dwarf_decl_file(root);
	int decl_line = 0;
	Dwarf_Die cu;

	if (!name || !dwarf_diecu(root, &cu, NULL, NULL))
		return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	o = &(*v)[(*n)++];
	o->id = dwarf_dieoffset(root);
	o->fn = fn;
	o->file.name = name;
	o->file.abs = absolute_path(&cu, name);
	dwarf_decl_line(root, &decl_line);
	o->lo = decl_line > 0 ? (unsigned)decl_line : 1;
	o->hi = decl_line > 0 ? next_decl(&cu, name, o->lo, 0) - 1 : UINT_MAX;
}

/* Appends the functions `pattern` names (see debuginfo.h) to `out`;
 * returns how many it appended.  *named counts the functions named,
 * *described those of them with line information (listed or not). */
static size_t match(struct debuginfo *di, const char *pattern,
		    struct di_functions *out, size_t *named, size_t *described)
{
	struct name_index *ix = index_build(di);
	size_t before = out->n, norigins = 0, k;
	enum which which = BY_PATTERN;
	struct origin *origins = NULL;

	*named = *described = 0;
	if (!strcmp(pattern, "main")) {
		for (size_t i = 0; i < ix->n && which == BY_PATTERN; i++)
			if (ix->fns[i].main_subprogram)
				which = FLAGGED_MAIN;
		for (size_t i = 0; i < ix->n && which == BY_PATTERN; i++)
			if (!strcmp(ix->fns[i].name.qname, "main"))
				which = GLOBAL_MAIN;
	}
	/* Functions with code first: the copies of one that was also
	 * inlined go to its table, not to its abstract instance's. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ix->n; i++) {
			struct fn_entry *e = &ix->fns[i];
			struct di_function f;
			Dwarf_Die root;
			bool inlined;
			uint64_t id;

			if (e->abstract != (pass == 1) || !hits(which, pattern, e))
				continue;
			(*named)++;
			inlined = abstract_root(&e->die, &root);
			id = inlined ? dwarf_dieoffset(&root) : 0;
			if (pass == 0 ?
				    describe(di, &e->cu, &e->die, e->name.qname, &f) < 0 :
				    !inlined || has_copies_of(out, di, id) ||
					    describe_abstract(&e->cu, &e->die,
							      e->name.qname, &f) < 0)
				continue;
			*described += pass == 0;
			if (listed(out, di, f.entry, id)) {
				di_function_free(&f);
				continue;
			}
			f.qname = xstrdup(e->name.qname);
			f.params = params_of(ix, &e->die);
			f.di = di;
			if (inlined && !has_copies_of(out, di, id)) {
				f.origin = id;
				want_copies(&origins, &norigins, &root, out->n);
			}
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(f));
			out->v[out->n++] = f;
		}
	if (norigins)
		find_copies(di, out, origins, norigins);
	for (size_t i = 0; i < norigins; i++)
		free(origins[i].file.abs);
	free(origins);
	/* A function without code and without copies is not there. */
	k = before;
	for (size_t i = before; i < out->n; i++) {
		struct di_function *f = &out->v[i];

		if (!f->entry && !f->ncopies) {
			di_function_free(f);
			continue;
		}
		*described += !f->entry;
		if (f->ncopies)
			line_span(f, (int)f->first_line);
		if (!f->first_line) { /* no line at all */
			*described -= !f->entry;
			di_function_free(f);
			continue;
		}
		out->v[k++] = *f;
	}
	out->n = k;
	if (out->n > before)
		unique_names(out);
	return out->n - before;
}

/* --- suggestions for a name that is not there --- */

#define MAX_SUGGESTIONS 3

static int not_found(struct debuginfo *di, const char *pattern)
{
	struct name_index *ix = index_build(di);
	const char *best[MAX_SUGGESTIONS];
	size_t dist[MAX_SUGGESTIONS], n = 0, limit;
	char list[512] = "";
	size_t len = 0;

	if (names_is_glob(pattern))
		return mp_error("no function matches '%s' in '%s'", pattern,
				di->shown);
	limit = strlen(pattern) / 3 > 2 ? strlen(pattern) / 3 : 2;
	for (size_t k = 0; k < ix->n; k++) {
		const struct fn_name *fn = &ix->fns[k].name;
		const char *shown = fn->plain ? fn->plain : fn->qname;
		size_t d = names_distance(pattern, fn), i;
		bool seen = false;

		if (d > limit && !strstr(shown, pattern))
			continue;
		for (i = 0; i < n && !seen; i++)
			seen = !strcmp(best[i], shown);
		if (seen)
			continue;
		for (i = n; i > 0 && dist[i - 1] > d; i--)
			if (i < MAX_SUGGESTIONS) {
				best[i] = best[i - 1];
				dist[i] = dist[i - 1];
			}
		if (i < MAX_SUGGESTIONS) {
			best[i] = shown;
			dist[i] = d;
			if (n < MAX_SUGGESTIONS)
				n++;
		}
	}
	if (!n)
		return mp_error("function '%s' not found in '%s'", pattern,
				di->shown);
	/* Long qualified names leave room for far ones: only the nearest. */
	while (n > 1 && dist[n - 1] > dist[0] + 1)
		n--;
	for (size_t i = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
					"%s'%s'", i ? ", " : "", best[i]);
	return mp_error("function '%s' not found in '%s' (did you mean %s?)",
			pattern, di->shown, list);
}

int debuginfo_find(struct debuginfo *di, const char *pattern,
		   struct di_functions *out)
{
	size_t named, described;

	match(di, pattern, out, &named, &described);
	if (described)
		return 0;
	if (named)
		return mp_error("'%s' has no line information for '%s'; rebuild it with -g",
				di->shown, pattern);
	return not_found(di, pattern);
}

void di_functions_free(struct di_functions *fns)
{
	for (size_t i = 0; i < fns->n; i++)
		di_function_free(&fns->v[i]);
	free(fns->v);
	fns->v = NULL;
	fns->n = 0;
}

/* --- what the dynamic linker needs from us --- */

int debuginfo_lookup(struct debuginfo *di, const char *name,
		     struct di_functions *out)
{
	size_t named, described;

	match(di, name, out, &named, &described);
	return (int)described;
}

static Elf *module_elf(const struct debuginfo *di)
{
	GElf_Addr bias;

	return dwfl_module_getelf(di->mod, &bias);
}

char *debuginfo_interp(const struct debuginfo *di)
{
	Elf *elf = module_elf(di);
	size_t nph;

	if (!elf || elf_getphdrnum(elf, &nph) < 0)
		return NULL;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		size_t size;
		char *raw;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		raw = elf_rawfile(elf, &size);
		if (!raw || ph.p_offset >= size || ph.p_filesz == 0 ||
		    ph.p_filesz > size - ph.p_offset ||
		    raw[ph.p_offset + ph.p_filesz - 1] != '\0')
			return NULL;
		return xstrdup(raw + ph.p_offset);
	}
	return NULL;
}

/* Calls `visit` on every symbol of the dynamic and static symbol tables;
 * stops when it returns non-zero and returns that. */
static int each_symbol(Elf *elf, int (*visit)(const char *, const GElf_Sym *,
					      void *), void *arg)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &shdr) ||
		    (shdr.sh_type != SHT_DYNSYM && shdr.sh_type != SHT_SYMTAB) ||
		    !shdr.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		n = shdr.sh_size / shdr.sh_entsize;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			int rc;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    !(name = elf_strptr(elf, shdr.sh_link, sym.st_name)))
				continue;
			if ((rc = visit(name, &sym, arg)))
				return rc;
		}
	}
	return 0;
}

struct sym_query {
	const char *name;
	bool defined;     /* want a definition (else an import) */
	uint64_t value;
};

static int sym_visit(const char *name, const GElf_Sym *sym, void *arg)
{
	struct sym_query *q = arg;

	if (strcmp(name, q->name))
		return 0;
	if (q->defined != (sym->st_shndx != SHN_UNDEF))
		return 0;
	q->value = sym->st_value;
	return 1;
}

int debuginfo_imports(const struct debuginfo *di, const char *name)
{
	struct sym_query q = { .name = name, .defined = false };
	Elf *elf = module_elf(di);

	return elf && each_symbol(elf, sym_visit, &q);
}

int debuginfo_symbol(const char *path, const char *name, uint64_t *value)
{
	struct sym_query q = { .name = name, .defined = true };
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && each_symbol(elf, sym_visit, &q)) {
		*value = q.value;
		rc = 0;
	}
	elf_end(elf);
	close(fd);
	return rc;
}

/* --- symbolizing addresses of a live process --- */

struct di_symbolizer {
	Dwfl_Callbacks cb;
	Dwfl *dwfl;
	char *debuginfo_path;
	pid_t pid;
};

static int symbolizer_report(struct di_symbolizer *s)
{
	if (s->dwfl)
		dwfl_end(s->dwfl);
	s->dwfl = dwfl_begin(&s->cb);
	if (!s->dwfl)
		return -1;
	dwfl_report_begin(s->dwfl);
	if (dwfl_linux_proc_report(s->dwfl, s->pid) != 0) {
		dwfl_report_end(s->dwfl, NULL, NULL);
		return -1;
	}
	dwfl_report_end(s->dwfl, NULL, NULL);
	return 0;
}

/* System libraries' separate debug files (libc6-dbg and the like) are
 * tens of MiB of DWARF: their frames are named from their symbol tables
 * only, the program's own get files and lines. */
static int find_debuginfo_not_system(Dwfl_Module *mod, void **userdata,
				     const char *modname, Dwarf_Addr base,
				     const char *file_name,
				     const char *debuglink_file,
				     GElf_Word debuglink_crc,
				     char **debuginfo_file_name)
{
	const char *name = file_name ? file_name : modname;

	if (name && (!strncmp(name, "/lib/", 5) || !strncmp(name, "/usr/lib/", 9) ||
		     !strncmp(name, "/lib64/", 7) || !strncmp(name, "/usr/lib64/", 11)))
		return -1;
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base,
					    file_name, debuglink_file,
					    debuglink_crc, debuginfo_file_name);
}

struct di_symbolizer *di_symbolizer_new(pid_t pid)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = find_debuginfo_not_system,
	};
	struct di_symbolizer *s = xcalloc(1, sizeof(*s));

	s->cb = cb;
	s->cb.debuginfo_path = &s->debuginfo_path;
	s->pid = pid;
	if (symbolizer_report(s) < 0) {
		di_symbolizer_free(s);
		return NULL;
	}
	return s;
}

void di_symbolizer_free(struct di_symbolizer *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s);
}

/* The places of the inlined calls whose code `pc` of `mod` is in,
 * innermost first, from `line`; *line becomes the outermost call's. */
static size_t inlined_places(Dwfl_Module *mod, uint64_t pc, const char *file,
			     unsigned *line, struct di_place *out, size_t max)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, &bias), *scopes = NULL;
	int n = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
	size_t k = 0;
	char *where = file ? xstrdup(file) : NULL;

	for (int i = 0; i < n && k < max; i++) {
		const char *name, *f;

		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		name = dwarf_diename(&scopes[i]);
		out[k].function = xstrdup(name ? name : "??");
		out[k].file = where;
		out[k].line = *line;
		k++;
		/* The next place out is where this call was made. */
		f = call_site(cu, &scopes[i], line);
		where = f ? absolute_path(cu, f) : NULL;
	}
	free(scopes);
	if (!k)
		free(where);
	else
		out[k].file = where; /* the caller's, set by the caller */
	return k;
}

size_t di_symbolize(struct di_symbolizer *s, uint64_t pc, struct di_place *out,
		    size_t max)
{
	Dwfl_Module *mod;
	const char *name, *file = NULL;
	Dwfl_Line *line;
	int lineno = 0;
	size_t k = 0;
	char *path = NULL;
	unsigned at;

	if (!max)
		return 0;
	mod = dwfl_addrmodule(s->dwfl, pc);
	memset(out, 0, sizeof(*out));
	if (!mod) {
		/* Loaded since the last look: look again, once. */
		if (symbolizer_report(s) < 0 || !(mod = dwfl_addrmodule(s->dwfl, pc)))
			return 1;
	}
	name = dwfl_module_addrname(mod, pc);
	if ((line = dwfl_module_getsrc(mod, pc)))
		file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (!name) {
		/* No symbol: say which object at least. */
		const char *mname = dwfl_module_info(mod, NULL, NULL, NULL, NULL,
						     NULL, NULL, NULL);
		const char *slash = mname ? strrchr(mname, '/') : NULL;
		char buf[256];

		snprintf(buf, sizeof(buf), "?? (%s)",
			 slash ? slash + 1 : mname ? mname : "unknown");
		out->function = xstrdup(buf);
	} else {
		out->function = xstrdup(name);
	}
	/* A symbol version is noise here. */
	out->function[strcspn(out->function, "@")] = '\0';
	if (file && file[0] != '/' && dwfl_line_comp_dir(line)) {
		const char *dir = dwfl_line_comp_dir(line);

		path = xmalloc(strlen(dir) + strlen(file) + 2);
		sprintf(path, "%s/%s", dir, file);
	} else {
		path = file ? xstrdup(file) : NULL;
	}
	at = lineno > 0 ? (unsigned)lineno : 0;
	/* Inlined calls first: the symbol's function is the outermost. */
	if (max > 1 && path) {
		struct di_place fn = *out;

		k = inlined_places(mod, pc, path, &at, out, max - 1);
		if (k) {
			free(path);
			path = out[k].file;
			out[k] = fn;
		}
	}
	out[k].file = path;
	out[k].line = at;
	return k + 1;
}

void di_place_release(struct di_place *p)
{
	free(p->function);
	free(p->file);
	memset(p, 0, sizeof(*p));
}

/* --- --line=FILE:FROM-TO --- */

/* Whether `path` names `file`: the same, or ending in "/file". */
static bool same_file(const char *path, const char *file)
{
	size_t lp = strlen(path), lf = strlen(file);

	if (lp == lf)
		return !strcmp(path, file);
	return lp > lf && path[lp - lf - 1] == '/' && !strcmp(path + lp - lf, file);
}

int debuginfo_find_lines(struct debuginfo *di, const char *file,
			 unsigned from, unsigned to, struct di_functions *out)
{
	struct name_index *ix = index_build(di);
	int found = 0;

	for (size_t i = 0; i < ix->n; i++) {
		struct fn_entry *e = &ix->fns[i];
		struct di_function f;
		bool inside = false;

		if (describe(di, &e->cu, &e->die, e->name.qname, &f) < 0)
			continue;
		if (same_file(f.file, file))
			for (size_t r = 0; r < f.nrows && !inside; r++)
				inside = f.rows[r].line >= from && f.rows[r].line <= to;
		if (!inside || listed(out, di, f.entry, 0)) {
			di_function_free(&f);
			continue;
		}
		/* The table is the range; the calls still begin at the
		 * function's own header, outside it. */
		f.header_line = f.first_line;
		f.first_line = from;
		f.last_line = to;
		f.qname = xstrdup(e->name.qname);
		f.params = params_of(ix, &e->die);
		f.di = di;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(f));
		out->v[out->n++] = f;
		found++;
	}
	if (found)
		unique_names(out);
	return found;
}

int debuginfo_find_at(struct debuginfo *di, uint64_t entry,
		      struct di_functions *out)
{
	struct name_index *ix = index_build(di);

	if (listed(out, di, entry, 0))
		return 0;
	for (size_t i = 0; i < ix->n; i++) {
		struct fn_entry *e = &ix->fns[i];
		struct di_function f;
		Dwarf_Addr pc;

		if (dwarf_entrypc(&e->die, &pc) != 0 || pc + di->bias != entry)
			continue;
		if (describe(di, &e->cu, &e->die, e->name.qname, &f) < 0)
			return 0;
		f.qname = xstrdup(e->name.qname);
		f.params = params_of(ix, &e->die);
		f.di = di;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(f));
		out->v[out->n++] = f;
		unique_names(out);
		return 1;
	}
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

/* The rule at `addr` in `cfi` (whose addresses are `bias` below ours). */
static int cfa_rule(Dwarf_CFI *cfi, Dwarf_Addr bias, uint64_t addr, int *reg,
		    int64_t *off)
{
	Dwarf_Frame *frame = NULL;
	Dwarf_Op *ops;
	size_t nops = 0;
	int rc = -1;

	if (!cfi || addr < bias || dwarf_cfi_addrframe(cfi, addr - bias, &frame) != 0)
		return -1;
	if (dwarf_frame_cfa(frame, &ops, &nops) == 0 && nops == 1) {
		if (ops[0].atom == DW_OP_bregx) {
			*reg = (int)ops[0].number;
			*off = (int64_t)ops[0].number2;
			rc = 0;
		} else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
			*reg = ops[0].atom - DW_OP_breg0;
			*off = (int64_t)ops[0].number;
			rc = 0;
		}
	}
	free(frame);
	return rc;
}

int debuginfo_cfa(const struct debuginfo *di, uint64_t addr, int *reg,
		  int64_t *off)
{
	Dwarf_Addr bias = 0;
	Dwarf_CFI *cfi = dwfl_module_eh_cfi(di->mod, &bias);

	if (cfa_rule(cfi, bias, addr, reg, off) == 0)
		return 0;
	cfi = dwfl_module_dwarf_cfi(di->mod, &bias);
	return cfa_rule(cfi, bias, addr, reg, off);
}

int debuginfo_has_marks(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf *elf;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_getshdrstrndx(elf, &shstrndx) == 0)
		while (!found && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr shdr;
			const char *name;

			if (gelf_getshdr(scn, &shdr) &&
			    (name = elf_strptr(elf, shstrndx, shdr.sh_name)))
				found = !strcmp(name, ".memprof.functions") &&
					shdr.sh_size > 0;
		}
	elf_end(elf);
	close(fd);
	return found;
}
