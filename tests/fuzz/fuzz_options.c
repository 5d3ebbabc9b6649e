/* SPDX-License-Identifier: MIT */
/* fuzz_options.c - options_parse on any command line.  The input is the
 * arguments after "memprof", separated by NUL bytes (at most 64). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "options.h"

#define MAX_ARGS 64

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[MAX_ARGS + 2];
	char *buf = malloc(size + 1);
	int argc = 1;
	struct options o;
	enum options_result r;

	memcpy(buf, data, size);
	buf[size] = '\0';
	args[0] = (char *)"memprof";
	for (char *p = buf; p <= buf + size && argc <= MAX_ARGS;
	     p += strlen(p) + 1)
		args[argc++] = p;
	/* A trailing NUL ends the last argument rather than adding one. */
	if (size && data[size - 1] == '\0')
		argc--;
	args[argc] = NULL;
	r = options_parse(&o, argc, args, devnull, devnull);
	if (r == OPTIONS_RUN) {
		if (o.precision < 0 || o.precision > 9)
			fuzz_fail("precision out of 0..9");
		if (o.diff_old && (!o.diff_new || o.pid || o.command))
			fuzz_fail("memprof diff without its two reports, or with a program");
		if (!o.diff_old && !o.pid && (!o.command || !o.command[0]))
			fuzz_fail("no program and no pid");
		if (o.pid && o.command)
			fuzz_fail("both a pid and a program");
		for (size_t i = 0; i < o.nfuncs; i++)
			if (!o.funcs[i][0] || strchr(o.funcs[i], ','))
				fuzz_fail("an empty function name or one with a comma");
	}
	options_free(&o);
	free(buf);
	return 0;
}
