# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# sched_policy: normal, fifo (sched_set_fifo(): SCHED_FIFO, priority 50) or
# fifo_low (sched_set_fifo_low(): SCHED_FIFO, priority 1), in every start
# mode, seen in /proc/PID/stat (field 40 rt_priority, 41 policy).

# policy_of PID: "RT_PRIORITY POLICY".
policy_of() {
	awk '{ print $40, $41 }' "/proc/$1/stat"
}

test_sched_policy() {
	for mode in create run worker; do
		for pv in "normal:0 0" "fifo:50 1" "fifo_low:1 1"; do
			pol=${pv%%:*}
			load threads=2 sched_policy="$pol" start_mode=$mode interval_ms=100
			assert_eq "sched_policy" "$pol" "$(cat "$PARAMS/sched_policy")"
			for i in 0 1; do
				assert_eq "$mode $pol: thread$i rt_priority and policy" \
					"${pv#*:}" "$(policy_of "$(tstat $i pid)")"
			done
			wait_for 3 has_iterated 1 || fail "$mode $pol: thread1 never ran"
			unload
			assert_gone
		done
	done
}

# timer_contexts POLICY: load one worker with POLICY (on CPU 0 alone, as
# its event turns on and off: patch_alone) and print, from the trace,
# where its timer expired each time: "hard" (a flag h or H: in the
# hard interrupt), "soft" (s) or "other", one word per expiry.
EXPIRE=$TRACEFS/events/timer/hrtimer_expire_entry/enable
timer_contexts() {
	echo >"$TRACEFS/trace"
	patch_alone
	echo 1 >"$EXPIRE"
	load threads=1 start_mode=worker sched_policy="$1" interval_ms=20
	sleep 1
	echo 0 >"$EXPIRE"
	cpus_back
	# Read while loaded: the trace names the function from its address.
	trace=$(grep 'function=kte_timer_fn' "$TRACEFS/trace")
	unload
	echo "$trace" | grep . | awk '{
		f = ""
		for (i = 1; i < NF; i++)
			if ($i ~ /^\[[0-9]+\]$/) { f = $(i + 1); break }
		print (f ~ /[hH]/) ? "hard" : (f ~ /s/) ? "soft" : "other"
	}' | sort | uniq -c | awk '{ printf "%s%s=%s", s, $2, $1; s = " " }'
}

# A real-time worker's timer expires in the hard interrupt, as the kernel's
# own sleepers do for real-time tasks; on PREEMPT_RT a timer not marked
# hard would expire in the ktimers/N thread, and the worker wait for that
# thread's turn. A normal worker's expires where the kernel puts a normal
# task's: the softirq thread on PREEMPT_RT, the interrupt elsewhere.
test_worker_timer_hard_for_fifo() {
	tracefs_up
	normal=hard
	! uname -v | grep -q PREEMPT_RT || normal=soft
	for pv in "fifo:hard" "fifo_low:hard" "normal:$normal"; do
		pol=${pv%%:*} want=${pv#*:} ok=0
		seen=$(timer_contexts "$pol")
		note "$pol: timer expiries $seen"
		# One kind of expiry, the wanted one, at least once.
		case $seen in
		*" "*) ;;
		"$want="[1-9]*) ok=1 ;;
		esac
		[ "$ok" = 1 ] || fail "$pol worker: timer expiries '$seen', expected all $want"
	done
}
