# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# QEMU guests: the test initramfs, the boot, and the serial log's verdict.
# Part of ci/lib.sh, which sources it: source that, not this.

# make_initramfs OUT FILE...: a busybox initramfs whose /init runs the guest
# scenarios; FILEs (modules, helpers) land in /kte.
make_initramfs() {
	local out=$1 dir
	shift
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,dev,proc,sys,tmp,kte}
	cp /bin/busybox "$dir/bin/busybox"
	cp "$KTE_ROOT/ci/guest/init" "$dir/init"
	cp "$KTE_ROOT/ci/guest/lib.sh" "$dir/kte/"
	cp -r "$KTE_ROOT/ci/guest/scenarios" "$dir/kte/"
	cp "$@" "$dir/kte/"
	build_static "$KTE_CACHE/guest/ktool" "$KTE_ROOT/ci/guest/ktool.c"
	cp "$KTE_CACHE/guest/ktool" "$dir/bin/ktool"
	chmod +x "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$dir"
}

# Kernel messages that fail any run, wherever they appear.
KTE_SPLAT='Oops|BUG:|WARNING:|Kernel panic|general protection fault|Call Trace:|INFO: task .* blocked|possible circular locking|inconsistent lock state|UBSAN:|KASAN:|kmemleak:.*suspected'

# guest_append ARGS: the kernel command line of every test boot: the
# serial console, and any WARN, oops, soft lockup or hung task panics the
# guest (and a panic ends QEMU, which runs with -no-reboot).
guest_append() {
	printf '%s\n' "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 hung_task_panic=1 log_buf_len=16M $1"
}

# qemu_run LIMIT LOG SMP QEMU-ARGS...: run QEMU under TCG with the serial
# console in LOG, bounded by LIMIT seconds (a guest that hangs, or a
# firmware waiting for a key, ends there); the caller checks LOG.
qemu_run() {
	local limit=$1 serial=$2 smp=$3
	shift 3
	timeout --foreground "$limit" qemu-system-x86_64 -accel tcg -m 1024 \
		-smp "$smp" -display none -monitor none -serial "file:$serial" \
		-nic none -no-reboot "$@" </dev/null >&2 || true
}

# boot_guest KERNEL INITRD LOG ARGS [TIMEOUT] [SMP]: boot the kernel with
# the guest ARGS (kte.groups=a,b to run scenario groups, or
# kte.script=NAME) and keep the serial log. Every kernel message goes to
# the console unless ARGS asks for less (e.g. loglevel=1 for the benchmark).
# More QEMU options (a disk) go in the array KTE_QEMU_EXTRA.
KTE_QEMU_EXTRA=()
boot_guest() {
	qemu_run "${5:-900}" "$3" "${6:-2}" -kernel "$1" -initrd "$2" \
		-append "$(guest_append "$4")" "${KTE_QEMU_EXTRA[@]}"
}

# check_guest_log LOG: 0 if every scenario ran and passed with no splat;
# prints the per-scenario results and the closing count.
check_guest_log() {
	local serial=$1 passed failed ok=0
	grep -a '^KTE-RESULT' "$serial" | sed 's/^KTE-RESULT /  /' >&2 || true
	passed=$(grep -ac '^KTE-RESULT PASS' "$serial" || true)
	failed=$(grep -ac '^KTE-RESULT FAIL' "$serial" || true)
	if ! grep -aq '^KTE-DONE' "$serial"; then
		log "guest did not finish (panic, hang or timeout)"
		ok=1
		failed=$((failed + 1))
	fi
	if grep -aEq "$KTE_SPLAT" "$serial"; then
		log "kernel reported a problem:"
		grep -aE -A20 "$KTE_SPLAT" "$serial" | head -60 >&2
		ok=1
		failed=$((failed + 1))
	fi
	[ "$failed" -eq 0 ] || ok=1
	if [ "$ok" -ne 0 ]; then
		log "serial log ($serial), last 80 lines:"
		tail -n 80 "$serial" >&2
	fi
	printf '%s passed, %s failed\n' "$passed" "$failed"
	return "$ok"
}

# stage_guest SUITE:FLAVOUR [FILE...]: fetch the kernel, build the module
# for it and pack an initramfs holding the module, VERSION and FILEs.
# Sets KTE_WORK (the run's folder) and KTE_IMAGE (the kernel to boot).
stage_guest() {
	local kernel=$1
	shift
	prepare_kernel "${kernel%%:*}" "${kernel#*:}"
	KTE_WORK=$KTE_CACHE/run/$KTE_KVER
	# shellcheck disable=SC2034
	KTE_IMAGE=$(kernel_image "$KTE_KROOT" "$KTE_KVER")
	build_for "${kernel%%:*}" "$KTE_WORK/build"
	printf '%s\n' "$KTE_VERSION" >"$KTE_WORK/VERSION"
	make_initramfs "$KTE_WORK/initrd.gz" "$KTE_WORK/build/src/$KTE_MODULE.ko" \
		"$KTE_WORK/VERSION" "$@"
}
