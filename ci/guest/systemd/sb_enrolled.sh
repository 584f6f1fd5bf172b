# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Secure Boot with dkms's own key enrolled as a MOK: the unit loaded the
# module with no manual step; it is signed by that key, which the kernel
# holds in its .machine keyring; stop and start work; and, as the control,
# an unsigned copy of the same module is refused: by insmod, and in the
# unit, whose journal then says the module is not signed (not that a key
# is missing) and how to make dkms sign it.

# shellcheck source=unitlib.sh
. /kte/scenarios/unitlib.sh

test_loaded_under_secure_boot() {
	assert_secure_boot
	mokutil --test-key "$(sb_cert)" 2>&1 | grep -q 'is already enrolled' ||
		fail "mokutil --test-key: $(mokutil --test-key "$(sb_cert)" 2>&1)"
	assert_eq "service state" active "$(systemctl is-active kthread-example)"
	is_loaded || fail "module not loaded"
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
}

test_signed_by_enrolled_dkms_key() {
	assert_signed_by_dkms_key
}

test_stop_start() {
	systemctl stop kthread-example || fail "systemctl stop failed"
	is_loaded && fail "module still loaded after stop"
	wait_for 3 no_threads my_kthread || fail "thread left after stop"
	systemctl start kthread-example || fail "systemctl start failed"
	is_loaded || fail "module not loaded after start"
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
}

test_unsigned_copy_refused() {
	ko=$(modinfo -n "$MOD")
	systemctl stop kthread-example || fail "systemctl stop failed"
	unsigned_copy "$ko" /tmp/unsigned.ko
	[ -z "$(modinfo -F signer /tmp/unsigned.ko)" ] || fail "the copy is still signed"
	out=$(insmod /tmp/unsigned.ko 2>&1) && fail "the unsigned module loaded"
	echo "KTE-REPORT insmod unsigned: $out"
	echo "$out" | grep -q 'Key was rejected by service' || fail "not EKEYREJECTED: $out"
	assert_log 'Loading of unsigned module is rejected'
	is_loaded && fail "module loaded"
	systemctl start kthread-example || fail "the signed module no longer loads"
}

test_unit_says_not_signed() {
	ko=$(modinfo -n "$MOD")
	cp "$ko" /root/signed.ko.keep
	unsigned_copy "$ko" /tmp/unsigned.ko
	case $ko in
	*.xz) xz -c /tmp/unsigned.ko >"$ko" ;;
	*.zst) zstd -q -c /tmp/unsigned.ko >"$ko" ;;
	*) cp /tmp/unsigned.ko "$ko" ;;
	esac
	[ -z "$(modinfo -F signer "$MOD")" ] || fail "DKMS's module file is still signed"
	systemctl restart kthread-example 2>/dev/null && fail "the unsigned module loaded"
	assert_eq "service state" failed "$(systemctl is-active kthread-example)"
	unit_says "Key was rejected by service" \
		"Secure Boot is on and the module is not signed" \
		"fix: let dkms sign it: install openssl" "try_sign_modules" \
		"dkms install kthread-example/$(modinfo -F version "$MOD") -k $(uname -r)"
	unit_not_says 'is not enrolled|bad option|no build of it'
	cp /root/signed.ko.keep "$ko"
	systemctl restart kthread-example || fail "the signed module no longer loads"
	is_loaded || fail "module not loaded"
}
