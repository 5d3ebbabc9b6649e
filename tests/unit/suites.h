/* SPDX-License-Identifier: MIT */
/* suites.h - the Check suites of the unit tests, one per module. */
#ifndef MEMPROF_TEST_SUITES_H
#define MEMPROF_TEST_SUITES_H

#include <check.h>

Suite *rss_suite(void);
Suite *source_suite(void);
Suite *profile_suite(void);
Suite *report_suite(void);
Suite *options_suite(void);
Suite *names_suite(void);
Suite *top_suite(void);
Suite *budget_suite(void);
Suite *json_suite(void);
Suite *diff_suite(void);
Suite *timeline_suite(void);
Suite *report_svg_suite(void);
Suite *heap_suite(void);
Suite *util_suite(void);

#endif
