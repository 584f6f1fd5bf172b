# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Debug-kernel group: every failure point of init in turn, with one thread
# and with three bound ones, then a kmemleak scan. Booted with
# panic_on_warn=1: any report ends the run. ci/test-debug runs the two
# sweeps in two guests (kte.groups=faults:FILTER).

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

# fault_sweep N PARAM...: fail each fault point of a load of N threads
# with PARAMs in turn, from the first to past the last. A failed load must
# leave nothing; an absorbed failure must leave the whole state; the sweep
# must have failed the start of every thread.
fault_sweep() {
	threads=$1
	shift
	fault_setup
	load threads="$threads" "$@"
	REF_FILES=$(files_in "$SYSDIR/thread0")
	unload
	n=1
	injected=0
	absorbed=0
	failed=
	while [ $n -le $MAX_POINTS ]; do
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
	echo "KTE-REPORT threads=$threads $*: faults_injected=$injected absorbed=$absorbed" \
		"fault_points=$((n - 1)) thread_failures_in:$(echo "$failed" | tr ' ' '\n' | sort -un | tr '\n' ' ')"
	[ "$injected" -ge 5 ] || fail "only $injected init failure points injected"
	[ $n -le $MAX_POINTS ] || fail "init has more than $MAX_POINTS fault points?"
	i=0
	while [ "$i" -lt "$threads" ]; do
		echo " $failed " | grep -q " $i " || fail "no injected failure reached the start of thread $i"
		i=$((i + 1))
	done
}

test_fault_sweep_one_thread() {
	fault_sweep 1
}

# Failures while starting thread 1 or 2 have earlier threads to undo.
test_fault_sweep_three_bound_threads() {
	fault_sweep 3 bind_cpus=Y
}

test_kmemleak_scan() {
	kmemleak_check
}
