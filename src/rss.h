/* SPDX-License-Identifier: MIT */
/* rss.h - the target's resident set size, read from /proc.
 *
 * The reader keeps /proc/PID/statm open and re-reads it at offset 0: the
 * kernel regenerates the text on every read, so one pread(2) is one fresh
 * sample.  The parsers are pure and tested on their own.
 */
#ifndef MEMPROF_RSS_H
#define MEMPROF_RSS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Resident pages (statm field 2) from the text of /proc/PID/statm, or -1
 * when the text is malformed. */
int64_t rss_parse_statm(const char *text, size_t len);

/* The value of a "Key:   N kB" line of /proc/PID/status, in bytes, or -1
 * when the key is missing or malformed.  `key` is given without the colon
 * ("VmHWM"). */
int64_t rss_parse_status(const char *text, const char *key);

struct rss;

/* What rss_read measures (--metric). */
enum rss_metric {
	METRIC_RSS,    /* resident pages, statm: one pread (default) */
	METRIC_ANON,   /* resident minus shared (file and shmem), statm */
	METRIC_FILE,   /* RssFile of /proc/PID/status */
	METRIC_SHMEM,  /* RssShmem of /proc/PID/status */
	METRIC_PSS,    /* Pss of /proc/PID/smaps_rollup */
	METRIC_USS,    /* Private_Clean + Private_Dirty + Private_Hugetlb of
			  smaps_rollup: what the process alone holds */
};

/* The metric named `name` ("rss", "anon", ...), or -1. */
int rss_metric_parse(const char *name);
const char *rss_metric_name(enum rss_metric m);

/* The third field of statm (shared resident pages), or -1. */
int64_t rss_parse_statm_shared(const char *text, size_t len);

/* The USS of an smaps_rollup text, in bytes, or -1. */
int64_t rss_parse_uss(const char *text);

/* Opens /proc/PID/statm; NULL with a message on failure. */
struct rss *rss_open(pid_t pid);
void rss_close(struct rss *r);

/* Current resident bytes, or -1 when the process is gone. */
int64_t rss_read(struct rss *r);

/* The kernel's peak resident bytes (VmHWM), or -1. */
int64_t rss_read_hwm(struct rss *r);

/* Makes rss_read measure `m` (opening what it reads).  0, or -1 with a
 * message. */
int rss_set_metric(struct rss *r, enum rss_metric m);
enum rss_metric rss_get_metric(const struct rss *r);

/* --faults: the process's minor and major page faults so far, from
 * /proc/PID/stat (kept open).  0, or -1. */
int rss_read_faults(struct rss *r, int64_t *minor, int64_t *major);

/* Fields 10 (minflt) and 12 (majflt) of a /proc/PID/stat text; 0 or -1. */
int rss_parse_stat_faults(const char *text, int64_t *minor, int64_t *major);

/* --peak: opens /proc/PID/status and /proc/PID/clear_refs.  0, or -1
 * with a message. */
int rss_peak_open(struct rss *r);

/* The highest RSS since the last call (VmHWM), in bytes, and a reset of
 * that mark to the current RSS; -1 when the process is gone. */
int64_t rss_take_peak(struct rss *r);

#endif
