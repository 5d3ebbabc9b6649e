/* SPDX-License-Identifier: MIT */
/* output.c - the report files (-o, --timeline, --plot).
 *
 * A file is written whole or not at all: the report goes to an unnamed
 * file in FILE's directory (O_TMPFILE: a memprof killed by SIGKILL leaves
 * nothing behind), which is given a temporary name at the end and renamed
 * over FILE.  Where O_TMPFILE is not supported, a named temporary file
 * stands in from the start.  A FILE that is not a regular file (/dev/null,
 * /dev/stdout, a pipe) is written in place: renaming over it would replace
 * the device or the link (as root, even /dev/null).
 *
 * memprof often runs as root, so writing must never be less safe than the
 * shell's `>`.  Symlinks in FILE's last component are followed by hand,
 * one at a time, each opened with O_PATH|O_NOFOLLOW and judged by its own
 * fstat (no window between the check and the use): one that the kernel's
 * fs.protected_symlinks would refuse to follow is refused whatever that
 * sysctl says, and so is an existing file that fs.protected_regular would
 * refuse to open with O_CREAT.  Everything after the check happens
 * relative to the directory opened while resolving, so renaming a
 * directory or planting a link later changes nothing.  The temporary is
 * given the replaced file's owner and mode before it is written.  What goes
 * into the files is the renderers' business.
 */
#define _GNU_SOURCE
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* As the kernel's path walk (MAXSYMLINKS). */
#define MAX_LINKS 40

/* Names of memprof's own descriptors: their files are in use (memprof -o
 * /dev/stdout >out.txt) and the kernel resolves them, /proc's links not
 * being links to a name. */
static int names_own_descriptor(const char *path)
{
	return !strncmp(path, "/proc/", 6) || !strncmp(path, "/dev/fd/", 8) ||
	       !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/stderr");
}

/* The kernel's test for fs.protected_symlinks and fs.protected_regular: an
 * entry of a sticky world-writable directory (/tmp) is someone else's when
 * neither the follower (memprof's fsuid, its euid) nor the directory's
 * owner owns it. */
static int foreign_in_sticky(const struct stat *dir, const struct stat *st)
{
	return (dir->st_mode & (S_ISVTX | S_IWOTH)) == (S_ISVTX | S_IWOTH) &&
	       st->st_uid != dir->st_uid && st->st_uid != geteuid();
}

/* Splits `path` into its directory (opened) and its last component. */
static int open_parent(const char *path, char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash) {
		*base = xstrdup(path);
		return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	*base = xstrdup(slash + 1);
	dir = xstrdup(path);
	dir[slash == path ? 1 : slash - path] = '\0';
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd;
}

/* `target` of a link that sits in `linkpath`'s directory, as a path. */
static char *link_path(const char *linkpath, const char *target)
{
	const char *slash = strrchr(linkpath, '/');
	size_t dirlen = slash ? (size_t)(slash - linkpath) + 1 : 0;

	if (target[0] == '/' || !dirlen)
		return xstrdup(target);
	return xasprintf("%.*s%s", (int)dirlen, linkpath, target);
}

enum found { FOUND_ERROR, FOUND_NEW, FOUND_FILE, FOUND_OWN_FD };

/* Follows `path`'s last component, link by link, to a directory and a
 * name in it (out->dirfd, out->base): FOUND_NEW when nothing has that name,
 * FOUND_FILE with its fstat in `st` when something does, FOUND_OWN_FD with
 * the path to open in `*own` when it names one of memprof's descriptors.
 * FOUND_ERROR after a message. */
static enum found resolve(struct output *out, const char *path,
			  struct stat *st, char **own)
{
	char *cur = xstrdup(path);
	enum found found = FOUND_ERROR;
	const char *why = NULL;
	char whybuf[160];
	int err = 0;

	for (unsigned hops = 0;; hops++) {
		struct stat dst;
		char target[PATH_MAX];
		ssize_t n;
		int fd;

		if (hops > MAX_LINKS) {
			err = ELOOP;
			break;
		}
		if (names_own_descriptor(cur)) {
			*own = cur;
			return FOUND_OWN_FD;
		}
		out->dirfd = open_parent(cur, &out->base);
		if (out->dirfd < 0 || fstat(out->dirfd, &dst) < 0) {
			err = errno;
			break;
		}
		/* "dir/", "dir/." and "dir/..": a directory. */
		if (!out->base[0] || !strcmp(out->base, ".") ||
		    !strcmp(out->base, "..")) {
			err = EISDIR;
			break;
		}
		fd = openat(out->dirfd, out->base,
			    O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			found = FOUND_NEW;
			break;
		}
		if (fd < 0 || fstat(fd, st) < 0) {
			err = errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (!S_ISLNK(st->st_mode)) {
			close(fd);
			if (S_ISDIR(st->st_mode)) {
				err = EISDIR;
			} else if ((S_ISREG(st->st_mode) ||
				    S_ISFIFO(st->st_mode)) &&
				   foreign_in_sticky(&dst, st)) {
				snprintf(whybuf, sizeof(whybuf),
					 "file owned by uid %u in a sticky world-writable directory",
					 (unsigned)st->st_uid);
				why = whybuf;
				err = EACCES;
			} else {
				found = FOUND_FILE;
			}
			break;
		}
		if (foreign_in_sticky(&dst, st)) {
			close(fd);
			snprintf(whybuf, sizeof(whybuf),
				 "symlink owned by uid %u in a sticky world-writable directory",
				 (unsigned)st->st_uid);
			why = whybuf;
			err = EACCES;
			break;
		}
		/* The link just judged, not whatever has its name now. */
		n = readlinkat(fd, "", target, sizeof(target) - 1);
		err = errno;
		close(fd);
		if (n < 0)
			break;
		target[n] = '\0';
		{
			char *next = link_path(cur, target);

			free(cur);
			cur = next;
		}
		close(out->dirfd);
		out->dirfd = -1;
		free(out->base);
		out->base = NULL;
	}
	free(cur);
	if (found != FOUND_ERROR)
		return found;
	if (why)
		mp_error("cannot write '%s': %s (%s)", path, strerror(err), why);
	else
		mp_error("cannot write '%s': %s", path, strerror(err));
	return FOUND_ERROR;
}

/* Names out->tmp as the `i`th try at a temporary beside the file. */
static void name_tmp(struct output *out, unsigned i)
{
	free(out->tmp);
	out->tmp = xasprintf("%s.%d.%u", out->base, (int)getpid(), i);
}

/* A temporary file in out->dirfd: unnamed where the file system can, else
 * named (out->tmp) and exclusive. */
static int open_tmp(struct output *out)
{
	int fd = openat(out->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
			0666);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
			errno != EINVAL))
		return fd;
	for (unsigned i = 0; i < 100; i++) {
		name_tmp(out, i);
		fd = openat(out->dirfd, out->tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0666);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		free(out->tmp);
		out->tmp = NULL;
	}
	return fd;
}

/* The replaced file's owner and mode, on the file that replaces it: a
 * 0600 file stays 0600 and root's report over a user's file stays the
 * user's.  The owner first: chown clears the set-id bits. */
static int keep_owner_mode(int fd, const struct stat *st)
{
	if ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchown(fd, st->st_uid, st->st_gid) < 0)
		return -1;
	return fchmod(fd, st->st_mode & 07777);
}

static void output_reset(struct output *out)
{
	if (out->dirfd >= 0)
		close(out->dirfd);
	free(out->base);
	free(out->tmp);
	out->dirfd = -1;
	out->base = out->tmp = NULL;
}

int output_open(struct output *out, const char *path)
{
	struct stat st;
	char *own = NULL;
	int fd = -1;

	memset(out, 0, sizeof(*out));
	out->dirfd = -1;
	if (!path) {
		out->f = stderr;
		return 0;
	}
	out->shown = path;
	if (!*path)
		return mp_error("cannot write '': %s", strerror(ENOENT));
	switch (resolve(out, path, &st, &own)) {
	case FOUND_ERROR:
		output_reset(out);
		return -1;
	case FOUND_OWN_FD:
		fd = open(own, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
		free(own);
		break;
	case FOUND_FILE:
		if (!S_ISREG(st.st_mode)) {
			/* In place, and only what was judged: no O_CREAT. */
			fd = openat(out->dirfd, out->base,
				    O_WRONLY | O_APPEND | O_NOCTTY | O_NOFOLLOW |
				    O_CLOEXEC);
			close(out->dirfd);
			out->dirfd = -1;
			break;
		}
		fd = open_tmp(out);
		if (fd >= 0 && keep_owner_mode(fd, &st) < 0) {
			int err = errno;

			close(fd);
			if (out->tmp)
				unlinkat(out->dirfd, out->tmp, 0);
			output_reset(out);
			return mp_error("cannot write '%s': cannot keep its owner (uid %u, gid %u) and mode %04o: %s",
					path, (unsigned)st.st_uid,
					(unsigned)st.st_gid,
					(unsigned)(st.st_mode & 07777),
					strerror(err));
		}
		break;
	case FOUND_NEW:
		fd = open_tmp(out);
		break;
	}
	if (fd < 0 || !(out->f = fdopen(fd, "w"))) {
		int err = errno;

		if (fd >= 0) {
			close(fd);
			if (out->tmp)
				unlinkat(out->dirfd, out->tmp, 0);
		}
		output_reset(out);
		return mp_error("cannot write '%s': %s", path, strerror(err));
	}
	return 0;
}

/* Gives the unnamed temporary a name next to FILE that is not taken. */
static int output_name_tmp(struct output *out)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(out->f));
	for (unsigned i = 0; i < 100; i++) {
		name_tmp(out, i);
		if (linkat(AT_FDCWD, proc, out->dirfd, out->tmp,
			   AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	free(out->tmp);
	out->tmp = NULL;
	return -1;
}

int output_close(struct output *out, int keep)
{
	int rc = 0;

	if (!out->shown)
		return fflush(stderr) == 0 ? 0 : -1;
	if (fflush(out->f) != 0)
		rc = -1;
	else if (keep && out->dirfd >= 0 &&
		 ((!out->tmp && output_name_tmp(out) < 0) ||
		  renameat(out->dirfd, out->tmp, out->dirfd, out->base) != 0))
		rc = -1;
	if (rc < 0)
		mp_error("cannot write '%s': %m", out->shown);
	if (fclose(out->f) != 0 && rc == 0)
		rc = mp_error("cannot write '%s': %m", out->shown);
	if (out->tmp && (!keep || rc < 0))
		unlinkat(out->dirfd, out->tmp, 0);
	output_reset(out);
	return rc;
}
