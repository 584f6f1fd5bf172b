# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# paused: Y parks every thread (kthread_park(): state P, no iteration, no
# CPU time), N unparks them, and the next deadline is one period from the
# unpark: no burst, and the parked time is not counted as missed. In
# start_mode=worker too: the timer stops and the worker parks, in a work
# item of the module's (kthread_worker_fn() itself never parks).

# snap_threads N: SNAP_IT, SNAP_MISSED and SNAP_TICKS, each "v0 v1 ...".
snap_threads() {
	SNAP_IT='' SNAP_MISSED='' SNAP_TICKS=''
	_i=0
	while [ "$_i" -lt "$1" ]; do
		SNAP_IT="$SNAP_IT $(tstat "$_i" iterations)"
		SNAP_MISSED="$SNAP_MISSED $(tstat "$_i" missed)"
		SNAP_TICKS="$SNAP_TICKS $(cpu_ticks "$(tstat "$_i" pid)")"
		_i=$((_i + 1))
	done
}

# pause_and_resume N PERIOD_MS: with N threads loaded at PERIOD_MS, pause
# (every thread then parked, state P), check that nothing runs for 1.5 s,
# resume, and check the count since the resume.
pause_and_resume() {
	n=$1 state=P period=$2
	sleep 0.5
	echo Y >"$PARAMS/paused" || fail "write Y refused"
	assert_eq paused Y "$(cat "$PARAMS/paused")"
	wait_for 3 all_in_state "$n" "$state" || fail "not all in state $state: $(states "$n")"
	snap_threads "$n"
	before="$SNAP_IT /$SNAP_MISSED /$SNAP_TICKS"
	sleep 1.5
	snap_threads "$n"
	assert_eq "iterations / missed / CPU ticks while paused" "$before" \
		"$SNAP_IT /$SNAP_MISSED /$SNAP_TICKS"
	assert_eq "states while paused" "$n" "$(in_state "$n" "$state")"
	bases=
	i=0
	while [ "$i" -lt "$n" ]; do
		bases="$bases $(periods $i)"
		i=$((i + 1))
	done
	t0=$(now_ns)
	echo N >"$PARAMS/paused" || fail "write N refused"
	t1=$(now_ns)
	wait_for 3 none_in_state "$n" P || fail "still parked: $(states "$n")"
	sleep 1
	i=0
	for base in $bases; do
		assert_counted "thread$i after the unpause" "$i" "$t0" "$t1" "$period" "$base"
		i=$((i + 1))
	done
}

test_paused_parks_every_thread() {
	load threads=3 interval_ms=50 verbose=0
	pause_and_resume 3 50
	unload
	assert_gone
}

test_paused_start_mode_run() {
	load threads=2 interval_ms=50 verbose=0 start_mode=run
	pause_and_resume 2 50
	unload
	assert_gone
}

test_paused_start_mode_worker() {
	load threads=2 interval_ms=50 verbose=0 start_mode=worker
	pause_and_resume 2 50
	unload
	assert_gone
}

# Loaded paused: parked before the first iteration, even with kthread_run()
# (which wakes the thread before the module can park it) at 10 ms.
test_load_paused() {
	for mode in create run worker; do
		dmesg -c >/dev/null
		load threads=2 interval_ms=10 paused=Y start_mode=$mode
		wait_for 3 all_in_state 2 P || fail "$mode: not parked: $(states 2)"
		sleep 1
		assert_eq "$mode: iterations while loaded paused" "0 0" \
			"$(tstat 0 iterations) $(tstat 1 iterations)"
		assert_eq "$mode: running lines while paused" 0 "$(log_count 'Kernel thread running')"
		t0=$(now_ns)
		echo 0 >"$PARAMS/paused" || fail "write 0 refused"
		t1=$(now_ns)
		sleep 1
		assert_counted "$mode: thread1 after the unpause" 1 "$t0" "$t1" 10
		unload
		assert_gone
	done
}

# Unload while parked: kthread_stop() unparks, and the stop is as fast.
test_unload_while_paused() {
	for mode in create worker; do
		dmesg -c >/dev/null
		load threads=4 interval_ms=60000 paused=Y start_mode=$mode
		sleep 0.5
		unload
		assert_fast_stop "$mode, 4 threads paused"
		assert_eq "$mode: stopping lines" 4 "$(log_count 'Kernel thread stopping')"
		assert_gone
	done
}

test_paused_bad_writes() {
	load
	for v in maybe 2 "" yesno; do
		bad_write paused "$v"
	done
	assert_log "invalid paused 'maybe': valid values are "
	assert_eq "state after bad writes" S "$(task_state "$(tstat 0 pid)")"
	unload
}
