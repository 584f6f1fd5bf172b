# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# make bench: figures from one boot, each beside its baseline or target.
# Prints "BENCH|metric|value|unit|reference" lines for ci/bench.

REPS=7

bench() { echo "BENCH|$1|$2|$3|$4"; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

stop_us() {
	dmesg | sed -n 's/.*stopped [0-9]* thread(s) in \([0-9]*\) us$/\1/p' | tail -n1
}

# unload_us MODULE KO [PARAM...]: one load, a second's run, one unload.
unload_us() {
	name=$1
	ko=$2
	shift 2
	ktool load "$ko" "$@" || return 1
	sleep 1
	ktool unload "$name" | sed -n 's/^unload_us=//p'
}

bench_unload() {
	for _ in $(seq $REPS); do unload_us kte_empty /kte/kte_empty.ko; done |
		median >/tmp/floor
	floor=$(cat /tmp/floor)
	bench "unload, empty module (floor)" "$floor" us "-"
	for n in 1 64; do
		: >/tmp/stops
		for _ in $(seq $REPS); do
			dmesg -c >/dev/null
			unload_us kthread_example /kte/kthread_example.ko \
				threads=$n interval_ms=60000 verbose=0
			stop_us >>/tmp/stops
		done | median >/tmp/unload
		bench "unload, $n thread(s), 60 s interval" "$(cat /tmp/unload)" us \
			"<= floor + 10000 (floor $floor)"
		target=1000
		[ "$n" = 1 ] || target=20000
		bench "in-kernel stop, $n thread(s)" "$(median </tmp/stops)" us "<= $target"
	done
}

# cadence_and_lateness: iterations in 10 s at 10 ms, lateness statistics.
bench_cadence() {
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

# cpu_per_iteration SECONDS: CPU time per iteration of 16 threads at 1 ms
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

# The kte_iteration tracepoint: what an iteration costs with the event off
# (a static key: a patched-out jump) and on (an event in the ring buffer).
bench_tracepoint() {
	ev=/sys/kernel/tracing/events/kthread_example/kte_iteration
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
	ktool load /kte/kthread_example.ko threads=16 interval_ms=1 verbose=0
	sleep 1
	off=$(cpu_per_iteration 5)
	echo 1 >"$ev/enable"
	on=$(cpu_per_iteration 5)
	echo 0 >"$ev/enable"
	off2=$(cpu_per_iteration 5)
	bench "CPU per iteration, event off" "$off" ns "then $off2 after it was on"
	bench "CPU per iteration, event on" "$on" ns "off: $off"
	ktool unload kthread_example >/dev/null
}

bench_unload
bench_cadence
bench_idle
bench_tracepoint
