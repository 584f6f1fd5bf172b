# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# QEMU guests: the test initramfs, the boot, and the serial log's verdict.
# Part of ci/lib.sh, which sources it: source that, not this.

# add_binary DIR BIN: the host's BIN and the shared libraries it loads, at
# their own paths under DIR (the guest's userspace is the host's).
add_binary() {
	local f
	for f in "$2" $(ldd "$2" | grep -o '/[^ ]*'); do
		mkdir -p "$1${f%/*}"
		cp -L "$f" "$1$f"
	done
}

# make_initramfs OUT FILE...: a busybox initramfs for KTE_ARCH whose /init
# runs the guest scenarios; FILEs (modules, helpers) land in /kte, and the
# host programs named in the array KTE_GUEST_BINS (with their libraries) at
# their paths (amd64 guests only).
KTE_GUEST_BINS=()
make_initramfs() {
	local out=$1 dir f ktool=$KTE_CACHE/guest/ktool-$KTE_ARCH
	shift
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,dev,proc,sys,tmp,kte}
	cp "$(guest_busybox)" "$dir/bin/busybox"
	cp "$KTE_ROOT/ci/guest/init" "$dir/init"
	cp "$KTE_ROOT/ci/guest/lib.sh" "$dir/kte/"
	cp -r "$KTE_ROOT/ci/guest/scenarios" "$dir/kte/"
	cp "$@" "$dir/kte/"
	build_static "$ktool" "$KTE_ROOT/ci/guest/ktool.c"
	cp "$ktool" "$dir/bin/ktool"
	for f in "${KTE_GUEST_BINS[@]}"; do add_binary "$dir" "$f"; done
	chmod +x "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$dir"
}

# guest_busybox: a static busybox for KTE_ARCH: this machine's, or Debian's
# busybox-static of that architecture from the guest kernel's suite
# (KTE_SUITE: riscv64 has no bookworm), unpacked under the cache.
guest_busybox() {
	local root
	if [ "$KTE_ARCH" = amd64 ]; then
		command -v busybox
		return
	fi
	root=$(debs_fetch "$KTE_SUITE/$KTE_ARCH" "busybox-$KTE_SUITE-$KTE_ARCH" busybox-static) ||
		die "no busybox-static for $KTE_ARCH in $KTE_SUITE"
	find "$root" -path '*bin/busybox' -type f | head -n1
}

# Kernel messages that fail any run, wherever they appear.
KTE_SPLAT='Oops|BUG:|WARNING:|Kernel panic|general protection fault|Call Trace:|INFO: task .* blocked|possible circular locking|inconsistent lock state|UBSAN:|KASAN:|kmemleak:.*suspected'

# guest_append ARGS: the kernel command line of every test boot: the
# console and the guest's output channel of KTE_ARCH, and any WARN, oops,
# soft lockup or hung task panics the guest (and a panic ends QEMU, which
# runs with -no-reboot); timestamps on every kernel message, which the
# debug kernel's config leaves out.
guest_append() {
	printf '%s\n' "console=$(guest_console) kte.out=$(guest_outdev) panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 hung_task_panic=1 log_buf_len=16M printk.time=1 $1"
}

# qemu_run LIMIT LOG SMP QEMU-ARGS...: run QEMU for KTE_ARCH under TCG with
# the kernel's console in LOG and the guest's own output (a channel where
# printk never writes) in `guest_out LOG`, bounded by LIMIT seconds (a
# guest that hangs, or a firmware waiting for a key, ends there); the
# caller checks both. A QEMU that ignores the end of its time gets SIGKILL
# 20 s later, and one whose guest said KTE-DONE but has not powered off
# KTE_POWEROFF_GRACE seconds later is stopped then, and its guest marked
# (check_guest_log): once, s390x's QEMU went on after its guest's last
# test, then ignored SIGTERM, and the tier waited for it until CI's limit.
KTE_POWEROFF_GRACE=${KTE_POWEROFF_GRACE:-120}

# QEMU runs as SCHED_BATCH (chrt -b 0, util-linux, no privilege needed):
# when every core is busy, a QEMU thread that wakes (the main loop, which
# runs the guest's timers every few ms in these tests, or the vCPU it
# kicks) waits until a tick finds the running task past its slice instead
# of preempting it; other tasks (make check's builds) still preempt QEMU.
# With four guests side by side on two cores, the host switched tasks a
# third as often, and the emulated other-architecture guest, which keeps
# a core busy, used about a quarter less CPU (the amd64 guests about the
# same); the commit that made this has the figures. Where the policy is
# refused (a caller already SCHED_IDLE, a sandbox), QEMU runs as it is.
KTE_QEMU_SCHED=(chrt -b 0)
if ! chrt -b 0 true 2>/dev/null; then
	log "SCHED_BATCH refused here: QEMU runs with this shell's policy"
	KTE_QEMU_SCHED=()
fi

qemu_run() {
	local limit=$1 serial=$2 smp=$3 machine channels
	shift 3
	: >"$(guest_out "$serial")"
	rm -f "$(guest_out "$serial").nopoweroff"
	mapfile -t machine < <(qemu_machine)
	mapfile -t channels < <(qemu_channels "$serial" "$(guest_out "$serial")")
	local start=$SECONDS
	# In a subshell whose `times` then holds what QEMU used (its own
	# children's user and system time): the tiers' CPU budget is two
	# cores, and each guest's share goes to the log.
	(
		timeout -k 20 --foreground "$limit" "${KTE_QEMU_SCHED[@]}" "${machine[@]}" -accel tcg -m 1024 \
			-smp "$smp" -display none -monitor none "${channels[@]}" \
			-nic none -no-reboot "$@" </dev/null >&2 &
		local qemu=$! watch
		stop_after_done "$serial" "$qemu" &
		watch=$!
		local rc=0
		wait "$qemu" || rc=$?
		kill "$watch" 2>/dev/null || true
		wait "$watch" 2>/dev/null || true
		# Ended by its time limit (timeout's 124, or 137 after -k): after a
		# KTE-DONE, that too is a guest that did not power off.
		if { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } &&
			[ ! -f "$(guest_out "$serial").nopoweroff" ]; then
			echo "$limit s (its time limit)" >"$(guest_out "$serial").nopoweroff"
		fi
		# `times` itself not in a pipeline, where it would report the
		# pipeline's subshell, which waited for nothing.
		times >"${serial%.log}.cpu"
	)
	log "guest $(basename "$serial"): $((SECONDS - start)) s, $(guest_cpu "$serial") s of CPU"
}

# stop_after_done LOG PID: once the guest of console LOG has said KTE-DONE,
# give it KTE_POWEROFF_GRACE seconds to power off, then mark it and end PID
# (timeout(1), which passes the signal on to QEMU and kills it 20 s later
# if need be).
stop_after_done() {
	local out end
	out=$(guest_out "$1")
	# A sleep outlives this watcher when QEMU ends first and it is killed:
	# short ones, so that it holds what it inherited (the tier's output
	# pipe, a caller's flock) for 2 s at most.
	until grep -aq '^KTE-DONE' "$out" 2>/dev/null; do
		kill -0 "$2" 2>/dev/null || return 0
		sleep 2 >/dev/null 2>&1
	done
	end=$((SECONDS + KTE_POWEROFF_GRACE))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$2" 2>/dev/null || return 0
		sleep 2 >/dev/null 2>&1
	done
	kill -0 "$2" 2>/dev/null || return 0
	echo "$KTE_POWEROFF_GRACE s" >"$out.nopoweroff"
	kill "$2" 2>/dev/null || true
}

# guest_cpu LOG: the CPU seconds (user plus system) the guest of console
# LOG used: the second line of `times` ("0m12.345s 0m1.234s").
guest_cpu() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } }
		END { if (NR == 2) printf "%.0f", t; else printf "?" }' "${1%.log}.cpu" 2>/dev/null || echo "?"
}

# guest_out LOG: the file of the guest's result channel beside console LOG
# (a.log or a.log.raw: a.out), with the tty's carriage returns.
guest_out() {
	local base=${1%.raw}
	printf '%s\n' "${base%.log}.out"
}

# guest_lines LOG PREFIX: the guest's lines that start with PREFIX.
guest_lines() {
	tr -d '\r' <"$(guest_out "$1")" | grep -a "^$2" || true
}

# boot_guest KERNEL INITRD LOG ARGS [TIMEOUT] [SMP]: boot the kernel with
# the guest ARGS (kte.groups=a,b to run scenario groups, or
# kte.script=NAME) and keep the serial log. Every kernel message goes to
# the console unless ARGS asks for less (e.g. loglevel=4, errors only,
# for the benchmark).
# More QEMU options (a disk) go in the array KTE_QEMU_EXTRA.
KTE_QEMU_EXTRA=()
boot_guest() {
	qemu_run "${5:-900}" "$3" "${6:-2}" -kernel "$1" -initrd "$2" \
		-append "$(guest_append "$4")" "${KTE_QEMU_EXTRA[@]}"
}

# group_tests GROUP: how many tests the host's copy of the guest group
# defines (GROUP may be NAME:FILTER, as kte.groups= takes it); empty when
# there is no such group.
group_tests() {
	local name=${1%%:*} filter='' file
	[ "$name" = "$1" ] || filter=${1#*:}
	file=$(find "$KTE_ROOT/ci/guest" -name "$name.sh" | head -n1)
	[ -n "$file" ] || return 0
	sed -n 's/^\(test_[a-z0-9_]*\)().*/\1/p' "$file" | grep -Ec -- "$filter" || true
}

# group_accounted LOG: each group the guest began (its KTE-BEGIN line
# lists what the kernel command line asked) announced as many tests as the
# host's copy defines, and reported exactly that many results; prints each
# mismatch.
group_accounted() {
	local g want started reported ok=0
	for g in $(guest_lines "$1" KTE-BEGIN | sed -n 's/.* groups=\(.*\) script=.*/\1/p'); do
		want=$(group_tests "$g")
		started=$(guest_lines "$1" "KTE-GROUP $g " | sed -n 's/.* tests=//p')
		# Results of this group whose test the filter selects (a group can
		# run twice with two filters).
		reported=$(guest_lines "$1" "KTE-RESULT [A-Z]* ${g%%:*}/" |
			sed 's|^KTE-RESULT [A-Z]* [^/]*/\([a-z0-9_]*\).*|\1|' |
			grep -Ec -- "$([ "$g" = "${g%%:*}" ] || echo "${g#*:}")" || true)
		if [ -z "$want" ] || [ "$want" -eq 0 ]; then
			log "group $g: no such group, or no test in it"
			ok=1
		elif [ "$started" != "$want" ]; then
			log "group $g: the guest started ${started:-no} tests, the group has $want"
			ok=1
		elif [ "$reported" -ne "$started" ]; then
			log "group $g: $started tests started, $reported reported"
			ok=1
		fi
	done
	return "$ok"
}

# poweroff_hang LOG: the guest said KTE-DONE but did not power off. Where
# its shutdown runs code of ours (KTE_POWEROFF_STRICT: a systemd image,
# whose shutdown stops the unit, which unloads the module) that fails;
# a busybox guest has unloaded the module, and checked it gone, before
# KTE-DONE, so there it is reported only.
poweroff_hang() {
	local what
	what="tests done, no power-off within $(cat "$(guest_out "$1").nopoweroff"): QEMU stopped"
	if [ -n "${KTE_POWEROFF_STRICT:-}" ]; then
		log "$what, and this guest's shutdown stops our unit"
		return 1
	fi
	log "$what (not a failure: the module was unloaded before KTE-DONE)"
}

# check_guest_log LOG: 0 if every scenario ran and passed with no splat
# and every group's tests are accounted for; prints the per-test results
# and "N passed, N failed" (skipped tests are neither).
check_guest_log() {
	local serial=$1 passed failed skipped ok=0
	guest_lines "$serial" KTE-RESULT | sed 's/^KTE-RESULT /  /' >&2
	passed=$(guest_lines "$serial" 'KTE-RESULT PASS' | wc -l)
	failed=$(guest_lines "$serial" 'KTE-RESULT FAIL' | wc -l)
	skipped=$(guest_lines "$serial" 'KTE-RESULT SKIP' | wc -l)
	if [ -z "$(guest_lines "$serial" KTE-DONE)" ]; then
		log "guest did not finish (panic, hang or timeout)"
		failed=$((failed + 1))
	elif [ -f "$(guest_out "$serial").nopoweroff" ]; then
		poweroff_hang "$serial" || failed=$((failed + 1))
	fi
	if ! group_accounted "$serial"; then
		failed=$((failed + 1))
	fi
	if grep -aEq "$KTE_SPLAT" "$serial"; then
		log "kernel reported a problem:"
		grep -aE -B4 -A20 "$KTE_SPLAT" "$serial" | head -60 >&2
		failed=$((failed + 1))
	fi
	[ "$failed" -eq 0 ] || ok=1
	if [ "$ok" -ne 0 ]; then
		log "guest output ($(guest_out "$serial")), last 60 lines:"
		tr -d '\r' <"$(guest_out "$serial")" | tail -n 60 >&2
		log "console ($serial), last 40 lines:"
		tail -n 40 "$serial" >&2
	fi
	printf '%s passed, %s failed%s\n' "$passed" "$failed" \
		"$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
	return "$ok"
}

# check_guest DESCRIPTION LOG: check_guest_log, with each guest test
# counted as a check of its own (and a failure of the log itself as one
# more), so that tier totals count every test that ran.
check_guest() {
	local what=$1 out counts passed failed
	out=$(check_guest_log "$2" 2>&1) || true
	counts=$(tail -n 1 <<<"$out")
	read -r passed _ failed _ <<<"${counts//,/}"
	if [ -n "${KTE_CHECK_LOG:-}" ]; then
		printf '== %s\n%s\n' "$what" "$out" >>"$KTE_CHECK_LOG"
	else
		printf '%s\n' "$out" >&2
	fi
	KTE_PASSED=$((KTE_PASSED + passed))
	KTE_FAILED=$((KTE_FAILED + failed))
	if [ "$failed" -eq 0 ]; then
		printf '  PASS %s (%s)\n' "$what" "$counts" >&2
	else
		printf '  FAIL %s (%s)\n' "$what" "$counts" >&2
		[ -z "${KTE_CHECK_LOG:-}" ] || tail -n 60 <<<"$out" | sed 's/^/    /' >&2
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
