# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# First boot of the installed image (first kernel): the service loaded the
# module with no manual step, inside its sandbox; systemd-analyze verifies
# the unit and rates its exposure; a container without CAP_SYS_MODULE would
# skip it; stop, start and modprobe.d options work; a bad option fails the
# unit with its cause at error priority (and stays for the second boot).

# shellcheck source=unitlib.sh
. /kte/scenarios/unitlib.sh

CONF=/etc/modprobe.d/kthread-example.conf
# The highest exposure systemd-analyze security may rate the unit (0 safe,
# 10 unsafe); measured 1.3 on systemd 252 (bookworm) and 257 (trixie): the
# root user and CAP_SYS_MODULE, which loading a module needs, are most of it.
MAX_EXPOSURE=1.5

test_loaded_at_boot() {
	assert_eq "service state" active "$(systemctl is-active kthread-example)"
	is_loaded || fail "module not loaded after boot"
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
	note "kernel $(uname -r), module $(modinfo -n kthread_example)"
}

# systemd-analyze verify finds nothing to say, and every Documentation=
# link resolves on the installed system.
test_unit_verifies() {
	unit=$(systemctl show -P FragmentPath "$UNIT")
	out=$(systemd-analyze verify --man=no "$unit" 2>&1) || fail "systemd-analyze verify failed"
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
	echo "KTE-REPORT systemd-analyze verify $unit: ${out:-no finding}"
	for doc in $(systemctl show -P Documentation "$UNIT" | tr -d '"'); do
		case $doc in
		man:*)
			page=${doc#man:}
			sec=${page##*(}
			sec=${sec%)}
			page=${page%(*}
			ls /usr/share/man/man"$sec"/"$page"."$sec"* >/dev/null 2>&1 ||
				fail "Documentation=$doc: no such man page"
			;;
		file://*) [ -e "${doc#file://}" ] || fail "Documentation=$doc: no such file" ;;
		*) fail "Documentation=$doc: not a local man page or file" ;;
		esac
	done
}

# The sandbox that the loaded module lived through, rated by systemd.
test_unit_exposure() {
	out=$(systemd-analyze security --no-pager "$UNIT" 2>&1)
	echo "$out" | grep '✗' | sed 's/^/KTE-REPORT security: /'
	level=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	echo "KTE-REPORT $(echo "$out" | grep 'Overall exposure level')"
	[ -n "$level" ] || fail "no exposure level in: $out"
	awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }' ||
		fail "exposure $level is above $MAX_EXPOSURE"
	assert_eq "start timeout" "1min 30s" "$(systemctl show -P TimeoutStartUSec "$UNIT")"
}

# The unit's conditions, evaluated as systemd evaluates them, in a process
# whose capability bounding set lacks CAP_SYS_MODULE (a container's) and in
# one that has it.
test_container_skips() {
	conds=$(systemctl cat "$UNIT" | grep '^Condition')
	[ -n "$conds" ] || fail "the unit has no condition"
	# shellcheck disable=SC2086 # one argument per condition line
	setpriv --bounding-set -sys_module systemd-analyze condition $conds >/dev/null 2>&1 &&
		fail "the unit's conditions hold without CAP_SYS_MODULE"
	# shellcheck disable=SC2086
	systemd-analyze condition $conds >/dev/null 2>&1 ||
		fail "the unit's conditions fail with CAP_SYS_MODULE: $(systemd-analyze condition $conds 2>&1)"
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
	unit_says "cannot load kthread_example on kernel $(uname -r): a bad option in $CONF" \
		"journalctl -k"
	unit_not_says 'signature|signed|no build of it'
}
