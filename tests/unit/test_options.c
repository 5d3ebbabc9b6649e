/* SPDX-License-Identifier: MIT */
/* test_options.c - command-line parsing, messages compared exactly. */
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "options.h"
#include "suites.h"

#ifndef MEMPROF_VERSION
#define MEMPROF_VERSION "0.1.0"
#endif

#define HINT "Try 'memprof --help' for more information.\n"

struct parsed {
	struct options opts;
	enum options_result result;
	char *out;
	char *err;
};

/* Parses a NULL-terminated argv, catching what goes to out and err. */
static void parse_argv(struct parsed *r, char **argv)
{
	size_t outlen = 0, errlen = 0;
	FILE *out, *err;
	int argc = 0;

	while (argv[argc])
		argc++;
	r->out = r->err = NULL;
	out = open_memstream(&r->out, &outlen);
	err = open_memstream(&r->err, &errlen);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(err);
	r->result = options_parse(&r->opts, argc, argv, out, err);
	fclose(out);
	fclose(err);
}

static void parsed_free(struct parsed *r)
{
	options_free(&r->opts);
	free(r->out);
	free(r->err);
}

/* The argv array lives until the end of the enclosing block. */
#define PARSE(r, ...) \
	parse_argv(r, (char *[]){ "memprof", __VA_ARGS__, NULL })

/* Asserts that the command line is a usage error with message `msg`. */
#define ck_usage(msg, ...)                                                     \
	do {                                                                   \
		struct parsed r_;                                              \
		PARSE(&r_, __VA_ARGS__);                                       \
		ck_assert_int_eq(r_.result, OPTIONS_USAGE);                    \
		ck_assert_str_eq(r_.err, "memprof: " msg "\n" HINT);           \
		ck_assert_str_eq(r_.out, "");                                  \
		parsed_free(&r_);                                              \
	} while (0)

static void ck_command(char **command, char **want)
{
	size_t i;

	ck_assert_ptr_nonnull(command);
	for (i = 0; want[i]; i++) {
		ck_assert_ptr_nonnull(command[i]);
		ck_assert_str_eq(command[i], want[i]);
	}
	ck_assert_ptr_null(command[i]);
}

START_TEST(defaults)
{
	struct parsed r;

	PARSE(&r, "./app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nfuncs, 0);
	ck_assert_ptr_null(r.opts.output);
	ck_assert_int_eq(r.opts.format, FORMAT_TEXT);
	ck_assert_int_eq(r.opts.precision, 1);
	ck_command(r.opts.command, (char *[]){ "./app", NULL });
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "");
	parsed_free(&r);
}
END_TEST

START_TEST(funcs)
{
	struct parsed r;

	PARSE(&r, "--func", "a,b", "--func", "c", "./app", "1");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nfuncs, 3);
	ck_assert_str_eq(r.opts.funcs[0], "a");
	ck_assert_str_eq(r.opts.funcs[1], "b");
	ck_assert_str_eq(r.opts.funcs[2], "c");
	ck_command(r.opts.command, (char *[]){ "./app", "1", NULL });
	parsed_free(&r);

	PARSE(&r, "--func=x::y", "-f", "d,e", "-ff", "--fu=g", "app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nfuncs, 5);
	ck_assert_str_eq(r.opts.funcs[0], "x::y");
	ck_assert_str_eq(r.opts.funcs[1], "d");
	ck_assert_str_eq(r.opts.funcs[2], "e");
	ck_assert_str_eq(r.opts.funcs[3], "f");
	ck_assert_str_eq(r.opts.funcs[4], "g");
	parsed_free(&r);
}
END_TEST

START_TEST(output_format_precision)
{
	struct parsed r;

	PARSE(&r, "-o", "out.txt", "--format", "json", "--precision", "3",
	      "./app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_str_eq(r.opts.output, "out.txt");
	ck_assert_int_eq(r.opts.format, FORMAT_JSON);
	ck_assert_int_eq(r.opts.precision, 3);
	parsed_free(&r);

	PARSE(&r, "--output=r.json", "--format=text", "--precision=0",
	      "--prec=9", "-or2", "./app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_str_eq(r.opts.output, "r2");
	ck_assert_int_eq(r.opts.format, FORMAT_TEXT);
	ck_assert_int_eq(r.opts.precision, 9);
	parsed_free(&r);
}
END_TEST

START_TEST(program_and_dashdash)
{
	struct parsed r;

	/* Options after PROGRAM belong to the program. */
	PARSE(&r, "./app", "--func", "x", "-o", "y");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nfuncs, 0);
	ck_assert_ptr_null(r.opts.output);
	ck_command(r.opts.command,
		   (char *[]){ "./app", "--func", "x", "-o", "y", NULL });
	parsed_free(&r);

	PARSE(&r, "-f", "a", "--", "./app", "--", "-o");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nfuncs, 1);
	ck_command(r.opts.command, (char *[]){ "./app", "--", "-o", NULL });
	parsed_free(&r);

	/* After "--" even an option-looking PROGRAM is the program. */
	PARSE(&r, "--", "--func", "x");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nfuncs, 0);
	ck_command(r.opts.command, (char *[]){ "--func", "x", NULL });
	parsed_free(&r);

	PARSE(&r, "-", "x");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_command(r.opts.command, (char *[]){ "-", "x", NULL });
	parsed_free(&r);
}
END_TEST

START_TEST(usage_errors)
{
	ck_usage("empty function name in --func", "--func=", "./app");
	ck_usage("empty function name in --func", "--func=a,,b", "./app");
	ck_usage("empty function name in --func", "--func", ",a", "./app");
	ck_usage("empty function name in --func", "-f", "a,", "./app");
	ck_usage("invalid --format 'xml' (expected text or json)",
		 "--format=xml", "./app");
	ck_usage("invalid --format '' (expected text or json)", "--format=",
		 "./app");
	ck_usage("invalid --precision 'x' (expected 0 to 9)", "--precision=x",
		 "./app");
	ck_usage("invalid --precision '10' (expected 0 to 9)", "--precision",
		 "10", "./app");
	ck_usage("invalid --precision '-1' (expected 0 to 9)",
		 "--precision=-1", "./app");
	ck_usage("invalid --precision ' 3' (expected 0 to 9)",
		 "--precision= 3", "./app");
	ck_usage("invalid --precision '' (expected 0 to 9)", "--precision=",
		 "./app");
	ck_usage("unrecognized option '--bogus'", "--bogus", "./app");
	ck_usage("unrecognized option '--bogus=1'", "--bogus=1", "./app");
	ck_usage("unrecognized option '-x'", "-x", "./app");
	ck_usage("unrecognized option '-x'", "-xh", "./app");
	ck_usage("option '--f' is ambiguous", "--f=a", "./app");
	ck_usage("option '--help' doesn't allow an argument", "--help=yes",
		 "./app");
	ck_usage("option '--version' doesn't allow an argument", "--vers=1",
		 "./app");
	ck_usage("option '--output' requires an argument", "--output");
	ck_usage("option '--func' requires an argument", "--fu");
	ck_usage("option '--precision' requires an argument", "--precision");
	ck_usage("option '-o' requires an argument", "-o");
	ck_usage("option '-f' requires an argument", "-f");
	ck_usage("no program to profile", "--func", "main");
	ck_usage("no program to profile", "--");
}
END_TEST

START_TEST(no_arguments)
{
	struct parsed r;

	parse_argv(&r, (char *[]){ "memprof", NULL });
	ck_assert_int_eq(r.result, OPTIONS_USAGE);
	ck_assert_str_eq(r.err, "memprof: no program to profile\n" HINT);
	parsed_free(&r);
}
END_TEST

START_TEST(help_and_version)
{
	struct parsed r;
	const char *p;
	int lines = 0;

	PARSE(&r, "--help");
	ck_assert_int_eq(r.result, OPTIONS_DONE);
	ck_assert_str_eq(r.err, "");
	ck_assert_int_eq(strncmp(r.out, "Usage: memprof [OPTIONS] [--] PROGRAM "
				 "[ARGS...]\n", 48), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "MEMPROF_PROFILE"));
	ck_assert_ptr_nonnull(strstr(r.out, "--func=NAME[,NAME...]"));
	ck_assert_ptr_nonnull(strstr(r.out, "--precision=N"));
	ck_assert_ptr_nonnull(strstr(r.out, "Exit status: the program's own "
					    "(128+N if killed by signal N), else 109 if\n"
					    "a --fail-over budget is exceeded; 1 if memprof "
					    "fails; 2 on a usage error.\n"));
	for (p = r.out; *p; p++)
		lines += *p == '\n';
	ck_assert_int_lt(lines, 64); /* two screenfuls at most */
	parsed_free(&r);

	/* -h wins wherever it is, before PROGRAM. */
	PARSE(&r, "-f", "x", "-h", "--bogus");
	ck_assert_int_eq(r.result, OPTIONS_DONE);
	ck_assert_ptr_nonnull(strstr(r.out, "Usage: memprof"));
	ck_assert_str_eq(r.err, "");
	parsed_free(&r);

	PARSE(&r, "--version");
	ck_assert_int_eq(r.result, OPTIONS_DONE);
	ck_assert_str_eq(r.out, "memprof " MEMPROF_VERSION "\n");
	ck_assert_str_eq(r.err, "");
	parsed_free(&r);
}
END_TEST

/* Each optional column of column.c's table is an option that sets its
 * bit, with its --help lines, once, before the line it names. */
START_TEST(column_options)
{
	size_t optional = 0;

	for (size_t i = 0; i < column_count; i++) {
		const struct column *c = &column_table[i];
		char option[64], before[64];
		struct parsed r;
		const char *at;

		if (!c->option)
			continue;
		optional++;
		snprintf(option, sizeof(option), "--%s", c->option);
		PARSE(&r, option, "prog");
		ck_assert_int_eq(r.result, OPTIONS_RUN);
		ck_assert_uint_eq(r.opts.columns, column_bit(c->option));
		ck_assert_uint_ne(r.opts.columns, 0);
		parsed_free(&r);

		PARSE(&r, "--help");
		at = strstr(r.out, c->help);
		ck_assert_ptr_nonnull(at);
		ck_assert_ptr_null(strstr(at + 1, c->help));
		snprintf(before, sizeof(before), "--%s", c->help_before);
		at += strlen(c->help);
		ck_assert_ptr_nonnull(strstr(at, before));
		ck_assert_int_le(strstr(at, before) - at, 6);
		parsed_free(&r);
	}
	ck_assert_uint_gt(optional, 0);
}
END_TEST

START_TEST(reentrant)
{
	struct parsed r;

	/* Stop in the middle of a cluster ("-h" of "-hff"): getopt keeps a
	 * pointer into that argv, which the next parse must forget. */
	PARSE(&r, "-hff", "./app");
	ck_assert_int_eq(r.result, OPTIONS_DONE);
	parsed_free(&r);
	PARSE(&r, "-o", "x", "./app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nfuncs, 0);
	ck_assert_str_eq(r.opts.output, "x");
	ck_command(r.opts.command, (char *[]){ "./app", NULL });
	parsed_free(&r);
	/* An error half-way leaves no state behind either. */
	PARSE(&r, "-f", "a", "--precision=12", "./app");
	ck_assert_int_eq(r.result, OPTIONS_USAGE);
	parsed_free(&r);
	PARSE(&r, "-f", "b", "./b");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nfuncs, 1);
	ck_assert_str_eq(r.opts.funcs[0], "b");
	ck_assert_int_eq(r.opts.precision, 1);
	parsed_free(&r);
}
END_TEST

START_TEST(top_and_budgets)
{
	struct parsed r;

	PARSE(&r, "./app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.top, 10);
	ck_assert_uint_eq(r.opts.nbudgets, 0);
	ck_assert_ptr_null(r.opts.diff_old);
	parsed_free(&r);

	PARSE(&r, "--top=0", "--fail-over=200MiB", "--fail-over", "f:1.5G",
	      "--top", "3", "./app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.top, 3);
	ck_assert_uint_eq(r.opts.nbudgets, 2);
	ck_assert_ptr_null(r.opts.budgets[0].func);
	ck_assert_int_eq(r.opts.budgets[0].bytes, 200LL << 20);
	ck_assert_str_eq(r.opts.budgets[1].func, "f");
	ck_assert_int_eq(r.opts.budgets[1].bytes, 1536LL << 20);
	parsed_free(&r);

	/* With --func, a budget's function must be one of them. */
	PARSE(&r, "-f", "a,ns::b", "--fail-over=ns::b:1M", "--fail-over=a:2M",
	      "--fail-over=3M", "--top=0", "./app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_uint_eq(r.opts.nbudgets, 3);
	ck_assert_str_eq(r.opts.budgets[0].func, "ns::b");
	ck_assert_uint_eq(r.opts.top, 0);
	parsed_free(&r);

	ck_usage("invalid --top 'x' (expected a number of lines, 0 for none)",
		 "--top=x", "./app");
	ck_usage("invalid --top '-1' (expected a number of lines, 0 for none)",
		 "--top=-1", "./app");
	ck_usage("invalid --top '' (expected a number of lines, 0 for none)",
		 "--top=", "./app");
	ck_usage("invalid --top ' 1' (expected a number of lines, 0 for none)",
		 "--top= 1", "./app");
	ck_usage("invalid --top '1x' (expected a number of lines, 0 for none)",
		 "--top=1x", "./app");
	ck_usage("invalid --top '99999999999999999999999' (expected a number of lines, 0 for none)",
		 "--top=99999999999999999999999", "./app");
#define BAD_SIZE(arg) "invalid --fail-over '" arg "' (expected SIZE or " \
		      "FUNCTION:SIZE, e.g. 200MiB, 1.5GiB, 500M)"
	ck_usage(BAD_SIZE("5MB"), "--fail-over=5MB", "./app");
	ck_usage(BAD_SIZE(""), "--fail-over=", "./app");
	ck_usage(BAD_SIZE(":1M"), "--fail-over=:1M", "./app");
	ck_usage(BAD_SIZE("f:"), "--fail-over=f:", "./app");
	ck_usage(BAD_SIZE("0"), "--fail-over=0", "./app");
	ck_usage(BAD_SIZE("-1M"), "--fail-over", "-1M", "./app");
	ck_usage(BAD_SIZE("1.5"), "--fail-over=1.5", "./app");
#undef BAD_SIZE
	ck_usage("--fail-over names 'g', which is not profiled (add --func=g)",
		 "-f", "f", "--fail-over=g:1M", "./app");
	ck_usage("option '--fail-over' requires an argument", "--fail-over");
	ck_usage("option '--top' requires an argument", "--top");
}
END_TEST

START_TEST(diff_command)
{
	struct parsed r;

	PARSE(&r, "diff", "a.json", "b.json");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_str_eq(r.opts.diff_old, "a.json");
	ck_assert_str_eq(r.opts.diff_new, "b.json");
	ck_assert_ptr_null(r.opts.command);
	ck_assert_int_eq(r.opts.format, FORMAT_TEXT);
	ck_assert_int_eq(r.opts.precision, 1);
	parsed_free(&r);

	/* Options anywhere; "--" ends them. */
	PARSE(&r, "diff", "--format=json", "a.json", "--precision", "3",
	      "b.json");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_int_eq(r.opts.format, FORMAT_JSON);
	ck_assert_int_eq(r.opts.precision, 3);
	ck_assert_str_eq(r.opts.diff_old, "a.json");
	ck_assert_str_eq(r.opts.diff_new, "b.json");
	parsed_free(&r);
	PARSE(&r, "diff", "--", "-a.json", "--format=x");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_str_eq(r.opts.diff_old, "-a.json");
	ck_assert_str_eq(r.opts.diff_new, "--format=x");
	parsed_free(&r);

	PARSE(&r, "diff", "a", "--help");
	ck_assert_int_eq(r.result, OPTIONS_DONE);
	ck_assert_int_eq(strncmp(r.out, "Usage: memprof diff [OPTIONS] "
				 "OLD.json NEW.json\n", 48), 0);
	ck_assert_str_eq(r.err, "");
	parsed_free(&r);

	ck_usage("diff needs two reports: OLD.json NEW.json", "diff");
	ck_usage("diff needs two reports: OLD.json NEW.json", "diff", "a.json");
	ck_usage("diff needs two reports: OLD.json NEW.json", "diff", "a", "b",
		 "c");
	ck_usage("unrecognized option '--func=x'", "diff", "--func=x", "a", "b");
	ck_usage("unrecognized option '--top=3'", "diff", "--top=3", "a", "b");
	ck_usage("unrecognized option '-o'", "diff", "-o", "x", "a", "b");
	ck_usage("invalid --format 'xml' (expected text or json)", "diff",
		 "--format=xml", "a", "b");
	ck_usage("invalid --precision '10' (expected 0 to 9)", "diff",
		 "--precision=10", "a", "b");
	ck_usage("option '--precision' requires an argument", "diff", "a", "b",
		 "--precision");
	ck_usage("option '--help' doesn't allow an argument", "diff",
		 "--help=1");

	/* Only the very first word makes a diff: a program named diff is
	 * profiled after "--", by path, or after any option. */
	PARSE(&r, "--", "diff", "a", "b");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_ptr_null(r.opts.diff_old);
	ck_command(r.opts.command, (char *[]){ "diff", "a", "b", NULL });
	parsed_free(&r);
	PARSE(&r, "./diff", "a", "b");
	ck_assert_ptr_null(r.opts.diff_old);
	ck_command(r.opts.command, (char *[]){ "./diff", "a", "b", NULL });
	parsed_free(&r);
	PARSE(&r, "-f", "main", "diff", "x");
	ck_assert_ptr_null(r.opts.diff_old);
	ck_command(r.opts.command, (char *[]){ "diff", "x", NULL });
	parsed_free(&r);
}
END_TEST

START_TEST(timeline_options)
{
	struct parsed r;

	PARSE(&r, "./app");
	ck_assert_int_eq(r.opts.interval_ms, 10);
	ck_assert_ptr_null(r.opts.timeline);
	ck_assert_ptr_null(r.opts.plot);
	ck_assert_int_eq(r.opts.no_lines, 0);
	parsed_free(&r);

	PARSE(&r, "--timeline=t.dat", "--plot", "dir/P.SVG", "--interval=250",
	      "--no-lines", "./app");
	ck_assert_int_eq(r.result, OPTIONS_RUN);
	ck_assert_str_eq(r.opts.timeline, "t.dat");
	ck_assert_str_eq(r.opts.plot, "dir/P.SVG");
	ck_assert_int_eq(r.opts.interval_ms, 250);
	ck_assert_int_eq(r.opts.no_lines, 1);
	/* No lines, nothing to rank. */
	ck_assert_uint_eq(r.opts.top, 0);
	parsed_free(&r);

	ck_usage("invalid --interval '0' (expected milliseconds, 1 to 60000)",
		 "--interval=0", "./app");
	ck_usage("invalid --interval '1.5' (expected milliseconds, 1 to 60000)",
		 "--interval=1.5", "./app");
	ck_usage("invalid --interval '' (expected milliseconds, 1 to 60000)",
		 "--interval=", "./app");
	ck_usage("invalid --plot 'p.png' (expected a file name ending in .svg)",
		 "--plot=p.png", "./app");
	ck_usage("invalid --plot 'dir/.svg' (expected a file name ending in .svg)",
		 "--plot=dir/.svg", "./app");
	ck_usage("--func cannot be used with --no-lines", "--no-lines",
		 "-f", "main", "./app");
	ck_usage("--fail-over=FUNC:SIZE cannot be used with --no-lines (only --fail-over=SIZE)",
		 "--fail-over=main:1M", "--no-lines", "./app");
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, funcs);
	tcase_add_test(tc, output_format_precision);
	tcase_add_test(tc, program_and_dashdash);
	tcase_add_test(tc, usage_errors);
	tcase_add_test(tc, no_arguments);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, column_options);
	tcase_add_test(tc, reentrant);
	tcase_add_test(tc, top_and_budgets);
	tcase_add_test(tc, diff_command);
	tcase_add_test(tc, timeline_options);
	suite_add_tcase(s, tc);
	return s;
}
