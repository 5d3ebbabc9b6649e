/* SPDX-License-Identifier: MIT */
/* program.h - the profiled program's code: its executable and the shared
 * libraries the dynamic linker loads and unloads, which functions of each
 * are profiled, and arming their breakpoints.
 */
#ifndef MEMPROF_PROGRAM_H
#define MEMPROF_PROGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "breakpoint.h"
#include "profile.h"
#include "tracee.h"

struct program;

/* The functions to profile are `funcs` (--func) when nfuncs > 0; else
 * those marked with MEMPROF_PROFILE (in the executable, and in each
 * library as it loads), or main when the executable marks none. */
struct program *program_new(struct profile *prof, char *const *funcs,
			    size_t nfuncs);
void program_free(struct program *pg);

/* --line=FILE:FROM-TO: also profile those lines of the executable (with
 * no --func, only they are).  Before program_open. */
void program_add_lines(struct program *pg, const char *file, unsigned from,
		       unsigned to);

/* --depth=N: also profile the functions the profiled ones call, N levels
 * down (direct calls within the executable).  Before program_arm. */
void program_set_depth(struct program *pg, int depth);

/* Reads the executable from `file` (/proc/PID/exe when attaching: the
 * very file the process runs, whatever its mount namespace), named `path`
 * when looking for its separate debug file.  -1 with a message when it
 * has no line information, or a function is nowhere to be found (a static
 * program: there is nowhere else to look).  program_arm checks that the
 * process runs the same build. */
int program_open(struct program *pg, const char *file, const char *path,
		 const char *shown);

/* After program_open: the dynamic linker the executable asks for (valid
 * until program_free), or NULL for a static program. */
const char *program_interp(const struct program *pg);

/* With the target stopped (after its exec, or every thread after an
 * attach): arms the executable's functions, and watches the dynamic
 * linker so that libraries are armed as they load; attached, the
 * libraries already loaded are armed at once.  -1 with a message. */
int program_arm(struct program *pg, struct tracee *t,
		struct breakpoints *bps, pid_t tid);

/* The dynamic linker's hook was hit by thread `tid`: arm what was
 * loaded, forget what was unloaded.  -1 with a message when, once the
 * program's own libraries are loaded, a function named with --func is in
 * none of them (and the program cannot dlopen more): the caller ends the
 * target. */
int program_on_dl_event(struct program *pg, pid_t tid);

/* Calls `fn` for every shared object as the dynamic linker loads it (its
 * path and load bias), e.g. to find memprof's own heap library; with a
 * NULL path when an exec replaced the image and the new one is followed
 * (forget every object: the new image's are told next). */
void program_on_load(struct program *pg,
		     void (*fn)(void *ctx, const char *path, uint64_t bias),
		     void *ctx);

/* The profiled process exec'd (thread `tid`, the only one left, stopped
 * at its exec event; the caller has forgotten every breakpoint of the old
 * image): reads the new executable (/proc/PID/exe), looks the same
 * selection up in it (marks or main, --func, --line) and arms it, the
 * libraries watched as at the start.  Tables of functions already
 * profiled go on adding up.  Returns 1 when something is profiled or may
 * be (a library of the selection may load), 0 after a message saying the
 * new image is followed unprofiled, -1 with a message when arming failed. */
int program_exec(struct program *pg, pid_t tid);

/* Says which named functions never turned up (a library never loaded). */
void program_report_missing(const struct program *pg);

#endif
