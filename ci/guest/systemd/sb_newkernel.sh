# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Secure Boot on the image's second kernel, whose headers were installed
# after our package: DKMS built and signed for it by itself, and with the
# same enrolled key the unit loads it. Boot c runs this after boot2's
# group, on boot b's layer: the bad option boot1 left failed the unit at
# boot, boot2's tests fixed it and restarted the unit.

test_loaded_on_new_kernel() {
	assert_secure_boot
	assert_eq "service state" active "$(systemctl is-active kthread-example)"
	case $(modinfo -n "$MOD") in
	/lib/modules/"$(uname -r)"/updates/dkms/*) ;;
	*) fail "module not DKMS's build for $(uname -r): $(modinfo -n "$MOD")" ;;
	esac
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
	note "kernel $(uname -r), module $(modinfo -n "$MOD")"
}

test_signed_by_enrolled_dkms_key() {
	assert_signed_by_dkms_key
}
