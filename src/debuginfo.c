/* SPDX-License-Identifier: MIT */
/* debuginfo.c - opening an object's debug information through libdwfl,
 * and the plumbing its rooms share: address ranges of a DIE, file names
 * made absolute, the frame rules at an address.
 *
 * The rooms, all sharing debuginfo_private.h, are the only files that
 * include libdw/libdwfl/libelf:
 *   di_names.c      qualified names, parameter types, suggestions
 *   di_lines.c      a function's line starts and calling lines
 *   di_copies.c     the copies of a function inlined into other code
 *   di_find.c       lookups by name, by entry address and by --line
 *   di_elf.c        ELF symbol tables, marks, what the dynamic linker needs
 *   di_symbolizer.c addresses of a live process to function, file, line
 */
#include "debuginfo_private.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void di_ranges_add(struct ranges *r, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return;
	ARRAY_GROW(r->v, r->n + 1, r->cap);
	r->v[r->n].lo = lo;
	r->v[r->n].hi = hi;
	r->n++;
}

bool di_ranges_has(const struct ranges *r, uint64_t a)
{
	for (size_t i = 0; i < r->n; i++)
		if (a >= r->v[i].lo && a < r->v[i].hi)
			return true;
	return false;
}

void di_die_ranges(Dwarf_Die *die, struct ranges *out)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0)
		di_ranges_add(out, lo, hi);
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
	s = xasprintf("%s/%s", cwd,
		      path[0] == '.' && path[1] == '/' ? path + 2 : path);
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
	di_read_marked(di);
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

void debuginfo_close(struct debuginfo *di)
{
	if (!di)
		return;
	di_index_free(di->index);
	dwfl_end(di->dwfl);
	free(di->debuginfo_path);
	free(di->shown);
	free(di);
}

char *di_absolute_path(Dwarf_Die *cu, const char *file)
{
	Dwarf_Attribute attr;
	const char *dir;

	if (file[0] == '/' || !dwarf_attr(cu, DW_AT_comp_dir, &attr) ||
	    !(dir = dwarf_formstring(&attr)))
		return xstrdup(file);
	return xasprintf("%s/%s", dir, file);
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
