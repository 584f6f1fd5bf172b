# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Load-time parameter validation: every bad value fails the load with
# EINVAL and one error naming the parameter, and leaves nothing behind.

# bad_load PARAM=VALUE: the load must fail cleanly.
bad_load() {
	dmesg -c >/dev/null
	ktool load "$KO" "$1" 2>/dev/null
	rc=$?
	assert_eq "errno for '$1'" 22 "$rc"
	name=${1%%=*}
	n=$(log_count "kthread_example: invalid $name '.*': valid values are ")
	assert_eq "errors naming $name for '$1'" 1 "$n"
	assert_gone
}

test_bad_interval() {
	for v in 0 3600001 -1 abc 1.5 "" 99999999999999999999 0x10; do
		bad_load "interval_ms=$v"
	done
}

test_bad_threads() {
	for v in 0 257 -3 many ""; do
		bad_load "threads=$v"
	done
}

test_bad_thread_name() {
	for v in "" twelve_chars "a.b" "a/b" '"sp ace"' "é"; do
		bad_load "thread_name=$v"
	done
}

test_bad_start_mode() {
	for v in "" start create2 RUN workers; do
		bad_load "start_mode=$v"
	done
}

test_bad_sched_policy() {
	for v in "" rr FIFO fifo2 batch; do
		bad_load "sched_policy=$v"
	done
}

test_bad_bools() {
	for v in "" maybe 2 yesno YES oN; do
		bad_load "bind_cpus=$v"
		bad_load "verbose=$v"
		bad_load "paused=$v"
	done
}

# Valid edge values load.
test_edge_values() {
	for p in interval_ms=1 interval_ms=3600000 threads=1 \
		thread_name=a thread_name=abc-DEF_123 start_mode=run \
		start_mode=worker bind_cpus=y verbose=0 paused=y \
		sched_policy=fifo_low; do
		load "$p"
		is_loaded || continue
		unload
		assert_gone "a|abc-DEF_123|my_kthread"
	done
	load thread_name=abc-DEF_123
	assert_eq "custom name" 1 "$(count_threads abc-DEF_123)"
	unload
}
