# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for every script in ci/. Source it; do not run it.
#
# Nothing here ever loads a module into this machine's kernel: modules are
# built against Debian's kernel packages, unpacked into a cache, and loaded
# only inside QEMU guests.

KTE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KTE_CACHE=${KTE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kthread-example}
# shellcheck disable=SC2034 # used by the scripts that source this file
KTE_MODULE=kthread_example
# shellcheck disable=SC2034
KTE_VERSION=$(cat "$KTE_ROOT/VERSION")
# The kernel list, as SUITE:FLAVOUR (the suite's linux-image-FLAVOUR
# metapackage names the kernel): the default test kernel, and the matrix
# from the oldest supported kernel to the newest Debian ships.
# shellcheck disable=SC2034
KTE_KERNEL_DEFAULT=bookworm:amd64
# shellcheck disable=SC2034
KTE_MATRIX=(
	bullseye:amd64		# 5.10
	bookworm:amd64		# 6.1
	bookworm:rt-amd64	# 6.1 PREEMPT_RT
	bookworm:6.12-amd64	# 6.12 (bookworm's backport series)
	bookworm:6.12-rt-amd64	# 6.12 PREEMPT_RT
	trixie:amd64		# 6.12
	sid:amd64		# newest (7.x)
)

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# archive_url [security]: the Debian archive this machine's apt uses.
# Read from its sources so that no mirror host is ever written down here.
archive_url() {
	local want=${1:-main} url
	url=$(
		{
			grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources |
				awk '{ for (i = 2; i <= NF; i++) print $i }'
			grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
				awk '{ for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }'
		} | if [ "$want" = security ]; then grep -m1 'security' ; else grep -v -m1 'security'; fi
	) || true
	[ -n "$url" ] || die "no ${want} Debian archive URL in /etc/apt sources"
	printf '%s\n' "${url%/}"
}

# suite_sources SUITE: sources.list lines for SUITE, with its updates and
# security archives where it has them.
suite_sources() {
	echo "deb $(archive_url) $1 main"
	case $1 in
	sid | unstable) ;;
	*)
		echo "deb $(archive_url) $1-updates main"
		echo "deb $(archive_url security) $1-security main"
		;;
	esac
}

# suite_apt SUITE ARGS...: run an apt command against SUITE with an apt
# configuration of its own under the cache (lists refreshed once a day).
suite_apt() {
	local suite=$1 dir
	shift
	dir=$KTE_CACHE/apt/$suite
	if [ ! -f "$dir/apt.conf" ]; then
		mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/etc/preferences.d"
		suite_sources "$suite" >"$dir/sources.list"
		cat >"$dir/apt.conf" <<-EOF
			Dir::Etc::SourceList "$dir/sources.list";
			Dir::Etc::SourceParts "/nonexistent";
			Dir::Etc::Preferences "$dir/etc/preferences";
			Dir::Etc::PreferencesParts "$dir/etc/preferences.d";
			Dir::State::Lists "$dir/lists";
			Dir::State::Status "$dir/status";
			Dir::Cache "$dir";
			Dir::Cache::Archives "$dir/archives";
			APT::Architecture "amd64";
			APT::Sandbox::User "root";
			Acquire::Languages "none";
			// The archive may be a dated snapshot whose Release files expired.
			Acquire::Check-Valid-Until "false";
		EOF
		: >"$dir/status"
	fi
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		log "apt-get update for $suite"
		APT_CONFIG=$dir/apt.conf apt-get -q update >&2 ||
			die "apt-get update for $suite failed"
	fi
	APT_CONFIG=$dir/apt.conf "$@"
}

# pkg_depends SUITE PKG PATTERN: PKG's direct Depends matching PATTERN.
pkg_depends() {
	suite_apt "$1" apt-cache depends "$2" |
		awk -v pat="$3" '$1 == "Depends:" && $2 ~ pat { print $2 }'
}

# kernel_release SUITE FLAVOUR: the release (uname -r) that the suite's
# linux-image-FLAVOUR metapackage points to today.
kernel_release() {
	local pkg
	pkg=$(pkg_depends "$1" "linux-image-$2" '^linux-image-' | head -n1) || true
	[ -n "$pkg" ] || die "cannot resolve linux-image-$2 in $1"
	pkg=${pkg#linux-image-}
	printf '%s\n' "${pkg%-unsigned}"
}

# host_suite: the Debian suite of this machine (modules for its kernels
# build here; other suites' kernels build in a chroot of their suite).
host_suite() {
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release
}

# kernel_fetch SUITE KVER: download KVER's image (and, for the host's suite,
# its headers) into the cache and unpack them there; prints the unpacked
# root. Cached by KVER.
kernel_fetch() {
	local suite=$1 kver=$2 root debs pkgs hdr
	root=$KTE_CACHE/kernels/$kver
	if [ -f "$root/.complete" ]; then
		printf '%s\n' "$root"
		return
	fi
	log "fetching kernel $kver from $suite"
	rm -rf "$root"
	debs=$KTE_CACHE/debs/$kver
	mkdir -p "$debs" "$root"
	pkgs=("linux-image-$kver")
	# Since 7.x (sid) the kernel itself is in linux-binary-KVER.
	if suite_apt "$suite" apt-cache show "linux-binary-$kver" >/dev/null 2>&1; then
		pkgs+=("linux-binary-$kver")
	fi
	if [ "$suite" = "$(host_suite)" ]; then
		pkgs+=("linux-headers-$kver")
		mapfile -t -O ${#pkgs[@]} pkgs < <(pkg_depends "$suite" "linux-headers-$kver" '^linux-(headers|kbuild)-')
	fi
	(cd "$debs" && suite_apt "$suite" apt-get -q download "${pkgs[@]}" >&2) ||
		die "cannot download ${pkgs[*]}"
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	rm -rf "$debs"
	# The headers' Makefile includes the -common tree by absolute path.
	hdr=$root/usr/src/linux-headers-$kver
	[ ! -f "$hdr/Makefile" ] || sed -i "s|/usr/src/|$root/usr/src/|g" "$hdr/Makefile"
	[ -n "$(kernel_image "$root" "$kver")" ] || die "no vmlinuz in ${pkgs[*]}"
	touch "$root/.complete"
	printf '%s\n' "$root"
}

# kernel_kdir ROOT KVER / kernel_image ROOT KVER: paths inside a fetched kernel.
kernel_kdir() { printf '%s\n' "$1/usr/src/linux-headers-$2"; }
kernel_image() {
	local f
	for f in "$1/boot/vmlinuz-$2" "$1/usr/lib/modules/$2/vmlinuz"; do
		[ -f "$f" ] && printf '%s\n' "$f" && return
	done
	return 0
}

# kernel_cc KDIR: the compiler the kernel was built with (e.g. gcc-12).
kernel_cc() {
	local cc
	cc=$(sed -n 's/^CC = .*gcc-\([0-9]*\).*/gcc-\1/p' "$1/.kernelvariables" 2>/dev/null)
	printf '%s\n' "${cc:-gcc}"
}

# copy_source OUT [SRCDIR]: the module source (default: our src/) and
# VERSION, copied to OUT so builds for several kernels never share objects.
copy_source() {
	rm -rf "$1"
	mkdir -p "$1"
	cp -r "${2:-$KTE_ROOT/src}" "$1/src"
	cp "$KTE_ROOT/VERSION" "$1/VERSION"
}

# build_module KDIR OUT [SRCDIR]: build on this machine against KDIR.
build_module() {
	local kdir=$1 out=$2
	copy_source "$out" "${3:-}"
	KTE_CC=$(kernel_cc "$kdir")
	make -s -C "$kdir" M="$out/src" CC="$KTE_CC" modules >&2 ||
		die "module build against $kdir failed"
}

# build_module_chroot SUITE KVER OUT [SRCDIR]: build in a chroot of SUITE
# holding KVER's headers, so the kernel's own compiler and kbuild tools (and
# the glibc they need) are used. The .ko lands in OUT/src as with
# build_module.
build_module_chroot() {
	local suite=$1 kver=$2 out=$3 chroot rc=0
	chroot=$(chroot_build "$suite" kbuild make kmod dwarves "linux-headers-$kver") ||
		die "no build chroot for $suite"
	copy_source "$chroot/build" "${4:-}"
	chroot_mount "$chroot"
	chroot_run "$chroot" make -s -C "/usr/src/linux-headers-$kver" M=/build/src modules >&2 || rc=$?
	chroot_umount "$chroot"
	[ "$rc" -eq 0 ] || die "module build against $kver in the $suite chroot failed"
	rm -rf "$out"
	mkdir -p "$out"
	cp -r "$chroot/build/src" "$out/src"
	KTE_CC=$(kernel_cc "$chroot/usr/src/linux-headers-$kver")
}

# build_static OUT SRC: a static guest helper (the initramfs has no libc).
build_static() {
	if [ ! -x "$1" ] || [ "$2" -nt "$1" ]; then
		mkdir -p "$(dirname "$1")"
		gcc -static -O2 -Wall -Wextra -Werror -o "$1" "$2" || die "cannot build $1"
	fi
}

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

# boot_guest KERNEL INITRD LOG ARGS [TIMEOUT] [SMP]: boot the kernel under
# TCG with the guest ARGS (kte.groups=a,b to run scenario groups, or
# kte.script=NAME) and keep the serial log. Any WARN panics the guest
# (panic_on_warn), and a panic ends QEMU. Every kernel message goes to the
# console unless ARGS asks for less (e.g. loglevel=1 for the benchmark).
# More QEMU options (a disk) go in the array KTE_QEMU_EXTRA.
KTE_QEMU_EXTRA=()
boot_guest() {
	local kernel=$1 initrd=$2 serial=$3 args=$4 limit=${5:-900} smp=${6:-2}
	local append="console=ttyS0 panic=-1 oops=panic panic_on_warn=1"
	append+=" softlockup_panic=1 hung_task_panic=1 log_buf_len=16M $args"
	timeout --foreground "$limit" qemu-system-x86_64 -accel tcg -m 1024 \
		-smp "$smp" -display none -monitor none -serial "file:$serial" \
		-net none -no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "$append" "${KTE_QEMU_EXTRA[@]}" </dev/null >&2 || true
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

# prepare_kernel SUITE FLAVOUR: sets KTE_KVER, KTE_KROOT, KTE_KDIR.
prepare_kernel() {
	# "|| die": these also run where errexit is off (an if or && list).
	KTE_KVER=$(kernel_release "$1" "$2") || die "no kernel for $1:$2"
	KTE_KROOT=$(kernel_fetch "$1" "$KTE_KVER") || die "cannot fetch $KTE_KVER"
	# shellcheck disable=SC2034
	KTE_KDIR=$(kernel_kdir "$KTE_KROOT" "$KTE_KVER")
}

# build_for SUITE OUT [SRCDIR]: build for the prepared kernel, on this
# machine when it is of SUITE, else in a chroot of SUITE. Sets KTE_CC.
build_for() {
	if [ "$1" = "$(host_suite)" ]; then
		build_module "$KTE_KDIR" "$2" "${3:-}"
	else
		build_module_chroot "$1" "$KTE_KVER" "$2" "${3:-}"
	fi
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

# --- chroots -------------------------------------------------------------
# A chroot is built once per suite and package list into the cache and
# then used read-only as the lower layer of an overlay, so every test starts
# from the same state and throws its changes away.

# chroot_run DIR COMMAND...: run in the chroot, non-interactive, services off.
chroot_run() {
	local dir=$1
	shift
	chroot "$dir" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}

# chroot_mount DIR / chroot_umount DIR: the kernel filesystems dkms and apt
# need inside (dkms reads /proc; 7.x objtool too).
chroot_mount() {
	mount -t proc proc "$1/proc"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$1/dev/pts"
}
chroot_umount() {
	local m
	for m in "$1/dev/pts" "$1/proc"; do
		mountpoint -q "$m" && umount -l "$m"
	done
	return 0
}

# chroot_build SUITE NAME PACKAGE...: the cached chroot SUITE-NAME, a
# minbase debootstrap plus PACKAGEs (rebuilt when the list changes).
chroot_build() {
	local suite=$1 name=$2 dir stamp
	shift 2
	dir=$KTE_CACHE/chroots/$suite-$name
	stamp="$suite $*"
	if [ -f "$dir/.kte-stamp" ] && [ "$(cat "$dir/.kte-stamp")" = "$stamp" ]; then
		printf '%s\n' "$dir"
		return
	fi
	log "building chroot $suite-$name (${*:-minbase})"
	rm -rf "$dir"
	mkdir -p "$dir"
	debootstrap --variant=minbase "$suite" "$dir" "$(archive_url)" >&2 ||
		die "debootstrap $suite failed"
	suite_sources "$suite" >"$dir/etc/apt/sources.list"
	echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99kte-snapshot"
	# No daemons may start in a chroot.
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod +x "$dir/usr/sbin/policy-rc.d"
	chroot_mount "$dir"
	if ! { chroot_run "$dir" apt-get -q update &&
		{ [ $# -eq 0 ] || chroot_run "$dir" apt-get -q install -y \
			-o Dpkg::Options::=--force-confold "$@"; } &&
		chroot_run "$dir" apt-get clean; } >&2; then
		chroot_umount "$dir"
		die "cannot install $* in the $suite chroot"
	fi
	chroot_umount "$dir"
	printf '%s\n' "$stamp" >"$dir/.kte-stamp"
	printf '%s\n' "$dir"
}

# overlay_up LOWER WORK: a writable copy of LOWER at WORK/root (overlayfs),
# with /proc and devpts mounted. overlay_down WORK undoes it.
overlay_up() {
	overlay_down "$2"
	rm -rf "$2"
	mkdir -p "$2/upper" "$2/work" "$2/root"
	mount -t overlay overlay \
		-o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/root"
	chroot_mount "$2/root"
}
overlay_down() {
	[ -d "$1/root" ] || return 0
	chroot_umount "$1/root"
	if mountpoint -q "$1/root"; then umount "$1/root"; fi
}

# --- host-side checks ------------------------------------------------------
# check DESCRIPTION COMMAND...: run COMMAND; count and print PASS or FAIL.
# COMMAND's output goes to $KTE_CHECK_LOG when set (its tail is shown on
# failure). Scripts end with check_summary, whose "N passed, N failed" line
# and exit status are the tier's result.
KTE_PASSED=0
KTE_FAILED=0
check() {
	local what=$1 out=${KTE_CHECK_LOG:-/dev/stderr}
	shift
	printf '== %s\n' "$what" >>"$out"
	if "$@" >>"$out" 2>&1; then
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

# --- DKMS state inside a package-test chroot ($ROOT) -----------------------
KTE_DKMS_NAME=kthread-example

# kernels_chroot KVER...: the cached bookworm chroot with systemd and the
# images and headers of the KVERs, on which the package tiers build.
kernels_chroot() {
	local pkgs=() k
	for k in "$@"; do
		pkgs+=("linux-image-$k" "linux-headers-$k")
	done
	chroot_build bookworm kernels systemd-sysv udev kmod "${pkgs[@]}"
}

# R COMMAND...: run in the test chroot $ROOT (set by the tier).
# shellcheck disable=SC2153
R() { chroot_run "$ROOT" "$@"; }

# installed_for VERSION KVER: dkms built and installed VERSION for KVER, and
# the module file there says so.
installed_for() {
	R dkms status -m "$KTE_DKMS_NAME" -v "$1" -k "$2" | grep -q ": installed" &&
		[ "$(R modinfo -F version "$(ko_of "$2")")" = "$1" ] &&
		[ "$(R modinfo -F vermagic "$(ko_of "$2")" | cut -d' ' -f1)" = "$2" ]
}

# ko_of KVER: the module file DKMS installed for KVER, as a path in $ROOT.
ko_of() {
	(cd "$ROOT" && find "lib/modules/$1/updates/dkms" -name 'kthread_example.ko*' 2>/dev/null |
		sed 's|^|/|' | head -n1)
}

# only_version VERSION: dkms knows VERSION and no other.
only_version() {
	local out
	out=$(R dkms status -m "$KTE_DKMS_NAME")
	[ -n "$out" ] && ! grep -v "^$KTE_DKMS_NAME/$1, " <<<"$out"
}

# no_trace: no DKMS state, module file or source of ours is left.
no_trace() {
	[ -z "$(R dkms status -m "$KTE_DKMS_NAME")" ] &&
		[ -z "$(cd "$ROOT" && find lib/modules -name 'kthread_example.ko*')" ] &&
		! compgen -G "$ROOT/usr/src/$KTE_DKMS_NAME-*" >/dev/null &&
		[ ! -e "$ROOT/var/lib/dkms/$KTE_DKMS_NAME" ]
}

