/* SPDX-License-Identifier: MIT */
/* timeline.h - the RSS over the whole run (--timeline, --plot): one sample
 * per interval, and the spans of time during which each profiled function
 * was running.  Fed by the session (every RSS sample) and by the profile
 * (every call's beginning and end); read by the .dat writer here and by
 * report_svg.  The clock is read only by timeline_on_sample and
 * timeline_on_call: the _at variants take the time, for tests.
 */
#ifndef MEMPROF_TIMELINE_H
#define MEMPROF_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

/* At most this many spans are kept per function (see timeline.c). */
#define TIMELINE_SPANS_MAX 128

/* One point of the curve; t is in seconds since the first sample. */
struct timeline_sample {
	double t;
	int64_t rss_bytes;
};

/* A stretch of time during which function `fn` (a profile index) was
 * running, with the RSS at its two ends. */
struct timeline_span {
	unsigned fn;
	double t0, t1;
	int64_t rss0, rss1;
};

struct timeline;

/* A timeline sampled every `interval_ms` (> 0). */
struct timeline *timeline_new(int interval_ms);
void timeline_free(struct timeline *tl);

/* session_config.on_sample and profile_call_fn, with the timeline as
 * ctx: take the time from the clock.  Cheap: they are called at every
 * line event. */
void timeline_on_sample(void *tl, int64_t rss);
void timeline_on_call(void *tl, unsigned fn, int begin, int64_t rss);

/* The same at time t (seconds since the first sample, never decreasing). */
void timeline_sample_at(struct timeline *tl, double t, int64_t rss);
void timeline_call_at(struct timeline *tl, double t, unsigned fn, int begin,
		      int64_t rss);

/* The run is over: the last interval's sample is kept, and calls still
 * running end at the last sample.  Call once, before reading. */
void timeline_finish(struct timeline *tl);

/* The curve, in time order; valid until timeline_free. */
size_t timeline_samples(const struct timeline *tl,
			const struct timeline_sample **v);

/* Every function's spans, by start time; valid until timeline_free. */
size_t timeline_spans(const struct timeline *tl,
		      const struct timeline_span **v);

int timeline_interval_ms(const struct timeline *tl);

/* The Unix time of t = 0 (0 when only the _at variants were used). */
double timeline_origin(const struct timeline *tl);

/* memory_profiler's mprof .dat format: "CMDLINE <command>", then one
 * "MEM <MiB> <unix time>" per sample, then one "FUNC <name> <MiB> <unix
 * time> <MiB> <unix time>" per span (names from `p`).  0, or -1 when
 * writing failed. */
int timeline_write_dat(const struct timeline *tl, FILE *out,
		       char *const *command, const struct profile *p);

#endif
