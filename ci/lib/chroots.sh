# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# debootstrap chroots, overlays, and DKMS state inside a package-test chroot.
# Part of ci/lib.sh, which sources it: source that, not this.

# A chroot is built once per suite and package list into the cache. The
# package tiers' chroots are then used read-only, as the lower layer of an
# overlay, so every test starts from the same state and throws its changes
# away; the build chroots (kbuild, cross-ARCH) get the module's sources
# copied into /build, one build at a time.

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

# chroot_build SUITE NAME [--no-install-recommends] PACKAGE...: the cached
# chroot SUITE-NAME: a copy of the suite's minbase debootstrap (debootstrap
# runs once per suite, not once per chroot) plus PACKAGEs, rebuilt when the
# list changes. A tool chroot passes --no-install-recommends, which goes
# to apt-get as it is: it gets what it names and their dependencies, not
# what they recommend (diffoscope-minimal alone recommends ffmpeg, R and a
# JRE: 700 packages that a first run would unpack for nothing). The two
# lanes of make check may ask for the same chroot at once: a lock per
# chroot makes the second wait for the first's build.
chroot_build() {
	local suite=$1 name=$2 dir stamp lock
	shift 2
	dir=$KTE_CACHE/chroots/$suite-$name
	stamp="$suite $*"
	mkdir -p "$KTE_CACHE/chroots"
	exec {lock}>"$dir.lock"
	if ! flock -n "$lock"; then
		log "waiting for the other lane's build of chroot $suite-$name"
		flock -w 3600 "$lock" || die "chroot $suite-$name stayed locked for an hour"
	fi
	if [ "$(cat "$dir/.kte-stamp" 2>/dev/null)" != "$stamp" ]; then
		log "building chroot $suite-$name (${*:-minbase})"
		# errexit is off in the $(...) this runs in: each step says so.
		chroot_make "$suite" "$name" "$dir" "$@" || die "cannot build chroot $suite-$name"
		sync -f "$dir"
		printf '%s\n' "$stamp" >"$dir/.kte-stamp"
	fi
	exec {lock}>&-
	printf '%s\n' "$dir"
}

# chroot_make SUITE NAME DIR PACKAGE...: chroot_build's build. dpkg need
# not sync what it unpacks (chroot_build syncs the tree once, before the
# stamp: a chroot cut short has none and is rebuilt). A chroot copied from
# the suite's minbase is upgraded first: that debootstrap may be older than
# the archive the packages come from.
chroot_make() {
	local suite=$1 name=$2 dir=$3 base
	shift 3
	chroot_umount "$dir"
	rm -rf "$dir" || die "cannot remove the old $dir"
	if [ "$name" = minbase ]; then
		mkdir -p "$dir" || return 1
		debootstrap --variant=minbase "$suite" "$dir" "$(archive_url)" >&2 ||
			die "debootstrap $suite failed"
		suite_sources "$suite" >"$dir/etc/apt/sources.list" || return 1
		echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99kte-snapshot"
		# No daemons may start in a chroot.
		printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d" || return 1
		chmod +x "$dir/usr/sbin/policy-rc.d"
	else
		base=$(chroot_build "$suite" minbase) || die "no minbase chroot of $suite"
		{ mkdir "$dir" && cp -a --reflink=auto "$base/." "$dir/"; } ||
			die "cannot copy $base to $dir"
		rm -f "$dir/.kte-stamp"
	fi
	chroot_mount "$dir"
	if ! { chroot_run "$dir" apt-get -q update &&
		{ [ "$name" = minbase ] || chroot_run "$dir" apt-get -q -y \
			-o Dpkg::Options::=--force-unsafe-io dist-upgrade; } &&
		{ [ $# -eq 0 ] || chroot_run "$dir" apt-get -q install -y \
			-o Dpkg::Options::=--force-confold \
			-o Dpkg::Options::=--force-unsafe-io "$@"; } &&
		chroot_run "$dir" apt-get clean; } >&2; then
		chroot_kill "$dir"
		chroot_umount "$dir"
		die "cannot install $* in the $suite chroot"
	fi
	# A daemon a postinst started despite policy-rc.d would hold the lock.
	chroot_kill "$dir"
	chroot_umount "$dir"
}

# overlay_up LOWER WORK: a writable copy of LOWER at WORK/root (overlayfs),
# with /proc and devpts mounted. overlay_down WORK undoes it.
overlay_up() {
	# LOWER comes from a $(chroot_build ...), whose failure is lost there.
	[ -f "${1:-/nonexistent}/.kte-stamp" ] || die "no chroot to overlay (its build failed)"
	overlay_down "$2"
	rm -rf "$2"
	mkdir -p "$2/upper" "$2/work" "$2/root"
	mount -t overlay overlay \
		-o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/root"
	chroot_mount "$2/root"
}
overlay_down() {
	[ -d "$1/root" ] || return 0
	chroot_kill "$1/root"
	chroot_umount "$1/root"
	if mountpoint -q "$1/root"; then umount "$1/root" || umount -l "$1/root"; fi
}

# chroot_kill DIR: end what an install left running inside the chroot DIR
# (a daemon a package started, still exiting), as schroot does when its
# session ends, so that DIR can be unmounted.
chroot_kill() {
	local dir p pids=() names=()
	dir=$(realpath "$1")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$dir" ] || continue
		pids+=("${p#/proc/}")
		names+=("$(cat "$p/comm" 2>/dev/null)")
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	log "ending what was left running in $dir: ${names[*]}"
	kill "${pids[@]}" 2>/dev/null || true
	sleep 1
}

# --- DKMS state inside a package-test chroot ($ROOT) -----------------------
KTE_DKMS_NAME=kthread-example

# kernels_chroot SUITE KVER...: the cached chroot of SUITE with systemd and
# the images and headers of the KVERs, on which the package tiers build.
kernels_chroot() {
	local suite=$1 pkgs=() k
	shift
	for k in "$@"; do
		pkgs+=("linux-image-$k" "linux-headers-$k")
	done
	chroot_build "$suite" kernels systemd-sysv udev kmod "${pkgs[@]}"
}

# image_stamp: a digest of every source the package tiers' boot image is
# made from (ci/test-secureboot remakes the image when it differs).
image_stamp() {
	(cd "$KTE_ROOT" && git ls-files -co --exclude-standard -z -- VERSION dkms.conf \
		Makefile src data debian ci/lib.sh ci/lib ci/pkg ci/test-deb ci/guest/lib.sh \
		ci/guest/systemd | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
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

# fake_kernel_tree KVER [WHY]: a "headers" tree for KVER in $ROOT whose
# make fails on purpose, saying WHY: dkms finds headers (include/ and a
# Makefile), and any build it attempts there fails.
fake_kernel_tree() {
	mkdir -p "$ROOT/lib/modules/$1/build/include"
	printf 'modules:\n\t@echo "%s"; exit 1\n' "${2:-this kernel tree is broken on purpose}" \
		>"$ROOT/lib/modules/$1/build/Makefile"
}

# --- the kernel gate: dkms.conf's BUILD_EXCLUSIVE_KERNEL --------------------

# dkms_gate_admits KVER: dkms.conf's BUILD_EXCLUSIVE_KERNEL admits the
# kernel release KVER, matched as dkms matches it (bash's =~).
dkms_gate_admits() {
	local re
	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$KTE_ROOT/dkms.conf")
	[ -n "$re" ] || die "dkms.conf sets no BUILD_EXCLUSIVE_KERNEL"
	[[ $1 =~ $re ]]
}

# dkms_gate_minimum_is KVER: the gate admits KVER and refuses the minor
# release before it (5.10.0-33-amd64: 5.9.0; 6.0.1: 5.99.0).
dkms_gate_minimum_is() {
	local major minor prev
	IFS=. read -r major minor _ <<<"$1"
	if [ "$minor" -gt 0 ]; then
		prev=$major.$((minor - 1)).0
	else
		prev=$((major - 1)).99.0
	fi
	dkms_gate_admits "$1" || { log "dkms.conf's kernel gate refuses $1"; return 1; }
	! dkms_gate_admits "$prev" || { log "dkms.conf's kernel gate admits $prev, older than $1"; return 1; }
}
