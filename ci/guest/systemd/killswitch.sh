# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# A boot with module_blacklist=kthread_example on the kernel command line,
# the kill switch a user adds at the boot loader when the module must not
# load: the unit is skipped (not failed) and says why, a later start skips
# too, and the kernel itself refuses the module to anyone else.

# shellcheck source=unitlib.sh
. /kte/scenarios/unitlib.sh

# skipped: the unit did not run, and did not fail: its ExecCondition said no.
skipped() {
	assert_eq "service state" inactive "$(systemctl is-active "$UNIT")"
	systemctl is-failed -q "$UNIT" && fail "the unit failed"
	is_loaded && fail "module loaded"
	journalctl -b -o cat -t "$UNIT" |
		grep -qF "not loading kthread_example: the kernel command line says module_blacklist=kthread_example" ||
		fail "the unit's journal does not name the kill switch"
}

test_skipped_at_boot() {
	grep -qw 'module_blacklist=kthread_example' /proc/cmdline ||
		fail "this boot has no kill switch: $(cat /proc/cmdline)"
	assert_eq "multi-user.target" active "$(systemctl is-active multi-user.target)"
	skipped
	journalctl -b -o cat -t "$UNIT" | sed 's/^/KTE-REPORT journal: /'
}

test_start_skips_too() {
	systemctl start "$UNIT" || fail "systemctl start failed (a skip is no failure)"
	skipped
}

test_kernel_refuses_any_load() {
	out=$(modprobe kthread_example 2>&1) && fail "modprobe loaded a blacklisted module"
	echo "KTE-REPORT modprobe by hand: $out"
	is_loaded && fail "module loaded"
}
