# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Debian's archive, other suites' apt, kernel packages and module builds.
# Part of ci/lib.sh, which sources it: source that, not this.

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
	# make check runs tiers side by side: one refresh at a time (apt's own
	# lock would make the second fail, not wait).
	(
		flock 9
		if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
			log "apt-get update for $suite"
			APT_CONFIG=$dir/apt.conf apt-get -q update >&2
		fi
	) 9>"$dir/update.lock" || die "apt-get update for $suite failed"
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

# unpack_debs ROOT SUITE PKG...: download PKGs of SUITE (without their
# dependencies) and unpack them into ROOT; nothing is installed.
unpack_debs() {
	local root=$1 suite=$2 deb
	shift 2
	mkdir -p "$root/.debs"
	(cd "$root/.debs" && suite_apt "$suite" apt-get -q download "$@" >&2) ||
		die "cannot download $* from $suite"
	for deb in "$root"/.debs/*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	rm -rf "$root/.debs"
}

# debs_fetch SUITE NAME PKG...: PKGs of SUITE unpacked under the cache as
# NAME (firmware, boot loaders, tools run from there); prints the root.
# Cached by the suite and package list.
debs_fetch() {
	local suite=$1 root=$KTE_CACHE/unpacked/$2 stamp
	shift 2
	stamp="$suite $*"
	if [ "$(cat "$root/.kte-stamp" 2>/dev/null)" != "$stamp" ]; then
		log "fetching $* from $suite"
		rm -rf "$root"
		unpack_debs "$root" "$suite" "$@"
		printf '%s\n' "$stamp" >"$root/.kte-stamp"
	fi
	printf '%s\n' "$root"
}

# kernel_fetch SUITE KVER: download KVER's image (and, for the host's suite,
# its headers) into the cache and unpack them there; prints the unpacked
# root. Cached by KVER.
kernel_fetch() {
	local suite=$1 kver=$2 root pkgs hdr
	root=$KTE_CACHE/kernels/$kver
	if [ -f "$root/.complete" ]; then
		printf '%s\n' "$root"
		return
	fi
	log "fetching kernel $kver from $suite"
	rm -rf "$root"
	pkgs=("linux-image-$kver")
	# Since 7.x (sid) the kernel itself is in linux-binary-KVER.
	if suite_apt "$suite" apt-cache show "linux-binary-$kver" >/dev/null 2>&1; then
		pkgs+=("linux-binary-$kver")
	fi
	if [ "$suite" = "$(host_suite)" ]; then
		pkgs+=("linux-headers-$kver")
		mapfile -t -O ${#pkgs[@]} pkgs < <(pkg_depends "$suite" "linux-headers-$kver" '^linux-(headers|kbuild)-')
	fi
	unpack_debs "$root" "$suite" "${pkgs[@]}"
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
# Sources only (what git tracks or would): never the products of an in-tree
# `make`, whose probe header would be reused for another kernel.
copy_source() {
	local from=${2:-$KTE_ROOT/src}
	rm -rf "$1"
	mkdir -p "$1/src"
	(cd "$from" && git ls-files -co --exclude-standard -z . |
		xargs -0 cp --parents -t "$1/src")
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
	local sum
	# Keyed by the source's content, not its time: checkouts of different
	# trees share the cache, and an older file may be the newer code.
	sum=$(sha256sum <"$2")
	if [ ! -x "$1" ] || [ "$(cat "$1.source" 2>/dev/null)" != "$sum" ]; then
		mkdir -p "$(dirname "$1")"
		# Renamed into place: a second lane may be copying the old one.
		gcc -static -O2 -Wall -Wextra -Werror -o "$1.$$" "$2" || die "cannot build $1"
		mv -f "$1.$$" "$1"
		printf '%s\n' "$sum" >"$1.source"
	fi
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
