# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Secure Boot, dkms's key not enrolled (the firmware's stock Microsoft
# keys): the kernel refuses our DKMS-signed module, the unit fails with a
# message naming the real cause (signed, by a key not enrolled) and the
# exact fix, at error priority, and the boot goes on.

# shellcheck source=unitlib.sh
. /kte/scenarios/unitlib.sh

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
	signer=$(modinfo -F signer kthread_example)
	[ -n "$signer" ] || fail "the module DKMS built is not signed"
	unit_says "Key was rejected by service" \
		"the kernel rejected the module's signature" \
		"Secure Boot is on and the key dkms signed it with ('$signer') is not enrolled" \
		"fix: mokutil --import $(sb_cert) " '"Enroll MOK" in MokManager'
	unit_not_says 'bad option|no build of it|not signed'
}
