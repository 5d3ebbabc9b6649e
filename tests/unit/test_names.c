/* SPDX-License-Identifier: MIT */
/* test_names.c - --func patterns against qualified names. */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "suites.h"

/* The struct debuginfo.c would build for qualified name `q`. */
struct built {
	struct fn_name n;
	char *plain, *plain_base;
};

static void build(struct built *b, const char *q, const char *base, bool fold)
{
	b->plain = names_strip_templates(q);
	b->plain_base = names_strip_templates(base);
	b->n.qname = q;
	b->n.base = base;
	b->n.plain = b->plain;
	b->n.plain_base = b->plain_base;
	b->n.fold = fold;
}

static bool matches(const char *pattern, const char *q, const char *base)
{
	struct built b;
	bool m;

	build(&b, q, base, false);
	m = names_match(pattern, &b.n);
	free(b.plain);
	free(b.plain_base);
	return m;
}

#define STRIPPED(in, want)                                                     \
	do {                                                                   \
		char *s_ = names_strip_templates(in);                           \
		if (want) {                                                    \
			ck_assert_ptr_nonnull(s_);                             \
			ck_assert_str_eq(s_, (const char *)(want));            \
		} else {                                                       \
			ck_assert_ptr_null(s_);                                \
		}                                                              \
		free(s_);                                                      \
	} while (0)

START_TEST(strip_templates)
{
	STRIPPED("grow", NULL);
	STRIPPED("store::Builder::grow", NULL);
	STRIPPED("grow<int>", "grow");
	STRIPPED("store::Box<int>::get<long>", "store::Box::get");
	STRIPPED("Box<std::vector<int, std::allocator<int> > >::get", "Box::get");
	STRIPPED("fill<double>", "fill");
	/* Operators keep their brackets; their template arguments go. */
	STRIPPED("store::operator<", NULL);
	STRIPPED("operator<<", NULL);
	STRIPPED("operator->", NULL);
	STRIPPED("operator>>=", NULL);
	STRIPPED("std::operator<< <std::char_traits<char> >", "std::operator<<");
	STRIPPED("operator()", NULL);
	/* GCC's lambdas, Rust's closures and fn types. */
	STRIPPED("main::<lambda()>::operator()", NULL);
	STRIPPED("r::gen::{closure#0}<u32>", "r::gen::{closure#0}");
	STRIPPED("call<fn(i32) -> i32>", "call");
	STRIPPED("(anonymous namespace)::grow", NULL);
}
END_TEST

START_TEST(unqualified)
{
	ck_assert(matches("grow", "grow", "grow"));
	ck_assert(matches("grow", "store::Builder::grow", "grow"));
	ck_assert(matches("grow", "store::grow<int>", "grow<int>"));
	ck_assert(matches("grow<int>", "store::grow<int>", "grow<int>"));
	ck_assert(!matches("grow<int>", "store::grow<long>", "grow<long>"));
	ck_assert(!matches("grow", "store::grower", "grower"));
	ck_assert(!matches("grow", "grow::x", "x"));
	ck_assert(!matches("Grow", "grow", "grow"));
}
END_TEST

START_TEST(qualified)
{
	ck_assert(matches("store::Builder::grow", "store::Builder::grow", "grow"));
	/* A tail after a "::", not any suffix. */
	ck_assert(matches("Builder::grow", "store::Builder::grow", "grow"));
	ck_assert(!matches("uilder::grow", "store::Builder::grow", "grow"));
	ck_assert(!matches("store::grow", "store::Builder::grow", "grow"));
	/* Template arguments may be left out, anywhere. */
	ck_assert(matches("store::Box::get", "store::Box<int>::get<long>", "get<long>"));
	ck_assert(matches("store::Box<int>::get<long>", "store::Box<int>::get<long>", "get<long>"));
	ck_assert(matches("Box<std::string>::get", "Box<std::string>::get", "get"));
	ck_assert(!matches("string>::get", "Box<std::string>::get", "get"));
	/* A leading "::" means the global scope. */
	ck_assert(matches("::grow", "grow", "grow"));
	ck_assert(!matches("::grow", "store::grow", "grow"));
	ck_assert(matches("::store::grow", "store::grow", "grow"));
	ck_assert(!matches("::Builder::grow", "store::Builder::grow", "grow"));
	/* Rust. */
	ck_assert(matches("inner::reserve_then_fill", "r::inner::reserve_then_fill",
			  "reserve_then_fill"));
}
END_TEST

START_TEST(globs)
{
	ck_assert(matches("store::*", "store::Builder::grow", "grow"));
	ck_assert(matches("store::*", "store::fill<int>", "fill<int>"));
	ck_assert(matches("store::*", "app::store::grow", "grow"));
	ck_assert(!matches("::store::*", "app::store::grow", "grow"));
	ck_assert(matches("*::grow", "store::Builder::grow", "grow"));
	ck_assert(!matches("*::grow", "grow", "grow"));
	ck_assert(matches("Builder::g*", "store::Builder::grow", "grow"));
	ck_assert(matches("gr?w", "store::Builder::grow", "grow"));
	ck_assert(matches("gr*", "store::grow<int>", "grow<int>"));
	ck_assert(!matches("gr*", "grid::x", "x"));
	ck_assert(matches("*", "anything::at::all", "all"));
	ck_assert(matches("add", "store::Builder::add", "add"));
	ck_assert(names_is_glob("store::*"));
	ck_assert(names_is_glob("gr?w"));
	ck_assert(!names_is_glob("store::Builder::grow"));
}
END_TEST

START_TEST(fold)
{
	struct built b;

	build(&b, "work::fill", "fill", true);
	ck_assert(names_match("FILL", &b.n));
	ck_assert(names_match("Work::Fill", &b.n));
	ck_assert(names_match("F*", &b.n));
	ck_assert(!names_match("fil", &b.n));
	free(b.plain);
	free(b.plain_base);
}
END_TEST

START_TEST(distance)
{
	struct built b;

	ck_assert_uint_eq(names_edit_distance("proces_data", "process_data"), 1);
	ck_assert_uint_eq(names_edit_distance("", "abc"), 3);
	ck_assert_uint_eq(names_edit_distance("kitten", "sitting"), 3);
	build(&b, "store::Builder::grow<int>", "grow<int>", false);
	ck_assert_uint_eq(names_distance("gorw", &b.n), 2);
	ck_assert_uint_eq(names_distance("Buildr::grow", &b.n), 1);
	ck_assert_uint_eq(names_distance("store::Buildr::grow", &b.n), 1);
	free(b.plain);
	free(b.plain_base);
}
END_TEST

Suite *names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, strip_templates);
	tcase_add_test(tc, unqualified);
	tcase_add_test(tc, qualified);
	tcase_add_test(tc, globs);
	tcase_add_test(tc, fold);
	tcase_add_test(tc, distance);
	suite_add_tcase(s, tc);
	return s;
}
