/* SPDX-License-Identifier: MIT */
/* di_elf.c - what the ELF file says beside its DWARF: the functions
 * MEMPROF_PROFILE marks (.memprof.functions), the entry point, the
 * build-id, the program interpreter and the symbol tables.  Reads ELF
 * only (libelf, and libdwfl's handle on the file); DWARF is the other
 * rooms' (see debuginfo.c).
 */
#include "debuginfo_private.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The names MEMPROF_PROFILE wrote to the ".memprof.functions" section of
 * `elf` (see debuginfo_marked), and in *n their count.  NULL and 0 when
 * there is no such section or our macro did not write it.  The one scan
 * of the section headers for the marks: debuginfo_open keeps the block,
 * debuginfo_has_marks only asks whether there is one. */
static const char *marks_of(Elf *elf, size_t *n)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	*n = 0;
	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
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
			return NULL;
		p = data->d_buf;
		end = p + data->d_size;
		if (end[-1] != '\0')
			return NULL; /* not written by our macro: ignore */
		for (const char *m = p; m < end; m += strlen(m) + 1)
			if (*m)
				(*n)++;
		return p;
	}
	return NULL;
}

void di_read_marked(struct debuginfo *di)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(di->mod, &bias);
	GElf_Ehdr ehdr;

	if (!elf)
		return;
	if (gelf_getehdr(elf, &ehdr)) {
		di->entry = ehdr.e_entry;
		di->pie = ehdr.e_type == ET_DYN;
	}
	di->marked = marks_of(elf, &di->nmarked);
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

/* --- what the dynamic linker needs from us --- */

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

int debuginfo_has_marks(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	Elf *elf;
	size_t n;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf)
		found = marks_of(elf, &n) != NULL;
	elf_end(elf);
	close(fd);
	return found;
}
