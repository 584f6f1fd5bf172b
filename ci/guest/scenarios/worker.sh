# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# start_mode=worker: each thread is a kthread_worker fed by an hrtimer on
# absolute deadlines, with the names, log lines, statistics, re-arm and
# fast unload of the other modes.

# in_worker_fn PID: PID sleeps in kthread_worker_fn(), per its wchan or
# (5.10 shows a sleeping kthread's wchan as 0) its kernel stack. A worker
# caught running its work (every 50 ms, slower under emulation) shows
# neither, so a few looks are allowed; one that never sleeps there fails.
in_worker_fn() {
	for _look in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(cat "/proc/$1/wchan")" = kthread_worker_fn ] && return 0
		grep -q 'kthread_worker_fn' "/proc/$1/stack" && return 0
		sleep 0.02
	done
	return 1
}

test_worker_threads() {
	t0=$(now_ns)
	load start_mode=worker threads=3 interval_ms=50
	t1=$(now_ns)
	assert_eq start_mode worker "$(cat "$PARAMS/start_mode")"
	assert_eq "threads my_kthread/N" 3 "$(count_threads 'my_kthread/[0-9]+')"
	sleep 1
	for i in 0 1 2; do
		pid=$(tstat $i pid)
		assert_eq "pid of thread$i" "$(pid_of "my_kthread/$i")" "$pid"
		in_worker_fn "$pid" || fail "thread$i does not sleep in kthread_worker_fn:" \
			"wchan $(cat "/proc/$pid/wchan"), stack $(tr '\n' ' ' <"/proc/$pid/stack")"
		assert_counted "worker thread$i at 50 ms" $i "$t0" "$t1" 50
	done
	unload
	assert_eq "stopping lines" 3 "$(log_count 'Kernel thread stopping')"
	assert_gone
}

test_worker_log_lines() {
	load start_mode=worker interval_ms=200
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
	sleep 1
	unload
	assert_seed_log
	assert_gone
}

test_worker_cadence_is_drift_free() {
	load start_mode=worker interval_ms=10 verbose=0
	sleep 0.5
	assert_cadence "worker, 10 ms" 10 5
	echo 20 >"$PARAMS/interval_ms" || fail "write 20 refused"
	sleep 0.5
	assert_cadence "worker, 20 ms after a run-time change" 20 5
	unload
}

test_worker_interval_write_rearms() {
	load start_mode=worker interval_ms=60000
	sleep 1
	assert_eq "iterations on a 60 s period" 0 "$(tstat 0 iterations)"
	t0=$(now_ns)
	echo 100 >"$PARAMS/interval_ms" || fail "write 100 refused"
	t1=$(now_ns)
	sleep 2
	assert_counted "a 60 s worker re-armed to 100 ms" 0 "$t0" "$t1" 100
	unload
}

test_worker_fast_unload() {
	for n in 1 16; do
		dmesg -c >/dev/null
		load start_mode=worker threads=$n interval_ms=60000
		sleep 0.5
		unload
		assert_fast_stop "worker, threads=$n, 60 s interval"
		assert_gone
	done
}
