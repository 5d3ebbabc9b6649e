/* SPDX-License-Identifier: MIT */
/* diff.c - memprof diff: two JSON reports in, what changed out.
 *
 * Functions are paired by name (and source file name, so that two static
 * functions sharing a name stay apart).  A pair's lines are paired by their
 * text with a longest common subsequence, so that an edit shifting the
 * lines between two builds still compares each statement with itself; by
 * line number when either report lacks the text (its source was not
 * readable) or the function is too long for the table.  A line or function
 * in one report only is "added" or "removed"; its absent side counts 0 for
 * the Increment, and it has no Mem usage change.
 *
 * The reports are untrusted input: every figure is range-checked when read
 * and every sum or difference saturates instead of overflowing.
 */
#include "diff.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "util.h"

/* Larger files are refused rather than read: a real report of this size
 * would profile hundreds of thousands of lines. */
#define MAX_REPORT_BYTES (256u << 20)

/* Line pairs up to this many cells get the LCS (4 bytes each), and a
 * whole diff this many in all: past them, pairing by line number keeps a
 * hostile report from taking minutes. */
#define MAX_LCS_CELLS (4u << 20)
#define MAX_LCS_WORK (64u << 20)

/* --- reading a report --- */

static int bad(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* The integer member `key` of `obj` within [min, max] into *out; a null
 * sets *isnull instead when `isnull` is given.  False when missing or of
 * another kind. */
static bool get_int(const struct json_value *obj, const char *key,
		    int64_t min, int64_t max, int64_t *out, bool *isnull)
{
	const struct json_value *v = json_get(obj, key);

	if (isnull)
		*isnull = v && v->type == JSON_NULL;
	if (isnull && *isnull)
		return true;
	if (!v || v->type != JSON_NUMBER || !v->is_int || v->i < min ||
	    v->i > max)
		return false;
	*out = v->i;
	return true;
}

static const char *get_string(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->s : NULL;
}

static int read_line(const struct json_value *jl, struct diff_line *l,
		     size_t fi, size_t li, char *err, size_t size)
{
	bool mem_null, inc_null;
	const char *contents;
	int64_t v;

#define LINE_ERR(what) bad(err, size, "functions[%zu].lines[%zu]%s", fi, li, what)
	if (jl->type != JSON_OBJECT)
		return LINE_ERR(" is not an object");
	if (!get_int(jl, "line", 1, UINT_MAX, &v, NULL))
		return LINE_ERR(".line is missing or not a line number");
	l->line = (unsigned)v;
	contents = get_string(jl, "contents");
	if (!contents)
		return LINE_ERR(".contents is missing or not a string");
	l->contents = xstrdup(contents);
	if (!get_int(jl, "occurrences", 0, INT64_MAX, &v, NULL))
		return LINE_ERR(".occurrences is missing or not a count");
	l->occurrences = (uint64_t)v;
	if (!get_int(jl, "mem_bytes", 0, INT64_MAX, &l->mem_bytes, &mem_null))
		return LINE_ERR(".mem_bytes is missing or not a byte count");
	if (!get_int(jl, "increment_bytes", INT64_MIN, INT64_MAX,
		     &l->increment_bytes, &inc_null))
		return LINE_ERR(".increment_bytes is missing or not a byte count");
	if (mem_null != inc_null)
		return LINE_ERR(" has only one of mem_bytes and increment_bytes null");
#undef LINE_ERR
	l->ran = !mem_null;
	return 0;
}

static int read_function(const struct json_value *jf, struct diff_function *f,
			 size_t fi, char *err, size_t size)
{
	const struct json_value *lines, *file;
	const char *name;
	int64_t calls;

	if (jf->type != JSON_OBJECT)
		return bad(err, size, "functions[%zu] is not an object", fi);
	name = get_string(jf, "name");
	if (!name)
		return bad(err, size,
			   "functions[%zu].name is missing or not a string", fi);
	f->name = xstrdup(name);
	file = json_get(jf, "file");
	if (!file || (file->type != JSON_STRING && file->type != JSON_NULL))
		return bad(err, size,
			   "functions[%zu].file is missing or not a string", fi);
	f->file = xstrdup(file->type == JSON_STRING ? file->s : "");
	if (!get_int(jf, "calls", 0, INT64_MAX, &calls, NULL))
		return bad(err, size,
			   "functions[%zu].calls is missing or not a count", fi);
	f->calls = (uint64_t)calls;
	lines = json_get(jf, "lines");
	if (!lines || lines->type != JSON_ARRAY)
		return bad(err, size,
			   "functions[%zu].lines is missing or not an array", fi);
	f->lines = xcalloc(lines->n, sizeof(*f->lines));
	f->n = lines->n;
	for (size_t i = 0; i < lines->n; i++)
		if (read_line(lines->items[i], &f->lines[i], fi, i, err, size) < 0)
			return -1;
	return 0;
}

static int read_report(const struct json_value *root, struct diff_report *r,
		       char *err, size_t size)
{
	const struct json_value *fns;
	int64_t version;
	bool null;

	if (root->type != JSON_OBJECT)
		return bad(err, size, "not a JSON object");
	if (!get_int(root, "version", INT64_MIN, INT64_MAX, &version, NULL))
		return bad(err, size, "version is missing or not a number");
	if (version != 1)
		return bad(err, size,
			   "version %" PRId64 " is not supported (this memprof reads version 1)",
			   version);
	if (!get_int(root, "peak_rss_bytes", 0, INT64_MAX, &r->peak_rss_bytes,
		     &null))
		return bad(err, size,
			   "peak_rss_bytes is missing or not a byte count");
	if (null)
		r->peak_rss_bytes = -1;
	if (!get_int(root, "final_rss_bytes", 0, INT64_MAX,
		     &r->final_rss_bytes, &null))
		return bad(err, size,
			   "final_rss_bytes is missing or not a byte count");
	if (null)
		r->final_rss_bytes = -1;
	fns = json_get(root, "functions");
	if (!fns || fns->type != JSON_ARRAY)
		return bad(err, size, "functions is missing or not an array");
	r->fns = xcalloc(fns->n, sizeof(*r->fns));
	r->n = fns->n;
	for (size_t i = 0; i < fns->n; i++)
		if (read_function(fns->items[i], &r->fns[i], i, err, size) < 0)
			return -1;
	return 0;
}

int diff_report_parse(const char *text, size_t len, struct diff_report *r,
		      char *err, size_t errsize)
{
	struct json_value *root;
	int rc;

	memset(r, 0, sizeof(*r));
	r->peak_rss_bytes = r->final_rss_bytes = -1;
	root = json_parse(text, len, err, errsize);
	if (!root)
		return -1;
	rc = read_report(root, r, err, errsize);
	json_free(root);
	return rc;
}

void diff_report_release(struct diff_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct diff_function *f = &r->fns[i];

		for (size_t j = 0; f->lines && j < f->n; j++)
			free(f->lines[j].contents);
		free(f->lines);
		free(f->name);
		free(f->file);
	}
	free(r->fns);
	memset(r, 0, sizeof(*r));
}

/* --- comparing --- */

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A function's totals: the sum of its lines' Increments and its peak (the
 * highest Mem usage of its lines; has_peak false when none ran). */
struct totals {
	int64_t increment;
	int64_t peak;
	bool has_peak;
};

static struct totals totals_of(const struct diff_function *f)
{
	struct totals t = { 0, 0, false };

	for (size_t i = 0; f && i < f->n; i++) {
		const struct diff_line *l = &f->lines[i];

		if (!l->ran)
			continue;
		t.increment = sat_add(t.increment, l->increment_bytes);
		if (!t.has_peak || l->mem_bytes > t.peak)
			t.peak = l->mem_bytes;
		t.has_peak = true;
	}
	return t;
}

/* One row of either table: a function (lines NULL) or one of its lines. */
struct row {
	const struct diff_function *old_fn, *new_fn;
	const struct diff_line *old, *new;
	int64_t increment_change;
	int64_t mem_change;       /* of Mem usage, or of the function's peak */
	bool has_mem_change;
	bool changed;
	size_t order;             /* position in the tables, for ties */
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static struct row *rows_add(struct rows *r)
{
	ARRAY_GROW(r->v, r->n + 1, r->cap);
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	r->v[r->n].order = r->n;
	return &r->v[r->n++];
}

/* Largest change of Increment first, then of Mem usage, then table
 * order. */
static int by_change(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	uint64_t xi = magnitude(x->increment_change);
	uint64_t yi = magnitude(y->increment_change);
	uint64_t xm = x->has_mem_change ? magnitude(x->mem_change) : 0;
	uint64_t ym = y->has_mem_change ? magnitude(y->mem_change) : 0;

	if (xi != yi)
		return xi > yi ? -1 : 1;
	if (xm != ym)
		return xm > ym ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void add_function_row(struct rows *rows, const struct diff_function *o,
			     const struct diff_function *n)
{
	struct totals to = totals_of(o), tn = totals_of(n);
	struct row *r = rows_add(rows);

	r->old_fn = o;
	r->new_fn = n;
	r->increment_change = sat_sub(tn.increment, to.increment);
	r->has_mem_change = o && n && to.has_peak && tn.has_peak;
	if (r->has_mem_change)
		r->mem_change = sat_sub(tn.peak, to.peak);
	r->changed = !o || !n || to.increment != tn.increment ||
		     to.has_peak != tn.has_peak || to.peak != tn.peak ||
		     o->calls != n->calls;
}

/* A pair of lines (either may be NULL) becomes a row when it has
 * something to say: a figure changed, or a line that ran appeared or
 * went. */
static void add_line_row(struct rows *rows, const struct diff_function *of,
			 const struct diff_function *nf,
			 const struct diff_line *o, const struct diff_line *n)
{
	int64_t oi = o && o->ran ? o->increment_bytes : 0;
	int64_t ni = n && n->ran ? n->increment_bytes : 0;
	struct row *r;

	if (o && n) {
		if (o->ran == n->ran && o->occurrences == n->occurrences &&
		    (!o->ran || (o->mem_bytes == n->mem_bytes &&
				 o->increment_bytes == n->increment_bytes)))
			return;
	} else if (!(o ? o->ran || o->occurrences : n->ran || n->occurrences)) {
		return;
	}
	r = rows_add(rows);
	r->old_fn = of;
	r->new_fn = nf;
	r->old = o;
	r->new = n;
	r->changed = true;
	r->increment_change = sat_sub(ni, oi);
	r->has_mem_change = o && n && o->ran && n->ran;
	if (r->has_mem_change)
		r->mem_change = sat_sub(n->mem_bytes, o->mem_bytes);
}

static bool has_text(const struct diff_function *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->lines[i].contents[0])
			return true;
	return false;
}

struct line_key {
	unsigned line;
	size_t index;
};

static int by_line(const void *a, const void *b)
{
	const struct line_key *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static struct line_key *sorted_keys(const struct diff_function *f)
{
	struct line_key *k = xmalloc(f->n * sizeof(*k));

	for (size_t i = 0; i < f->n; i++)
		k[i] = (struct line_key){ f->lines[i].line, i };
	qsort(k, f->n, sizeof(*k), by_line);
	return k;
}

/* Pairs the lines of `o` and `n`: match[i] is the index in `n` of the line
 * paired with o's line i, or -1.  Pairs are in order in both functions.
 * The LCS table is charged to *work. */
static void pair_lines(const struct diff_function *o,
		       const struct diff_function *n, ptrdiff_t *match,
		       size_t *work)
{
	size_t a = o->n, b = n->n;

	for (size_t i = 0; i < a; i++)
		match[i] = -1;
	if (a && b && has_text(o) && has_text(n) &&
	    (a + 1) <= MAX_LCS_CELLS / (b + 1) &&
	    (a + 1) * (b + 1) <= MAX_LCS_WORK - *work) {
		*work += (a + 1) * (b + 1);
		/* L[i][j]: the LCS of o's lines from i and n's from j. */
		uint32_t *L = xcalloc((a + 1) * (b + 1), sizeof(*L));
		size_t i, j;

#define CELL(i, j) L[(i) * (b + 1) + (j)]
		for (i = a; i-- > 0;)
			for (j = b; j-- > 0;)
				CELL(i, j) = strcmp(o->lines[i].contents,
						    n->lines[j].contents) == 0 ?
						     CELL(i + 1, j + 1) + 1 :
					     CELL(i + 1, j) >= CELL(i, j + 1) ?
						     CELL(i + 1, j) :
						     CELL(i, j + 1);
		for (i = 0, j = 0; i < a && j < b;) {
			if (strcmp(o->lines[i].contents,
				   n->lines[j].contents) == 0) {
				match[i++] = (ptrdiff_t)j++;
			} else if (CELL(i + 1, j) >= CELL(i, j + 1)) {
				i++;
			} else {
				j++;
			}
		}
#undef CELL
		free(L);
		return;
	}
	/* By line number: a merge of the two sorted lists. */
	struct line_key *ka = sorted_keys(o), *kb = sorted_keys(n);
	size_t i = 0, j = 0;

	while (i < a && j < b) {
		if (ka[i].line < kb[j].line) {
			i++;
		} else if (ka[i].line > kb[j].line) {
			j++;
		} else {
			match[ka[i].index] = (ptrdiff_t)kb[j].index;
			i++;
			j++;
		}
	}
	free(ka);
	free(kb);
}

static void add_line_rows(struct rows *rows, const struct diff_function *o,
			  const struct diff_function *n, size_t *work)
{
	ptrdiff_t *match;
	bool *paired;

	if (!o || !n) {
		const struct diff_function *f = o ? o : n;

		for (size_t i = 0; i < f->n; i++)
			add_line_row(rows, o, n, o ? &f->lines[i] : NULL,
				     n ? &f->lines[i] : NULL);
		return;
	}
	match = xmalloc((o->n ? o->n : 1) * sizeof(*match));
	paired = xcalloc(n->n ? n->n : 1, sizeof(*paired));
	pair_lines(o, n, match, work);
	for (size_t i = 0; i < o->n; i++) {
		if (match[i] >= 0)
			paired[match[i]] = true;
		add_line_row(rows, o, n, &o->lines[i],
			     match[i] >= 0 ? &n->lines[match[i]] : NULL);
	}
	for (size_t j = 0; j < n->n; j++)
		if (!paired[j])
			add_line_row(rows, o, n, NULL, &n->lines[j]);
	free(match);
	free(paired);
}

struct fn_key {
	const struct diff_function *f;
	size_t index;
};

/* By name, then source file name, then position. */
static int by_name_file(const void *a, const void *b)
{
	const struct fn_key *x = a, *y = b;
	int c = strcmp(x->f->name, y->f->name);

	if (!c)
		c = strcmp(base_name(x->f->file), base_name(y->f->file));
	if (!c)
		c = x->index < y->index ? -1 : x->index > y->index;
	return c;
}

static struct fn_key *sorted_functions(const struct diff_report *r)
{
	struct fn_key *k = xmalloc((r->n ? r->n : 1) * sizeof(*k));

	for (size_t i = 0; i < r->n; i++)
		k[i] = (struct fn_key){ &r->fns[i], i };
	if (r->n > 1)
		qsort(k, r->n, sizeof(*k), by_name_file);
	return k;
}

/* Pairs the unpaired functions of the sorted lists whose names (and file
 * names, when `by_file`) are equal, the k-th of OLD with the k-th of NEW. */
static void join_functions(const struct fn_key *ko, size_t no,
			   const struct fn_key *kn, size_t nn, bool by_file,
			   const struct diff_function **pair, bool *old_paired)
{
	size_t i = 0, j = 0;

	while (i < no && j < nn) {
		int c;

		if (old_paired[ko[i].index]) {
			i++;
			continue;
		}
		if (pair[kn[j].index]) {
			j++;
			continue;
		}
		c = strcmp(ko[i].f->name, kn[j].f->name);
		if (!c && by_file)
			c = strcmp(base_name(ko[i].f->file),
				   base_name(kn[j].f->file));
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			pair[kn[j].index] = ko[i].f;
			old_paired[ko[i].index] = true;
			i++;
			j++;
		}
	}
}

/* The function of `old` paired with each function of `new` (or NULL): by
 * name and file name first, then by name alone, in order.  Sorted, so
 * that a report of many functions costs n log n, not n squared. */
static const struct diff_function **pair_functions(const struct diff_report *old,
						   const struct diff_report *new,
						   bool *old_paired)
{
	const struct diff_function **pair = xcalloc(new->n ? new->n : 1,
						    sizeof(*pair));
	struct fn_key *ko = sorted_functions(old), *kn = sorted_functions(new);

	join_functions(ko, old->n, kn, new->n, true, pair, old_paired);
	/* Name alone: the sort by name still holds, the file order within a
	 * name does not matter for this pass. */
	join_functions(ko, old->n, kn, new->n, false, pair, old_paired);
	free(ko);
	free(kn);
	return pair;
}

static void compare(const struct diff_report *old, const struct diff_report *new,
		    struct rows *fns, struct rows *lines)
{
	bool *old_paired = xcalloc(old->n ? old->n : 1, sizeof(*old_paired));
	const struct diff_function **pair = pair_functions(old, new, old_paired);
	size_t work = 0;

	for (size_t j = 0; j < new->n; j++) {
		add_function_row(fns, pair[j], &new->fns[j]);
		add_line_rows(lines, pair[j], &new->fns[j], &work);
	}
	for (size_t i = 0; i < old->n; i++)
		if (!old_paired[i]) {
			add_function_row(fns, &old->fns[i], NULL);
			add_line_rows(lines, &old->fns[i], NULL, &work);
		}
	if (fns->n > 1)
		qsort(fns->v, fns->n, sizeof(*fns->v), by_change);
	if (lines->n > 1)
		qsort(lines->v, lines->n, sizeof(*lines->v), by_change);
	free(pair);
	free(old_paired);
}

/* --- text --- */

static void mib(char *buf, size_t size, int precision, int64_t bytes)
{
	snprintf(buf, size, "%.*f MiB", precision, (double)bytes / (1 << 20));
}

/* A change: signed ("+1.5 MiB", "-0.2 MiB"), "0.0 MiB" only when none. */
static void mib_change(char *buf, size_t size, int precision, int64_t bytes)
{
	snprintf(buf, size, "%s%.*f MiB", bytes > 0 ? "+" : bytes < 0 ? "-" : "",
		 precision, (double)magnitude(bytes) / (1 << 20));
}

static void count_pair(char *buf, size_t size, bool has_old, uint64_t o,
		       bool has_new, uint64_t n)
{
	char a[24] = "-", b[24] = "-";

	if (has_old)
		snprintf(a, sizeof(a), "%" PRIu64, o);
	if (has_new)
		snprintf(b, sizeof(b), "%" PRIu64, n);
	snprintf(buf, size, "%s -> %s", a, b);
}

/* A table whose cells are built first and aligned when printed: the first
 * row is the header, followed by a rule; the last column is not padded. */
#define MAX_COLS 6

struct table {
	size_t ncols;
	const char *align;        /* 'l' or 'r' per column */
	char **cells;
	size_t n, cap;
};

static void table_row(struct table *t, const char *const *cells)
{
	ARRAY_GROW(t->cells, t->n + t->ncols, t->cap);
	/* Names and lines come from the reports, so from the programs'
	 * debugging information: escaped before they reach a terminal. */
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->n++] = mp_escape(cells[c]);
}

static void table_print(FILE *out, struct table *t)
{
	size_t width[MAX_COLS] = { 0 }, total = 0;
	char *line;

	for (size_t i = 0; i < t->n; i++) {
		size_t len = strlen(t->cells[i]);

		if (len > width[i % t->ncols])
			width[i % t->ncols] = len;
	}
	for (size_t c = 0; c < t->ncols; c++)
		total += width[c] + 3;
	line = xmalloc(total + 1);
	for (size_t r = 0; r < t->n / t->ncols; r++) {
		char *const *cells = &t->cells[r * t->ncols];
		size_t len = 0;

		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = strlen(cells[c]), pad = width[c] - w;
			bool right = t->align[c] == 'r';

			if (c)
				len += (size_t)sprintf(line + len, "   ");
			len += (size_t)sprintf(line + len, "%*s%s%*s",
					       (int)(right ? pad : 0), "",
					       cells[c],
					       (int)(right ? 0 : pad), "");
		}
		while (len && line[len - 1] == ' ')
			len--;
		line[len] = '\0';
		fprintf(out, "%s\n", line);
		if (r == 0) {
			memset(line, '=', len);
			fprintf(out, "%s\n", line);
		}
	}
	free(line);
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n = t->cap = 0;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void text_rss(FILE *out, const char *what, int64_t o, int64_t n,
		     int precision)
{
	char a[64] = "unknown", b[64] = "unknown", c[64];

	if (o >= 0)
		mib(a, sizeof(a), precision, o);
	if (n >= 0)
		mib(b, sizeof(b), precision, n);
	fprintf(out, "%s%s -> %s", what, a, b);
	if (o >= 0 && n >= 0) {
		mib_change(c, sizeof(c), precision, sat_sub(n, o));
		fprintf(out, " (%s)", c);
	}
	putc('\n', out);
}

/* The Mem usage (or Peak) cell: the change, "added", "removed", or blank
 * when one side never ran. */
static void mem_cell(char *buf, size_t size, const struct row *r,
		     const void *o, const void *n, int precision)
{
	if (!o)
		snprintf(buf, size, "added");
	else if (!n)
		snprintf(buf, size, "removed");
	else if (r->has_mem_change)
		mib_change(buf, size, precision, r->mem_change);
	else
		buf[0] = '\0';
}

static void write_text(FILE *out, const struct diff_report *old,
		       const struct diff_report *new, const struct rows *fns,
		       const struct rows *lines, int precision)
{
	struct table t = { .ncols = 4, .align = "lrrr" };
	char inc[64], mem[64], count[64], *loc;

	text_rss(out, "Peak RSS:  ", old->peak_rss_bytes, new->peak_rss_bytes,
		 precision);
	text_rss(out, "Final RSS: ", old->final_rss_bytes,
		 new->final_rss_bytes, precision);
	fputs("\n", out);

	table_row(&t, (const char *[]){ "Function", "Increment", "Peak",
					"Calls" });
	for (size_t i = 0; i < fns->n; i++) {
		const struct row *r = &fns->v[i];
		const struct diff_function *f = r->new_fn ? r->new_fn : r->old_fn;

		mib_change(inc, sizeof(inc), precision, r->increment_change);
		mem_cell(mem, sizeof(mem), r, r->old_fn, r->new_fn, precision);
		count_pair(count, sizeof(count), r->old_fn,
			   r->old_fn ? r->old_fn->calls : 0, r->new_fn,
			   r->new_fn ? r->new_fn->calls : 0);
		table_row(&t, (const char *[]){ f->name, inc, mem, count });
	}
	table_print(out, &t);
	fputs("\n", out);

	if (!lines->n) {
		fputs("No line changed.\n", out);
		return;
	}
	t = (struct table){ .ncols = 6, .align = "llrrrl" };
	table_row(&t, (const char *[]){ "Location", "Function", "Increment",
					"Mem usage", "Occurrences",
					"Line Contents" });
	for (size_t i = 0; i < lines->n; i++) {
		const struct row *r = &lines->v[i];
		const struct diff_function *f = r->new_fn ? r->new_fn : r->old_fn;
		const struct diff_line *l = r->new ? r->new : r->old;

		loc = xasprintf("%s:%u", base_name(f->file), l->line);
		mib_change(inc, sizeof(inc), precision, r->increment_change);
		mem_cell(mem, sizeof(mem), r, r->old, r->new, precision);
		count_pair(count, sizeof(count), r->old,
			   r->old ? r->old->occurrences : 0, r->new,
			   r->new ? r->new->occurrences : 0);
		table_row(&t, (const char *[]){ loc, f->name, inc, mem, count,
						 skip_blanks(l->contents) });
		free(loc);
	}
	table_print(out, &t);
}

/* --- JSON --- */

static void json_rss(struct json_writer *w, const char *key, int64_t o,
		     int64_t n)
{
	json_key(w, key);
	json_begin_object(w);
	json_key(w, "old");
	json_int_or_null(w, o >= 0, o);
	json_key(w, "new");
	json_int_or_null(w, n >= 0, n);
	json_key(w, "change");
	json_int_or_null(w, o >= 0 && n >= 0, sat_sub(n, o));
	json_end_object(w);
}

static const char *status_of(const struct row *r, const void *o, const void *n)
{
	return !o ? "added" : !n ? "removed" : r->changed ? "changed" : "unchanged";
}

/* The opening of a function's or a line's object, up to its status: the
 * function's name under `key`, then its file. */
static void json_row_head(struct json_writer *w, const char *key,
			  const struct diff_function *f, const char *status)
{
	json_begin_object(w);
	json_key(w, key);
	json_string(w, f->name);
	json_key(w, "file");
	json_string(w, f->file);
	json_key(w, "status");
	json_string(w, status);
}

/* The rest of a function's or a line's object, from its Increment change:
 * the change of its Mem usage or peak under `mem_key`, the count of each
 * side (null for the side it is absent from) as old_/new_`count_key`. */
static void json_row_tail(struct json_writer *w, const struct row *r,
			  const char *mem_key, const char *count_key,
			  bool has_old, int64_t old_count, bool has_new,
			  int64_t new_count)
{
	char key[64];

	json_key(w, "increment_change_bytes");
	json_int(w, r->increment_change);
	json_key(w, mem_key);
	json_int_or_null(w, r->has_mem_change, r->mem_change);
	snprintf(key, sizeof(key), "old_%s", count_key);
	json_key(w, key);
	json_int_or_null(w, has_old, old_count);
	snprintf(key, sizeof(key), "new_%s", count_key);
	json_key(w, key);
	json_int_or_null(w, has_new, new_count);
	json_end_object(w);
}

static void write_json(FILE *out, const struct diff_report *old,
		       const struct diff_report *new, const struct rows *fns,
		       const struct rows *lines)
{
	struct json_writer w = { .out = out };

	json_begin_object(&w);
	json_key(&w, "version");
	json_int(&w, 1);
	json_rss(&w, "peak_rss_bytes", old->peak_rss_bytes, new->peak_rss_bytes);
	json_rss(&w, "final_rss_bytes", old->final_rss_bytes,
		 new->final_rss_bytes);
	json_key(&w, "functions");
	json_begin_array(&w);
	for (size_t i = 0; i < fns->n; i++) {
		const struct row *r = &fns->v[i];
		const struct diff_function *f = r->new_fn ? r->new_fn : r->old_fn;

		json_row_head(&w, "name", f, status_of(r, r->old_fn, r->new_fn));
		json_row_tail(&w, r, "peak_change_bytes", "calls",
			      r->old_fn, r->old_fn ? (int64_t)r->old_fn->calls : 0,
			      r->new_fn, r->new_fn ? (int64_t)r->new_fn->calls : 0);
	}
	json_end_array(&w);
	json_key(&w, "lines");
	json_begin_array(&w);
	for (size_t i = 0; i < lines->n; i++) {
		const struct row *r = &lines->v[i];
		const struct diff_function *f = r->new_fn ? r->new_fn : r->old_fn;
		const struct diff_line *l = r->new ? r->new : r->old;

		json_row_head(&w, "function", f, status_of(r, r->old, r->new));
		json_key(&w, "old_line");
		json_int_or_null(&w, r->old, r->old ? r->old->line : 0);
		json_key(&w, "new_line");
		json_int_or_null(&w, r->new, r->new ? r->new->line : 0);
		json_key(&w, "contents");
		json_string(&w, l->contents);
		json_row_tail(&w, r, "mem_change_bytes", "occurrences",
			      r->old, r->old ? (int64_t)r->old->occurrences : 0,
			      r->new, r->new ? (int64_t)r->new->occurrences : 0);
	}
	json_end_array(&w);
	json_end_object(&w);
}

int diff_write(FILE *out, const struct diff_report *old,
	       const struct diff_report *new, bool json, int precision)
{
	struct rows fns = { 0 }, lines = { 0 };

	if (precision < 0)
		precision = 0;
	if (precision > 9)
		precision = 9;
	compare(old, new, &fns, &lines);
	if (json)
		write_json(out, old, new, &fns, &lines);
	else
		write_text(out, old, new, &fns, &lines, precision);
	free(fns.v);
	free(lines.v);
	fflush(out);
	return ferror(out) ? -1 : 0;
}

/* --- files --- */

/* Reads all of `path` into *text.  -1 with errno set on failure. */
static int slurp(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	size_t cap = 1 << 16, n = 0;
	char *buf;

	if (!f)
		return -1;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return -1;
	}
	buf = xmalloc(cap);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			if (cap >= MAX_REPORT_BYTES) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return -1;
			}
			ARRAY_GROW(buf, n + 1, cap);
		}
	}
	if (ferror(f)) {
		int err = errno ? errno : EIO;

		free(buf);
		fclose(f);
		errno = err;
		return -1;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return 0;
}

static int load(const char *path, struct diff_report *r)
{
	char err[256], *text;
	size_t len;
	int rc;

	memset(r, 0, sizeof(*r));
	if (slurp(path, &text, &len) < 0)
		return mp_error("cannot read '%s': %s", path, strerror(errno));
	rc = diff_report_parse(text, len, r, err, sizeof(err));
	free(text);
	if (rc < 0)
		return mp_error("'%s' is not a memprof report: %s", path, err);
	return 0;
}

int diff_run(const char *old_path, const char *new_path, bool json,
	     int precision, FILE *out)
{
	struct diff_report old, new;
	int rc = -1;

	if (load(old_path, &old) < 0) {
		diff_report_release(&old);
		return -1;
	}
	if (load(new_path, &new) == 0) {
		rc = diff_write(out, &old, &new, json, precision);
		if (rc < 0)
			mp_error("cannot write the diff: %m");
	}
	diff_report_release(&old);
	diff_report_release(&new);
	return rc;
}
