# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# make bench: figures from one boot, each beside its baseline or target.
# Prints "BENCH|metric|value|unit|reference" lines for ci/bench.

REPS=7

# bench METRIC VALUE UNIT TARGET [VERDICT]
bench() { echo "BENCH|$1|$2|$3|$4|${5:-}"; }

# judge VALUE LIMIT: met when VALUE <= LIMIT.
judge() { if [ "$1" -le "$2" ]; then echo met; else echo missed; fi; }

# uptime_s: seconds since boot, whole.
uptime_s() { cut -d. -f1 /proc/uptime; }

# progress WHAT: where a long run is (ci/bench shows these as they come;
# the watchdog reads when).
progress() {
	echo "KTE-PROGRESS $*"
	echo "$(uptime_s) $*" >/tmp/progress
}

# The longest a phase may go without progress: the whole benchmark takes
# about 3 min under emulation.
STALL_S=240

# watchdog: a phase without progress for STALL_S seconds has the kernel
# print the blocked tasks, every CPU's backtrace and every task's stack
# to the console, then ends the VM, so that ci/bench says where and why it
# stopped. (An oops, lockup or hung task panics here on its own; a stall
# the kernel only reports, or a task waiting forever, would not. A guest
# too wedged to run this ends at ci/bench's limit.)
watchdog() {
	while sleep 10; do
		read -r _t _what </tmp/progress
		# A read between progress()'s truncation and its write: no time yet.
		[ -n "$_t" ] || continue
		[ $(($(uptime_s) - _t)) -ge $STALL_S ] || continue
		# Every level to the console, this message (<3>: an error) first.
		dmesg -n 8
		echo "<3>kte bench watchdog: no progress for $STALL_S s since: $_what" >/dev/kmsg
		for c in w l t; do echo $c >/proc/sysrq-trigger; done
		sync
		reboot -f
	done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run_a_second KO [PARAM...]: load KO and let it run for a second.
run_a_second() {
	ktool load "$@" || return 1
	sleep 1
}

# unload_us MODULE KO [PARAM...]: one load, a second's run, one unload.
unload_us() {
	name=$1
	shift
	run_a_second "$@" || return 1
	ktool unload "$name" | sed -n 's/^unload_us=//p'
}

# Unload and in-kernel stop (every kthread_stop()) of 1 to 256 threads on a
# 60 s period, medians of REPS, beside the empty module's unload (the floor).
# The stops run side by side: 64 threads may take at most 4 times one's.
bench_stop() {
	progress "unload of the empty module"
	floor=$(for _ in $(seq $REPS); do unload_us kte_empty /kte/kte_empty.ko; done | median)
	bench "unload, empty module (floor)" "$floor" us "-"
	for n in 1 4 16 64 256; do
		progress "unload and stop, $n thread(s)"
		: >/tmp/stops
		unload=$(for _ in $(seq $REPS); do
			dmesg -c >/dev/null
			unload_us kthread_example /kte/kthread_example.ko \
				threads=$n interval_ms=60000 verbose=0
			stop_us >>/tmp/stops
		done | median)
		stop=$(median </tmp/stops)
		if [ "$n" = 1 ]; then
			stop1=$stop
			bench "unload, 1 thread, 60 s interval" "$unload" us \
				"<= floor + 10000" "$(judge "$unload" $((floor + 10000)))"
			bench "in-kernel stop, 1 thread" "$stop" us "<= 1000" "$(judge "$stop" 1000)"
		elif [ "$n" = 64 ]; then
			bench "in-kernel stop, 64 threads" "$stop" us \
				"<= 4 x 1 thread's ($((4 * stop1)))" "$(judge "$stop" $((4 * stop1)))"
		else
			bench "in-kernel stop, $n threads" "$stop" us "1 thread: $stop1"
		fi
	done
}

# cadence_and_lateness: iterations in 10 s at 10 ms, lateness statistics.
bench_cadence() {
	progress "cadence at 10 ms"
	ktool load /kte/kthread_example.ko interval_ms=10 verbose=0
	sleep 1
	t0=$(cut -d' ' -f1 /proc/uptime)
	i0=$(cat /sys/kernel/kthread_example/thread0/iterations)
	sleep 10
	i1=$(cat /sys/kernel/kthread_example/thread0/iterations)
	t1=$(cut -d' ' -f1 /proc/uptime)
	d=/sys/kernel/kthread_example/thread0
	bench "iterations in 10 s at 10 ms" \
		"$(awk -v i="$((i1 - i0))" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", i * 10 / (b - a) }')" \
		"" ">= 995 (ideal 1000)"
	bench "missed periods (skipped)" "$(cat $d/missed)" "" "-"
	bench "wake lateness min" "$(cat $d/lateness_min_ns)" ns "-"
	bench "wake lateness avg" "$(cat $d/lateness_avg_ns)" ns "-"
	bench "wake lateness max" "$(cat $d/lateness_max_ns)" ns "-"
	ktool unload kthread_example >/dev/null
}

# Idle cost: wake-ups and CPU time per second with a 1 s period.
bench_idle() {
	progress "idle cost at 1 s"
	ktool load /kte/kthread_example.ko interval_ms=1000 verbose=0
	sleep 1
	pid=$(cat /sys/kernel/kthread_example/thread0/pid)
	c0=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status")
	r0=$(cut -d' ' -f1 "/proc/$pid/schedstat")
	sleep 10
	c1=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status")
	r1=$(cut -d' ' -f1 "/proc/$pid/schedstat")
	bench "idle wake-ups in 10 s at 1 s" "$((c1 - c0))" "" "10 (one per period)"
	bench "idle CPU time per wake-up" "$(((r1 - r0) / (c1 - c0)))" ns "-"
	ktool unload kthread_example >/dev/null
}

# cpu_per_iteration SECONDS: CPU time per iteration of every thread
# over SECONDS (their schedstat run time over their iterations), in ns.
cpu_per_iteration() {
	_run=0 _it=0
	for d in /sys/kernel/kthread_example/thread*; do
		_run=$((_run - $(cut -d' ' -f1 "/proc/$(cat "$d/pid")/schedstat")))
		_it=$((_it - $(cat "$d/iterations")))
	done
	sleep "$1"
	for d in /sys/kernel/kthread_example/thread*; do
		_run=$((_run + $(cut -d' ' -f1 "/proc/$(cat "$d/pid")/schedstat")))
		_it=$((_it + $(cat "$d/iterations")))
	done
	echo $((_run / _it))
}

# parked_write FILE VALUE: VALUE into FILE with every thread parked. Turning
# the event on or off, or setting a trigger on it, patches its call sites
# (text_poke_bp()); done under threads that ran every millisecond it hung
# the emulated guest (an RCU stall on 6.1, then nothing, with QEMU 7.2's
# TCG; the soft-lockup panic on the RT kernel).
parked_write() {
	echo Y >"$PARAMS/paused"
	echo "$2" >"$1"
	echo N >"$PARAMS/paused"
}

# The kte_iteration tracepoint: what an iteration costs with the event off
# (a static key: a patched-out jump) and on (an event in the ring buffer).
bench_tracepoint() {
	progress "tracepoint cost, 16 threads at 1 ms"
	tracefs_up
	ktool load /kte/kthread_example.ko threads=16 interval_ms=1 verbose=0
	sleep 1
	off=$(cpu_per_iteration 5)
	parked_write "$EVENT/enable" 1
	on=$(cpu_per_iteration 5)
	parked_write "$EVENT/enable" 0
	off2=$(cpu_per_iteration 5)
	bench "CPU per iteration, event off" "$off" ns "then $off2 after it was on"
	bench "CPU per iteration, event on" "$on" ns "off: $off"
	ktool unload kthread_example >/dev/null
}

# sum_of FILE: FILE of every thread<i>/, summed.
sum_of() {
	cat /sys/kernel/kthread_example/thread*/"$1" | awk '{ s += $1 } END { print s }'
}

# percentiles HIST: "p50 p99" upper bounds (ns) of the log2 buckets of a
# hist trigger's output that hold the median and the 99th percentile.
percentiles() {
	# busybox awk has no ^ operator (no math support): powers by doubling.
	awk '/hitcount:/ { split($0, a, "^"); c[a[2] + 0] += $NF; n += $NF }
	END {
		v = 1
		for (e = 0; e < 63; e++) {
			s += c[e]
			if (!p50 && s >= n * 0.5) p50 = v
			if (!p99 && s >= n * 0.99) p99 = v
			v *= 2
		}
		if (n) printf "%.0f %.0f\n", p50, p99
	}' "$1"
}

# 256 threads at 1 ms for 5 s: CPU time per wake-up, periods missed, and
# the lateness distribution (the tracepoint's log2 histogram, where the
# kernel has hist triggers).
bench_scale() {
	progress "256 threads at 1 ms"
	tracefs_up
	# 256 threads at 1 ms can keep both CPUs busy (the PREEMPT_RT kernel's
	# timer thread more so): this shell reads at SCHED_FIFO above them.
	ktool fifo $$ 60
	# The trigger is set and removed while the threads are parked (see
	# parked_write): they start parked, and stay so for the unload.
	ktool load /kte/kthread_example.ko threads=256 interval_ms=1 verbose=0 paused=Y
	hist=
	if echo 'hist:keys=lateness_ns.log2' >"$EVENT/trigger" 2>/dev/null; then hist=$EVENT/hist; fi
	echo N >"$PARAMS/paused"
	progress "256 threads at 1 ms: loaded, measuring"
	sleep 1
	# Reading 256 threads' files takes long here: the window is timed.
	t0=$(now_ns) it0=$(sum_of iterations) m0=$(sum_of missed)
	cpu=$(cpu_per_iteration 5)
	it=$(($(sum_of iterations) - it0)) missed=$(($(sum_of missed) - m0)) t1=$(now_ns)
	echo Y >"$PARAMS/paused"
	if [ -n "$hist" ]; then
		cat "$hist" >/tmp/hist
		echo '!hist:keys=lateness_ns.log2' >"$EVENT/trigger"
		# shellcheck disable=SC2046 # two words
		set -- $(percentiles /tmp/hist) - -
	else
		set -- - -
	fi
	max=$(cat /sys/kernel/kthread_example/thread*/lateness_max_ns | sort -n | tail -n1)
	progress "256 threads at 1 ms: measured, unloading"
	ktool unload kthread_example >/dev/null
	ktool fifo $$ 0
	bench "256 threads at 1 ms: CPU per wake-up" "$cpu" ns "-"
	ms=$(((t1 - t0) / 1000000))
	bench "256 threads at 1 ms: window" "$ms" ms "-"
	bench "256 threads at 1 ms: periods run" "$it" "" "of $((it + missed)) ($((it * 100 / (it + missed))) %)"
	bench "256 threads at 1 ms: periods skipped" "$missed" "" "-"
	bench "256 threads at 1 ms: lateness p50 (<=)" "$1" ns "log2 bucket"
	bench "256 threads at 1 ms: lateness p99 (<=)" "$2" ns "log2 bucket"
	bench "256 threads at 1 ms: lateness max" "$max" ns "-"
}

# What delete_module calls that could take time (unload_graph adds the
# module's own functions): function_graph patches only these (all of the
# kernel's call sites take longer under emulation than the soft lockup
# detector allows, and a hot one, vfree(), hung the next module load there).
GRAPH_FUNCS="free_module mod_sysfs_teardown module_memfree free_mod_mem
module_arch_cleanup module_unload_free destroy_params percpu_modfree
module_bug_cleanup synchronize_rcu synchronize_rcu_expedited rcu_barrier
async_synchronize_full ftrace_release_mod klp_module_going
blocking_notifier_call_chain notifier_call_chain *_module_notify
tracepoint_module_going trace_module_remove_events jump_label_del_module
btf_module_notify kobject_del sysfs_remove_group kthread_stop
cpuhp_remove_state_nocalls __cpuhp_remove_state"

# unload_graph MODULE KO [PARAM...]: one unload's delete_module call as
# function_graph sees it (interrupts left out): "depth us name" lines.
# The module unloads after a second's run, as in bench_stop.
unload_graph() {
	name=$1
	shift
	run_a_second "$@" || return 1
	fn=$(grep -m1 -E '^__(x64|do|se)_sys_delete_module( |$)' \
		"$TRACEFS/available_filter_functions" | cut -d' ' -f1)
	# An empty filter would patch every function: see GRAPH_FUNCS.
	[ -n "$fn" ] || return 1
	echo "$fn" >"$TRACEFS/set_ftrace_filter"
	for f in $GRAPH_FUNCS ":mod:$name"; do
		echo "$f" >>"$TRACEFS/set_ftrace_filter" 2>/dev/null
	done
	echo "$fn" >"$TRACEFS/set_graph_function"
	echo 0 >"$TRACEFS/options/funcgraph-irqs"
	echo 1 >"$TRACEFS/options/funcgraph-tail"
	# A change of tracer patches every traced function and the scheduler's
	# comm hooks: with CPU 1 offline (patch_alone, in lib.sh), which is
	# back for the unload.
	patch_alone
	echo function_graph >"$TRACEFS/current_tracer"
	cpus_back
	: >"$TRACEFS/trace"
	ktool unload "$name" >/dev/null
	# A change of tracer empties the buffer: read it first.
	cat "$TRACEFS/trace" >/tmp/graph.raw
	patch_alone
	echo nop >"$TRACEFS/current_tracer"
	cpus_back
	# A line: " 0) ! 15000.12 us |    } /* free_module */" or
	# " 0)   1.234 us    |    mutex_lock();": the duration, then two
	# spaces of indent per level after the bar.
	awk -F'|' '/^ *[0-9]+\)/ && NF >= 2 {
		d = $1
		sub(/^ *[0-9]+\)/, "", d)
		gsub(/[^0-9.]/, "", d)
		if (d == "") next
		b = $2
		match(b, /^ */)
		n = b
		if (n ~ /\/\*/) { sub(/.*\/\* */, "", n); sub(/ *\*\/.*/, "", n) }
		else gsub(/[ ;(){}]/, "", n)
		printf "%d %.0f %s\n", (RLENGTH - 2) / 2 + 1, d, n
	}' /tmp/graph.raw
	: >"$TRACEFS/set_graph_function"
	: >"$TRACEFS/set_ftrace_filter"
}

# Where an unload with one thread goes beside the empty module's: every
# traced call that took 0.5 ms or more in either, summed by depth and name.
bench_unload_profile() {
	progress "unload profile (function_graph)"
	tracefs_up
	unload_graph kte_empty /kte/kte_empty.ko >/tmp/graph.empty
	unload_graph kthread_example /kte/kthread_example.ko interval_ms=60000 verbose=0 \
		>/tmp/graph.ours
	awk 'FNR == 1 { f++ } { t[f, $1 " " $3] += $2; k[$1 " " $3] = 1 }
	END {
		for (x in k)
			if (t[1, x] >= 500 || t[2, x] >= 500)
				printf "PROFILE|%s|%d|%d\n", x, t[2, x], t[1, x]
	}' /tmp/graph.empty /tmp/graph.ours | sort -t'|' -k2,2n -k3,3nr
}

PEER_THREADS=2
PEER_MS=10
PEER_LOOPS=1000

# lateness_ours POLICY: each iteration's lateness (ns) of PEER_THREADS
# threads at PEER_MS with sched_policy=POLICY, from the kte_iteration
# tracepoint, PEER_LOOPS periods long.
lateness_ours() {
	tracefs_up
	run_a_second /kte/kthread_example.ko threads=$PEER_THREADS \
		interval_ms=$PEER_MS sched_policy="$1" verbose=0
	: >"$TRACEFS/trace"
	# Switched while the threads run, not parked: an unpark restarts
	# both threads' periods within microseconds of each other, where
	# cyclictest's threads keep the phases their start gave them, as ours
	# keep the load's (parked, our median was 1.3-1.8 times higher in a
	# probe of 6 rounds). Two threads at 10 ms run the patched site 200
	# times a second, not the 16000 of the phase that hung.
	echo 1 >"$EVENT/enable"
	sleep $((PEER_MS * PEER_LOOPS / 1000))
	echo 0 >"$EVENT/enable"
	# Read before the unload: removing a module whose events were
	# recorded empties the whole buffer.
	sed -n 's/.* lateness_ns=\([0-9]*\) .*/\1/p' "$TRACEFS/trace"
	ktool unload kthread_example >/dev/null
}

# lateness_cyclictest POLICY: the same from cyclictest (rt-tests) with as
# many threads, the same period and class: fifo is sched_set_fifo()'s
# priority 50; every thread at one interval (-d 0), values in ns (-N).
lateness_cyclictest() {
	case $1 in
	fifo) set -- --policy=fifo -p 50 ;;
	*) set -- --policy=other ;;
	esac
	/usr/bin/cyclictest -q -N -m -d 0 -t $PEER_THREADS -i $((PEER_MS * 1000)) \
		-l $PEER_LOOPS -v "$@" 2>/dev/null |
		awk -F: 'NF == 3 && $3 ~ /^ *[0-9]+ *$/ { print $3 + 0 }'
}

# dist FILE: "min p50 p99 max count" of FILE's numbers.
dist() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	END {
		if (!NR) { print "- - - - 0"; exit }
		i = int(NR * 0.99)
		if (i < NR * 0.99) i++
		printf "%d %d %d %d %d\n", v[1], v[int((NR + 1) / 2)], v[i], v[NR], NR
	}'
}

# Our wake-up lateness beside cyclictest's, normal and fifo, one after the
# other in this guest; every sample goes to the host for the plot.
bench_peer() {
	echo "PEER|$PEER_THREADS threads at $PEER_MS ms"
	for policy in normal fifo; do
		progress "lateness beside cyclictest, $policy"
		lateness_ours $policy >/tmp/ours
		lateness_cyclictest $policy >/tmp/cyc
		sed "s/^/SAMPLE|ours $policy|/" /tmp/ours
		sed "s/^/SAMPLE|cyclictest $policy|/" /tmp/cyc
		# shellcheck disable=SC2046 # five words each
		set -- $(dist /tmp/ours) $(dist /tmp/cyc)
		pre="lateness $policy ($PEER_THREADS x $PEER_MS ms)"
		bench "$pre min" "$1" ns "cyclictest: $6"
		if [ "$2" = - ] || [ "$7" = - ]; then
			bench "$pre median" "$2" ns "<= cyclictest's ($7)" missed
		else
			bench "$pre median" "$2" ns "<= cyclictest's ($7)" "$(judge "$2" "$7")"
		fi
		bench "$pre p99" "$3" ns "cyclictest: $8"
		bench "$pre max" "$4" ns "cyclictest: $9"
		bench "$pre samples" "$5" "" "cyclictest: ${10}"
	done
}

# The watchdog runs above every thread of the benchmark (fifo 50, the
# shell's 60), so a busy guest cannot starve it.
echo "$(uptime_s) start" >/tmp/progress
watchdog &
ktool fifo $! 90
bench_stop
bench_unload_profile
bench_peer
bench_cadence
bench_idle
bench_tracepoint
bench_scale
