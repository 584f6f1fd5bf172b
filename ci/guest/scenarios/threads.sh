# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Many threads, both start modes, CPU binding.

test_64_threads() {
	load threads=64 interval_ms=50
	assert_eq "threads my_kthread/N" 64 "$(count_threads 'my_kthread/[0-9]+')"
	assert_eq "threads named plain my_kthread" 0 "$(count_threads my_kthread)"
	assert_eq "sysfs thread dirs" 64 "$(find "$SYSDIR" -maxdepth 1 -name 'thread*' | wc -l)"
	for i in 0 31 63; do
		assert_eq "pid of thread$i" "$(pid_of "my_kthread/$i")" "$(tstat $i pid)"
	done
	sleep 1
	for i in 0 63; do
		[ "$(tstat $i iterations)" -ge 10 ] || fail "thread$i barely ran"
	done
	unload
	assert_log "kthread_example: stopped 64 thread\(s\) in [0-9]+ us"
	assert_eq "stopping lines" 64 "$(log_count 'Kernel thread stopping')"
	assert_gone
}

test_start_mode_run() {
	load start_mode=run interval_ms=100
	assert_eq start_mode run "$(cat "$PARAMS/start_mode")"
	assert_eq "threads" 1 "$(count_threads my_kthread)"
	sleep 1
	[ "$(tstat 0 iterations)" -ge 5 ] || fail "run-mode thread did not iterate"
	unload
	assert_gone
}

# bind_cpus: thread i on online CPU i mod N, in both start modes.
check_binding() {
	ncpu=$(nproc)
	i=0
	while [ $i -lt 4 ]; do
		want=$((i % ncpu))
		pid=$(tstat $i pid)
		assert_eq "thread$i allowed CPUs" "$want" \
			"$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$pid/status")"
		assert_eq "thread$i last CPU" "$want" "$(tstat $i cpu)"
		i=$((i + 1))
	done
}

test_bind_cpus() {
	for mode in create run; do
		load threads=4 bind_cpus=1 interval_ms=20 start_mode=$mode
		sleep 1
		check_binding
		unload
		assert_gone
	done
}

test_unbound_by_default() {
	load threads=2 interval_ms=20
	pid=$(tstat 0 pid)
	allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$pid/status")
	[ "$(nproc)" = 1 ] || [ "$allowed" != 0 ] || fail "unbound thread pinned to CPU 0"
	unload
}

# Many fast threads cannot flood the log.
test_rate_limited_log() {
	load threads=16 interval_ms=1
	sleep 3
	n=$(log_count 'Kernel thread running')
	# 16 threads x 1000/s x 3 s = 48000 iterations; the log takes a handful.
	assert_le "running lines in 3 s" "$n" 40
	unload
}
