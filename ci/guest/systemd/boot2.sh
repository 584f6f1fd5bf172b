# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Second boot, on the image's other kernel, with the bad option left by the
# first: boot still reaches multi-user with the unit failed; with the option
# fixed the module (built by DKMS for this kernel too) loads; with no build
# for the running kernel the unit says which kernel and which headers, at
# error priority.

# shellcheck source=unitlib.sh
. /kte/scenarios/unitlib.sh

CONF=/etc/modprobe.d/kthread-example.conf

test_boot_goes_on_with_bad_option() {
	assert_eq "multi-user.target" active "$(systemctl is-active multi-user.target)"
	assert_eq "service state" failed "$(systemctl is-active kthread-example)"
	is_loaded && fail "module loaded despite a bad option"
	unit_says "a bad option in $CONF"
	# The option, not the module's signature (this boot is also the Secure
	# Boot tier's boot c), nor a missing build.
	unit_not_says 'signature|signed|not enrolled|no build of it'
}

test_loads_on_second_kernel() {
	echo "# options kthread_example interval_ms=2000" >"$CONF"
	systemctl restart kthread-example || fail "restart failed"
	is_loaded || fail "module not loaded on $(uname -r)"
	case $(modinfo -n kthread_example) in
	/lib/modules/"$(uname -r)"/updates/dkms/*) ;;
	*) fail "module not from DKMS for $(uname -r): $(modinfo -n kthread_example)" ;;
	esac
	assert_eq "threads named my_kthread" 1 "$(count_threads my_kthread)"
	note "kernel $(uname -r), module $(modinfo -n kthread_example)"
}

test_stop_on_second_kernel() {
	systemctl stop kthread-example || fail "systemctl stop failed"
	is_loaded && fail "module still loaded after stop"
	assert_log "Kernel thread stopping\.\.\.$"
}

test_no_build_names_kernel_and_headers() {
	kver=$(uname -r)
	mkdir -p /root/kte-aside
	# The module file goes; the index still names it (a depmod of a whole
	# Debian kernel takes about a minute under emulation): modinfo and
	# modprobe fail to find the file just as they fail to find a module
	# that was never built.
	mv /lib/modules/"$kver"/updates/dkms/kthread_example.ko* /root/kte-aside/
	systemctl restart kthread-example 2>/dev/null && fail "start succeeded with no module"
	assert_eq "service state" failed "$(systemctl is-active kthread-example)"
	unit_says "no build of it for the running kernel $kver" \
		"dkms status: kthread-example/" "apt install linux-headers-$kver"
	unit_not_says 'signature|signed|bad option'
	mv /root/kte-aside/kthread_example.ko* /lib/modules/"$kver"/updates/dkms/
	systemctl restart kthread-example || fail "restart with the module back failed"
}
