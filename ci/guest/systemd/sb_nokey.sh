# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Secure Boot, dkms's key not enrolled (the firmware's stock Microsoft
# keys): the kernel refuses our DKMS-signed module, the unit fails with a
# message naming the real cause and the exact fix, and the boot goes on.

test_secure_boot_enforced() {
	assert_secure_boot
	mokutil --test-key "$(sb_cert)" 2>&1 | grep -q 'is not enrolled' ||
		fail "mokutil --test-key: $(mokutil --test-key "$(sb_cert)" 2>&1)"
}

test_unit_failed_boot_went_on() {
	assert_eq "multi-user.target" active "$(systemctl is-active multi-user.target)"
	assert_eq "service state" failed "$(systemctl is-active kthread-example)"
	is_loaded && fail "module loaded without an enrolled key"
	journalctl -k -b -o cat | grep -q 'Loading of module with unavailable key is rejected' ||
		fail "the kernel did not log the rejected key"
}

test_journal_names_cause_and_fix() {
	msgs=$(journalctl -b -u kthread-example -o cat | grep -E '^(kthread-example|modprobe):')
	echo "$msgs" | sed 's/^/KTE-REPORT journal: /'
	for want in "Key was rejected by service" \
		"the kernel rejected the module's signature" "Secure Boot is on" \
		"fix: mokutil --import $(sb_cert) " '"Enroll MOK" in MokManager'; do
		echo "$msgs" | grep -qF "$want" || fail "the unit's journal lacks '$want'"
	done
	echo "$msgs" | grep -qE 'bad option|no build of it' &&
		fail "the journal names a wrong cause"
}
