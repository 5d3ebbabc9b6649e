/* SPDX-License-Identifier: MIT */
/* program.c - which code is profiled, object by object.
 *
 * The executable is read before the program runs.  Libraries appear
 * later: the dynamic linker calls _dl_debug_state after every change of
 * its list of objects (r_debug.r_brk); a breakpoint there lets memprof walk
 * the list (r_debug.r_map) once it is consistent again, arm the functions
 * of objects that are new and forget those of objects that are gone.  A
 * new library's code has not run yet at that point (its constructors run
 * after), so its line starts can be patched like the executable's.
 *
 * Every object is read as the process sees it (/proc/PID/exe when
 * attached, /proc/PID/root for the dynamic linker and libraries: a
 * container's files, not memprof's) and patched only when its build-id is
 * the one mapped in the process.
 *
 * An exec of the profiled process starts it all again on the new image,
 * for the same selection.
 *
 * Which breakpoints a chosen function takes, its inlined copies' too, is
 * arming.c's; reading the linker's list out of the process, linkmap.c's.
 */
#define _GNU_SOURCE
#include "program.h"

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arming.h"
#include "debuginfo.h"
#include "flow.h"
#include "linkmap.h"
#include "util.h"


struct object {
	char *path;
	uint64_t bias;
	uint64_t lo, hi;     /* span of its breakpoints */
	bool present;        /* in the latest walk of the list */
};

struct program {
	struct profile *prof;
	char **wanted;       /* names to profile */
	bool *found;
	bool *in_exe;        /* found in the executable itself */
	size_t nwanted;
	bool by_marks;       /* no --func: libraries' marks count too */
	struct debuginfo *exe;
	char *exe_shown;
	char *interp;
	struct di_functions exe_fns;
	struct tracee *t;
	struct breakpoints *bps;
	uint64_t r_debug;    /* run-time address of _r_debug, 0 if static */
	bool started;        /* the program's own libraries are loaded */
	bool may_dlopen;
	struct object *objs;
	size_t nobjs, objs_cap;
	struct line_spec {
		char *file;
		unsigned from, to;
	} *lines;            /* --line ranges */
	size_t nlines, lines_cap;
	int depth;           /* --depth */
	void (*on_load)(void *ctx, const char *path, uint64_t bias);
	void *on_load_ctx;
};

void program_on_load(struct program *pg,
		     void (*fn)(void *ctx, const char *path, uint64_t bias),
		     void *ctx)
{
	pg->on_load = fn;
	pg->on_load_ctx = ctx;
}

static void want(struct program *pg, const char *name)
{
	for (size_t i = 0; i < pg->nwanted; i++)
		if (!strcmp(pg->wanted[i], name))
			return;
	pg->wanted = xrealloc(pg->wanted, (pg->nwanted + 1) * sizeof(char *));
	pg->found = xrealloc(pg->found, (pg->nwanted + 1) * sizeof(bool));
	pg->in_exe = xrealloc(pg->in_exe, (pg->nwanted + 1) * sizeof(bool));
	pg->in_exe[pg->nwanted] = false;
	pg->wanted[pg->nwanted] = xstrdup(name);
	pg->found[pg->nwanted++] = false;
}

struct program *program_new(struct profile *prof, char *const *funcs,
			    size_t nfuncs)
{
	struct program *pg = xcalloc(1, sizeof(*pg));

	pg->prof = prof;
	for (size_t i = 0; i < nfuncs; i++)
		want(pg, funcs[i]);
	pg->by_marks = !nfuncs;
	return pg;
}

void program_add_lines(struct program *pg, const char *file, unsigned from,
		       unsigned to)
{
	ARRAY_GROW(pg->lines, pg->nlines + 1, pg->lines_cap);
	pg->lines[pg->nlines].file = xstrdup(file);
	pg->lines[pg->nlines].from = from;
	pg->lines[pg->nlines].to = to;
	pg->nlines++;
	/* Lines alone: no marks, no main. */
	pg->by_marks = false;
}

void program_set_depth(struct program *pg, int depth)
{
	pg->depth = depth;
}

/* Most functions --depth adds, whatever the depth. */
#define MAX_EXPANDED 256
#define MAX_CALLS 1024

/* --depth: the functions called directly from the profiled ones, level
 * by level, from the code as loaded (at `bias`). */
static void expand(struct program *pg, uint64_t bias)
{
	size_t start = 0, added = 0;
	uint64_t *targets = xcalloc(MAX_CALLS, sizeof(*targets));

	for (int level = 0; level < pg->depth; level++) {
		size_t end = pg->exe_fns.n;

		for (size_t i = start; i < end && added < MAX_EXPANDED; i++) {
			const struct di_function *f = &pg->exe_fns.v[i];
			size_t n = (size_t)(f->code.hi - f->code.lo), k;
			uint8_t *code;

			if (!f->code.hi || n > (16u << 20))
				continue;
			code = xmalloc(n);
			k = tracee_read(pg->t, f->code.lo + bias, code, n) == 0 ?
				    flow_call_targets(code, n, f->code.lo, targets,
						      MAX_CALLS) : 0;
			free(code);
			for (size_t c = 0; c < k && added < MAX_EXPANDED; c++)
				added += (size_t)debuginfo_find_at(pg->exe, targets[c],
								   &pg->exe_fns);
		}
		start = end;
	}
	free(targets);
}

void program_free(struct program *pg)
{
	if (!pg)
		return;
	for (size_t i = 0; i < pg->nlines; i++)
		free(pg->lines[i].file);
	free(pg->lines);
	for (size_t i = 0; i < pg->nwanted; i++)
		free(pg->wanted[i]);
	free(pg->wanted);
	free(pg->found);
	free(pg->in_exe);
	for (size_t i = 0; i < pg->nobjs; i++)
		free(pg->objs[i].path);
	free(pg->objs);
	debuginfo_functions_free(&pg->exe_fns);
	debuginfo_close(pg->exe);
	free(pg->exe_shown);
	free(pg->interp);
	free(pg);
}

/* Adds the marked names of `di` to the wanted ones. */
static void want_marks(struct program *pg, struct debuginfo *di)
{
	size_t n;
	const char *m = debuginfo_marked(di, &n);

	for (; n; m += strlen(m) + 1)
		if (*m) {
			want(pg, m);
			n--;
		}
}

/* A library's own marks name its own functions: looked up there only
 * (a `step` marked in the program is not libc's step()). */
static void lookup_marks(struct debuginfo *di, struct di_functions *fns)
{
	size_t n;
	const char *m = debuginfo_marked(di, &n);

	for (; n; m += strlen(m) + 1)
		if (*m) {
			debuginfo_lookup(di, m, fns);
			n--;
		}
}

/* Looks the wanted names up in `di`, appending to `fns`: every one in
 * the executable, in a library only those not found yet (a name the
 * program defines is not looked for in libc's DWARF, which with its debug
 * package installed is tens of MiB). */
static void lookup_all(struct program *pg, struct debuginfo *di,
		       struct di_functions *fns)
{
	for (size_t i = 0; i < pg->nwanted; i++)
		if ((di == pg->exe || !pg->in_exe[i]) &&
		    debuginfo_lookup(di, pg->wanted[i], fns) > 0) {
			pg->found[i] = true;
			pg->in_exe[i] |= di == pg->exe;
		}
}

/* Reports the first name found nowhere, as debuginfo_find words it. */
static int not_found(struct program *pg)
{
	for (size_t i = 0; i < pg->nwanted; i++)
		if (!pg->found[i]) {
			struct di_functions none = { 0 };
			int rc = debuginfo_find(pg->exe, pg->wanted[i], &none);

			debuginfo_functions_free(&none);
			if (rc < 0)
				return -1;
		}
	return 0;
}

int program_open(struct program *pg, const char *file, const char *path,
		 const char *shown)
{
	pg->exe = debuginfo_open_file(file, path, shown);
	if (!pg->exe)
		return -1;
	pg->exe_shown = xstrdup(shown);
	if (pg->by_marks) {
		want_marks(pg, pg->exe);
		if (!pg->nwanted)
			want(pg, "main");
	}
	lookup_all(pg, pg->exe, &pg->exe_fns);
	for (size_t i = 0; i < pg->nlines; i++) {
		const struct line_spec *l = &pg->lines[i];

		if (debuginfo_find_lines(pg->exe, l->file, l->from, l->to,
					 &pg->exe_fns) == 0)
			return mp_error("no code on lines %u-%u of '%s' in '%s'",
					l->from, l->to, l->file, shown);
	}
	pg->interp = debuginfo_interp(pg->exe);
	pg->may_dlopen = debuginfo_imports(pg->exe, "dlopen");
	/* A name not in a static program is nowhere: say so now.  In a
	 * dynamic one it may be in a library: see once they are loaded. */
	if (!pg->interp)
		return not_found(pg);
	return 0;
}

const char *program_interp(const struct program *pg)
{
	return pg->interp;
}

/* Whether the object mapped at load bias `bias` in the process is the
 * one memprof read, whose build-id is the `n` bytes of `id` (n < 0: could
 * not be told) and whose ELF header is at file address `start`.  Another
 * mount namespace, or a file replaced on disk since it was loaded, shows
 * memprof a different file under the same name: its addresses would put
 * int3s in the middle of instructions.  Says so when it is not. */
static bool same_build(struct program *pg, const char *shown, long n,
		       const unsigned char *id, uint64_t start, uint64_t bias)
{
	unsigned char got[64];
	long m = tracee_build_id(pg->t, bias + start, got, sizeof(got));

	/* Neither carries one: nothing to compare (--build-id=none). */
	if (n == 0 && m <= 0)
		return true;
	if (n > 0 && m == n && !memcmp(got, id, (size_t)n))
		return true;
	mp_error("'%s' in process %d is not the file memprof read (build-id differs); cannot profile it safely",
		 shown, tracee_pid(pg->t));
	return false;
}

static bool same_build_di(struct program *pg, struct debuginfo *di,
			  const char *shown, uint64_t bias)
{
	unsigned char id[64];
	uint64_t start = 0;
	long n = debuginfo_build_id(di, id, sizeof(id), &start);

	return same_build(pg, shown, n, id, start, bias);
}

/* Arms what arming_add_functions registered, with a scratch area near `lo`. */
static int arm_near(struct program *pg, pid_t tid, uint64_t lo, size_t n)
{
	/* Room for every line start and as many return addresses again. */
	if (n && bps_reserve_scratch(pg->bps, tid, lo, 2 * n + 256) < 0)
		return -1;
	return bps_arm(pg->bps);
}

/* The dynamic linker's base and the addresses of its hook and list. */
static int watch_linker(struct program *pg)
{
	/* The one the process runs: in its root and mounts. */
	char *file = tracee_file(pg->t, pg->interp);
	uint64_t base, hook, r_debug, start = 0;
	unsigned char id[64];
	long n;

	if (tracee_auxv(pg->t, AT_BASE, &base) < 0 || !base ||
	    debuginfo_symbol(file, "_dl_debug_state", &hook) < 0 ||
	    debuginfo_symbol(file, "_r_debug", &r_debug) < 0) {
		free(file);
		return 0; /* an unusual linker: the executable alone */
	}
	n = debuginfo_file_build_id(file, id, sizeof(id), &start);
	free(file);
	if (!same_build(pg, pg->interp, n, id, start, base))
		return -1;
	pg->r_debug = base + r_debug;
	bps_add(pg->bps, base + hook, BP_DLHOOK, 0, 0);
	return 0;
}

int program_arm(struct program *pg, struct tracee *t,
		struct breakpoints *bps, pid_t tid)
{
	uint64_t bias = 0;
	struct arming a = { .prof = pg->prof, .t = t, .bps = bps,
			    .lo = UINT64_MAX };
	size_t before;

	pg->t = t;
	pg->bps = bps;
	if (tracee_is_attached(t)) {
		/* Threads may be anywhere in the code: nothing but int3s. */
		bps_no_trampolines(bps);
		pg->started = true;
	}
	if (debuginfo_is_pie(pg->exe) &&
	    tracee_load_bias(t, debuginfo_entry_point(pg->exe), &bias) < 0)
		return -1;
	if (!same_build_di(pg, pg->exe, pg->exe_shown, bias))
		return -1;
	before = bps_count(bps);
	if (pg->depth)
		expand(pg, bias);
	a.bias = bias;
	arming_add_functions(&a, &pg->exe_fns);
	if (pg->interp && watch_linker(pg) < 0)
		return -1;
	/* A scratch area near the program even when none of its own
	 * functions is profiled: the first one holds the stub that maps the
	 * others, near libraries, later. */
	if (debuginfo_entry_point(pg->exe) + bias < a.lo)
		a.lo = debuginfo_entry_point(pg->exe) + bias;
	if (arm_near(pg, tid, a.lo, bps_count(bps) - before + 1) < 0)
		return -1;
	if (tracee_is_attached(t) && pg->r_debug)
		return program_on_dl_event(pg, tid);
	return 0;
}

/* Whether a library may hold some of the selection: its own marks, or a
 * name the executable does not define. */
static bool wants_libraries(const struct program *pg)
{
	if (pg->by_marks)
		return true;
	for (size_t i = 0; i < pg->nwanted; i++)
		if (!pg->in_exe[i])
			return true;
	return false;
}

/* Drops what was read of the previous image: its executable, its
 * libraries and, when the selection came from its marks, the names. */
static void forget_image(struct program *pg)
{
	for (size_t i = 0; i < pg->nobjs; i++)
		free(pg->objs[i].path);
	pg->nobjs = 0;
	debuginfo_functions_free(&pg->exe_fns);
	memset(&pg->exe_fns, 0, sizeof(pg->exe_fns));
	debuginfo_close(pg->exe);
	pg->exe = NULL;
	free(pg->exe_shown);
	pg->exe_shown = NULL;
	free(pg->interp);
	pg->interp = NULL;
	pg->r_debug = 0;
	pg->may_dlopen = false;
	if (pg->by_marks) {
		for (size_t i = 0; i < pg->nwanted; i++)
			free(pg->wanted[i]);
		pg->nwanted = 0;
	}
	for (size_t i = 0; i < pg->nwanted; i++)
		pg->in_exe[i] = false;
}

int program_exec(struct program *pg, pid_t tid)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", tid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return mp_error("cannot read %s: %m", link);
	path[n] = '\0';
	forget_image(pg);
	/* Quiet: a program without line information is simply not
	 * profiled.  Read through the link: the file the process runs,
	 * in its own mounts. */
	pg->exe = debuginfo_open_file(link, path, NULL);
	if (!pg->exe) {
		mp_error("after exec of '%s' no profiled function is found; following it unprofiled",
			 path);
		return 0;
	}
	pg->exe_shown = xstrdup(path);
	if (pg->by_marks) {
		want_marks(pg, pg->exe);
		if (!pg->nwanted)
			want(pg, "main");
	}
	lookup_all(pg, pg->exe, &pg->exe_fns);
	for (size_t i = 0; i < pg->nlines; i++)
		debuginfo_find_lines(pg->exe, pg->lines[i].file,
				     pg->lines[i].from, pg->lines[i].to,
				     &pg->exe_fns);
	pg->interp = debuginfo_interp(pg->exe);
	pg->may_dlopen = debuginfo_imports(pg->exe, "dlopen");
	/* The names not in the executable may be in its libraries: they
	 * are watched, never required (the first image had them). */
	pg->started = true;
	if (!pg->exe_fns.n && (!pg->interp || !wants_libraries(pg))) {
		mp_error("after exec of '%s' no profiled function is found; following it unprofiled",
			 path);
		return 0;
	}
	/* The objects the new image loads are told again (not when it is
	 * not followed: what they learnt of the old one is all there is). */
	if (pg->on_load)
		pg->on_load(pg->on_load_ctx, NULL, 0);
	if (program_arm(pg, pg->t, pg->bps, tid) < 0)
		return -1;
	return 1;
}

static struct object *object_find(struct program *pg, const char *path,
				  uint64_t bias)
{
	for (size_t i = 0; i < pg->nobjs; i++)
		if (pg->objs[i].bias == bias && !strcmp(pg->objs[i].path, path))
			return &pg->objs[i];
	return NULL;
}

/* A library newly in the list: profile what it has of ours. */
static int add_object(struct program *pg, const char *path, uint64_t bias,
		      pid_t tid)
{
	struct di_functions fns = { 0 };
	/* Marks only: a library that marks nothing is not worth reading
	 * its DWARF for (libc's, when its debug package is installed, is
	 * tens of MiB). */
	struct debuginfo *di = NULL;
	/* The file the process mapped, in its root and mounts. */
	char *file = tracee_file(pg->t, path);
	bool wanted = pg->by_marks ? debuginfo_has_marks(file) : false;

	for (size_t i = 0; !pg->by_marks && i < pg->nwanted; i++)
		wanted |= !pg->in_exe[i];
	if (wanted)
		di = debuginfo_open_file(file, path, NULL);
	free(file);
	/* Not what the process runs (replaced on disk since): its
	 * functions are left alone, the rest is profiled. */
	if (di && !same_build_di(pg, di, path, bias)) {
		debuginfo_close(di);
		di = NULL;
	}
	struct arming a = { .prof = pg->prof, .t = pg->t, .bps = pg->bps,
			    .bias = bias, .lo = UINT64_MAX };
	struct object *o;
	size_t before;
	int rc = 0;

	ARRAY_GROW(pg->objs, pg->nobjs + 1, pg->objs_cap);
	o = &pg->objs[pg->nobjs++];
	memset(o, 0, sizeof(*o));
	o->path = xstrdup(path);
	o->bias = bias;
	o->present = true;
	if (pg->on_load)
		pg->on_load(pg->on_load_ctx, path, bias);
	if (!di)
		return 0; /* no line information: nothing of ours */
	/* Names from --func are looked for everywhere; marks and the
	 * default main belong to the object that carries them. */
	if (pg->by_marks)
		lookup_marks(di, &fns);
	else
		lookup_all(pg, di, &fns);
	if (fns.n) {
		before = bps_count(pg->bps);
		arming_add_functions(&a, &fns);
		rc = arm_near(pg, tid, a.lo, bps_count(pg->bps) - before);
		o = &pg->objs[pg->nobjs - 1];
		o->lo = a.lo;
		o->hi = a.hi;
	}
	debuginfo_functions_free(&fns);
	debuginfo_close(di);
	return rc;
}

int program_on_dl_event(struct program *pg, pid_t tid)
{
	struct linkmap_object *list;
	long n = pg->r_debug ? linkmap_read(pg->t, pg->r_debug, &list) : -1;
	size_t k = 0;
	int rc = 0;

	if (n < 0)
		return 0;
	for (size_t i = 0; i < pg->nobjs; i++)
		pg->objs[i].present = false;
	for (long i = 0; i < n && rc == 0; i++) {
		const char *path = list[i].path;
		struct object *o;

		/* The executable has no name here, the vDSO no file. */
		if (path[0] != '/' || (pg->interp && !strcmp(path, pg->interp)))
			continue;
		if ((o = object_find(pg, path, list[i].bias))) {
			o->present = true;
			continue;
		}
		rc = add_object(pg, path, list[i].bias, tid);
	}
	linkmap_free(list, (size_t)n);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < pg->nobjs; i++) {
		struct object *o = &pg->objs[i];

		if (o->present) {
			pg->objs[k++] = *o;
			continue;
		}
		/* Unloaded: its code is gone, and with it our int3s. */
		if (o->hi)
			bps_forget_range(pg->bps, o->lo, o->hi);
		free(o->path);
	}
	pg->nobjs = k;
	if (!pg->started) {
		pg->started = true;
		if (!pg->may_dlopen && not_found(pg) < 0)
			return -1;
	}
	return 0;
}

void program_report_missing(const struct program *pg)
{
	for (size_t i = 0; i < pg->nwanted; i++)
		if (!pg->found[i])
			mp_error("function '%s' was never loaded: not in '%s' nor in any library it loaded",
				 pg->wanted[i], pg->exe_shown);
}
