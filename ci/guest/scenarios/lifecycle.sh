# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Unload never waits out a period; load/unload cycles stay clean.

test_fast_unload_60s_interval() {
	for n in 1 64; do
		dmesg -c >/dev/null
		load threads=$n interval_ms=60000
		sleep 1
		unload
		assert_fast_stop "threads=$n, 60 s interval"
		assert_gone
	done
}

test_fast_unload_1h_interval() {
	load interval_ms=3600000
	sleep 1
	unload
	assert_fast_stop "1 h interval"
	assert_gone
}

# CYCLES: 200 unless the kernel command line says kte.cycles=N.
test_load_unload_cycles_8_busy_threads() {
	i=0
	while [ $i -lt "$CYCLES" ]; do
		ktool load "$KO" threads=8 interval_ms=1 verbose=0 ||
			{ fail "cycle $i: load failed"; break; }
		ktool unload "$MOD" >/dev/null || { fail "cycle $i: unload failed"; break; }
		i=$((i + 1))
	done
	note "$i load/unload cycles"
	assert_eq cycles "$CYCLES" "$i"
	assert_eq "stop lines" "$CYCLES" "$(log_count 'stopped 8 thread\(s\)')"
	assert_gone
}

# Idle cost: a thread wakes once per interval and not more.
test_idle_one_wakeup_per_interval() {
	load interval_ms=500 verbose=0
	sleep 1
	pid=$(tstat 0 pid)
	ctx0=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status")
	t0=$(now_ns)
	it0=$(tstat 0 iterations)
	sleep 5
	ctx1=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status")
	it1=$(tstat 0 iterations)
	want=$(periods_since "$t0" 500)
	wakes=$((ctx1 - ctx0))
	its=$((it1 - it0))
	note "$want periods of 500 ms: $its iterations, $wakes voluntary sleeps"
	assert_range "iterations in $want periods" "$((want - 1))" "$((want + 1))" "$its"
	# One sleep per iteration, plus the one in progress; a busy guest
	# (the debug kernel beside others) adds a stray wake-up or two, a
	# loop that polls adds one per poll.
	assert_le "sleeps beyond one per iteration" "$wakes" "$((its + 2 + its / 5))"
	unload
}
