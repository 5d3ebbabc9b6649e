/* SPDX-License-Identifier: MIT */
/* fuzz_common.c - the temporary file and failure report of the harnesses
 * (see fuzz.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static char temp_path[64];

int fuzz_report_fd = 2;

/* Before main: libFuzzer's -close_fd_mask and the replayer close or
 * silence fd 2 (memprof's messages about each bad input are noise). */
__attribute__((constructor)) static void keep_stderr(void)
{
	int fd = fcntl(2, F_DUPFD_CLOEXEC, 3);

	if (fd >= 0)
		fuzz_report_fd = fd;
}

void fuzz_fail(const char *why)
{
	dprintf(fuzz_report_fd, "fuzz: check failed: %s\n", why);
	abort();
}

static void remove_temp(void)
{
	if (temp_path[0])
		unlink(temp_path);
}

const char *fuzz_temp_file(const uint8_t *data, size_t size, unsigned mode)
{
	int fd;

	if (!temp_path[0]) {
		const char *dir = getenv("TMPDIR");

		snprintf(temp_path, sizeof(temp_path), "%s/memprof-fuzz-XXXXXX",
			 dir && strlen(dir) < 32 ? dir : "/tmp");
		fd = mkstemp(temp_path);
		if (fd < 0) {
			perror("fuzz: mkstemp");
			exit(1);
		}
		close(fd);
		atexit(remove_temp);
	}
	fd = open(temp_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror("fuzz: writing the temporary file");
		exit(1);
	}
	close(fd);
	chmod(temp_path, mode);
	return temp_path;
}
