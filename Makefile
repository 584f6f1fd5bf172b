# SPDX-License-Identifier: GPL-2.0
# kthread-example: the one entry point. `make help` lists the targets.

KDIR ?= /lib/modules/$(shell uname -r)/build

.PHONY: all modules clean lint check check-boot demo bench deps install help

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

## check: the whole test suite (lint, then the module in real Debian kernels under QEMU)
check: deps
	ci/lint
	ci/test-boot

## check-boot: only the QEMU boot tier (GROUPS="seed params" to pick groups)
check-boot: deps
	ci/test-boot $(GROUPS)

## demo: boot the module in a throwaway VM and show what it does
demo: deps
	ci/demo

## bench: unload, stop, cadence and lateness figures against an empty module
bench: deps
	ci/bench

## install: by hand on a real machine (modules_install + depmod); never used by tests
install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR)))

help:
	@sed -n 's/^## //p' Makefile
