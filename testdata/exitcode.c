/* exitcode.c - exits with a chosen status; nothing marked, so memprof
 * profiles main.
 *
 * Writes one known line to stdout and one to stderr, copies stdin to
 * stdout when the second argument is "cat", and exits with the status
 * given as the first argument.
 *
 * Usage: exitcode STATUS [cat]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int status = argc > 1 ? atoi(argv[1]) : 0;
	char buf[4096];
	size_t n;

	printf("exitcode: stdout line\n");
	fprintf(stderr, "exitcode: stderr line\n");
	if (argc > 2 && strcmp(argv[2], "cat") == 0) {
		while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
			fwrite(buf, 1, n, stdout);
	}
	fflush(stdout);
	return status;
}
