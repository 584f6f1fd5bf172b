# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# CPU hotplug with bind_cpus=Y (two CPUs needed): threads bound to a CPU
# that goes offline park instead of running elsewhere, keep their binding
# (Cpus_allowed_list) throughout, and resume on their CPU when it is back;
# the module's hotplug state exists only while it is loaded.

HPSTATES=/sys/devices/system/cpu/hotplug/states

# two_cpus: skips the test unless CPU 1 can go offline.
two_cpus() {
	if [ "$(nproc)" -lt 2 ] || [ ! -w "$CPU1" ]; then
		skip "one CPU: nothing to take offline"
		return 1
	fi
}

hp_registered() {
	grep -c "kthread_example:online" "$HPSTATES"
}

# assert_bound THREAD CPU WHAT: allowed on CPU alone.
assert_bound() {
	assert_eq "$3: thread$1 allowed CPUs" "$2" "$(allowed_cpus "$(tstat "$1" pid)")"
}

# threads=4 bind_cpus=Y on two CPUs: threads 1 and 3 are CPU 1's.
test_offline_parks_its_threads() {
	two_cpus || return
	load threads=4 bind_cpus=Y interval_ms=10 verbose=0
	assert_eq "hotplug states while loaded" 1 "$(hp_registered)"
	sleep 0.5
	cpu1 0
	# The offline write returns after our callback parked them.
	for i in 1 3; do
		assert_eq "CPU 1 offline: thread$i state" P "$(task_state "$(tstat $i pid)")"
		assert_bound $i 1 "CPU 1 offline"
	done
	it1=$(tstat 1 iterations) it3=$(tstat 3 iterations)
	# A window opened mid-run starts anywhere in a period: one more
	# deadline may fall in it than whole periods fit.
	t0=$(($(now_ns) - 10000000))
	b0=$(periods 0) b2=$(periods 2)
	t1=$(now_ns)
	sleep 1.5
	assert_eq "CPU 1 offline: iterations of threads 1 and 3" "$it1 $it3" \
		"$(tstat 1 iterations) $(tstat 3 iterations)"
	assert_counted "CPU 1 offline: thread0 keeps its cadence" 0 "$t0" "$t1" 10 "$b0"
	assert_counted "CPU 1 offline: thread2 keeps its cadence" 2 "$t0" "$t1" 10 "$b2"
	b1=$(periods 1)
	t0=$(now_ns)
	cpu1 1
	t1=$(now_ns)
	sleep 1
	assert_counted "CPU 1 back: thread1 resumes" 1 "$t0" "$t1" 10 "$b1"
	for i in 0 1 2 3; do
		assert_bound $i $((i % 2)) "CPU 1 back"
		assert_eq "CPU 1 back: thread$i last CPU" $((i % 2)) "$(tstat $i cpu)"
	done
	unload
	assert_gone
}

# hotplug_rounds MODE N: N rounds of CPU 1 offline and online with four
# threads bound (1 and 3 on CPU 1). Right after each offline write
# returns, CPU 1's threads are parked and allowed on CPU 1 alone; right
# after each online write, bound there still. A worker once kept its
# binding only most of the time: the timer's last wake-up left it queued
# on the dying CPU, and the scheduler pushed it off with a widened mask
# after the module's callback had bound it (1 test in about 20).
hotplug_rounds() {
	[ "$2" -ge 1 ] || { fail "$1: $2 hotplug rounds asked for (kte.rounds)"; return; }
	load threads=4 bind_cpus=Y interval_ms=10 verbose=0 start_mode="$1"
	round=0
	while [ "$round" -lt "$2" ]; do
		cpu1 0
		st=$(states 4 | cut -d' ' -f2,4)
		b1=$(allowed_cpus "$(tstat 1 pid)") b3=$(allowed_cpus "$(tstat 3 pid)")
		cpu1 1
		assert_eq "$1, round $round, offline: threads 1 and 3 states" "P P" "$st"
		assert_eq "$1, round $round, offline: threads 1 and 3 allowed CPUs" "1 1" "$b1 $b3"
		assert_bound 1 1 "$1, round $round, online"
		assert_bound 3 1 "$1, round $round, online"
		[ "$TEST_FAILED" = 0 ] || break
		round=$((round + 1))
	done
	note "$1: $round rounds of CPU 1 offline and online"
	it=$(tstat 1 iterations)
	sleep 0.5
	assert_ge "$1: thread1 runs after $2 rounds" "$(tstat 1 iterations)" $((it + 1))
	assert_eq "$1: thread1 last CPU" 1 "$(tstat 1 cpu)"
	unload
	assert_gone
}

# ROUNDS: 100 unless the kernel command line says kte.rounds=N.
test_hotplug_rounds() {
	two_cpus || return
	hotplug_rounds create "$ROUNDS"
}

test_hotplug_rounds_worker() {
	two_cpus || return
	hotplug_rounds worker "$ROUNDS"
}

# Unload while CPU 1 is offline; the hotplug state goes with the module,
# so hotplug afterwards calls nothing of ours, and loads stay clean.
test_unload_while_offline() {
	two_cpus || return
	load threads=4 bind_cpus=Y interval_ms=10 verbose=0
	cpu1 0
	unload
	assert_gone
	assert_eq "hotplug states after unload" 0 "$(hp_registered)"
	cpu1 1
	cpu1 0
	cpu1 1
	i=0
	while [ "$i" -lt 10 ]; do
		load threads=4 bind_cpus=Y interval_ms=10 verbose=0
		unload
		i=$((i + 1))
	done
	assert_eq "hotplug states after 10 cycles" 0 "$(hp_registered)"
	assert_gone
}

# paused wins over a CPU's return, and a CPU's absence over an unpause.
test_hotplug_and_paused() {
	two_cpus || return
	load threads=2 bind_cpus=Y interval_ms=10 verbose=0 paused=Y
	cpu1 0
	cpu1 1
	assert_eq "paused after a hotplug round" "P P" "$(states 2)"
	cpu1 0
	echo N >"$PARAMS/paused" || fail "write N refused"
	wait_for 3 has_iterated 0 || fail "thread0 did not resume"
	sleep 0.5
	assert_eq "unpaused, CPU 1 offline: thread1 state" P "$(task_state "$(tstat 1 pid)")"
	assert_eq "unpaused, CPU 1 offline: thread1 iterations" 0 "$(tstat 1 iterations)"
	cpu1 1
	wait_for 3 has_iterated 1 || fail "thread1 did not resume with its CPU"
	assert_bound 1 1 "CPU 1 back"
	unload
	assert_gone
}

test_hotplug_worker() {
	two_cpus || return
	load threads=2 bind_cpus=Y interval_ms=10 verbose=0 start_mode=worker
	sleep 0.3
	cpu1 0
	it=$(tstat 1 iterations)
	sleep 1
	assert_eq "worker, CPU 1 offline: thread1 iterations" "$it" "$(tstat 1 iterations)"
	assert_eq "worker, CPU 1 offline: thread1 state" P "$(task_state "$(tstat 1 pid)")"
	assert_bound 1 1 "worker, CPU 1 offline"
	b1=$(periods 1)
	t0=$(now_ns)
	cpu1 1
	t1=$(now_ns)
	sleep 1
	assert_counted "worker, CPU 1 back: thread1 resumes" 1 "$t0" "$t1" 10 "$b1"
	assert_bound 1 1 "worker, CPU 1 back"
	assert_eq "worker, CPU 1 back: thread1 last CPU" 1 "$(tstat 1 cpu)"
	unload
	assert_gone
}

# can_suspend: skips the test unless a suspend to RAM can take CPU 1
# offline (pm_test=processors).
can_suspend() {
	two_cpus || return 1
	if ! grep -qw deep /sys/power/mem_sleep 2>/dev/null; then
		skip "no suspend to RAM (mem_sleep has no deep)"
		return 1
	fi
}

# suspend_processors S: one suspend to RAM that stops at pm_test=processors:
# every task frozen, CPU 1 offline, the kernel's wait (about S seconds, on
# CPU 0), then CPU 1 back and the thaw.
suspend_processors() {
	pm_hold "$1" 0
	echo deep >/sys/power/mem_sleep || fail "mem_sleep deep refused"
	echo processors >/sys/power/pm_test || fail "pm_test processors refused"
	ok=yes
	echo mem >/sys/power/state || ok=no
	pm_hold_back
	echo none >/sys/power/pm_test
	assert_eq "suspend with CPU 1 taken offline succeeded" yes "$ok"
	assert_log "Disabling non-boot CPUs"
	assert_log "suspend debug: Waiting for"
}

# A suspend takes CPU 1 offline with every task frozen: the callbacks see
# cpuhp_tasks_frozen and do not park the frozen threads (parking one would
# wait forever, and the suspend with it), and after the resume each thread
# runs on its own CPU, unparked. A worker's timer keeps firing while CPU 1
# is away; before 6.1 a frozen task sleeps in TASK_UNINTERRUPTIBLE, which
# the wake-up of the first work queued then reaches, moving the worker off
# CPU 1 with a widened mask: the online callback must bind it again even
# while tasks are frozen. At 500 ms, that first work comes during the
# kernel's 2 s wait, not before CPU 1 went (at 10 ms it came before, and
# left a work pending that no later timer woke the worker for).
# suspend_bound MODE PERIOD_MS
suspend_bound() {
	load threads=2 bind_cpus=Y interval_ms="$2" verbose=0 start_mode="$1"
	sleep 0.3
	# 2 s: four periods of a worker at 500 ms while CPU 1 is away.
	suspend_processors 2
	it=$(tstat 1 iterations)
	sleep 1.2
	for i in 0 1; do
		[ "$(task_state "$(tstat $i pid)")" != P ] ||
			fail "$1, after the resume: thread$i is parked"
		assert_bound $i $i "$1, after the resume"
	done
	assert_ge "$1, after the resume: thread1 runs" "$(tstat 1 iterations)" $((it + 1))
	assert_eq "$1, after the resume: thread1 last CPU" 1 "$(tstat 1 cpu)"
	unload
	assert_gone
}

test_suspend_takes_cpu_offline() {
	can_suspend || return
	suspend_bound create 10
}

test_suspend_takes_cpu_offline_worker() {
	can_suspend || return
	suspend_bound worker 500
}

# Paused through a suspend that takes CPU 1 away and back, in every start
# mode: still parked after the resume (the online callback, run with tasks
# frozen, must not unpark), still bound, nothing run; the unpause then
# runs each thread on its own CPU.
test_suspend_while_paused() {
	can_suspend || return
	for mode in create run worker; do
		dmesg -c >/dev/null
		load threads=2 bind_cpus=Y interval_ms=10 verbose=0 paused=Y start_mode=$mode
		wait_for 3 all_in_state 2 P || fail "$mode: not parked: $(states 2)"
		# Parked threads run nothing however long the hold: 1 s.
		suspend_processors 1
		sleep 0.3
		assert_eq "$mode, paused, after the resume: states" "P P" "$(states 2)"
		assert_eq "$mode, paused, after the resume: iterations" "0 0" \
			"$(tstat 0 iterations) $(tstat 1 iterations)"
		assert_bound 0 0 "$mode, paused, after the resume"
		assert_bound 1 1 "$mode, paused, after the resume"
		echo N >"$PARAMS/paused" || fail "$mode: write N refused"
		wait_for 3 has_iterated 1 || fail "$mode: thread1 did not resume"
		assert_eq "$mode, unpaused: thread1 last CPU" 1 "$(tstat 1 cpu)"
		unload
		assert_gone
	done
}
