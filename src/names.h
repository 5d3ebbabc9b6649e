/* SPDX-License-Identifier: MIT */
/* names.h - which functions a --func pattern names.
 *
 * Pure string work on qualified names ("store::Builder::grow<int>");
 * di_names.c builds those names from the DWARF and leaves the rules to
 * this file.  The rules, also in the man page (NAME MATCHING):
 *   - a pattern without "::" is compared with the function's own name,
 *     with and without its template arguments;
 *   - a pattern with "::" is compared with the qualified name and with
 *     every tail of it that starts after a "::" (so "Builder::grow" finds
 *     store::Builder::grow), again with and without template arguments;
 *     a leading "::" anchors it at the global scope;
 *   - patterns are shell globs (fnmatch(3)); '*' matches "::" too.
 */
#ifndef MEMPROF_NAMES_H
#define MEMPROF_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* A function's names, as names_match compares them. */
struct fn_name {
	const char *qname;        /* ns::Box<int>::get<long> */
	const char *base;         /* get<long>: the last component */
	const char *plain;        /* ns::Box::get; NULL when it is qname */
	const char *plain_base;   /* get; NULL when it is base */
	bool fold;                /* compare without regard to case (Fortran) */
};

/* `name` without its template arguments ("Box<int>::get<long>" ->
 * "Box::get"), malloc'd; NULL when it has none.  An operator's own
 * brackets ("operator<<", "operator->") are not template arguments, nor
 * is a name that begins with one ("<lambda()>"). */
char *names_strip_templates(const char *name);

/* Whether `pattern` names the function `n` (see above). */
bool names_match(const char *pattern, const struct fn_name *n);

/* Whether `pattern` has glob characters. */
bool names_is_glob(const char *pattern);

/* How far `pattern` is from the function's name (the edit distance to
 * the name, or to the nearest qualified tail for a pattern with "::"),
 * for "did you mean" suggestions; (size_t)-1 for long names. */
size_t names_distance(const char *pattern, const struct fn_name *n);

/* Levenshtein distance; (size_t)-1 when either is over 200 characters. */
size_t names_edit_distance(const char *a, const char *b);

#endif
