# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Helpers of the systemd groups (each sources this; it has no tests): what
# the unit logged, as a user reads it with journalctl.

UNIT=kthread-example

# unit_errors: the lines the unit's last start logged at error priority or
# above, under its SyslogIdentifier (journalctl -p err -t kthread-example),
# as a user reads them. A line is the last start's by its
# _SYSTEMD_INVOCATION_ID, or, where it has none, by the time journald
# filed it: journald reads that field from the sender's cgroup, and a line
# it files after the helper has exited goes without it.
# (A message journald exports as binary, one with a newline or another
# control character in it, shows as a line that says so: none of the
# helper's or modprobe's has one.)
unit_errors() {
	journalctl -b -o export -p err -t "$UNIT" \
		--output-fields=MESSAGE,_SYSTEMD_INVOCATION_ID | awk \
		-v id="$(systemctl show -P InvocationID "$UNIT")" \
		-v since="$(systemctl show -P InactiveExitTimestampMonotonic "$UNIT")" '
		BEGIN { RS = ""; FS = "\n" }
		since + 0 > 0 {
			m = ""; t = ""; inv = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^MESSAGE=/) m = substr($i, 9)
				else if ($i ~ /^__MONOTONIC_TIMESTAMP=/) t = substr($i, 23)
				else if ($i ~ /^_SYSTEMD_INVOCATION_ID=/) inv = substr($i, 24)
				else if ($i !~ /=/) m = "(a binary journal field, not read: journalctl -o verbose)"
			}
			if (inv != "" ? inv == id : t + 0 >= since + 0)
				print m
		}'
}

unit_errors_have() { unit_errors | grep -qF -- "$1"; }

# unit_says TEXT...: each TEXT is in unit_errors (journald files a
# service's output a moment after it exits: seconds, but more than 5 once
# in a guest busy beside others under emulation); reports the lines.
unit_says() {
	_says=0
	for _want in "$@"; do
		# Once a line is missing, journald has had its time: no more waits.
		if [ "$_says" = 0 ]; then
			wait_for 30 unit_errors_have "$_want" && continue
		else
			unit_errors_have "$_want" && continue
		fi
		fail "the unit's error lines lack '$_want'"
		_says=1
	done
	unit_errors | sed 's/^/KTE-REPORT journalctl -p err: /'
	[ "$_says" = 0 ] && return
	# What the unit did log, when (m= is the monotonic time, in hex µs), at
	# which priority and from which start.
	echo "the unit's last start: $(systemctl show -P InactiveExitTimestampMonotonic "$UNIT") µs" \
		"after boot, invocation $(systemctl show -P InvocationID "$UNIT")"
	journalctl -b -o verbose -u "$UNIT" -n 12 --no-pager |
		grep -E '^[^ ]|^ +(MESSAGE|PRIORITY|SYSLOG_IDENTIFIER|_SYSTEMD_INVOCATION_ID)=' | tail -n 60
}

# unit_not_says ERE: no error line of the last start matches ERE (a wrong
# cause named).
unit_not_says() {
	if unit_errors | grep -qE -- "$1"; then
		fail "the unit's error lines name a wrong cause: $(unit_errors | grep -E -- "$1")"
	fi
}
