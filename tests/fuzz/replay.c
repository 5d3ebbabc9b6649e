/* SPDX-License-Identifier: MIT */
/* replay.c - runs a harness once on each file named, or on each file of
 * each directory named: the corpus as a regression test, without
 * libFuzzer (see fuzz.h).  Prints "NAME: N inputs" and exits 0 when
 * nothing crashed.  memprof's own messages about the inputs are silenced;
 * a crash names the input it was running. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Where a sanitizer's report goes, when there is one. */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

static size_t ninputs;
static const char *current;

static void on_crash(int sig)
{
	dprintf(fuzz_report_fd, "replay: crashed on '%s'\n", current);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		exit(1);
	}
	do {
		if (cap - len < 65536) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	current = path;
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	ninputs++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	DIR *d;

	if (stat(path, &st) < 0) {
		perror(path);
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	if (!(d = opendir(path))) {
		perror(path);
		exit(1);
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
		sprintf(names[n++], "%s/%s", path, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		run_path(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	int null = open("/dev/null", O_WRONLY);

	signal(SIGSEGV, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGBUS, on_crash);
	if (__sanitizer_set_report_fd)
		__sanitizer_set_report_fd((void *)(long)fuzz_report_fd);
	if (null >= 0 && !getenv("FUZZ_VERBOSE"))
		dup2(null, 2);
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	printf("%s: %zu inputs\n", name ? name + 1 : argv[0], ninputs);
	return 0;
}
