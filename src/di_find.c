/* SPDX-License-Identifier: MIT */
/* di_find.c - the lookups that fill a struct di_functions: by name
 * (--func, the marked functions, the dynamic linker's), by entry address
 * (--depth) and by line range (--line=FILE:FROM-TO).  Each function goes
 * in once and the names in a list are made unique; the names themselves
 * come from di_names.c, the line tables from di_lines.c, the inlined
 * copies from di_copies.c.
 */
#include "debuginfo_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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
				s = xasprintf("%s%s", f->name,
					      f->params ? f->params : "");
			} else {
				file = strrchr(f->file, '/');
				file = file ? file + 1 : f->file;
				s = xasprintf("%s at %s:%u", f->name, file,
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

/* Appends the functions `pattern` names (see debuginfo.h) to `out`;
 * returns how many it appended.  *named counts the functions named,
 * *described those of them with line information (listed or not). */
static size_t match(struct debuginfo *di, const char *pattern,
		    struct di_functions *out, size_t *named, size_t *described)
{
	struct name_index *ix = di_index_build(di);
	size_t before = out->n, norigins = 0, origins_cap = 0, k;
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
			inlined = di_abstract_root(&e->die, &root);
			id = inlined ? dwarf_dieoffset(&root) : 0;
			if (pass == 0 ?
				    di_describe(di, &e->cu, &e->die, e->name.qname, &f) < 0 :
				    !inlined || has_copies_of(out, di, id) ||
					    di_describe_abstract(&e->cu, &e->die,
								 e->name.qname, &f) < 0)
				continue;
			*described += pass == 0;
			if (listed(out, di, f.entry, id)) {
				di_function_free(&f);
				continue;
			}
			f.qname = xstrdup(e->name.qname);
			f.params = di_params_of(ix, &e->die);
			f.di = di;
			if (inlined && !has_copies_of(out, di, id)) {
				f.origin = id;
				di_want_copies(&origins, &norigins,
					       &origins_cap, &root, out->n);
			}
			ARRAY_GROW(out->v, out->n + 1, out->cap);
			out->v[out->n++] = f;
		}
	if (norigins)
		di_find_copies(di, out, origins, norigins);
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
			di_line_span(f, (int)f->first_line);
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
	return di_not_found(di, pattern);
}

void debuginfo_functions_free(struct di_functions *fns)
{
	for (size_t i = 0; i < fns->n; i++)
		di_function_free(&fns->v[i]);
	free(fns->v);
	fns->v = NULL;
	fns->n = fns->cap = 0;
}

int debuginfo_lookup(struct debuginfo *di, const char *name,
		     struct di_functions *out)
{
	size_t named, described;

	match(di, name, out, &named, &described);
	return (int)described;
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
	struct name_index *ix = di_index_build(di);
	int found = 0;

	for (size_t i = 0; i < ix->n; i++) {
		struct fn_entry *e = &ix->fns[i];
		struct di_function f;
		bool inside = false;

		if (di_describe(di, &e->cu, &e->die, e->name.qname, &f) < 0)
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
		f.params = di_params_of(ix, &e->die);
		f.di = di;
		ARRAY_GROW(out->v, out->n + 1, out->cap);
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
	struct name_index *ix = di_index_build(di);

	if (listed(out, di, entry, 0))
		return 0;
	for (size_t i = 0; i < ix->n; i++) {
		struct fn_entry *e = &ix->fns[i];
		struct di_function f;
		Dwarf_Addr pc;

		if (dwarf_entrypc(&e->die, &pc) != 0 || pc + di->bias != entry)
			continue;
		if (di_describe(di, &e->cu, &e->die, e->name.qname, &f) < 0)
			return 0;
		f.qname = xstrdup(e->name.qname);
		f.params = di_params_of(ix, &e->die);
		f.di = di;
		ARRAY_GROW(out->v, out->n + 1, out->cap);
		out->v[out->n++] = f;
		unique_names(out);
		return 1;
	}
	return 0;
}
