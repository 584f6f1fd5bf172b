# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# First boot of the installed image (first kernel): the service loaded the
# module with no manual step; stop, start and modprobe.d options work; a
# bad option fails the unit (and stays for the second boot).

CONF=/etc/modprobe.d/kthread-example.conf

test_loaded_at_boot() {
	assert_eq "service state" active "$(systemctl is-active kthread-example)"
	is_loaded || fail "module not loaded after boot"
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
	note "kernel $(uname -r), module $(modinfo -n kthread_example)"
}

test_stop_unloads() {
	systemctl stop kthread-example || fail "systemctl stop failed"
	is_loaded && fail "module still loaded after stop"
	assert_log "Kernel thread stopping\.\.\.$"
	assert_log "Module exit complete$"
	wait_for 3 no_threads my_kthread || fail "thread left after stop"
}

test_start_loads() {
	systemctl start kthread-example || fail "systemctl start failed"
	assert_eq "service state" active "$(systemctl is-active kthread-example)"
	is_loaded || fail "module not loaded after start"
	assert_log "Kernel thread created and running$"
}

test_modprobe_d_option() {
	echo "options kthread_example interval_ms=500 threads=2" >"$CONF"
	systemctl restart kthread-example || fail "restart with options failed"
	assert_eq interval_ms 500 "$(cat "$PARAMS/interval_ms")"
	assert_eq threads 2 "$(cat "$PARAMS/threads")"
	assert_eq "threads my_kthread/N" 2 "$(count_threads 'my_kthread/[0-9]+')"
}

test_bad_option_fails_unit() {
	echo "options kthread_example interval_ms=0" >"$CONF"
	systemctl restart kthread-example 2>/dev/null && fail "restart with interval_ms=0 succeeded"
	assert_eq "service state" failed "$(systemctl is-active kthread-example)"
	is_loaded && fail "module loaded despite a bad option"
	assert_log "invalid interval_ms '0'"
	msgs=$(journalctl -b -u kthread-example -o cat | grep '^kthread-example:')
	echo "$msgs" | tail -n 1
	echo "$msgs" | grep -qF "cannot load kthread_example on kernel $(uname -r): a bad option in $CONF" ||
		fail "the unit's journal does not name the bad option"
	echo "$msgs" | grep -q 'journalctl -k' || fail "the message does not say where the kernel's reason is"
	echo "$msgs" | grep -qE 'signature|no build of it' && fail "the journal names a wrong cause"
}
