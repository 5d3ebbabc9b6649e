/* SPDX-License-Identifier: MIT */
/* names.c - which functions a --func pattern names (rules in names.h).
 *
 * Qualified names come from the DWARF as C++, Rust and Fortran compilers
 * write them: "::" between scopes, template arguments in angle brackets
 * that may themselves hold "::" ("Box<std::string>::get"), Rust's closure
 * and impl scopes in braces ("{impl#0}", "{closure#0}<()>").  Splitting
 * them is done here, once, with brackets counted.
 */
#define _GNU_SOURCE
#include "names.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* The characters an operator's name may end with: "operator<<=". */
static bool operator_char(char c)
{
	return c && strchr("<>=!+-*/%^&|~,[]()", c);
}

/* Whether "operator" starts at `p` (in `s`) as a word. */
static bool at_operator(const char *s, const char *p)
{
	return !strncmp(p, "operator", 8) && (p == s || !ident_char(p[-1])) &&
	       !ident_char(p[8]);
}

char *names_strip_templates(const char *name)
{
	size_t len = strlen(name), n = 0;
	char *out = xmalloc(len + 1);
	bool any = false, after_op = false;
	const char *p = name;

	while (*p) {
		if (at_operator(name, p)) {
			const char *q = p + 8;

			while (operator_char(*q))
				q++;
			memcpy(out + n, p, (size_t)(q - p));
			n += (size_t)(q - p);
			p = q;
			/* "operator<< <char>": the space before the arguments. */
			after_op = *p == ' ' && p[1] == '<';
			if (after_op)
				p++;
			continue;
		}
		if (*p == '<' && (after_op || (p > name && (ident_char(p[-1]) ||
							     p[-1] == '}')))) {
			int depth = 0;

			for (; *p; p++) {
				if (*p == '<') {
					depth++;
				} else if (*p == '>' && p[-1] != '-' &&
					   --depth == 0) {
					p++;
					break;
				}
			}
			any = true;
			after_op = false;
			continue;
		}
		after_op = false;
		out[n++] = *p++;
	}
	out[n] = '\0';
	if (!any) {
		free(out);
		return NULL;
	}
	return out;
}

/* The next tail of a qualified name after `p`, a position in `q` where a
 * tail starts: the text after the next "::" outside brackets, or NULL. */
static const char *next_tail(const char *q, const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (at_operator(q, p)) {
			/* Its brackets are not brackets: skip them. */
			p += 7;
			while (operator_char(p[1]))
				p++;
		} else if (*p == '<' || *p == '(' || *p == '{') {
			depth++;
		} else if ((*p == '>' || *p == ')' || *p == '}') && depth > 0 &&
			   !(*p == '>' && p > q && p[-1] == '-')) {
			depth--;
		} else if (!depth && p[0] == ':' && p[1] == ':') {
			return p + 2;
		}
	}
	return NULL;
}

static bool name_is(const char *pattern, const char *s, bool fold)
{
	if (!s)
		return false;
	if (!(fold ? strcasecmp(pattern, s) : strcmp(pattern, s)))
		return true;
	return fnmatch(pattern, s, fold ? FNM_CASEFOLD : 0) == 0;
}

/* Whether `pattern` is qualified name `q` or one of its tails. */
static bool tail_is(const char *pattern, const char *q, bool fold)
{
	for (const char *t = q; t; t = next_tail(q, t))
		if (name_is(pattern, t, fold))
			return true;
	return false;
}

static bool scoped(const char *pattern)
{
	return strstr(pattern, "::") != NULL;
}

bool names_match(const char *pattern, const struct fn_name *n)
{
	if (!strncmp(pattern, "::", 2))
		return name_is(pattern + 2, n->qname, n->fold) ||
		       name_is(pattern + 2, n->plain, n->fold);
	if (scoped(pattern))
		return tail_is(pattern, n->qname, n->fold) ||
		       (n->plain && tail_is(pattern, n->plain, n->fold));
	return name_is(pattern, n->base, n->fold) ||
	       name_is(pattern, n->plain_base, n->fold);
}

bool names_is_glob(const char *pattern)
{
	return strpbrk(pattern, "*?[") != NULL;
}

size_t names_distance(const char *pattern, const struct fn_name *n)
{
	const char *q = n->plain ? n->plain : n->qname;
	size_t best = (size_t)-1, d;

	if (!strncmp(pattern, "::", 2))
		return names_edit_distance(pattern + 2, q);
	if (!scoped(pattern))
		return names_edit_distance(pattern, n->plain_base ? n->plain_base :
						       n->base);
	for (const char *t = q; t; t = next_tail(q, t))
		if ((d = names_edit_distance(pattern, t)) < best)
			best = d;
	return best;
}

size_t names_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row, d;

	if (la > 200 || lb > 200)
		return (size_t)-1;
	row = xmalloc((lb + 1) * sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}
