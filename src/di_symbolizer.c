/* SPDX-License-Identifier: MIT */
/* di_symbolizer.c - addresses of a live process to function, file and
 * line (inlined calls included), through libdwfl's view of the process's
 * mappings.  Its own Dwfl handle, apart from struct debuginfo's: it sees
 * every object the process maps, as it maps them.
 */
#include "debuginfo_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

struct di_symbolizer *debuginfo_symbolizer_new(pid_t pid)
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
		debuginfo_symbolizer_free(s);
		return NULL;
	}
	return s;
}

void debuginfo_symbolizer_free(struct di_symbolizer *s)
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
		f = di_call_site(cu, &scopes[i], line);
		where = f ? di_absolute_path(cu, f) : NULL;
	}
	free(scopes);
	if (!k)
		free(where);
	else
		out[k].file = where; /* the caller's, set by the caller */
	return k;
}

size_t debuginfo_symbolize(struct di_symbolizer *s, uint64_t pc,
			   struct di_place *out, size_t max)
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

		out->function = xasprintf("?? (%s)", slash ? slash + 1 :
					  mname ? mname : "unknown");
	} else {
		out->function = xstrdup(name);
	}
	/* A symbol version is noise here. */
	out->function[strcspn(out->function, "@")] = '\0';
	if (file && file[0] != '/' && dwfl_line_comp_dir(line)) {
		const char *dir = dwfl_line_comp_dir(line);

		path = xasprintf("%s/%s", dir, file);
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

void debuginfo_place_release(struct di_place *p)
{
	free(p->function);
	free(p->file);
	memset(p, 0, sizeof(*p));
}
