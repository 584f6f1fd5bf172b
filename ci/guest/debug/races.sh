# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Debug-kernel group: unload racing run-time writes and sysfs reads, then a
# kmemleak scan. Booted with panic_on_warn=1: any report ends the run.

# Each unload takes seconds here: DEBUG_KOBJECT_RELEASE delays the module's
# own kobject releases.
RACE_CYCLES=50

test_kmemleak_clear() {
	kmemleak_clear
}

# writer and reader: hammer the parameters and sysfs until the unload
# has removed them (the race is with their teardown; after it, the loops
# would only burn the CPU the other guests share while the module's
# kobjects wait out their delayed release), or until killed.
writer() {
	while [ -e "$PARAMS/interval_ms" ]; do
		for v in 1 7 1000 3; do echo "$v" >"$PARAMS/interval_ms"; done
		echo n >"$PARAMS/verbose"
		echo y >"$PARAMS/verbose"
	done 2>/dev/null
}
reader() {
	while [ -e "$SYSDIR/thread0" ]; do
		cat "$SYSDIR"/thread*/* "$PARAMS"/* >/dev/null
	done 2>/dev/null
}

test_cycles_racing_writes_and_reads() {
	i=0
	while [ $i -lt $RACE_CYCLES ]; do
		ktool load "$KO" threads=16 interval_ms=1 verbose=0 ||
			{ fail "cycle $i: load failed"; break; }
		writer &
		w=$!
		reader &
		r=$!
		sleep 0.2
		ktool unload "$MOD" >/dev/null || { fail "cycle $i: unload failed"; break; }
		kill $w $r
		wait $w $r 2>/dev/null
		i=$((i + 1))
	done
	echo "KTE-REPORT cycles=$i"
	assert_eq "cycles" $RACE_CYCLES "$i"
	assert_gone
}

test_kmemleak_scan() {
	kmemleak_check
}
