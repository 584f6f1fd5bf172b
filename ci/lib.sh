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
# metapackage names the kernel, and the flavour its Debian architecture):
# the default test kernel; the matrix from the oldest supported kernel to
# the newest Debian ships; and a kernel of every other architecture Debian
# ships one for (the package is Architecture: all).
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
# shellcheck disable=SC2034
KTE_ARCHES=(
	bookworm:arm64		# arm64, 6.1
	sid:arm64		# arm64, newest
	bookworm:armmp-lpae	# armhf, 32-bit
	bookworm:686-pae	# i386, 32-bit (trixie ships no i386 kernel)
	bookworm:powerpc64le	# ppc64el
	bookworm:s390x		# s390x, big-endian
	trixie:riscv64		# riscv64 (no bookworm kernel)
)

# The releases the package tiers install on, each with three of its
# kernels as flavours: A and B are in the installed system from the start,
# C arrives later (a kernel upgrade).
# shellcheck disable=SC2034
KTE_DEB_SUITES=(bookworm trixie sid)
# shellcheck disable=SC2034
declare -gA KTE_DEB_KERNELS=(
	[bookworm]="amd64 6.12-amd64 rt-amd64"
	[trixie]="amd64 cloud-amd64 rt-amd64"
	[sid]="amd64 cloud-amd64 rt-amd64"
)
# The release whose installed image ci/test-secureboot boots (its boots
# are also that release's chain of ci/test-deb's boots).
# shellcheck disable=SC2034
KTE_SB_SUITE=bookworm

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The helpers, by concern.
# shellcheck source=lib/arches.sh
. "$KTE_ROOT/ci/lib/arches.sh"
# shellcheck source=lib/apt-kernels.sh
. "$KTE_ROOT/ci/lib/apt-kernels.sh"
# shellcheck source=lib/guests.sh
. "$KTE_ROOT/ci/lib/guests.sh"
# shellcheck source=lib/chroots.sh
. "$KTE_ROOT/ci/lib/chroots.sh"
# shellcheck source=lib/checks.sh
. "$KTE_ROOT/ci/lib/checks.sh"
# shellcheck source=lib/signing.sh
. "$KTE_ROOT/ci/lib/signing.sh"
