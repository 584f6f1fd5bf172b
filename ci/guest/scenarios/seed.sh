# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Seed compatibility: with no parameters the module behaves as the tutorial's.

test_default_load_and_log_lines() {
	t0=$(now_ns)
	load
	is_loaded || fail "not in /proc/modules"
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
	assert_log_order "Loading Kernel Thread Example\.\.\.$" \
		"Kernel thread created and running$"
	sleep 5
	n=$(log_count "Kernel thread running\.\.\.$")
	want=$(periods_since "$t0" 2000)
	assert_range "'running' lines, one per 2 s" "$((want - 1))" "$want" "$n"
	unload
	assert_seed_log
	assert_gone
}

test_default_parameters() {
	load
	assert_eq interval_ms 2000 "$(cat "$PARAMS/interval_ms")"
	assert_eq threads 1 "$(cat "$PARAMS/threads")"
	assert_eq thread_name my_kthread "$(cat "$PARAMS/thread_name")"
	assert_eq start_mode create "$(cat "$PARAMS/start_mode")"
	assert_eq bind_cpus N "$(cat "$PARAMS/bind_cpus")"
	assert_eq verbose Y "$(cat "$PARAMS/verbose")"
	assert_eq paused N "$(cat "$PARAMS/paused")"
	assert_eq sched_policy normal "$(cat "$PARAMS/sched_policy")"
	assert_eq version "$(cat /kte/VERSION)" "$(cat "/sys/module/$MOD/version")"
	unload
}

test_sysfs_stats() {
	t0=$(now_ns)
	load interval_ms=100
	t1=$(now_ns)
	sleep 2
	assert_counted "about 2 s at 100 ms" 0 "$t0" "$t1" 100
	it=$(tstat 0 iterations)
	assert_ge "iterations" "$it" 1
	pid=$(pid_of my_kthread)
	assert_eq "sysfs pid" "$pid" "$(tstat 0 pid)"
	# The thread runs between the reads: read what can only grow (max)
	# or only shrink (min) after what it is compared with.
	last=$(tstat 0 lateness_last_ns)
	avg=$(tstat 0 lateness_avg_ns)
	min=$(tstat 0 lateness_min_ns)
	max=$(tstat 0 lateness_max_ns)
	# A wake-up is never exactly on its deadline: once a thread has run,
	# its smallest lateness is above zero.
	assert_ge "lateness_min_ns after $it iterations" "$min" 1
	assert_le "min <= avg" "$min" "$avg"
	assert_le "avg <= max" "$avg" "$max"
	assert_le "last <= max" "$last" "$max"
	cpu=$(tstat 0 cpu)
	assert_le "cpu < nproc" "$cpu" "$(($(nproc) - 1))"
	for f in "$SYSDIR"/thread0/*; do
		[ "$(busybox stat -c %a "$f")" = 444 ] || fail "$f is not 0444"
		echo 1 2>/dev/null >"$f" && fail "$f accepted a write"
	done
	sleep 1
	[ "$(tstat 0 iterations)" -gt "$it" ] || fail "iterations did not advance"
	unload
	assert_gone
}
