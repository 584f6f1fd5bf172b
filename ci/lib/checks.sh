# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Host-side checks: counted PASS/FAIL lines and the tier's closing count.
# Part of ci/lib.sh, which sources it: source that, not this.

# check DESCRIPTION COMMAND...: run COMMAND; count and print PASS or FAIL.
# COMMAND's output goes to $KTE_CHECK_LOG when set (its tail is shown on
# failure). Scripts end with check_summary, whose "N passed, N failed" line
# and exit status are the tier's result.
KTE_PASSED=0
KTE_FAILED=0
check() {
	local what=$1 rc=0
	shift
	# fd 3: the check log, or (unset) stderr itself: reopening /dev/stderr
	# would write at another offset of a file the caller redirected to.
	if [ -n "${KTE_CHECK_LOG:-}" ]; then exec 3>>"$KTE_CHECK_LOG"; else exec 3>&2; fi
	printf '== %s\n' "$what" >&3
	"$@" >&3 2>&1 || rc=$?
	exec 3>&-
	if [ "$rc" -eq 0 ]; then
		KTE_PASSED=$((KTE_PASSED + 1))
		printf '  PASS %s\n' "$what" >&2
	else
		KTE_FAILED=$((KTE_FAILED + 1))
		printf '  FAIL %s\n' "$what" >&2
		[ -z "${KTE_CHECK_LOG:-}" ] || tail -n 30 "$KTE_CHECK_LOG" | sed 's/^/    /' >&2
	fi
}
check_summary() {
	printf '%s passed, %s failed\n' "$KTE_PASSED" "$KTE_FAILED"
	[ "$KTE_FAILED" -eq 0 ]
}

# timed NAME COMMAND...: run COMMAND and log its wall time.
timed() {
	local name=$1 start rc=0
	shift
	start=$(date +%s)
	"$@" || rc=$?
	log "step '$name' took $(($(date +%s) - start)) s"
	return "$rc"
}
