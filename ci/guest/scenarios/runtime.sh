# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Run-time writes to the 0644 parameters: good ones take effect at once,
# bad ones are refused and leave the old value.

# bad_write FILE VALUE
bad_write() {
	old=$(cat "$PARAMS/$1")
	# As echo does: the newline makes "" a real one-byte write.
	if printf '%s\n' "$2" 2>/dev/null >"$PARAMS/$1"; then
		fail "$1 accepted '$2'"
	fi
	assert_eq "$1 after bad write '$2'" "$old" "$(cat "$PARAMS/$1")"
}

test_interval_write_rearms_sleeping_thread() {
	load interval_ms=60000
	sleep 1
	assert_eq "iterations on a 60 s period" 0 "$(tstat 0 iterations)"
	echo 100 >"$PARAMS/interval_ms" || fail "write 100 refused"
	assert_eq interval_ms 100 "$(cat "$PARAMS/interval_ms")"
	sleep 2
	it=$(tstat 0 iterations)
	[ "$it" -ge 15 ] || fail "a 60 s sleeper did not re-arm: $it iterations in 2 s"
	unload
}

test_interval_bad_writes() {
	load
	for v in 0 3600001 -5 abc "" 1e3; do
		bad_write interval_ms "$v"
	done
	assert_log "invalid interval_ms 'abc': valid values are 1 to 3600000"
	unload
}

has_running_line() { [ "$(log_count 'Kernel thread running')" -gt 0 ]; }

test_verbose_write() {
	load interval_ms=100
	sleep 1
	[ "$(log_count 'Kernel thread running')" -ge 5 ] || fail "no running lines"
	echo n >"$PARAMS/verbose" || fail "write n refused"
	assert_eq verbose N "$(cat "$PARAMS/verbose")"
	sleep 0.2
	dmesg -c >/dev/null
	sleep 1
	assert_eq "running lines with verbose=n" 0 "$(log_count 'Kernel thread running')"
	for v in maybe 2 ""; do
		bad_write verbose "$v"
	done
	echo y >"$PARAMS/verbose" || fail "write y refused"
	# The rate limit (10 lines per 5 s) may still hold the first lines back.
	wait_for 7 has_running_line || fail "verbose=y did not resume"
	unload
}

test_readonly_params() {
	load
	for p in threads thread_name start_mode bind_cpus; do
		old=$(cat "$PARAMS/$p")
		echo 2 2>/dev/null >"$PARAMS/$p" && fail "$p is writable"
		assert_eq "$p unchanged" "$old" "$(cat "$PARAMS/$p")"
	done
	unload
}
