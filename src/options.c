/* options.c - the command line: getopt_long, validation, --help.
 *
 * Options stop at the first non-option ("+" in the option string), so
 * everything from PROGRAM on belongs to the target.  getopt's own messages
 * are off (opterr = 0): every usage error is worded here, printed in one
 * write with its "Try" hint, and reported as OPTIONS_USAGE; main decides
 * the exit status.  --help here and man/memprof.1 must say the same.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifndef MEMPROF_VERSION
#define MEMPROF_VERSION "0.1.0"
#endif

enum {
	OPT_FORMAT = 256,
	OPT_PRECISION,
	OPT_VERSION,
};

static const struct option long_options[] = {
	{ "func", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "precision", required_argument, NULL, OPT_PRECISION },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char short_options[] = "+:f:o:p:h";

static const char help_text[] =
	"Usage: memprof [OPTIONS] [--] PROGRAM [ARGS...]\n"
	"       memprof [OPTIONS] -p PID\n"
	"\n"
	"Run PROGRAM and report, for each line of the profiled functions, the\n"
	"resident memory after the line ran, the change the line caused and how\n"
	"often it ran.  Functions marked with MEMPROF_PROFILE from <memprof.h>\n"
	"are profiled, or main when none is marked; --func overrides both.  The\n"
	"report goes to standard error unless -o is given.\n"
	"\n"
	"Options:\n"
	"  -f, --func=NAME[,NAME...]  profile these functions (repeatable)\n"
	"  -o, --output=FILE          write the report to FILE\n"
	"  -p, --pid=PID              profile running process PID until it exits\n"
	"                             or memprof gets SIGINT/SIGTERM, then detach\n"
	"      --format=text|json     report format (default text)\n"
	"      --precision=N          decimals of MiB figures, 0 to 9 (default 1)\n"
	"  -h, --help                 show this help and exit\n"
	"      --version              show the version and exit\n"
	"\n"
	"Exit status: the program's own; 128+N if it is killed by signal N; 1 if\n"
	"memprof fails; 2 on a usage error.\n";

/* Prints "memprof: <message>" and the hint with one fwrite, so that the
 * message cannot be torn by the target's output on a shared terminal. */
static enum options_result usage_error(FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum options_result usage_error(FILE *err, const char *fmt, ...)
{
	static const char hint[] =
		"Try 'memprof --help' for more information.\n";
	char buf[1024];
	va_list ap;
	int len;

	len = snprintf(buf, sizeof(buf), "memprof: ");
	va_start(ap, fmt);
	len += vsnprintf(buf + len, sizeof(buf) - (size_t)len, fmt, ap);
	va_end(ap);
	if (len > (int)(sizeof(buf) - sizeof(hint) - 1))
		len = (int)(sizeof(buf) - sizeof(hint) - 1);
	buf[len++] = '\n';
	memcpy(buf + len, hint, sizeof(hint) - 1);
	len += (int)sizeof(hint) - 1;
	fwrite(buf, 1, (size_t)len, err);
	fflush(err);
	return OPTIONS_USAGE;
}

static const char *long_name(int val)
{
	const struct option *o;

	for (o = long_options; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

/* Adds the comma-separated names of one --func; false on an empty name. */
static bool add_funcs(struct options *opts, const char *arg)
{
	const char *p = arg;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *name;

		if (n == 0)
			return false;
		name = xmalloc(n + 1);
		memcpy(name, p, n);
		name[n] = '\0';
		opts->funcs = xrealloc(opts->funcs,
				       (opts->nfuncs + 1) * sizeof(*opts->funcs));
		opts->funcs[opts->nfuncs++] = name;
		if (!comma)
			return true;
		p = comma + 1;
	}
}

static bool parse_precision(const char *arg, int *precision)
{
	if (arg[0] < '0' || arg[0] > '9' || arg[1] != '\0')
		return false;
	*precision = arg[0] - '0';
	return true;
}

/* The option a '?' from getopt_long is about.  optopt is 0 for an unknown
 * or ambiguous long option (the text is argv[optind - 1]), one of ours for
 * an argument given to an option that takes none, else the unknown short
 * option's character. */
static enum options_result bad_option(FILE *err, char **argv)
{
	const char *arg = argv[optind - 1];
	const struct option *o;
	size_t n;
	int matches = 0;

	if (optopt == 'h' || optopt == OPT_VERSION)
		return usage_error(err, "option '--%s' doesn't allow an argument",
				   long_name(optopt));
	if (optopt != 0)
		return usage_error(err, "unrecognized option '-%c'", optopt);

	n = strcspn(arg + 2, "=");
	for (o = long_options; o->name; o++)
		if (strncmp(o->name, arg + 2, n) == 0)
			matches++;
	if (matches > 1)
		return usage_error(err, "option '%.*s' is ambiguous", (int)n + 2,
				   arg);
	return usage_error(err, "unrecognized option '%s'", arg);
}

enum options_result options_parse(struct options *opts, int argc, char **argv,
				  FILE *out, FILE *err)
{
	memset(opts, 0, sizeof(*opts));
	opts->format = FORMAT_TEXT;
	opts->precision = 1;

	/* 0, not 1: glibc then also forgets any state of an earlier call
	 * (the unit tests parse many command lines in one process). */
	optind = 0;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, short_options, long_options,
				    NULL);

		if (c == -1)
			break;
		switch (c) {
		case 'f':
			if (!add_funcs(opts, optarg))
				return usage_error(err,
						   "empty function name in --func");
			break;
		case 'o':
			opts->output = optarg;
			break;
		case 'p': {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v <= 0 ||
			    v > INT_MAX)
				return usage_error(err,
						   "invalid --pid '%s' (expected a process id)",
						   optarg);
			opts->pid = (int)v;
			break;
		}
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				opts->format = FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				opts->format = FORMAT_JSON;
			else
				return usage_error(err,
						   "invalid --format '%s' (expected text or json)",
						   optarg);
			break;
		case OPT_PRECISION:
			if (!parse_precision(optarg, &opts->precision))
				return usage_error(err,
						   "invalid --precision '%s' (expected 0 to 9)",
						   optarg);
			break;
		case 'h':
			fputs(help_text, out);
			fflush(out);
			return OPTIONS_DONE;
		case OPT_VERSION:
			fputs("memprof " MEMPROF_VERSION "\n", out);
			fflush(out);
			return OPTIONS_DONE;
		case ':':
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				return usage_error(err,
						   "option '--%s' requires an argument",
						   long_name(optopt));
			return usage_error(err, "option '-%c' requires an argument",
					   optopt);
		default:
			return bad_option(err, argv);
		}
	}
	if (opts->pid) {
		if (optind < argc)
			return usage_error(err,
					   "give either --pid or a program, not both");
		return OPTIONS_RUN;
	}
	if (optind >= argc)
		return usage_error(err, "no program to profile");
	opts->command = argv + optind;
	return OPTIONS_RUN;
}

void options_free(struct options *opts)
{
	size_t i;

	for (i = 0; i < opts->nfuncs; i++)
		free(opts->funcs[i]);
	free(opts->funcs);
	opts->funcs = NULL;
	opts->nfuncs = 0;
}
