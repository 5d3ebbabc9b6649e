/* SPDX-License-Identifier: MIT */
/* fuzz.h - what the harnesses share.
 *
 * Each fuzz_*.c defines LLVMFuzzerTestOneInput for one untrusted input of
 * memprof.  Built with clang -fsanitize=fuzzer it is a libFuzzer target
 * (make fuzz); linked with replay.c instead, any compiler builds a program
 * that runs it once on each file of a corpus (make fuzz-replay, part of
 * make check), so every input the fuzzer ever kept stays a regression
 * test.
 */
#ifndef MEMPROF_FUZZ_H
#define MEMPROF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The standard error of the fuzzing run, kept apart from fd 2. */
extern int fuzz_report_fd;

/* A harness's own check failed: prints why and aborts, which both
 * libFuzzer and the replayer report as a crash with the input. */
void fuzz_fail(const char *why) __attribute__((noreturn));

/* Writes data to the harness's temporary file (created on first use,
 * removed at exit) and returns its path; `mode` is its permission bits. */
const char *fuzz_temp_file(const uint8_t *data, size_t size, unsigned mode);

#endif
