# SPDX-License-Identifier: MIT
# The kernel's OOM killer ends the program: the report still comes, and
# says where it was and where the peak was.  Needs a writable cgroup v1
# memory controller (root on this kind of machine); skipped otherwise.
# shellcheck shell=bash

oom_killed() {
	local cg=/sys/fs/cgroup/memory/memprof-e2e-$$-$RANDOM
	mkdir "$cg" 2>/dev/null || skip "no writable cgroup v1 memory controller"
	echo $((64 << 20)) >"$cg/memory.limit_in_bytes" || { rmdir "$cg"; skip "cannot set a memory limit"; }
	[ -e "$cg/memory.memsw.limit_in_bytes" ] && echo $((64 << 20)) >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null
	mp --format=json -o "$JSON" "$TESTDATA/oom-O0" "$cg/cgroup.procs"
	rmdir "$cg" 2>/dev/null
	assert_status 137
	grep -qE "^memprof: target killed by SIGKILL \(out of memory\) at line [0-9]+ of grow, RSS [0-9.]+ MiB, peak at line [0-9]+$" "$T/err" ||
		fail "no out-of-memory line: $(tr '\n' '|' <"$T/err" | tail -c 300)"
	assert_eq SIGKILL "$(j .signal)" "signal"
	assert_range 40 70 "$(j '.peak_rss_bytes / 1048576')" "peak RSS under a 64 MiB limit (MiB)"
	assert_range 40 70 "$(inc grow oom 'memset(p, 1, 8 << 20);')" "what the memset line grew (MiB)"
}

tcase "oom: killed by the OOM killer, the report says where" oom_killed
