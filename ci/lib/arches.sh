# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Debian's kernel architectures: which one a kernel flavour is, how to
# cross-build for it (Debian's gcc-N-TRIPLET) and how QEMU boots it (TCG).
# Part of ci/lib.sh, which sources it: source that, not this.
#
# Every guest has two channels: the kernel's console and, on a device of
# its own where printk never writes, the guest scenarios' output (the init
# reads its name from kte.out= on the command line). Where the machine has
# one UART, the second is a PCI 16550 (pci-serial), or a second
# hypervisor console (pseries' spapr-vty, s390x's SCLP line mode).

# The guest's architecture; stage_guest sets it from the kernel's flavour.
KTE_ARCH=amd64

# flavour_arch FLAVOUR: the Debian architecture of linux-image-FLAVOUR.
flavour_arch() {
	case $1 in
	*amd64) echo amd64 ;;
	*arm64) echo arm64 ;;
	armmp*) echo armhf ;;
	686*) echo i386 ;;
	powerpc64le*) echo ppc64el ;;
	s390x) echo s390x ;;
	riscv64) echo riscv64 ;;
	*) die "no Debian architecture known for the flavour $1" ;;
	esac
}

# kbuild's ARCH= and the GNU triplet of each Debian architecture.
# shellcheck disable=SC2034 # used by apt-kernels.sh
declare -gA KTE_KARCH=([amd64]=x86 [i386]=x86 [arm64]=arm64 [armhf]=arm
	[ppc64el]=powerpc [s390x]=s390 [riscv64]=riscv)
declare -gA KTE_TRIPLET=([amd64]=x86_64-linux-gnu [i386]=i686-linux-gnu
	[arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf
	[ppc64el]=powerpc64le-linux-gnu [s390x]=s390x-linux-gnu
	[riscv64]=riscv64-linux-gnu)

# cross_prefix: CROSS_COMPILE for KTE_ARCH ("" on this machine's amd64).
cross_prefix() {
	[ "$KTE_ARCH" = amd64 ] || printf '%s-\n' "${KTE_TRIPLET[$KTE_ARCH]}"
}

# qemu_machine: the emulator and machine of KTE_ARCH (a word per line).
qemu_machine() {
	case $KTE_ARCH in
	amd64) printf '%s\n' qemu-system-x86_64 ;;
	i386) printf '%s\n' qemu-system-i386 ;;
	arm64) printf '%s\n' qemu-system-aarch64 -M virt -cpu cortex-a57 ;;
	armhf) printf '%s\n' qemu-system-arm -M virt -cpu cortex-a15 ;;
	ppc64el) printf '%s\n' qemu-system-ppc64 -M pseries ;;
	s390x) printf '%s\n' qemu-system-s390x -M s390-ccw-virtio ;;
	riscv64) printf '%s\n' qemu-system-riscv64 -M virt ;;
	esac
}

# guest_console / guest_outdev: the devices of the kernel's console and of
# the scenarios' output, in the guest.
guest_console() {
	case $KTE_ARCH in
	amd64 | i386 | riscv64) echo ttyS0 ;;
	arm64 | armhf) echo ttyAMA0 ;;
	ppc64el) echo hvc0 ;;
	s390x) echo ttysclp0 ;;
	esac
}
guest_outdev() {
	case $KTE_ARCH in
	amd64 | i386 | riscv64) echo ttyS1 ;;
	arm64 | armhf) echo ttyS0 ;;
	ppc64el) echo hvc1 ;;
	s390x) echo sclp_line0 ;;
	esac
}

# qemu_channels CONSOLE-FILE OUT-FILE: QEMU options (a word per line) that
# write the console to the first file and the guest's channel to the other.
qemu_channels() {
	printf '%s\n' -serial "file:$1" -chardev "file,id=kteout,path=$2"
	case $KTE_ARCH in
	amd64 | i386) printf '%s\n' -serial chardev:kteout ;;
	arm64 | armhf | riscv64) printf '%s\n' -device pci-serial,chardev=kteout ;;
	ppc64el) printf '%s\n' -device spapr-vty,chardev=kteout ;;
	s390x) printf '%s\n' -device sclplmconsole,chardev=kteout ;;
	esac
}
