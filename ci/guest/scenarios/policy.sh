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
