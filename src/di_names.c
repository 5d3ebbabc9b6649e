/* SPDX-License-Identifier: MIT */
/* di_names.c - names of the functions in the DWARF: the index built on
 * the first lookup, the parameter types that tell overloads apart, and
 * the suggestions for a name that is not there.  The rules for matching
 * a name are names.c's; finding the functions it names, di_find.c's.
 *
 * A function's qualified name is built from the DIE tree: the scopes
 * around its declaration (namespaces, classes, Fortran modules, the
 * function around a nested one), then its own DW_AT_name.  A member
 * function's definition usually sits at the unit's top level and names
 * its declaration inside the class with DW_AT_specification; a concrete
 * out-of-line copy names its abstract instance with DW_AT_abstract_origin:
 * both take the name of the DIE they complete.  Names are computed once,
 * on the first lookup, for every function with code (the index).
 */
#include "debuginfo_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

bool di_scope_tag(int tag)
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
	if (!*prefix)
		return xstrdup(name);
	return xasprintf("%s::%s", prefix, name);
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
		if (di_scope_tag(dwarf_tag(&scopes[i]))) {
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
	ARRAY_GROW(ix->fns, ix->n + 1, ix->cap);
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

		if (!di_scope_tag(dwarf_tag(&child)))
			continue;
		q = qmap_get(&ix->names, child.addr);
		if (!q && completes(&child, &target)) {
			ARRAY_GROW(later->v, later->n + 1, later->cap);
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
struct name_index *di_index_build(struct debuginfo *di)
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

void di_index_free(struct name_index *ix)
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

static void type_name(struct name_index *ix, struct strbuf *b, Dwarf_Die *t,
		      int depth);

/* The type of `die` (a parameter, a function, a modifier), or void. */
static void type_of(struct name_index *ix, struct strbuf *b, Dwarf_Die *die,
		    int depth)
{
	Dwarf_Attribute attr;
	Dwarf_Die t;

	if (dwarf_attr_integrate(die, DW_AT_type, &attr) &&
	    dwarf_formref_die(&attr, &t))
		type_name(ix, b, &t, depth + 1);
	else
		strbuf_addstr(b, "void");
}

/* "(int, char const*)" from the formal parameters below `die`; *is_const
 * (when not NULL) tells a C++ method whose `this` points to const. */
static void param_list(struct name_index *ix, struct strbuf *b, Dwarf_Die *die,
		       bool *is_const, int depth)
{
	Dwarf_Die child;
	bool first = true;

	strbuf_addstr(b, "(");
	if (dwarf_child(die, &child) == 0) {
		do {
			int tag = dwarf_tag(&child);
			Dwarf_Attribute attr;
			bool artificial = false;

			if (tag == DW_TAG_unspecified_parameters) {
				strbuf_addstr(b, first ? "..." : ", ...");
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
				struct strbuf t = STRBUF_INIT;

				type_of(ix, &t, &child, depth);
				if (is_const && t.len >= 7 &&
				    !strcmp(t.buf + t.len - 7, " const*"))
					*is_const = true;
				strbuf_release(&t);
				continue;
			}
			if (!first)
				strbuf_addstr(b, ", ");
			type_of(ix, b, &child, depth);
			first = false;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	strbuf_addstr(b, ")");
}

/* A type as c++filt would write it: "char const*", "std::vector<int,
 * std::allocator<int> >&", "void (*)(int)".  Rust names its pointer types
 * itself ("&mut r::Store"): those names are used as they are. */
static void type_name(struct name_index *ix, struct strbuf *b, Dwarf_Die *t,
		      int depth)
{
	const char *name = dwarf_diename(t);
	const char *suffix;
	Dwarf_Attribute attr;
	Dwarf_Die inner;

	if (depth > 12) {
		strbuf_addstr(b, "...");
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
		strbuf_addstr(b, "[]");
		return;
	case DW_TAG_subroutine_type:
		type_of(ix, b, t, depth);
		strbuf_addstr(b, " ");
		param_list(ix, b, t, NULL, depth);
		return;
	case DW_TAG_base_type:
	case DW_TAG_unspecified_type:
		strbuf_addstr(b, name ? name : "?");
		return;
	default: /* typedefs, classes, structures, unions, enumerations */
		strbuf_addstr(b, name ? qname_of(ix, t, 0) : "{unnamed}");
		return;
	}
	if (name) {
		strbuf_addstr(b, name);
		return;
	}
	if (*suffix == '*' && dwarf_attr_integrate(t, DW_AT_type, &attr) &&
	    dwarf_formref_die(&attr, &inner) &&
	    dwarf_tag(&inner) == DW_TAG_subroutine_type) {
		type_of(ix, b, &inner, depth);
		strbuf_addstr(b, " (*)");
		param_list(ix, b, &inner, NULL, depth);
		return;
	}
	type_of(ix, b, t, depth);
	strbuf_addstr(b, suffix);
}

/* The parameter types of function `die`, from its declaration (where a
 * member function's parameters have their types and `this` is marked). */
char *di_params_of(struct name_index *ix, Dwarf_Die *die)
{
	Dwarf_Die root = *die, target;
	struct strbuf b = STRBUF_INIT;
	bool is_const = false;

	for (int i = 0; i < 8 && completes(&root, &target); i++)
		root = target;
	param_list(ix, &b, &root, &is_const, 0);
	if (is_const)
		strbuf_addstr(&b, " const");
	return strbuf_detach(&b);
}

/* --- suggestions for a name that is not there --- */

#define MAX_SUGGESTIONS 3

int di_not_found(struct debuginfo *di, const char *pattern)
{
	struct name_index *ix = di_index_build(di);
	const char *best[MAX_SUGGESTIONS];
	size_t dist[MAX_SUGGESTIONS], n = 0, limit;
	struct strbuf list = STRBUF_INIT;
	int rc;

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
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&list, "%s'%s'", i ? ", " : "", best[i]);
	rc = mp_error("function '%s' not found in '%s' (did you mean %s?)",
		      pattern, di->shown, list.buf);
	strbuf_release(&list);
	return rc;
}
