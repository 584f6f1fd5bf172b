# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Run-time writes to the 0644 parameters: good ones take effect at once,
# bad ones are refused and leave the old value.

test_interval_write_rearms_sleeping_thread() {
	load interval_ms=60000
	sleep 1
	assert_eq "iterations on a 60 s period" 0 "$(tstat 0 iterations)"
	t0=$(now_ns)
	echo 100 >"$PARAMS/interval_ms" || fail "write 100 refused"
	t1=$(now_ns)
	assert_eq interval_ms 100 "$(cat "$PARAMS/interval_ms")"
	sleep 2
	assert_counted "a 60 s sleeper re-armed to 100 ms" 0 "$t0" "$t1" 100
	unload
}

test_interval_bad_writes() {
	load
	for v in 0 3600001 -5 abc "" 1e3; do
		bad_write interval_ms "$v"
	done
	assert_log "invalid interval_ms 'abc': valid values are 1 to 3600000"
	unload
}

has_running_line() { [ "$(log_count 'Kernel thread running')" -gt 0 ]; }

# verbose=0 from the load: not one line while the thread works (the rate
# limit's budget is untouched, so a line would show); verbose=1 written at
# run time brings them.
test_verbose_write() {
	load interval_ms=100 verbose=0
	assert_eq verbose N "$(cat "$PARAMS/verbose")"
	sleep 1.5
	assert_ge "iterations with verbose=0" "$(tstat 0 iterations)" 3
	assert_eq "running lines with verbose=0" 0 "$(log_count 'Kernel thread running')"
	for v in maybe 2 ""; do
		bad_write verbose "$v"
	done
	echo 1 >"$PARAMS/verbose" || fail "write 1 refused"
	assert_eq verbose Y "$(cat "$PARAMS/verbose")"
	wait_for 3 has_running_line || fail "verbose=1 brought no line"
	unload
}

# The load-time-only parameters: mode 0444, and a write of a value they
# would accept at load is refused by the kernel (EACCES or EPERM).
test_readonly_params() {
	load
	for pv in threads=3 thread_name=abc start_mode=run bind_cpus=y \
		sched_policy=fifo; do
		p=${pv%%=*}
		old=$(cat "$PARAMS/$p")
		assert_eq "mode of $p" 444 "$(busybox stat -c %a "$PARAMS/$p")"
		ktool write "$PARAMS/$p" "${pv#*=}"
		rc=$?
		[ "$rc" = 13 ] || [ "$rc" = 1 ] || fail "write '${pv#*=}' to $p: errno $rc, not EACCES/EPERM"
		assert_eq "$p unchanged" "$old" "$(cat "$PARAMS/$p")"
	done
	unload
}

test_cadence_is_drift_free() {
	load interval_ms=10 verbose=0
	sleep 0.5
	assert_cadence "10 ms" 10 6
	echo 20 >"$PARAMS/interval_ms" || fail "write 20 refused"
	sleep 0.5
	assert_cadence "20 ms after a run-time change" 20 6
	unload
}
