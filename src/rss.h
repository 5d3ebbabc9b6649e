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

/* Opens /proc/PID/statm; NULL with a message on failure. */
struct rss *rss_open(pid_t pid);
void rss_close(struct rss *r);

/* Current resident bytes, or -1 when the process is gone. */
int64_t rss_read(struct rss *r);

/* The kernel's peak resident bytes (VmHWM), or -1. */
int64_t rss_read_hwm(struct rss *r);

/* --peak: opens /proc/PID/status and /proc/PID/clear_refs.  0, or -1
 * with a message. */
int rss_peak_open(struct rss *r);

/* The highest RSS since the last call (VmHWM), in bytes, and a reset of
 * that mark to the current RSS; -1 when the process is gone. */
int64_t rss_take_peak(struct rss *r);

#endif
