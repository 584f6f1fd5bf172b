# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Self-test of the debug kernel, booted without panic_on_warn: each planted
# bug in kte_buggy.ko must be reported. The host checks the reports.

BUGGY=/kte/kte_buggy.ko
# The reports are the point here: run_group must not fail on them.
# shellcheck disable=SC2034
KTE_EXPECT_SPLAT=1

test_kasan_reports_use_after_free() {
	ktool load "$BUGGY" bug=uaf
	ktool unload kte_buggy >/dev/null
	assert_log "^(\[[ 0-9.]*\] )?BUG: KASAN: .*use-after-free in kte_buggy_uaf"
}

test_atomic_sleep_reported() {
	ktool load "$BUGGY" bug=sleep
	ktool unload kte_buggy >/dev/null
	assert_log "^(\[[ 0-9.]*\] )?BUG: sleeping function called from invalid context"
}

test_kmemleak_reports_leak() {
	echo clear >/sys/kernel/debug/kmemleak
	# Stay loaded through the scan, so the backtrace can name the function.
	ktool load "$BUGGY" bug=leak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	grep -A12 '^unreferenced object' /sys/kernel/debug/kmemleak | head -n 14
	grep -q 'kte_buggy_leak' /sys/kernel/debug/kmemleak ||
		fail "kmemleak did not report the planted leak"
	ktool unload kte_buggy >/dev/null
}
