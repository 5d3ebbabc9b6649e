/* SPDX-License-Identifier: MIT */
/* run.c - runs every unit-test suite; exits nonzero when a check fails. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(rss_suite());
	int failed;

	srunner_add_suite(sr, source_suite());
	srunner_add_suite(sr, profile_suite());
	srunner_add_suite(sr, report_suite());
	srunner_add_suite(sr, options_suite());
	srunner_add_suite(sr, names_suite());
	srunner_add_suite(sr, top_suite());
	srunner_add_suite(sr, budget_suite());
	srunner_add_suite(sr, json_suite());
	srunner_add_suite(sr, diff_suite());
	srunner_add_suite(sr, timeline_suite());
	srunner_add_suite(sr, report_svg_suite());
	srunner_add_suite(sr, heap_suite());
	srunner_add_suite(sr, util_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
