/* SPDX-License-Identifier: MIT */
/* decoder.h - the one x86 decoder (capstone) handle, shared by the two
 * files that read machine code: displace.c (relocating an instruction)
 * and flow.c (where control can go).  Private to them: capstone's types
 * go no further.  displace.c owns the handle; ds_close releases it.
 */
#ifndef MEMPROF_DECODER_H
#define MEMPROF_DECODER_H

#include <capstone/capstone.h>
#include <stdint.h>

/* The handle, opened with details on first use; 0 when capstone cannot
 * open one (then nothing is decoded). */
csh x86_decoder(void);

/* Whether capstone puts `insn` (decoded with details) in `group`. */
int x86_in_group(const cs_insn *insn, uint8_t group);

#endif
