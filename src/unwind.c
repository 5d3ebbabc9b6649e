/* SPDX-License-Identifier: MIT */
/* unwind.c - walking a stopped thread's stack with libunwind-ptrace.
 *
 * Used rarely (when the peak grows by a step), never per line event: each
 * frame costs several ptrace peeks.
 */
#include "unwind.h"

#include <libunwind-ptrace.h>

size_t unwind_stack(pid_t tid, uint64_t *pcs, size_t max)
{
	unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
	void *ui;
	unw_cursor_t c;
	size_t n = 0;

	if (!as)
		return 0;
	ui = _UPT_create(tid);
	if (ui && unw_init_remote(&c, as, ui) == 0) {
		do {
			unw_word_t ip;

			if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 || !ip)
				break;
			/* A return address points after its call: the call's
			 * line is the one before it. */
			pcs[n] = n ? ip - 1 : ip;
			n++;
		} while (n < max && unw_step(&c) > 0);
	}
	if (ui)
		_UPT_destroy(ui);
	unw_destroy_addr_space(as);
	return n;
}
