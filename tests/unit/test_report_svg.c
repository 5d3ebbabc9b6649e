/* SPDX-License-Identifier: MIT */
/* test_report_svg.c - the --plot renderer: the structure of its SVG
 * (balanced tags, escaped text), the labels a reader needs (axes, ticks,
 * the peak with its value and line, the functions' lanes), and its size
 * bounded however many samples and calls the timeline holds. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "report.h"
#include "suites.h"
#include "timeline.h"

#define MiB (1024 * 1024LL)

static char *render(const struct timeline *tl, const struct profile *p,
		    const struct report_run *run)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(report_svg(out, tl, p, run), 0);
	ck_assert_int_eq(fclose(out), 0);
	return buf;
}

/* Well-formed enough for a browser: every tag closed in order, quoted
 * attributes, every '&' an entity, no control characters.  Returns NULL
 * or what is wrong. */
static const char *check_xml(const char *s)
{
	static char why[160];
	const char *stack[64];
	size_t depth = 0, roots = 0;

	if (strncmp(s, "<?xml ", 6) != 0)
		return "no XML declaration";
	s = strstr(s, "?>") + 2;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
			return "control character";
		if (*s == '&') {
			if (strncmp(s, "&amp;", 5) && strncmp(s, "&lt;", 4) &&
			    strncmp(s, "&gt;", 4) && strncmp(s, "&quot;", 6) &&
			    strncmp(s, "&apos;", 6))
				return "bare '&'";
			continue;
		}
		if (*s == '>')
			return "bare '>' in text";
		if (*s != '<')
			continue;
		if (s[1] == '/') {
			size_t n = strcspn(s + 2, ">");

			if (!depth)
				return "closing tag without an opening one";
			depth--;
			if (strncmp(stack[depth], s + 2, n) != 0 ||
			    strcspn(stack[depth], " />") != n) {
				snprintf(why, sizeof(why), "</%.*s> closes <%.*s>",
					 (int)n, s + 2,
					 (int)strcspn(stack[depth], " />"),
					 stack[depth]);
				return why;
			}
			s += n + 2;
			continue;
		}
		/* An opening tag: to its '>', outside quoted values. */
		const char *name = s + 1;
		bool in_quote = false;

		for (s++; *s && (in_quote || *s != '>'); s++) {
			if (*s == '"')
				in_quote = !in_quote;
			if (in_quote && *s == '<')
				return "'<' in an attribute";
			if (*s == '=' && s[1] != '"')
				return "unquoted attribute";
		}
		if (!*s)
			return "unterminated tag";
		if (s[-1] == '/')
			continue;
		if (depth == 0)
			roots++;
		if (depth == 64)
			return "too deep";
		stack[depth++] = name;
	}
	if (depth)
		return "unclosed tag";
	return roots == 1 ? NULL : "not one root element";
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (s = strstr(s, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

static char *const command[] = { "./seed", "5000", NULL };

/* The seed example: RSS climbs to 96.7 MiB in process_data, then stays. */
static struct timeline *seed_timeline(struct profile *p, unsigned *fn)
{
	struct timeline *tl = timeline_new(10);

	*fn = profile_add_function(p, "process_data", "/src/seed.c", 18, 34);
	timeline_sample_at(tl, 0, 1 * MiB);
	timeline_call_at(tl, 0.05, *fn, 1, 1 * MiB);
	for (int i = 1; i <= 100; i++)
		timeline_sample_at(tl, 0.05 + i * 0.01,
				   MiB + (int64_t)(95.7 * MiB) * i / 100);
	timeline_call_at(tl, 1.2, *fn, 0, 96 * MiB + 700 * 1024);
	timeline_sample_at(tl, 1.25, 96 * MiB + 700 * 1024);
	timeline_finish(tl);
	return tl;
}

START_TEST(structure_and_labels)
{
	struct profile *p = profile_new();
	unsigned fn;
	struct timeline *tl = seed_timeline(p, &fn);
	struct report_run run = {
		.command = command, .peak_rss_bytes = 97 * MiB,
		.final_rss_bytes = 97 * MiB, .precision = 1,
		.peak_known = 1, .peak_fn = fn, .peak_line = 27,
	};
	char *svg = render(tl, p, &run);
	const char *why = check_xml(svg);

	ck_assert_msg(why == NULL, "not well-formed: %s", why);
	ck_assert_ptr_nonnull(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	ck_assert_ptr_nonnull(strstr(svg, "<title>memprof: ./seed 5000</title>"));
	ck_assert_ptr_nonnull(strstr(svg, ">memprof: ./seed 5000</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">time (s)</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">RSS (MiB)</text>"));
	/* Nice ticks: 0 to 120 MiB by 20, 0 to 1.4 s by 0.2. */
	ck_assert_ptr_nonnull(strstr(svg, ">0</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">20</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">120</text>"));
	ck_assert_ptr_null(strstr(svg, ">140</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">0.0</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">1.2</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">1.4</text>"));
	/* The peak: its value, when the curve got there, and its line. */
	ck_assert_ptr_nonnull(strstr(svg, ">peak 96.7 MiB at 1.04 s"));
	ck_assert_ptr_nonnull(strstr(svg, ">seed.c:27 in process_data</tspan>"));
	ck_assert_uint_eq(count(svg, "class=\"peak\""), 1);
	ck_assert_ptr_nonnull(strstr(svg, "peak RSS 97.0 MiB (VmHWM)"));
	/* The function's lane: its name and one bar, shaded below. */
	ck_assert_ptr_nonnull(strstr(svg, "fill=\"#e8710a\">process_data</text>"));
	ck_assert_uint_eq(count(svg, "class=\"span\""), 1);
	ck_assert_ptr_nonnull(strstr(svg, "<title>process_data: 0.050\u20131.200 s, 1.0 \u2192 96.7 MiB</title>"));
	ck_assert_uint_eq(count(svg, "<polyline class=\"rss\""), 1);
	free(svg);
	timeline_free(tl);
	profile_free(p);
}
END_TEST

/* Markup, control characters and invalid UTF-8 in the command and the
 * names cannot break the file; long names are cut. */
START_TEST(hostile_text)
{
	struct profile *p = profile_new();
	struct timeline *tl = timeline_new(10);
	char *const cmd[] = { "./a<b>&\"c'", "\x01\xff\xc3", "\xc3\xa9t\xc3\xa9", NULL };
	unsigned fn = profile_add_function(p, "op<<(std::ostream&, T&)",
					   "/x/y&z.cpp", 1, 9);
	unsigned lng = profile_add_function(p, "a_function_name_far_too_long_for_the_margin",
					    "/x/l.c", 1, 2);
	struct report_run run = {
		.command = cmd, .peak_rss_bytes = -1, .final_rss_bytes = -1,
		.peak_known = 1, .peak_fn = fn, .peak_line = 3,
	};
	char *svg;
	const char *why;

	timeline_sample_at(tl, 0, 5 * MiB);
	timeline_call_at(tl, 0.001, fn, 1, 5 * MiB);
	timeline_call_at(tl, 0.002, lng, 1, 5 * MiB);
	timeline_call_at(tl, 0.003, lng, 0, 5 * MiB);
	timeline_call_at(tl, 0.004, fn, 0, 5 * MiB);
	timeline_finish(tl);
	svg = render(tl, p, &run);
	why = check_xml(svg);
	ck_assert_msg(why == NULL, "not well-formed: %s", why);
	ck_assert_ptr_nonnull(strstr(svg, ">memprof: ./a&lt;b&gt;&amp;&quot;c&apos; ??? \xc3\xa9t\xc3\xa9</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">op&lt;&lt;(std::ostream&amp;, T&amp;)</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">a_function_name_far_too_lon\u2026</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">y&amp;z.cpp:3 in op&lt;&lt;"));
	/* Unknown peak and final RSS: not shown rather than made up. */
	ck_assert_ptr_null(strstr(svg, "VmHWM"));
	ck_assert_ptr_nonnull(strstr(svg, ">peak 5.0 MiB at 0.00 s<tspan"));
	free(svg);
	timeline_free(tl);
	profile_free(p);
}
END_TEST

/* An hour of samples and calls, twenty functions: a picture of bounded
 * size, with the functions that ran longest in its lanes. */
START_TEST(bounded)
{
	struct profile *p = profile_new();
	struct timeline *tl = timeline_new(10);
	struct report_run run = {
		.command = command, .peak_rss_bytes = -1, .final_rss_bytes = -1,
	};
	unsigned fns[20];
	char *svg;
	const char *why;

	for (int i = 0; i < 20; i++) {
		char name[32];

		snprintf(name, sizeof(name), "f%02d", i);
		fns[i] = profile_add_function(p, name, "/x/f.c", 1, 2);
	}
	for (int i = 0; i < 360000; i++) {
		double t = i * 0.01;
		int k = i % 20;

		timeline_sample_at(tl, t, (int64_t)(i % 1000) * MiB);
		/* f<k>: a 5 ms call every 200 ms, for the first (20 - k)
		 * twentieths of the hour: f00 runs longest. */
		if (t < 3600.0 * (20 - k) / 20) {
			timeline_call_at(tl, t, fns[k], 1, MiB);
			timeline_call_at(tl, t + 0.005, fns[k], 0, MiB);
		}
	}
	timeline_finish(tl);
	svg = render(tl, p, &run);
	why = check_xml(svg);
	ck_assert_msg(why == NULL, "not well-formed: %s", why);
	ck_assert_uint_lt(strlen(svg), 200000);
	ck_assert_ptr_nonnull(strstr(svg, ">f00</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">f11</text>"));
	ck_assert_ptr_null(strstr(svg, ">f12</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "(8 more profiled functions not shown)"));
	ck_assert_ptr_nonnull(strstr(svg, ">peak 999.0 MiB at 9.90 s"));
	free(svg);
	timeline_free(tl);
	profile_free(p);
}
END_TEST

START_TEST(no_samples)
{
	struct profile *p = profile_new();
	struct timeline *tl = timeline_new(10);
	struct report_run run = {
		.command = command, .peak_rss_bytes = -1, .final_rss_bytes = -1,
	};
	char *svg;
	const char *why;

	timeline_finish(tl);
	svg = render(tl, p, &run);
	why = check_xml(svg);
	ck_assert_msg(why == NULL, "not well-formed: %s", why);
	ck_assert_ptr_nonnull(strstr(svg, ">no samples</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">time (s)</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">RSS (MiB)</text>"));
	ck_assert_ptr_null(strstr(svg, "class=\"peak\""));
	free(svg);
	/* --metric: the curve is of what it names. */
	run.metric = "pss";
	run.peak_rss_bytes = 3 * MiB;
	svg = render(tl, p, &run);
	ck_assert_ptr_nonnull(strstr(svg, ">pss (MiB)</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "peak pss 3.0 MiB \u00b7"));
	ck_assert_ptr_null(strstr(svg, "VmHWM"));
	ck_assert_ptr_null(strstr(svg, "RSS"));
	free(svg);
	timeline_free(tl);
	profile_free(p);
}
END_TEST

Suite *report_svg_suite(void)
{
	Suite *s = suite_create("report_svg");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, structure_and_labels);
	tcase_add_test(tc, hostile_text);
	tcase_add_test(tc, bounded);
	tcase_add_test(tc, no_samples);
	suite_add_tcase(s, tc);
	return s;
}
