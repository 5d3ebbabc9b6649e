/* SPDX-License-Identifier: MIT */
/* arming.h - the breakpoints that profiling a set of functions takes:
 * program.c's helper for each object it profiles (arming.c).
 */
#ifndef MEMPROF_ARMING_H
#define MEMPROF_ARMING_H

#include <stdint.h>

struct breakpoints;
struct di_functions;
struct profile;
struct tracee;

/* Registering the breakpoints of one object's functions: what every
 * step of it needs. */
struct arming {
	struct profile *prof;     /* gets their rows and copies */
	struct tracee *t;         /* their code is read from it */
	struct breakpoints *bps;  /* gets their breakpoints (armed later) */
	uint64_t bias;            /* the object's load bias */
	uint64_t lo, hi;          /* run-time span of the breakpoints
				     registered, for the scratch area */
};

/* Profiles the functions `fns` of the object: rows in the profile,
 * breakpoints registered (armed by the caller); a->lo..hi grows to span
 * them. */
void arming_add_functions(struct arming *a, const struct di_functions *fns);

#endif
