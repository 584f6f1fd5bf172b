# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Debug-kernel group (KASAN, lockdep, kmemleak, fault injection): unload
# racing run-time writes and sysfs reads, every failure point of init, and
# a kmemleak scan over all of it. Booted with panic_on_warn=1: any report
# ends the run.

# Unload cycles racing writes and reads (each unload takes seconds here:
# DEBUG_KOBJECT_RELEASE delays the module's own kobject releases).
RACE_CYCLES=50
KMEMLEAK=/sys/kernel/debug/kmemleak
FAILSLAB=/sys/kernel/debug/failslab

test_kmemleak_clear() {
	# Forget what the boot allocated; only what follows counts.
	echo clear >"$KMEMLEAK" || fail "kmemleak is not available"
}

# writers and readers: hammer the parameters and sysfs until killed.
writer() {
	while :; do
		for v in 1 7 1000 3; do echo "$v" >"$PARAMS/interval_ms"; done
		echo n >"$PARAMS/verbose"
		echo y >"$PARAMS/verbose"
	done 2>/dev/null
}
reader() {
	while :; do cat "$SYSDIR"/thread*/* "$PARAMS"/* >/dev/null; done 2>/dev/null
}

test_cycles_racing_writes_and_reads() {
	i=0
	while [ $i -lt $RACE_CYCLES ]; do
		ktool load "$KO" threads=16 interval_ms=1 verbose=0 ||
			{ fail "cycle $i: load failed"; break; }
		writer &
		w=$!
		reader &
		r=$!
		sleep 0.2
		ktool unload "$MOD" >/dev/null || { fail "cycle $i: unload failed"; break; }
		kill $w $r
		wait $w $r 2>/dev/null
		i=$((i + 1))
	done
	echo "KTE-REPORT cycles=$i"
	assert_eq "cycles" $RACE_CYCLES "$i"
	assert_gone
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
	while [ $n -le 200 ]; do
		# Two threads: a failure in thread 1 must stop thread 0.
		out=$(ktool load-nth $n "$KO" threads=2 2>&1)
		rc=$?
		left=$(echo "$out" | sed -n 's/^fail_nth_left=//p')
		if [ "$rc" = 0 ]; then
			ktool unload "$MOD" >/dev/null || fail "n=$n: unload failed"
			# Fewer than n fault points: every one has been tried.
			[ "$left" != 0 ] && break
			note "n=$n: the failure was absorbed and the load succeeded"
		else
			injected=$((injected + 1))
			assert_eq "n=$n: errno" 12 "$rc"
			assert_gone
			load threads=2
			unload
		fi
		n=$((n + 1))
	done
	echo "KTE-REPORT faults_injected=$injected fault_points=$((n - 1))"
	[ "$injected" -ge 5 ] || fail "only $injected init failure points injected"
	[ $n -le 200 ] || fail "init has more than 200 fault points?"
}

test_kmemleak_scan() {
	sleep 6
	echo scan >"$KMEMLEAK"
	sleep 6
	echo scan >"$KMEMLEAK"
	leaks=$(grep -c '^unreferenced object' "$KMEMLEAK")
	echo "KTE-REPORT kmemleak_suspects=$leaks"
	if [ "$leaks" != 0 ]; then
		fail "kmemleak suspects $leaks leak(s)"
		head -n 40 "$KMEMLEAK"
	fi
}
