/* SPDX-License-Identifier: MIT */
/* rss.c - resident set size of the target, from /proc/PID/statm.
 *
 * rss_read is on the hot path (one call per line event): it does a single
 * pread(2) of the kept-open statm file into a stack buffer and parses it in
 * place, with no allocation and no stdio.  The parsers never trust the text:
 * anything that is not the expected shape yields -1.  What an RSS figure
 * means for a line is profile.c's business, not this file's.
 */
#include "rss.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct rss {
	int fd;
	pid_t pid;
	int64_t page_size;
	int status_fd;    /* --peak, --metric: /proc/PID/status, kept open */
	int clear_fd;     /* --peak: /proc/PID/clear_refs */
	int smaps_fd;     /* --metric=pss|uss: /proc/PID/smaps_rollup */
	int stat_fd;      /* --faults: /proc/PID/stat */
	enum rss_metric metric;
};

static const char *const metric_names[] = {
	[METRIC_RSS] = "rss", [METRIC_ANON] = "anon", [METRIC_FILE] = "file",
	[METRIC_SHMEM] = "shmem", [METRIC_PSS] = "pss", [METRIC_USS] = "uss",
};

int rss_metric_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(metric_names) / sizeof(*metric_names); i++)
		if (!strcmp(name, metric_names[i]))
			return (int)i;
	return -1;
}

const char *rss_metric_name(enum rss_metric m)
{
	return metric_names[m];
}

/* Parses the decimal number at text[*pos..len) into *val; advances *pos.
 * False when there is no digit or the number does not fit an int64_t. */
static bool parse_u63(const char *text, size_t len, size_t *pos, int64_t *val)
{
	size_t i = *pos;
	uint64_t v = 0;

	if (i >= len || text[i] < '0' || text[i] > '9')
		return false;
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
		unsigned d = (unsigned)(text[i] - '0');

		if (v > ((uint64_t)INT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*pos = i;
	*val = (int64_t)v;
	return true;
}

int64_t rss_parse_statm(const char *text, size_t len)
{
	size_t pos = 0;
	int64_t size, resident;

	/* "size resident shared text lib data dt\n": only the first two
	 * fields are needed, but they must be numbers followed by a space or
	 * the end of the line, so a truncated or mangled read is refused. */
	if (!parse_u63(text, len, &pos, &size))
		return -1;
	if (pos >= len || text[pos] != ' ')
		return -1;
	pos++;
	if (!parse_u63(text, len, &pos, &resident))
		return -1;
	if (pos < len && text[pos] != ' ' && text[pos] != '\n')
		return -1;
	return resident;
}

int64_t rss_parse_status(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line = text;

	if (klen == 0)
		return -1;
	while (*line) {
		const char *eol = strchr(line, '\n');
		size_t llen = eol ? (size_t)(eol - line) : strlen(line);

		if (llen > klen && memcmp(line, key, klen) == 0 &&
		    line[klen] == ':') {
			size_t pos = klen + 1;
			int64_t kb;

			while (pos < llen && (line[pos] == ' ' || line[pos] == '\t'))
				pos++;
			if (!parse_u63(line, llen, &pos, &kb))
				return -1;
			if (pos + 3 != llen || memcmp(line + pos, " kB", 3) != 0)
				return -1;
			if (kb > INT64_MAX / 1024)
				return -1;
			return kb * 1024;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return -1;
}

struct rss *rss_open(pid_t pid)
{
	char path[64];
	struct rss *r;
	long page_size;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		mp_error("cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	page_size = sysconf(_SC_PAGESIZE);
	if (page_size <= 0)
		page_size = 4096;
	r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->pid = pid;
	r->page_size = page_size;
	return r;
}

void rss_close(struct rss *r)
{
	if (!r)
		return;
	if (r->status_fd > 0)
		close(r->status_fd);
	if (r->smaps_fd > 0)
		close(r->smaps_fd);
	if (r->stat_fd > 0)
		close(r->stat_fd);
	if (r->clear_fd > 0)
		close(r->clear_fd);
	close(r->fd);
	free(r);
}

/* Reads a whole /proc text kept open into buf (NUL-terminated). */
static ssize_t read_text(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = pread(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		buf[n] = '\0';
	return n;
}

/* The metrics other than RSS: off the hot path's fast branch. */
static int64_t read_metric(struct rss *r)
{
	char buf[4096];
	int64_t pages, shared;
	ssize_t n;

	switch (r->metric) {
	case METRIC_ANON:
		if ((n = read_text(r->fd, buf, sizeof(buf))) <= 0)
			return -1;
		pages = rss_parse_statm(buf, (size_t)n);
		shared = rss_parse_statm_shared(buf, (size_t)n);
		if (pages < 0 || shared < 0 || pages > INT64_MAX / r->page_size)
			return -1;
		return (pages - shared) * r->page_size;
	case METRIC_FILE:
	case METRIC_SHMEM:
		if (read_text(r->status_fd, buf, sizeof(buf)) <= 0)
			return -1;
		return rss_parse_status(buf, r->metric == METRIC_FILE ?
						     "RssFile" : "RssShmem");
	case METRIC_PSS:
		if (read_text(r->smaps_fd, buf, sizeof(buf)) <= 0)
			return -1;
		return rss_parse_status(buf, "Pss");
	case METRIC_USS:
		if (read_text(r->smaps_fd, buf, sizeof(buf)) <= 0)
			return -1;
		return rss_parse_uss(buf);
	default:
		return -1;
	}
}

int64_t rss_read(struct rss *r)
{
	/* statm is seven numbers of at most 20 digits: 160 bytes always do. */
	char buf[192];
	ssize_t n;
	int64_t pages;

	if (r->metric != METRIC_RSS)
		return read_metric(r);
	do
		n = pread(r->fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	pages = rss_parse_statm(buf, (size_t)n);
	if (pages < 0 || pages > INT64_MAX / r->page_size)
		return -1;
	return pages * r->page_size;
}

int64_t rss_read_hwm(struct rss *r)
{
	char path[64];
	char buf[16384];
	size_t len = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)r->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return rss_parse_status(buf, "VmHWM");
}

int64_t rss_parse_statm_shared(const char *text, size_t len)
{
	size_t pos = 0;
	int64_t v;

	for (int field = 0; field < 3; field++) {
		if (!parse_u63(text, len, &pos, &v))
			return -1;
		if (field < 2) {
			if (pos >= len || text[pos] != ' ')
				return -1;
			pos++;
		}
	}
	if (pos < len && text[pos] != ' ' && text[pos] != '\n')
		return -1;
	return v;
}

int64_t rss_parse_uss(const char *text)
{
	static const char *const keys[] = { "Private_Clean", "Private_Dirty" };
	int64_t sum = 0, hugetlb;

	for (size_t i = 0; i < 2; i++) {
		int64_t v = rss_parse_status(text, keys[i]);

		if (v < 0)
			return -1;
		sum += v;
	}
	hugetlb = rss_parse_status(text, "Private_Hugetlb");
	return hugetlb > 0 ? sum + hugetlb : sum;
}

static int open_status(struct rss *r)
{
	char path[64];

	if (r->status_fd > 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)r->pid);
	r->status_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->status_fd < 0)
		return mp_error("cannot open %s: %m", path);
	return 0;
}

int rss_set_metric(struct rss *r, enum rss_metric m)
{
	char path[64];

	r->metric = m;
	if (m == METRIC_FILE || m == METRIC_SHMEM)
		return open_status(r);
	if (m == METRIC_PSS || m == METRIC_USS) {
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)r->pid);
		r->smaps_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->smaps_fd < 0)
			return mp_error("cannot open %s: %m", path);
	}
	return 0;
}

enum rss_metric rss_get_metric(const struct rss *r)
{
	return r->metric;
}

int rss_peak_open(struct rss *r)
{
	char path[64];

	if (open_status(r) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)r->pid);
	r->clear_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (r->clear_fd < 0)
		return mp_error("cannot open %s: %m", path);
	return 0;
}

int64_t rss_take_peak(struct rss *r)
{
	char buf[4096];
	ssize_t n = pread(r->status_fd, buf, sizeof(buf) - 1, 0);
	int64_t hwm;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	hwm = rss_parse_status(buf, "VmHWM");
	/* "5" resets the high-water mark to the current RSS: the next
	 * reading is the peak of what runs from now on. */
	if (write(r->clear_fd, "5", 1) < 0)
		return -1;
	return hwm;
}

int rss_parse_stat_faults(const char *text, int64_t *minor, int64_t *major)
{
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses,
	 * the fields start after the last ')'.  Field 3 is the state. */
	const char *p = strrchr(text, ')');
	int64_t v[13];
	int field = 3;

	if (!p)
		return -1;
	p++;
	while (field <= 12) {
		char *end;

		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
		if (field == 3) {
			while (*p && *p != ' ')
				p++;
		} else {
			errno = 0;
			v[field] = strtoll(p, &end, 10);
			if (end == p || errno)
				return -1;
			p = end;
		}
		field++;
	}
	*minor = v[10];
	*major = v[12];
	return 0;
}

int rss_read_faults(struct rss *r, int64_t *minor, int64_t *major)
{
	char buf[1024];

	if (r->stat_fd <= 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)r->pid);
		r->stat_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->stat_fd < 0)
			return -1;
	}
	if (read_text(r->stat_fd, buf, sizeof(buf)) <= 0)
		return -1;
	return rss_parse_stat_faults(buf, minor, major);
}
