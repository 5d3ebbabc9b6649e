/* SPDX-License-Identifier: MIT */
/* timeline.c - the RSS over time and the profiled functions' spans, and
 * memory_profiler's mprof .dat writer.
 *
 * Samples.  The session hands over every RSS it reads: at each line event
 * (up to a million a second) and at each tick while the target runs free.
 * The curve keeps one point per interval (interval k holds the times
 * [k * interval, (k + 1) * interval)): the highest RSS sampled in it, at
 * the time it was sampled, so that a spike between two ticks still shows
 * (the curve is the envelope of the highs; a dip inside one interval does
 * not).  The run's very last sample is kept as a point of its own, so the
 * curve ends at the final RSS.
 *
 * Spans.  A function's span begins when a call of it begins while none is
 * running (in any thread: recursion and concurrent calls make one span)
 * and ends when the last running call ends.  A span that begins less than
 * the function's merge gap (at first, one interval) after the previous
 * one ended extends it: a function called a million times in a loop is
 * one span, not a million.  When a function still has more than
 * TIMELINE_SPANS_MAX spans, its gap doubles and its spans are merged
 * again, so a long run keeps at most that many per function, each
 * covering its calls.
 */
#define _GNU_SOURCE
#include "timeline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define MiB (1024.0 * 1024.0)

struct fn_state {
	unsigned depth;     /* calls running, in every thread */
	double t0;          /* when the open span began */
	int64_t rss0;
	double gap;         /* seconds: closer spans merge */
	struct timeline_span *spans;
	size_t n, cap;
};

struct timeline {
	int interval_ms;
	double interval;        /* seconds */
	bool started;
	double origin_unix;     /* Unix time of t = 0 */
	struct timespec origin; /* CLOCK_MONOTONIC at t = 0 */

	struct timeline_sample *samples;
	size_t n, cap;
	int64_t bucket;         /* the interval `cur` belongs to, -1: none */
	struct timeline_sample cur;  /* its highest sample so far */
	struct timeline_sample last; /* the latest sample */
	bool have_last;
	bool first_point;       /* `cur` is the timeline's first point */

	struct fn_state *fns;
	size_t nfns, fns_cap;
	struct timeline_span *all; /* every span by start, after finish */
	size_t nall;
	bool finished;
};

struct timeline *timeline_new(int interval_ms)
{
	struct timeline *tl = xcalloc(1, sizeof(*tl));

	tl->interval_ms = interval_ms > 0 ? interval_ms : 10;
	tl->interval = tl->interval_ms / 1000.0;
	tl->bucket = -1;
	return tl;
}

void timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->nfns; i++)
		free(tl->fns[i].spans);
	free(tl->fns);
	free(tl->samples);
	free(tl->all);
	free(tl);
}

/* Seconds since the first reading (which sets the origin). */
static double now(struct timeline *tl)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!tl->started) {
		struct timespec wall;

		clock_gettime(CLOCK_REALTIME, &wall);
		tl->origin_unix = wall.tv_sec + wall.tv_nsec / 1e9;
		tl->origin = ts;
		tl->started = true;
	}
	return (double)(ts.tv_sec - tl->origin.tv_sec) +
	       (ts.tv_nsec - tl->origin.tv_nsec) / 1e9;
}

void timeline_on_sample(void *ctx, int64_t rss)
{
	struct timeline *tl = ctx;

	timeline_sample_at(tl, now(tl), rss);
}

void timeline_on_call(void *ctx, unsigned fn, int begin, int64_t rss)
{
	struct timeline *tl = ctx;

	timeline_call_at(tl, now(tl), fn, begin, rss);
}

static void push_sample(struct timeline *tl, struct timeline_sample s)
{
	ARRAY_GROW(tl->samples, tl->n + 1, tl->cap);
	tl->samples[tl->n++] = s;
}

void timeline_sample_at(struct timeline *tl, double t, int64_t rss)
{
	int64_t bucket = (int64_t)(t / tl->interval);

	/* 0: the process is gone (a zombie's statm), not empty. */
	if (rss <= 0 || tl->finished)
		return;
	tl->last = (struct timeline_sample){ t, rss };
	tl->have_last = true;
	if (bucket != tl->bucket) {
		tl->first_point = tl->bucket < 0;
		if (tl->bucket >= 0)
			push_sample(tl, tl->cur);
		tl->bucket = bucket;
		tl->cur = tl->last;
	} else if (rss > tl->cur.rss_bytes) {
		/* The first point keeps the time measuring started: the
		 * timeline begins before any bracket. */
		if (tl->first_point)
			tl->cur.rss_bytes = rss;
		else
			tl->cur = tl->last;
	}
}

/* Merges the spans of `f` that are less than its gap apart, in place. */
static void remerge(struct fn_state *f)
{
	size_t k = 0;

	for (size_t i = 1; i < f->n; i++) {
		if (f->spans[i].t0 - f->spans[k].t1 < f->gap) {
			f->spans[k].t1 = f->spans[i].t1;
			f->spans[k].rss1 = f->spans[i].rss1;
		} else {
			f->spans[++k] = f->spans[i];
		}
	}
	if (f->n)
		f->n = k + 1;
}

static void end_span(struct fn_state *f, unsigned fn, double t, int64_t rss)
{
	struct timeline_span *prev = f->n ? &f->spans[f->n - 1] : NULL;

	if (prev && f->t0 - prev->t1 < f->gap) {
		prev->t1 = t;
		prev->rss1 = rss;
		return;
	}
	ARRAY_GROW(f->spans, f->n + 1, f->cap);
	f->spans[f->n++] = (struct timeline_span){
		.fn = fn, .t0 = f->t0, .t1 = t, .rss0 = f->rss0, .rss1 = rss,
	};
	while (f->n > TIMELINE_SPANS_MAX) {
		f->gap *= 2;
		remerge(f);
	}
}

void timeline_call_at(struct timeline *tl, double t, unsigned fn, int begin,
		      int64_t rss)
{
	struct fn_state *f;

	if (tl->finished)
		return;
	if (fn >= tl->nfns) {
		ARRAY_GROW(tl->fns, (size_t)fn + 1, tl->fns_cap);
		memset(tl->fns + tl->nfns, 0,
		       (fn + 1 - tl->nfns) * sizeof(*tl->fns));
		for (size_t i = tl->nfns; i <= fn; i++)
			tl->fns[i].gap = tl->interval;
		tl->nfns = fn + 1;
	}
	f = &tl->fns[fn];
	if (begin) {
		if (f->depth++ == 0) {
			f->t0 = t;
			f->rss0 = rss;
		}
		return;
	}
	/* An end without a beginning: a call that ran before memprof
	 * attached. */
	if (f->depth == 0)
		return;
	if (--f->depth == 0)
		end_span(f, fn, t, rss);
}

static int by_start(const void *a, const void *b)
{
	const struct timeline_span *x = a, *y = b;

	if (x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	return x->fn < y->fn ? -1 : x->fn > y->fn;
}

void timeline_finish(struct timeline *tl)
{
	if (tl->finished)
		return;
	if (tl->bucket >= 0)
		push_sample(tl, tl->cur);
	if (tl->have_last && tl->last.t > tl->samples[tl->n - 1].t)
		push_sample(tl, tl->last);
	for (size_t i = 0; i < tl->nfns; i++) {
		struct fn_state *f = &tl->fns[i];

		if (f->depth) {
			f->depth = 0;
			end_span(f, (unsigned)i,
				 tl->have_last && tl->last.t > f->t0 ? tl->last.t : f->t0,
				 tl->have_last ? tl->last.rss_bytes : f->rss0);
		}
		tl->nall += f->n;
	}
	tl->all = xmalloc((tl->nall ? tl->nall : 1) * sizeof(*tl->all));
	tl->nall = 0;
	for (size_t i = 0; i < tl->nfns; i++) {
		if (!tl->fns[i].n)
			continue;
		memcpy(tl->all + tl->nall, tl->fns[i].spans,
		       tl->fns[i].n * sizeof(*tl->all));
		tl->nall += tl->fns[i].n;
	}
	qsort(tl->all, tl->nall, sizeof(*tl->all), by_start);
	tl->finished = true;
}

size_t timeline_samples(const struct timeline *tl,
			const struct timeline_sample **v)
{
	*v = tl->samples;
	return tl->n;
}

size_t timeline_spans(const struct timeline *tl,
		      const struct timeline_span **v)
{
	*v = tl->all;
	return tl->all ? tl->nall : 0;
}

int timeline_interval_ms(const struct timeline *tl)
{
	return tl->interval_ms;
}

double timeline_origin(const struct timeline *tl)
{
	return tl->origin_unix;
}

/* One word of the command line as mprof writes it (its get_cmd_line): in
 * single quotes when it has blanks.  A line break would end the CMDLINE
 * line: control characters become '?'. */
static void put_word(FILE *out, const char *w)
{
	bool quote = strpbrk(w, " \t") != NULL;

	if (quote)
		putc('\'', out);
	for (; *w; w++)
		putc((unsigned char)*w < 0x20 || *w == 0x7f ? '?' : *w, out);
	if (quote)
		putc('\'', out);
}

/* mprof splits a FUNC line on blanks: a C++ name's blanks
 * ("fill<std::pair<int, int> >") are left out. */
static void put_name(FILE *out, const char *name)
{
	for (; *name; name++)
		if ((unsigned char)*name > 0x20 && *name != 0x7f)
			putc(*name, out);
}

int timeline_write_dat(const struct timeline *tl, FILE *out,
		       char *const *command, const struct profile *p)
{
	/* mprof's formats: "MEM {0:.6f} {1:.4f}" (memory_profiler.py) and
	 * "FUNC %s %.4f %.4f %.4f %.4f" (its TimeStamper); MiB figures get
	 * six decimals here in both. */
	fputs("CMDLINE ", out);
	for (size_t i = 0; command && command[i]; i++) {
		if (i)
			putc(' ', out);
		put_word(out, command[i]);
	}
	putc('\n', out);
	for (size_t i = 0; i < tl->n; i++)
		fprintf(out, "MEM %.6f %.4f\n", tl->samples[i].rss_bytes / MiB,
			tl->origin_unix + tl->samples[i].t);
	for (size_t i = 0; i < tl->nall; i++) {
		const struct timeline_span *s = &tl->all[i];
		const struct profile_function *f =
			s->fn < profile_nfunctions(p) ? profile_function(p, s->fn) : NULL;

		if (!f)
			continue;
		fputs("FUNC ", out);
		put_name(out, f->name);
		fprintf(out, " %.6f %.4f %.6f %.4f\n", s->rss0 / MiB,
			tl->origin_unix + s->t0, s->rss1 / MiB,
			tl->origin_unix + s->t1);
	}
	fflush(out);
	return ferror(out) ? -1 : 0;
}
