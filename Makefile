# SPDX-License-Identifier: GPL-2.0
# kthread-example: the one entry point. `make help` lists the targets.

KDIR ?= /lib/modules/$(shell uname -r)/build
VERSION := $(shell cat VERSION)
NAME := kthread-example
# Where DKMS expects the source (DESTDIR for packaging).
SRCDEST = $(DESTDIR)/usr/src/$(NAME)-$(VERSION)
# The module's sources, never the products of an in-tree `make` (the probe
# header it generates is only right for the kernel it was made for).
MODULE_SOURCES = $(filter-out %.mod.c,$(wildcard src/*.c)) \
	$(filter-out src/kte_conftest.h,$(wildcard src/*.h))

.PHONY: all modules clean lint check check-boot check-matrix check-deb check-secureboot check-rpm check-debug demo bench deps \
	install install-src install-data install-doc dkms-install dkms-remove deb rpm repo help

all: modules

## modules: build src/kthread_example.ko for the running kernel or KDIR=...
modules:
	$(MAKE) -C src KDIR=$(KDIR) modules

clean:
	$(MAKE) -C src KDIR=$(KDIR) clean 2>/dev/null || \
		rm -f src/*.o src/*.ko src/*.mod* src/.*.cmd src/modules.order \
			src/Module.symvers src/kte_conftest.h

## deps: install every tool the suite needs (apt-get, idempotent; root)
deps:
	ci/deps

## lint: checkpatch --strict, sparse C=2, W=1 and shellcheck; fails on any finding
lint: deps
	ci/lint

## check: every tier (lint, the module in real Debian kernels under QEMU, packages, Secure Boot), one line each and a total
check: deps
	ci/check

## check-debug: only the debug-kernel tier (KASAN, lockdep, kmemleak, UBSAN, fault injection)
check-debug: deps
	ci/test-debug

## check-matrix: build and boot-test every kernel from 5.10 to 7.x, PREEMPT_RT included, and one of every Debian architecture (MATRIX=amd64 or MATRIX=arches for one list)
check-matrix: deps
	ci/test-matrix $(MATRIX)

## check-deb: only the Debian package tier (lintian, lifecycle, autopkgtest, piuparts, systemd boot)
check-deb: deps
	ci/test-deb

## check-boot: every scenario group on the default kernel with 2 vCPUs (GROUPS="seed params" to pick)
check-boot: deps
	ci/test-boot $(GROUPS)

## demo: boot the module in a throwaway VM and show what it does
demo:
	ci/deps demo
	ci/demo

## bench: unload, stop, lateness beside cyclictest and scale figures, with plots
bench:
	ci/deps bench
	ci/bench

## install: by hand on a real machine (modules_install + depmod); never used by tests
install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR)))

## install-src: the DKMS source tree into $(DESTDIR)/usr/src/kthread-example-VERSION
install-src:
	install -d $(SRCDEST)/src
	install -m 0644 VERSION $(SRCDEST)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(SRCDEST)/dkms.conf
	install -m 0644 src/Kbuild src/Makefile $(MODULE_SOURCES) $(SRCDEST)/src/
	install -m 0755 src/conftest.sh $(SRCDEST)/src/

## install-data: the unit's load helper, the modprobe.d file and the man page into $(DESTDIR) (both packages)
install-data:
	install -D -m 0755 data/kthread-example-load $(DESTDIR)/usr/libexec/$(NAME)/load
	install -D -m 0644 data/kthread-example.conf $(DESTDIR)/etc/modprobe.d/$(NAME).conf
	install -D -m 0644 data/kthread_example.4 $(DESTDIR)/usr/share/man/man4/kthread_example.4

## install-doc: README.md and what it links to (docs/, the sysfs ABI file), laid out as here, into $(DOCDIR) (both packages)
DOCDIR = $(DESTDIR)/usr/share/doc/$(NAME)-dkms
install-doc:
	install -D -m 0644 README.md $(DOCDIR)/README.md
	install -D -m 0644 -t $(DOCDIR)/docs docs/*.md docs/*.png
	install -D -m 0644 src/sysfs-kernel-kthread_example $(DOCDIR)/src/sysfs-kernel-kthread_example

## dkms-install: by hand without packages (root): add, build and install with DKMS
dkms-install: install-src
	dkms add -m $(NAME) -v $(VERSION)
	dkms install -m $(NAME) -v $(VERSION)

## dkms-remove: undo dkms-install
dkms-remove:
	dkms remove -m $(NAME) -v $(VERSION) --all
	rm -rf $(SRCDEST)

## check-secureboot: the package image booted through OVMF Secure Boot, shim and GRUB (MOK enrolment)
check-secureboot: deps
	ci/test-secureboot

## check-rpm: only the RPM tier (rpmlint, dnf repository, scriptlets)
check-rpm: deps
	ci/test-rpm

## rpm: SRPM and noarch RPM into dist/rpm (RPM_RELEASE=N, default 1)
RPM_RELEASE ?= 1
rpm: deps
	ci/pkg rpm $(VERSION) $(RPM_RELEASE)

## deb: source and binary Debian packages into dist/
deb: deps
	ci/pkg deb

## repo: dist/ as a flat apt repository and dist/rpm as a dnf repository
repo: deb rpm
	ci/pkg repo

help:
	@sed -n 's/^## //p' Makefile
