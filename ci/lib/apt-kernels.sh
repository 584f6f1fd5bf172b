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

# suite_apt SUITE[/ARCH] ARGS...: run an apt command against SUITE, for
# Debian architecture ARCH (default amd64, this machine's), with an apt
# configuration of its own under the cache (lists refreshed once a day).
# Another architecture's packages are only ever downloaded and unpacked.
suite_apt() {
	local suite=${1%/*} arch=amd64 dir
	[ "$suite" = "$1" ] || arch=${1#*/}
	shift
	dir=$KTE_CACHE/apt/$suite
	[ "$arch" = amd64 ] || dir=$dir-$arch
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
			APT::Architecture "$arch";
			APT::Architectures { "$arch"; };
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
			log "apt-get update for $suite ($arch)"
			APT_CONFIG=$dir/apt.conf apt-get -q update >&2
		fi
	) 9>"$dir/update.lock" || die "apt-get update for $suite ($arch) failed"
	APT_CONFIG=$dir/apt.conf "$@"
}

# pkg_depends SUITE[/ARCH] PKG PATTERN: PKG's direct Depends matching PATTERN.
pkg_depends() {
	suite_apt "$1" apt-cache depends "$2" |
		awk -v pat="$3" '$1 == "Depends:" && $2 ~ pat { print $2 }'
}

# kernel_release SUITE FLAVOUR: the release (uname -r) that the suite's
# linux-image-FLAVOUR metapackage points to today (in the flavour's own
# architecture: their ABIs can lag amd64's).
kernel_release() {
	local pkg
	pkg=$(pkg_depends "$1/$(flavour_arch "$2")" "linux-image-$2" '^linux-image-' | head -n1) || true
	[ -n "$pkg" ] || die "cannot resolve linux-image-$2 in $1"
	pkg=${pkg#linux-image-}
	printf '%s\n' "${pkg%-unsigned}"
}

# host_suite: the Debian suite of this machine (modules for its kernels
# build here; other suites' kernels build in a chroot of their suite).
host_suite() {
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release
}

# unpack_debs ROOT SUITE[/ARCH] PKG...: download PKGs of SUITE (without
# their dependencies) and unpack them into ROOT; nothing is installed.
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

# debs_fetch SUITE[/ARCH] NAME PKG...: PKGs of SUITE unpacked under the cache as
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

# kernel_fetch SUITE KVER: download KVER's image (KTE_ARCH's) into the cache
# and unpack it there, with its headers where the build uses them from
# there (this machine's suite, or any suite for another architecture: see
# cross_chroot); prints the unpacked root. Cached by KVER. Another
# architecture's headers come with this machine's linux-kbuild (their
# scripts link points there: kbuild's tools run here).
kernel_fetch() {
	local suite=$1 kver=$2 apt=$1/$KTE_ARCH root pkgs=() kbuild=() dep hdr
	root=$KTE_CACHE/kernels/$kver
	if [ -f "$root/.complete" ]; then
		printf '%s\n' "$root"
		return
	fi
	log "fetching kernel $kver ($KTE_ARCH) from $suite"
	rm -rf "$root"
	pkgs=("linux-image-$kver")
	# Since 7.x (sid) the kernel itself is in linux-binary-KVER.
	if suite_apt "$apt" apt-cache show "linux-binary-$kver" >/dev/null 2>&1; then
		pkgs+=("linux-binary-$kver")
	fi
	if [ "$suite" = "$(host_suite)" ] || [ "$KTE_ARCH" != amd64 ]; then
		pkgs+=("linux-headers-$kver")
		for dep in $(pkg_depends "$apt" "linux-headers-$kver" '^linux-(headers|kbuild)-'); do
			case $dep in
			linux-kbuild-*) kbuild+=("$dep") ;;
			*) pkgs+=("$dep") ;;
			esac
		done
	fi
	unpack_debs "$root" "$apt" "${pkgs[@]}"
	[ ${#kbuild[@]} -eq 0 ] || unpack_debs "$root" "$suite" "${kbuild[@]}"
	# The headers' Makefile includes the -common tree by absolute path.
	hdr=$root/usr/src/linux-headers-$kver
	[ ! -f "$hdr/Makefile" ] || sed -i "s|/usr/src/|$root/usr/src/|g" "$hdr/Makefile"
	[ -n "$(kernel_image "$root" "$kver")" ] || die "no kernel image in ${pkgs[*]}"
	touch "$root/.complete"
	printf '%s\n' "$root"
}

# kernel_kdir ROOT KVER / kernel_image ROOT KVER: paths inside a fetched
# kernel (the image QEMU boots: ppc64el's is the ELF vmlinux).
kernel_kdir() { printf '%s\n' "$1/usr/src/linux-headers-$2"; }
kernel_image() {
	local f
	for f in "$1/boot/vmlinuz-$2" "$1/usr/lib/modules/$2/vmlinuz" "$1/boot/vmlinux-$2"; do
		[ -f "$f" ] && printf '%s\n' "$f" && return
	done
	return 0
}

# kernel_cc KDIR: the compiler the kernel was built with, as its headers
# name it (.kernelvariables): gcc-12, or with the triplet the headers force
# (7.x: x86_64-linux-gnu-gcc-16), or Debian's cross compiler for KTE_ARCH
# (aarch64-linux-gnu-gcc-12).
kernel_cc() {
	local vars=$1/.kernelvariables cc prefix
	cc=$(sed -n 's/^CC = .*gcc-\([0-9]*\).*/gcc-\1/p' "$vars" 2>/dev/null)
	prefix=$(sed -n 's/^override CROSS_COMPILE = \([^ $]*-\)$/\1/p' "$vars" 2>/dev/null)
	printf '%s%s\n' "${prefix:-$(cross_prefix)}" "${cc:-gcc}"
}

# kbuild_make KDIR M [ARG...]: make against the kernel tree KDIR for the
# module in M, with the kernel's compiler, cross-compiling for KTE_ARCH
# (the headers' Makefile sets ARCH).
kbuild_make() {
	local kdir=$1 m=$2
	shift 2
	make -C "$kdir" M="$m" CC="$(kernel_cc "$kdir")" CROSS_COMPILE="$(cross_prefix)" "$@"
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
	kbuild_make "$kdir" "$out/src" -s modules >&2 ||
		die "module build against $kdir failed"
}

# build_module_chroot SUITE KVER OUT [SRCDIR]: build in a chroot of SUITE
# holding KVER's headers, so the kernel's own compiler and kbuild tools (and
# the glibc they need) are used. The .ko lands in OUT/src as with
# build_module.
build_module_chroot() {
	local suite=$1 kver=$2 out=$3 chroot hdrs=/usr/src/linux-headers-$2 rc=0
	if [ "$KTE_ARCH" = amd64 ]; then
		chroot=$(chroot_build "$suite" kbuild make kmod dwarves "linux-headers-$kver")
	else
		chroot=$(cross_chroot "$suite" "$kver")
	fi || die "no build chroot for $suite"
	copy_source "$chroot/build" "${4:-}"
	KTE_CC=$(kernel_cc "$chroot$hdrs")
	chroot_mount "$chroot"
	chroot_run "$chroot" make -s -C "$hdrs" M=/build/src CC="$KTE_CC" \
		CROSS_COMPILE="$(cross_prefix)" modules >&2 || rc=$?
	chroot_umount "$chroot"
	[ "$rc" -eq 0 ] || die "module build against $kver in the $suite chroot failed"
	rm -rf "$out"
	mkdir -p "$out"
	cp -r "$chroot/build/src" "$out/src"
}

# cross_chroot SUITE KVER: a cached chroot of SUITE that builds modules for
# KVER of KTE_ARCH: make, this machine's kbuild of the kernel's series,
# the cross compiler the kernel asks for (gcc-N-TRIPLET), and KVER's
# headers copied in from the fetched kernel (another architecture's
# packages are never installed). Needs prepare_kernel's KTE_KROOT.
cross_chroot() {
	local suite=$1 kver=$2 kdir kbuild cc chroot d
	kdir=$(kernel_kdir "$KTE_KROOT" "$kver")
	kbuild=$(basename "$(dirname "$(readlink "$kdir/scripts")")")
	cc=$(kernel_cc "$kdir")
	chroot=$(chroot_build "$suite" "cross-$KTE_ARCH" make kmod dwarves "$kbuild" \
		"gcc-${cc##*-gcc-}-${KTE_TRIPLET[$KTE_ARCH]}") || return 1
	if [ ! -f "$chroot/usr/src/linux-headers-$kver/Makefile" ]; then
		for d in "$KTE_KROOT"/usr/src/linux-headers-*; do
			[ -e "$chroot/usr/src/${d##*/}" ] || cp -a "$d" "$chroot/usr/src/"
		done
		sed -i "s|$KTE_KROOT/usr/src/|/usr/src/|g" "$chroot/usr/src/linux-headers-$kver/Makefile"
	fi
	printf '%s\n' "$chroot"
}

# build_static OUT SRC: a static guest helper for KTE_ARCH (the initramfs
# has no libc).
build_static() {
	local sum
	# Keyed by the source's content, not its time: checkouts of different
	# trees share the cache, and an older file may be the newer code.
	sum=$(sha256sum <"$2")
	if [ ! -x "$1" ] || [ "$(cat "$1.source" 2>/dev/null)" != "$sum" ]; then
		mkdir -p "$(dirname "$1")"
		# Renamed into place: a second lane may be copying the old one.
		"$(cross_prefix)gcc" -static -O2 -Wall -Wextra -Werror -o "$1.$$" "$2" ||
			die "cannot build $1"
		mv -f "$1.$$" "$1"
		printf '%s\n' "$sum" >"$1.source"
	fi
}

# prepare_kernel SUITE FLAVOUR: sets KTE_SUITE, KTE_ARCH, KTE_KVER,
# KTE_KROOT, KTE_KDIR.
prepare_kernel() {
	# shellcheck disable=SC2034 # guests.sh: the guest's busybox
	KTE_SUITE=$1
	KTE_ARCH=$(flavour_arch "$2")
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
