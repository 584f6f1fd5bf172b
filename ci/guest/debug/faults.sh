# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Debug-kernel group: every failure point of init in turn, then a kmemleak
# scan. Booted with panic_on_warn=1: any report ends the run.

FAILSLAB=/sys/kernel/debug/failslab
# One thread: each point costs seconds here (every failed load tears the
# module down through DEBUG_KOBJECT_RELEASE's delays); about 60 points.
MAX_POINTS=400

test_kmemleak_clear() {
	kmemleak_clear
}

# fault_setup: failslab fails the N-th allocation of the loading thread
# (/proc/thread-self/fail-nth, see ktool) whose stack passes through module
# code, sleeping allocations included, and says so in the log.
fault_setup() {
	echo 0 >"$FAILSLAB/ignore-gfp-wait"
	echo 0xffffffffa0000000 >"$FAILSLAB/require-start"
	echo 0xffffffffff000000 >"$FAILSLAB/require-end"
	echo 1 >"$FAILSLAB/verbose"
}

test_fault_injection_every_init_failure_point() {
	fault_setup
	n=1
	injected=0
	while [ $n -le $MAX_POINTS ]; do
		out=$(ktool load-nth $n "$KO" 2>&1)
		rc=$?
		left=$(echo "$out" | sed -n 's/^fail_nth_left=//p')
		if [ "$rc" = 0 ]; then
			ktool unload "$MOD" >/dev/null || fail "n=$n: unload failed"
			# Fewer than n fault points: the sweep is past the last one.
			[ "$left" != 0 ] && break
			note "n=$n: the failure was absorbed and the load succeeded"
		else
			injected=$((injected + 1))
			assert_eq "n=$n: errno" 12 "$rc"
			assert_gone
			# A normal load works after a failed one (every 8th point:
			# each unload costs seconds on this kernel).
			if [ $((injected % 8)) = 1 ]; then
				load
				unload
			fi
		fi
		n=$((n + 1))
	done
	load
	unload
	echo "KTE-REPORT faults_injected=$injected fault_points=$((n - 1))"
	[ "$injected" -ge 5 ] || fail "only $injected init failure points injected"
	[ $n -le $MAX_POINTS ] || fail "init has more than $MAX_POINTS fault points?"
}

test_kmemleak_scan() {
	kmemleak_check
}
