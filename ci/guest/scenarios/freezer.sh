# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Suspend: every thread freezes, runs nothing while frozen, and after the
# thaw goes on with its cadence, counting the periods it slept through as
# missed instead of running them back to back. /sys/power/pm_test=freezer
# makes the kernel freeze every task, hold that state for its pm_test
# delay (a busy wait, set to about 3 s: suspend_to_freezer) and thaw,
# without suspending any device.

PERIOD_MS=500
PERIOD=$((PERIOD_MS * 1000000))

# frozen_ns: how long the last traced suspend held every task frozen, in
# ns on CLOCK_MONOTONIC: from the end of freeze_processes to the start of
# thaw_processes, by the kernel's power:suspend_resume events on the trace
# clock "mono". Nominally the pm_test delay (3 s, mdelay()); the bound
# asks only for a period of the threads'. Not by the log's timestamps: on
# an x86 guest with two vCPUs, which marks its TSC unstable, printk's clock
# (sched_clock_cpu) runs at most a tick past the writing CPU's last tick
# (kernel/sched/clock.c): not the CLOCK_MONOTONIC the threads' spans are
# taken on.
frozen_ns() {
	awk '
	function ns(s) { split(s, p, "."); return p[1] * 1000000000 + p[2] * 1000 }
	{ for (i = 2; i <= NF; i++) if ($i == "suspend_resume:") t = $(i - 1) }
	/ freeze_processes\[0\] end$/ { f = ns(t); h = 0 }
	/ thaw_processes\[0\] begin$/ { h = ns(t) }
	END { if (f && h > f) printf "%.0f\n", h - f; else print 0 }' "$SUSPEND_TRACE"
}

# log_frozen_ms: the same span by the log's timestamps, for the note.
log_frozen_ms() {
	dmesg | awk '
	function ts(l) { sub(/^[^[]*\[ */, "", l); sub(/\].*/, "", l); return l }
	/suspend debug: Waiting for/ { w = ts($0) + 0; r = 0 }
	/Restarting tasks/ { r = ts($0) + 0 }
	END { if (w && r > w) printf "%.0f\n", (r - w) * 1000; else print 0 }'
}

# trace_suspends 1|0: record the kernel's suspend steps on CLOCK_MONOTONIC
# from now on (an empty trace), or stop, keep what was recorded in
# SUSPEND_TRACE and put the clock that was set back (which empties the
# trace).
SUSPEND_EVENT=$TRACEFS/events/power/suspend_resume/enable
SUSPEND_TRACE=/tmp/suspend.trace
trace_suspends() {
	tracefs_up
	if [ "$1" = 1 ]; then
		TRACE_CLOCK=$(sed 's/.*\[\([^]]*\)\].*/\1/' "$TRACEFS/trace_clock")
		echo mono >"$TRACEFS/trace_clock" || fail "no trace clock mono"
		echo >"$TRACEFS/trace"
	fi
	echo "$1" >"$SUSPEND_EVENT" || fail "cannot switch $SUSPEND_EVENT"
	[ "$1" = 0 ] || return 0
	cat "$TRACEFS/trace" >"$SUSPEND_TRACE"
	echo "$TRACE_CLOCK" >"$TRACEFS/trace_clock"
}

# snap N: reads thread0..N-1's iterations and missed in one go: SNAP_T
# (ns, the midpoint on CLOCK_MONOTONIC), SNAP_W (the reads' span, ns) and
# SNAP_V ("it0 missed0 it1 missed1 ...").
snap() {
	files=
	i=0
	while [ "$i" -lt "$1" ]; do
		files="$files $SYSDIR/thread$i/iterations $SYSDIR/thread$i/missed"
		i=$((i + 1))
	done
	# shellcheck disable=SC2046,SC2086 # one word per value
	set -- $(ktool clock $files)
	SNAP_T=$((($1 + $2) / 2)) SNAP_W=$(($2 - $1))
	shift 2
	SNAP_V=$*
}

# word LIST K: the K-th word (from 1) of LIST.
word() {
	echo "$1" | cut -d' ' -f"$2"
}

# can_freeze: skips the test unless the kernel can freeze every task and
# hold them (pm_test needs CONFIG_PM_DEBUG; s390x's kernel has no suspend).
can_freeze() {
	if [ ! -w /sys/power/pm_test ] || ! grep -qw freeze /sys/power/state 2>/dev/null; then
		skip "no suspend to idle with pm_test here"
		return 1
	fi
}

# freeze_round N PARAM...: load N threads with PARAMs at a 500 ms period
# (bound, when there are two CPUs), run $FREEZE_PREP if set, suspend once,
# and check each thread across the suspend and after it.
freeze_round() {
	can_freeze || return 0
	n=$1
	shift
	bind=
	[ "$(nproc)" -lt 2 ] || bind=bind_cpus=Y
	# shellcheck disable=SC2086 # $bind: no word at all when empty
	load threads="$n" interval_ms=$PERIOD_MS verbose=0 $bind "$@"
	${FREEZE_PREP:-}
	sleep 1.2
	snap "$n"
	ta=$SNAP_T wa=$SNAP_W va=$SNAP_V
	trace_suspends 1
	suspend_to_freezer || fail "threads=$n $*: the suspend failed"
	trace_suspends 0
	# Anything replayed after the thaw happens within this pause.
	sleep 0.3
	snap "$n"
	tc=$SNAP_T wc=$SNAP_W vc=$SNAP_V
	sleep 2.5
	snap "$n"
	td=$SNAP_T wd=$SNAP_W vd=$SNAP_V

	assert_log "suspend debug: Waiting for"
	assert_eq "threads=$n $*: freezing failures" 0 \
		"$(log_count 'Freezing of tasks failed|refused to freeze|Freezing .* aborted')"

	# Across the suspend: at most one catch-up iteration after the thaw,
	# one before the freeze, plus one per period spent outside the frozen
	# span; iterations plus missed still count every period.
	span=$((tc - ta))
	frozen=$(frozen_ns)
	note "threads=$n $*: frozen for $((frozen / 1000000)) ms (the kernel's busy wait; $(log_frozen_ms) ms by the log)"
	assert_ge "threads=$n $*: frozen for a period at least (ns)" "$frozen" "$PERIOD"
	free=$((span > frozen ? span - frozen : 0))
	most=$((2 + (free + PERIOD - 1) / PERIOD))
	want=$((span / PERIOD))
	slack=$((1 + (wa + wc + PERIOD - 1) / PERIOD))
	# After the thaw: the cadence again.
	want_after=$(((td - tc) / PERIOD))
	slack_after=$((1 + (wc + wd + PERIOD - 1) / PERIOD))
	i=0
	while [ "$i" -lt "$n" ]; do
		ia=$(word "$va" $((2 * i + 1))) ma=$(word "$va" $((2 * i + 2)))
		ic=$(word "$vc" $((2 * i + 1))) mc=$(word "$vc" $((2 * i + 2)))
		id=$(word "$vd" $((2 * i + 1)))
		ints "thread$i counters" "$ia" "$ma" "$ic" "$mc" "$id" || break
		[ "$i" -gt 0 ] || note "threads=$n $*: thread0 across $((span / 1000000)) ms:" \
			"$((ic - ia)) iterations, $((mc - ma)) missed; then $((id - ic)) in $(((td - tc) / 1000000)) ms"
		assert_le "thread$i iterations across the suspend (frozen, no replay)" "$((ic - ia))" "$most"
		assert_near "thread$i iterations + missed across the suspend" "$want" \
			"$((ic + mc - ia - ma))" "$slack"
		assert_near "thread$i iterations after the thaw" "$want_after" "$((id - ic))" "$slack_after"
		i=$((i + 1))
	done
	unload
	assert_gone
}

test_freeze_one_thread() {
	freeze_round 1
}

test_freeze_start_mode_run() {
	freeze_round 1 start_mode=run
}

test_freeze_8_threads() {
	freeze_round 8
}

test_freeze_start_mode_worker() {
	freeze_round 1 start_mode=worker
}

# A parked thread sleeps where the freezer cannot freeze it: the module
# takes it out of the freezer's count while parked, or every suspend of a
# machine with paused=Y would fail after 20 s. Paused through a suspend, in
# every start mode: the suspend succeeds, the threads stay parked and run
# nothing, and the unpause resumes them.
test_freeze_while_paused() {
	can_freeze || return
	for mode in create run worker; do
		dmesg -c >/dev/null
		load threads=2 interval_ms=$PERIOD_MS verbose=0 paused=Y start_mode=$mode
		wait_for 3 all_in_state 2 P || fail "$mode: not parked: $(states 2)"
		# Parked threads run nothing however long the hold: 1 s.
		suspend_to_freezer 1 || fail "$mode, paused: the suspend failed"
		assert_log "suspend debug: Waiting for"
		assert_eq "$mode, paused: freezing failures" 0 \
			"$(log_count 'Freezing of tasks failed|refused to freeze|Freezing .* aborted')"
		assert_eq "$mode, paused: states after the thaw" "P P" "$(states 2)"
		assert_eq "$mode, paused: iterations" "0 0" \
			"$(tstat 0 iterations) $(tstat 1 iterations)"
		echo N >"$PARAMS/paused" || fail "$mode: write N refused"
		wait_for 5 has_iterated 0 || fail "$mode: no iteration after the unpause"
		unload
		assert_gone
	done
}

# pause_cycle: pause every thread, wait until all are parked, unpause.
pause_cycle() {
	echo Y >"$PARAMS/paused" || fail "write Y refused"
	wait_for 3 all_in_state "$n" P || fail "not parked: $(states "$n")"
	echo N >"$PARAMS/paused" || fail "write N refused"
}

# A thread leaves the freezer's count while parked: after an unpause it
# must be freezable again, or the next suspend runs it while every other
# task is frozen. A loop parks alike in create and run mode; a worker parks
# in its park work.
test_freeze_after_pause_cycle() {
	for mode in create worker; do
		dmesg -c >/dev/null
		FREEZE_PREP=pause_cycle freeze_round 2 start_mode=$mode
	done
}
