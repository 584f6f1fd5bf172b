# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Debug-kernel group: every failure point of init in turn, with one thread
# and with three bound ones, then a kmemleak scan. Booted with
# panic_on_warn=1: any report ends the run. ci/test-debug runs the sweeps
# in guests of their own (kte.groups=faults:FILTER), side by side.

FAILSLAB=/sys/kernel/debug/failslab
# Each point costs seconds here (every failed load tears the module down
# through DEBUG_KOBJECT_RELEASE's delays); about 60 with one thread.
MAX_POINTS=400

test_kmemleak_clear() {
	kmemleak_clear
}

# fault_setup: failslab fails the N-th allocation of the loading thread
# (/proc/thread-self/fail-nth, see ktool) whose stack passes through module
# code, sleeping allocations included, and says so in the log.
fault_setup() {
	echo 0 >"$FAILSLAB/ignore-gfp-wait"
	echo 0xffffffffa0000000 >"$FAILSLAB/require-start"
	echo 0xffffffffff000000 >"$FAILSLAB/require-end"
	echo 1 >"$FAILSLAB/verbose"
}

# files_in DIR: the names in DIR, on one line.
files_in() {
	for f in "$1"/*; do
		[ -e "$f" ] && printf '%s ' "${f##*/}"
	done
}

# full_state N: what a successful load of N threads must show: each
# thread running under its name, its thread<i>/ directory holding every
# file a normal load has (REF_FILES), its pid file naming it.
full_state() {
	if [ "$1" = 1 ]; then names=my_kthread; else names='my_kthread/[0-9]+'; fi
	assert_eq "threads running" "$1" "$(count_threads "$names")"
	i=0
	while [ "$i" -lt "$1" ]; do
		assert_eq "files of thread$i/" "$REF_FILES" "$(files_in "$SYSDIR/thread$i")"
		pid=$(cat "$SYSDIR/thread$i/pid" 2>/dev/null)
		want=my_kthread
		[ "$1" = 1 ] || want=my_kthread/$i
		assert_eq "task of thread$i" "$want" "$(cat "/proc/$pid/comm" 2>/dev/null)"
		i=$((i + 1))
	done
}

# failed_threads: the thread indices this load's log names in a failure
# to create a thread or its sysfs entry.
failed_threads() {
	dmesg | sed -n 's/.*kthread_example: cannot \(create thread\|add sysfs entry for thread\) \([0-9]*\):.*/\2/p'
}

# points_of N PARAM...: how many fault points a load of N threads reaches
# (armed far beyond them, the load succeeds and says how many were left).
points_of() {
	_n=$1
	shift
	_left=$(ktool load-nth 1000000 "$KO" threads="$_n" "$@" | sed -n 's/^fail_nth_left=//p')
	ktool unload "$MOD" >/dev/null || fail "unload after counting points failed"
	echo $((1000000 - _left))
}

# fault_sweep N K PARAM...: load N threads with PARAMs, failing in turn
# each fault point from the first one of thread K's start (for K = 0, the
# first of init) to the last one of thread K's start (for the last thread,
# the last of init). Init starts its threads one after the other, so the
# points before thread K are those of a K-thread load, and each range is
# swept once. A failed load must leave nothing; an absorbed failure must
# leave the whole state; the range must have reached thread K's failure.
fault_sweep() {
	threads=$1 k=$2
	shift 2
	fault_setup
	load threads="$threads" "$@"
	REF_FILES=$(files_in "$SYSDIR/thread0")
	unload
	first=1
	last=$MAX_POINTS
	[ "$k" = 0 ] || first=$(($(points_of "$k" "$@") + 1))
	[ "$k" = $((threads - 1)) ] || last=$(points_of $((k + 1)) "$@")
	n=$first
	injected=0
	absorbed=0
	failed=
	while [ $n -le "$last" ]; do
		check_splat
		dmesg -c >/dev/null
		out=$(ktool load-nth $n "$KO" threads="$threads" "$@" 2>&1)
		rc=$?
		left=$(echo "$out" | sed -n 's/^fail_nth_left=//p')
		if [ "$rc" = 0 ]; then
			# Fewer than n fault points: the sweep is past the last one.
			if [ "$left" = 0 ]; then
				absorbed=$((absorbed + 1))
				full_state "$threads"
			fi
			ktool unload "$MOD" >/dev/null || fail "n=$n: unload failed"
			[ "$left" != 0 ] && break
		else
			injected=$((injected + 1))
			assert_eq "n=$n: errno" 12 "$rc"
			failed="$failed $(failed_threads)"
			assert_gone
		fi
		n=$((n + 1))
	done
	# A normal load works after all that.
	load threads="$threads" "$@"
	full_state "$threads"
	unload
	echo "KTE-REPORT threads=$threads $*, thread $k: points $first-$((n - 1))," \
		"faults_injected=$injected absorbed=$absorbed, failures in the start of thread" \
		"$(echo "$failed" | tr ' ' '\n' | grep . | sort -un | tr '\n' ' ')"
	[ "$injected" -ge 5 ] || fail "only $injected init failure points injected"
	[ $n -le $MAX_POINTS ] || fail "init has more than $MAX_POINTS fault points?"
	echo " $failed " | grep -q " $k " || fail "no injected failure reached the start of thread $k"
}

test_fault_sweep_one_thread() {
	fault_sweep 1 0
}

# A failure while starting thread 2 of three has two started threads to
# undo, the most the unwinding ever does; thread 1's start runs the same
# code (one vCPU: every bound thread on CPU 0) with one to undo, a case of
# the same loop. The points before thread 2 are the one-thread sweep's and
# thread 1's start (the same code, run once each).
test_fault_sweep_three_bound_threads_thread2() {
	fault_sweep 3 2 bind_cpus=Y
}

test_kmemleak_scan() {
	kmemleak_check
}
