/* euid.c - says whose rights it runs with, and whether it is traced.
 *
 * Prints "euid N tracer N": its effective user id and the TracerPid of
 * /proc/self/status.  A setuid-root copy run by another user prints euid
 * 0, unless it was traced at its exec (the kernel then ignores the setuid
 * bit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char buf[256];
	long tracer = -1;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "TracerPid:", 10))
			tracer = strtol(buf + 10, NULL, 10);
	if (f)
		fclose(f);
	printf("euid %ld tracer %ld\n", (long)geteuid(), tracer);
	return 0;
}
