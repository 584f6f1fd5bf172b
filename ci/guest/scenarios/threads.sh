# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Many threads, both start modes, CPU binding.

test_64_threads() {
	t0=$(now_ns)
	load threads=64 interval_ms=50
	t1=$(now_ns)
	assert_eq "threads my_kthread/N" 64 "$(count_threads 'my_kthread/[0-9]+')"
	assert_eq "threads named plain my_kthread" 0 "$(count_threads my_kthread)"
	assert_eq "sysfs thread dirs" 64 "$(find "$SYSDIR" -maxdepth 1 -name 'thread*' | wc -l)"
	for i in 0 31 63; do
		assert_eq "pid of thread$i" "$(pid_of "my_kthread/$i")" "$(tstat $i pid)"
	done
	sleep 1
	# 64 threads on one slow CPU may each wait hundreds of ms for their
	# turn: here each must have run at least half its periods (the exact
	# cadence is the runtime group's test).
	for i in 0 63; do
		c=$(($(tstat $i iterations) + $(tstat $i missed)))
		assert_range "thread$i periods counted at 50 ms" \
			"$(($(periods_since "$t1" 50) / 2))" "$(periods_since "$t0" 50)" "$c"
	done
	unload
	assert_log "kthread_example: stopped 64 thread\(s\) in [0-9]+ us"
	assert_eq "stopping lines" 64 "$(log_count 'Kernel thread stopping')"
	assert_gone
}

test_start_mode_run() {
	t0=$(now_ns)
	load start_mode=run interval_ms=100
	t1=$(now_ns)
	assert_eq start_mode run "$(cat "$PARAMS/start_mode")"
	assert_eq "threads" 1 "$(count_threads my_kthread)"
	sleep 1
	assert_counted "run-mode thread at 100 ms" 0 "$t0" "$t1" 100
	assert_ge "run-mode iterations" "$(tstat 0 iterations)" 1
	unload
	assert_gone
}

# assert_unmovable THREAD CPU WHAT: user space cannot move THREAD off CPU:
# sched_setaffinity() refuses a thread bound before its first wake-up
# (kthread_bind() marks it PF_NO_SETAFFINITY); one bound after it, by
# set_cpus_allowed_ptr(), could be moved by anyone with CAP_SYS_NICE, and
# on 7.x kthread()'s default affinity at its first wake-up may undo it.
assert_unmovable() {
	pid=$(tstat "$1" pid)
	other=$((($2 + 1) % $(nproc)))
	if taskset -p "$((1 << other))" "$pid" >/dev/null 2>&1; then
		fail "$3: thread$1 accepted sched_setaffinity() to CPU $other"
	fi
	assert_eq "$3: thread$1 allowed CPUs after sched_setaffinity()" "$2" "$(allowed_cpus "$pid")"
}

test_bind_cpus() {
	if [ "$(nproc)" -lt 2 ]; then
		skip "one CPU: every binding would be CPU 0 anyway"
		return
	fi
	for mode in create run worker; do
		load threads=4 bind_cpus=1 interval_ms=20 start_mode=$mode
		sleep 1
		check_binding "$mode"
		for i in 0 1; do
			assert_unmovable $i $i "$mode"
		done
		unload
		assert_gone
	done
}

# A thread kept off its CPU for 5 s wakes once 5 s late: the lateness sum
# must hold that whole. u64_stats_add() takes an unsigned long, so on
# 32-bit it would cut the 5 s to under 4.3 s, and average x iterations
# fall below the maximum. The spin is SCHED_FIFO 99 and the thread
# fifo_low (SCHED_FIFO 1): neither RT throttling nor the fair server of
# 6.12+ lets a lower real-time task run beside it.
test_starved_5s_summed_whole() {
	if [ "$(nproc)" -lt 2 ]; then
		skip "one CPU: the spin would starve the shell too"
		return
	fi
	load threads=1 bind_cpus=1 interval_ms=100 sched_policy=fifo_low
	wait_for 3 has_iterated 0 || fail "thread0 never ran"
	spun=$(ktool hog 0 5000 2>&1)
	case $spun in
	hog_ms=*) spun=${spun#hog_ms=} ;;
	*) fail "ktool hog: $spun" ;;
	esac
	it=$(tstat 0 iterations)
	wait_for 3 has_iterated_beyond 0 "$it" || fail "thread0 did not run after the spin"
	echo Y >"$PARAMS/paused" || fail "pause refused"
	it=$(tstat 0 iterations)
	avg=$(tstat 0 lateness_avg_ns)
	max=$(tstat 0 lateness_max_ns)
	unload
	note "spun $spun ms on CPU 0: $it iterations, lateness max $max ns, average $avg ns"
	# awk: the shell's test may not compare past 2^31 on 32-bit.
	awk -v m="$max" 'BEGIN { exit !(m >= 4500000000) }' ||
		fail "the spin did not keep thread0 off its CPU for 4.5 s (lateness max $max ns)"
	awk -v a="$avg" -v n="$it" -v m="$max" 'BEGIN { exit !((a + 1) * n >= m) }' ||
		fail "lateness sum lost the late wake-up: (average $avg + 1) x $it iterations < max $max"
}

test_unbound_by_default() {
	if [ "$(nproc)" -lt 2 ]; then
		skip "one CPU: bound and unbound look the same"
		return
	fi
	load threads=2 interval_ms=20
	for i in 0 1; do
		pid=$(tstat $i pid)
		assert_eq "thread$i allowed CPUs" "0-$(($(nproc) - 1))" "$(allowed_cpus "$pid")"
	done
	unload
}

# Many fast threads cannot flood the log.
test_rate_limited_log() {
	t0=$(now_ns)
	load threads=16 interval_ms=1
	sleep 3
	n=$(log_count 'Kernel thread running')
	secs=$((($(now_ns) - t0) / 1000000000))
	# 16 threads x 1000/s x 3 s = 48000 iterations; the log takes at most
	# a burst of 10 per 5 s window (printk_ratelimited's defaults).
	assert_le "running lines in $secs s" "$n" $((10 * (secs / 5 + 1)))
	unload
}
