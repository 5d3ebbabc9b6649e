/* SPDX-License-Identifier: MIT */
/* options.c - the command line: getopt_long, validation, --help.
 *
 * Options stop at the first non-option ("+" in the option string), so
 * everything from PROGRAM on belongs to the target.  getopt's own messages
 * are off (opterr = 0): every usage error is worded here, printed in one
 * write with its "Try" hint, and reported as OPTIONS_USAGE; main decides
 * the exit status.  --help here and man/memprof.1 must say the same.
 * "memprof diff ..." has a command line of its own (parse_diff).  The
 * options of the optional columns, and their --help lines, are not listed
 * here: they are made from column.c's table.
 */
#include "options.h"

#include "budget.h"
#include "column.h"
#include "rss.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#ifndef MEMPROF_VERSION
#define MEMPROF_VERSION "0.1.0"
#endif

enum {
	OPT_CHILDREN = 200,
	OPT_STOP_ABOVE,
	OPT_METRIC,
	OPT_LINE,
	OPT_DEPTH,
	OPT_FORMAT = 256,
	OPT_PRECISION,
	OPT_VERSION,
	OPT_TOP,
	OPT_FAIL_OVER,
	OPT_DEBUGINFO_PATH,
	OPT_TIMELINE,
	OPT_INTERVAL,
	OPT_PLOT,
	OPT_NO_LINES,
	/* OPT_COLUMN + i: the option of column_table[i]. */
	OPT_COLUMN = 300,
};

/* The options but the columns' (see long_options). */
static const struct option fixed_options[] = {
	{ "func", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "children", no_argument, NULL, OPT_CHILDREN },
	{ "stop-above", required_argument, NULL, OPT_STOP_ABOVE },
	{ "metric", required_argument, NULL, OPT_METRIC },
	{ "line", required_argument, NULL, OPT_LINE },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "precision", required_argument, NULL, OPT_PRECISION },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "fail-over", required_argument, NULL, OPT_FAIL_OVER },
	{ "debuginfo-path", required_argument, NULL, OPT_DEBUGINFO_PATH },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "no-lines", no_argument, NULL, OPT_NO_LINES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
};

/* getopt_long's table: fixed_options, then those of the optional columns,
 * then the terminating zeros (set_long_options). */
static struct option long_options[ARRAY_SIZE(fixed_options) + COLUMN_MAX + 1];

static void set_long_options(void)
{
	size_t n = ARRAY_SIZE(fixed_options);

	memcpy(long_options, fixed_options, sizeof(fixed_options));
	for (size_t i = 0; i < column_count; i++) {
		if (!column_table[i].option)
			continue;
		long_options[n++] = (struct option){
			.name = column_table[i].option,
			.has_arg = no_argument,
			.val = OPT_COLUMN + (int)i,
		};
	}
	long_options[n] = (struct option){ 0 };
}

/* memprof diff's own. */
static const struct option diff_long_options[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "precision", required_argument, NULL, OPT_PRECISION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char short_options[] = "+:f:o:p:h";

/* memprof's --help, but for the optional columns' lines (print_help). */
static const char help_text[] =
	"Usage: memprof [OPTIONS] [--] PROGRAM [ARGS...]\n"
	"       memprof [OPTIONS] -p PID\n"
	"       memprof diff [--format=text|json] [--precision=N] OLD.json NEW.json\n"
	"\n"
	"Run PROGRAM and report, for each line of the profiled functions, the\n"
	"resident memory after the line ran, the change the line caused and how\n"
	"often it ran.  Functions marked with MEMPROF_PROFILE from <memprof.h>\n"
	"are profiled, or main when none is marked; --func overrides both.  The\n"
	"report goes to standard error unless -o is given.\n"
	"\n"
	"Options:\n"
	"  -f, --func=NAME[,NAME...]  profile these functions (repeatable)\n"
	"  -o, --output=FILE          write the report to FILE, whole at the end;\n"
	"                             a replaced file keeps its owner and mode\n"
	"  -p, --pid=PID              profile running process PID until it exits\n"
	"                             or memprof gets a signal that would end it\n"
	"                             (SIGINT, SIGTERM, even SIGKILL), then let\n"
	"                             it go unharmed (a stopped one stays so)\n"
	"      --children             follow forked children: their profiled\n"
	"                             functions count, their memory adds up\n"
	"      --line=FILE:FROM-TO    profile these lines of FILE (repeatable)\n"
	"      --depth=N              also profile what the profiled functions\n"
	"                             call, N levels down\n"
	"      --metric=rss|anon|file|shmem|pss|uss  what the figures measure\n"
	"                             (default rss)\n"
	"      --stop-above=SIZE[,hold]  when RSS first exceeds SIZE, show the line\n"
	"                             and stack and kill the program (or leave it\n"
	"                             stopped for a debugger with ,hold)\n"
	"      --format=text|json     report format (default text)\n"
	"      --precision=N          decimals of MiB figures, 0 to 9 (default 1)\n"
	"      --top=N                list the N lines that grew RSS most (default 10)\n"
	"      --fail-over=[FUNC:]SIZE  exit 109 if the peak RSS (of FUNC) exceeds\n"
	"                             SIZE, e.g. 200MiB, 1.5GiB, 500M (repeatable)\n"
	"      --debuginfo-path=PATH  where separate debug files are (man memprof)\n"
	"      --timeline=FILE        write the RSS over the whole run to FILE, in\n"
	"                             mprof's .dat format (mprof plot FILE)\n"
	"      --plot=FILE.svg        draw the RSS over time, the profiled functions\n"
	"                             and the peak as an SVG picture\n"
	"      --interval=MS          one timeline point per MS milliseconds (default 10)\n"
	"      --no-lines             no line profiling, no breakpoints: only the\n"
	"                             timeline, peak and final RSS (mprof run)\n"
	"  -h, --help                 show this help and exit\n"
	"      --version              show the version and exit\n"
	"\n"
	"memprof diff compares two --format=json reports (memprof diff --help).\n"
	"'memprof -- diff' or 'memprof ./diff' profiles a program named diff.\n"
	"\n"
	"Exit status: the program's own (128+N if killed by signal N), else 109 if\n"
	"a --fail-over budget is exceeded; 1 if memprof fails; 2 on a usage error.\n";

/* The long option an option line of --help is about ("stop-above" for
 * "      --stop-above=SIZE[,hold]  ..."), as `*len` bytes; NULL for a line
 * of something else. */
static const char *help_line_option(const char *line, size_t *len)
{
	const char *name;

	if (strncmp(line, "      --", 8) == 0)
		name = line + 8;
	else if (line[0] == ' ' && line[1] == ' ' && line[2] == '-' &&
		 line[3] != '-' && strncmp(line + 4, ", --", 4) == 0)
		name = line + 8;
	else
		return NULL;
	*len = strspn(name, "abcdefghijklmnopqrstuvwxyz-");
	return name;
}

/* help_text, each optional column's lines just before the line of the
 * option it names as help_before. */
static void print_help(FILE *out)
{
	const char *line = help_text;

	while (*line) {
		size_t n = strcspn(line, "\n"), len;
		const char *name = help_line_option(line, &len);

		if (line[n])
			n++;

		for (size_t i = 0; name && i < column_count; i++) {
			const struct column *c = &column_table[i];

			if (c->option && strlen(c->help_before) == len &&
			    strncmp(c->help_before, name, len) == 0)
				fputs(c->help, out);
		}
		fwrite(line, 1, n, out);
		line += n;
	}
}

static const char diff_help_text[] =
	"Usage: memprof diff [OPTIONS] OLD.json NEW.json\n"
	"\n"
	"Compare two reports written by memprof --format=json: the change in peak\n"
	"and final RSS, then per function and per line the change in Increment\n"
	"and in Mem usage, largest change first.  Functions and lines that only\n"
	"one report has are shown as added or removed.\n"
	"\n"
	"Options:\n"
	"      --format=text|json     output format (default text)\n"
	"      --precision=N          decimals of MiB figures, 0 to 9 (default 1)\n"
	"  -h, --help                 show this help and exit\n"
	"\n"
	"Exit status: 0; 1 if a report cannot be read or is not a memprof report;\n"
	"2 on a usage error.\n";

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

/* "invalid --NAME 'ARG' (expected WHAT)": option `c` refused `arg`. */
static enum options_result bad_value(FILE *err, int c, const char *arg,
				     const char *what)
{
	return usage_error(err, "invalid --%s '%s' (expected %s)", long_name(c),
			   arg, what);
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
		ARRAY_GROW(opts->funcs, opts->nfuncs + 1, opts->funcs_cap);
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

static bool parse_format(const char *arg, enum report_format *format)
{
	if (strcmp(arg, "text") == 0)
		*format = FORMAT_TEXT;
	else if (strcmp(arg, "json") == 0)
		*format = FORMAT_JSON;
	else
		return false;
	return true;
}

/* A count: digits only, no sign, no blanks. */
static bool parse_count(const char *arg, size_t *n)
{
	unsigned long long v;
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		return false;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || v > SIZE_MAX)
		return false;
	*n = (size_t)v;
	return true;
}

/* --pid and --depth: a whole number in [min, max], as strtol reads it. */
static bool parse_int(const char *arg, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

/* --interval: whole milliseconds, 1 to a minute. */
static bool parse_interval(const char *arg, int *ms)
{
	size_t v;

	if (!parse_count(arg, &v) || v < 1 || v > 60000)
		return false;
	*ms = (int)v;
	return true;
}

/* --plot writes SVG and nothing else: "plot.png" is refused rather than
 * written as SVG under a name that says otherwise. */
static bool parse_svg_name(const char *arg)
{
	size_t n = strlen(arg);

	return n > 4 && strcasecmp(arg + n - 4, ".svg") == 0 &&
	       arg[n - 5] != '/';
}

static bool add_budget(struct options *opts, const char *arg)
{
	struct budget b;

	if (budget_parse(arg, &b) < 0)
		return false;
	ARRAY_GROW(opts->budgets, opts->nbudgets + 1, opts->budgets_cap);
	opts->budgets[opts->nbudgets++] = b;
	return true;
}

/* Whether `val` is that of a long option without an argument. */
static bool takes_no_argument(int val)
{
	const struct option *o;

	for (o = long_options; o->name; o++)
		if (o->val == val && o->has_arg == no_argument)
			return true;
	return false;
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

	if (takes_no_argument(optopt))
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

/* getopt's ':' (an option without its argument), in our words. */
static enum options_result missing_argument(FILE *err, char **argv)
{
	if (strncmp(argv[optind - 1], "--", 2) == 0)
		return usage_error(err, "option '--%s' requires an argument",
				   long_name(optopt));
	return usage_error(err, "option '-%c' requires an argument", optopt);
}

/* What memprof and memprof diff do alike with what getopt_long returned:
 * --format, --precision, --help (which prints `help`), and getopt's word
 * of a missing argument or of an option it does not know.  OPTIONS_RUN to
 * go on with the next option, OPTIONS_DONE after the help, OPTIONS_USAGE
 * after a usage error. */
static enum options_result shared_option(struct options *opts, int c,
					 char **argv, const char *help,
					 FILE *out, FILE *err)
{
	switch (c) {
	case OPT_FORMAT:
		if (!parse_format(optarg, &opts->format))
			return bad_value(err, c, optarg, "text or json");
		return OPTIONS_RUN;
	case OPT_PRECISION:
		if (!parse_precision(optarg, &opts->precision))
			return bad_value(err, c, optarg, "0 to 9");
		return OPTIONS_RUN;
	case 'h':
		fputs(help, out);
		fflush(out);
		return OPTIONS_DONE;
	case ':':
		return missing_argument(err, argv);
	default:
		/* bad_option reads the main table; what it says holds for
		 * memprof diff's options too, as no two of them share a
		 * prefix. */
		return bad_option(err, argv);
	}
}

/* memprof diff [OPTIONS] OLD NEW; argv[0] is "diff".  Options may come
 * anywhere (getopt permutes), "--" ends them. */
static enum options_result parse_diff(struct options *opts, int argc,
				      char **argv, FILE *out, FILE *err)
{
	optind = 0;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, ":h", diff_long_options, NULL);
		enum options_result r;

		if (c == -1)
			break;
		r = shared_option(opts, c, argv, diff_help_text, out, err);
		if (r != OPTIONS_RUN)
			return r;
	}
	if (argc - optind != 2)
		return usage_error(err,
				   "diff needs two reports: OLD.json NEW.json");
	opts->diff_old = argv[optind];
	opts->diff_new = argv[optind + 1];
	return OPTIONS_RUN;
}

/* --line=FILE:FROM-TO (or FILE:LINE): appends the range. */
static bool add_line_range(struct options *opts, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	char *end;
	unsigned long from, to;

	if (!colon || colon == arg)
		return false;
	errno = 0;
	from = strtoul(colon + 1, &end, 10);
	if (end == colon + 1 || errno || from == 0 || from > UINT_MAX)
		return false;
	to = from;
	if (*end == '-') {
		const char *p = end + 1;

		to = strtoul(p, &end, 10);
		if (end == p || errno || to < from || to > UINT_MAX)
			return false;
	}
	if (*end)
		return false;
	ARRAY_GROW(opts->lines, opts->nlines + 1, opts->lines_cap);
	opts->lines[opts->nlines].file = strndup(arg, (size_t)(colon - arg));
	opts->lines[opts->nlines].from = (unsigned)from;
	opts->lines[opts->nlines].to = (unsigned)to;
	opts->nlines++;
	return true;
}

/* The option named when per-line options come with --no-lines: --heap
 * (as it always was), else the first column's in the table, else
 * --stop-above. */
static const char *no_lines_conflict(const struct options *opts)
{
	if (opts->columns & column_bit("heap"))
		return "heap";
	for (size_t i = 0; i < column_count; i++)
		if (opts->columns & (1u << i))
			return column_table[i].option;
	return "stop-above";
}

enum options_result options_parse(struct options *opts, int argc, char **argv,
				  FILE *out, FILE *err)
{
	memset(opts, 0, sizeof(*opts));
	opts->format = FORMAT_TEXT;
	opts->precision = 1;
	opts->top = 10;
	opts->interval_ms = 10;
	/* Before memprof diff too: its messages name options from it. */
	set_long_options();

	/* Only the exact first word: "memprof -- diff" and "memprof ./diff"
	 * profile a program named diff. */
	if (argc >= 2 && strcmp(argv[1], "diff") == 0)
		return parse_diff(opts, argc - 1, argv + 1, out, err);

	/* 0, not 1: glibc then also forgets any state of an earlier call
	 * (the unit tests parse many command lines in one process). */
	optind = 0;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, short_options, long_options,
				    NULL);
		enum options_result r;

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
		case OPT_CHILDREN:
			opts->children = 1;
			break;
		case OPT_DEPTH:
			if (!parse_int(optarg, 0, 16, &opts->depth))
				return bad_value(err, c, optarg, "0 to 16");
			break;
		case OPT_LINE:
			if (!add_line_range(opts, optarg))
				return bad_value(err, c, optarg,
						 "FILE:FROM-TO");
			break;
		case OPT_METRIC:
			opts->metric = rss_metric_parse(optarg);
			if (opts->metric < 0)
				return bad_value(err, c, optarg,
						 "rss, anon, file, shmem, pss or uss");
			break;
		case OPT_STOP_ABOVE: {
			char size[64];
			const char *comma = strchr(optarg, ',');
			size_t n = comma ? (size_t)(comma - optarg) : strlen(optarg);

			if (n >= sizeof(size) || (comma && strcmp(comma, ",hold")))
				return bad_value(err, c, optarg,
						 "SIZE or SIZE,hold");
			memcpy(size, optarg, n);
			size[n] = '\0';
			if (budget_parse_size(size, &opts->stop_above) < 0)
				return bad_value(err, c, optarg,
						 "SIZE or SIZE,hold");
			opts->stop_hold = comma != NULL;
			break;
		}
		case 'p':
			if (!parse_int(optarg, 1, INT_MAX, &opts->pid))
				return bad_value(err, c, optarg,
						 "a process id");
			break;
		case OPT_TOP:
			if (!parse_count(optarg, &opts->top))
				return bad_value(err, c, optarg,
						 "a number of lines, 0 for none");
			break;
		case OPT_FAIL_OVER:
			if (!add_budget(opts, optarg))
				return bad_value(err, c, optarg,
						 "SIZE or FUNCTION:SIZE, e.g. 200MiB, 1.5GiB, 500M");
			break;
		case OPT_DEBUGINFO_PATH:
			opts->debuginfo_path = optarg;
			break;
		case OPT_TIMELINE:
			opts->timeline = optarg;
			break;
		case OPT_PLOT:
			if (!parse_svg_name(optarg))
				return bad_value(err, c, optarg,
						 "a file name ending in .svg");
			opts->plot = optarg;
			break;
		case OPT_INTERVAL:
			if (!parse_interval(optarg, &opts->interval_ms))
				return bad_value(err, c, optarg,
						 "milliseconds, 1 to 60000");
			break;
		case OPT_NO_LINES:
			opts->no_lines = 1;
			break;
		case OPT_VERSION:
			fputs("memprof " MEMPROF_VERSION "\n", out);
			fflush(out);
			return OPTIONS_DONE;
		case 'h':
			print_help(out);
			fflush(out);
			return OPTIONS_DONE;
		default:
			if (c >= OPT_COLUMN &&
			    c < OPT_COLUMN + (int)column_count) {
				opts->columns |= 1u << (c - OPT_COLUMN);
				break;
			}
			r = shared_option(opts, c, argv, help_text, out, err);
			if (r != OPTIONS_RUN)
				return r;
			break;
		}
	}
	/* --no-lines profiles no function: nothing to name, nothing to
	 * rank. */
	if (opts->no_lines) {
		if (opts->nfuncs)
			return usage_error(err,
					   "--func cannot be used with --no-lines");
		/* Per-line figures, and a limit checked at line events. */
		if (opts->columns || opts->stop_above)
			return usage_error(err,
					   "--%s cannot be used with --no-lines",
					   no_lines_conflict(opts));
		for (size_t i = 0; i < opts->nbudgets; i++)
			if (opts->budgets[i].func)
				return usage_error(err,
						   "--fail-over=FUNC:SIZE cannot be used with --no-lines (only --fail-over=SIZE)");
		opts->top = 0;
	}
	/* With --func the profiled names are known now; else (marks, main)
	 * only after the run, where main checks again. */
	for (size_t i = 0; opts->nfuncs && i < opts->nbudgets; i++) {
		const char *name = opts->budgets[i].func;
		bool found = !name;

		for (size_t f = 0; !found && f < opts->nfuncs; f++)
			found = strcmp(opts->funcs[f], name) == 0;
		if (!found)
			return usage_error(err,
					   "--fail-over names '%s', which is not profiled (add --func=%s)",
					   name, name);
	}
	if ((opts->columns & column_bit("peak")) && opts->metric != METRIC_RSS)
		return usage_error(err, "--peak measures RSS: it cannot go with --metric=%s",
				   rss_metric_name((enum rss_metric)opts->metric));
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
	opts->nfuncs = opts->funcs_cap = 0;
	for (i = 0; i < opts->nlines; i++)
		free(opts->lines[i].file);
	free(opts->lines);
	opts->lines = NULL;
	opts->nlines = opts->lines_cap = 0;
	for (i = 0; i < opts->nbudgets; i++)
		free(opts->budgets[i].func);
	free(opts->budgets);
	opts->budgets = NULL;
	opts->nbudgets = opts->budgets_cap = 0;
}
