# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# make demo: show a person what the module does, step by step.

say() { echo "DEMO| $*"; }
show() {
	say "\$ $*"
	sh -c "$*" 2>&1 | sed 's/^/DEMO|   /'
}

say "== kthread_example $(cat /kte/VERSION) in a throwaway VM, kernel $(uname -r)"
dmesg -c >/dev/null
say "Load it with no parameters: it behaves as the tutorial's module."
show "ktool load /kte/kthread_example.ko"
show "grep kthread_example /proc/modules"
show "ps -o pid,comm | grep -E 'PID|my_kthread'"
say "(waiting 5 s: one 'Kernel thread running...' line every 2 s)"
sleep 5
show "dmesg | grep kthread_example"
say "Statistics of each thread in sysfs:"
show "grep -H . /sys/kernel/kthread_example/thread0/*"
say "Change the period at run time; the thread re-arms at once:"
show "echo 250 > /sys/module/kthread_example/parameters/interval_ms"
sleep 2
show "cat /sys/kernel/kthread_example/thread0/iterations /sys/kernel/kthread_example/thread0/lateness_avg_ns"
say "A bad value is refused and the old one kept:"
show "echo 0 > /sys/module/kthread_example/parameters/interval_ms"
show "cat /sys/module/kthread_example/parameters/interval_ms"
say "Now a 60 s period: the tutorial's ssleep() would block unload for up to 60 s."
show "echo 60000 > /sys/module/kthread_example/parameters/interval_ms"
sleep 1
dmesg -c >/dev/null
show "time ktool unload kthread_example"
show "dmesg | grep kthread_example"
show "ls /sys/kernel/kthread_example 2>&1; ps | grep -c '[m]y_kthread'"
say "== end of demo"
