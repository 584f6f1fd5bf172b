# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# The module looks at what the kernel returns: a failed
# set_cpus_allowed_ptr() or kthread_park() is reported, once per load
# however many calls fail. kte_fault.ko (ci/fault-module, test-only) makes
# those calls fail for the module's threads after they did their work; a
# guest without it skips these tests.

FAULT_KO=/kte/kte_fault.ko

# faults_on / faults_off: load and unload kte_fault.ko.
faults_on() {
	if [ ! -f "$FAULT_KO" ]; then
		skip "no kte_fault.ko in this guest"
		return 1
	fi
	ktool load "$FAULT_KO" || { fail "cannot load kte_fault.ko"; return 1; }
}
faults_off() {
	ktool unload kte_fault >/dev/null || fail "cannot unload kte_fault"
	assert_log "kte_fault: [1-9][0-9]* call\(s\) failed"
}

BIND_FAILED='kthread_example: thread [0-9]+: cannot bind to CPU [0-9]+: -22$'
PARK_FAILED='kthread_example: thread [0-9]+: kthread_park\(\) failed: -16$'

# With two CPUs, CPU 1 going away and back rebinds threads 1 and 3 in each
# callback: four failed calls, twice over.
test_bind_failure_reported_once() {
	if [ "$(nproc)" -lt 2 ] || [ ! -w /sys/devices/system/cpu/cpu1/online ]; then
		skip "one CPU: no hotplug callback rebinds"
		return
	fi
	faults_on || return
	load threads=4 bind_cpus=Y interval_ms=50 verbose=0
	for round in 1 2; do
		echo 0 >/sys/devices/system/cpu/cpu1/online || fail "round $round: CPU 1 offline refused"
		echo 1 >/sys/devices/system/cpu/cpu1/online || fail "round $round: CPU 1 online refused"
	done
	wait_for 3 has_iterated 3 || fail "thread3 did not run after the rounds"
	unload
	faults_off
	assert_eq "lines saying a bind failed" 1 "$(log_count "$BIND_FAILED")"
	assert_gone
}

# Every park of four threads fails, twice, in each mode that parks: one
# line per load. The threads parked nonetheless (the call did its work),
# and run again when unpaused.
test_park_failure_reported_once() {
	faults_on || return
	for mode in create worker; do
		dmesg -c >/dev/null
		load threads=4 start_mode=$mode interval_ms=50 verbose=0
		for round in 1 2; do
			echo Y >"$PARAMS/paused" || fail "$mode: write Y refused"
			assert_eq "$mode, round $round: states" "P P P P" "$(states 4)"
			echo N >"$PARAMS/paused" || fail "$mode: write N refused"
		done
		assert_eq "$mode: lines saying a park failed" 1 "$(log_count "$PARK_FAILED")"
		it=$(tstat 0 iterations)
		wait_for 3 has_iterated_since 0 "$it" || fail "$mode: thread0 did not resume"
		unload
		assert_gone
	done
	faults_off
}

has_iterated_since() { [ "$(tstat "$1" iterations)" -gt "$2" ]; }
