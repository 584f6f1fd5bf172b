# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Guest-side helpers shared by every scenario in scenarios/, for busybox sh
# in the test initramfs and for dash in the systemd images. A scenario group
# is a file defining functions named test_*; run_group runs each one with a
# clean kernel log and reports KTE-RESULT lines that the host (ci/lib.sh)
# counts. The runner's output goes to the second serial port (ttyS1), a
# channel the kernel's messages never share; the kernel log gets a marker
# line at each test's start.

MOD=kthread_example
KO=/kte/$MOD.ko
SYSDIR=/sys/kernel/$MOD
# shellcheck disable=SC2034 # used by the scenarios
PARAMS=/sys/module/$MOD/parameters

# result PASS|FAIL|SKIP NAME [WHY]
result() {
	echo "KTE-RESULT $1 $2${3:+: $3}"
}

# Failing assertions set this; the test ends as failed, and its first
# reason goes into the KTE-RESULT line that the host's summary prints.
fail() {
	echo "    fail: $*"
	[ "${TEST_FAILED:-0}" != 0 ] || TEST_WHY=$*
	TEST_FAILED=1
}

# skip WHY: the test cannot prove anything here (say, binding with one
# CPU); it ends as skipped, never as passed, unless an assertion failed.
skip() {
	echo "    skip: $*"
	TEST_SKIPPED=$*
}

note() { echo "    $*"; }

# The guests have one or two CPUs (QEMU's -smp): CPU 1 is the one that
# can go offline. cpu1 0|1: take it offline or online; fails the test if
# refused.
CPU1=/sys/devices/system/cpu/cpu1/online
cpu1() {
	echo "$1" >"$CPU1" || fail "CPU 1 online=$1 refused"
}

# Turning a trace event on or off patches live code: the event's call
# sites, jump labels and static calls (and, with record-cmd, which
# tracefs_up turns off, the scheduler's own sched_switch and sched_wakeup
# sites). On x86 that is text_poke_bp (smp_text_poke_* in 7.x: an int3
# first, then the new bytes, each step synced on every CPU). Under QEMU's
# TCG a second vCPU has run an int3 that was no longer there ("Oops: int3"
# in ttwu_do_activate, kernel 7.2.13+deb14 with two vCPUs, once): the
# emulator's cross-vCPU code change, not the kernel's or ours. So a test
# whose events' sites run on every CPU (the module's threads, timer
# expiries) and that needs no second CPU turns them on and off with the
# others offline: patch_alone, then cpus_back.
OFFLINED=
patch_alone() {
	OFFLINED=
	[ "$(nproc)" -ge 2 ] && [ -w "$CPU1" ] || return 0
	cpu1 0
	OFFLINED=1
}
cpus_back() {
	[ -z "$OFFLINED" ] || cpu1 1
	OFFLINED=
}

# run_cmdline: run what the kernel command line asks for: kte.script=NAME
# (/kte/NAME.sh: the demo, the benchmark) and the groups in kte.groups=a,b.
run_cmdline() {
	script=$(sed -n 's/.*kte\.script=\([^ ]*\).*/\1/p' /proc/cmdline)
	groups=$(sed -n 's/.*kte\.groups=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
	echo "KTE-BEGIN kernel=$(uname -r) groups=$groups script=$script"
	echo "KTE-UPTIME start $(cut -d' ' -f1 /proc/uptime)"
	if [ -n "$script" ]; then
		# shellcheck source=/dev/null
		. "/kte/$script.sh"
	fi
	# kte.cycles=N: load/unload cycles of the stress tests (default 200);
	# kte.rounds=N: CPU hotplug rounds (default 100).
	CYCLES=$(sed -n 's/.*kte\.cycles=\([0-9]*\).*/\1/p' /proc/cmdline)
	CYCLES=${CYCLES:-200}
	ROUNDS=$(sed -n 's/.*kte\.rounds=\([0-9]*\).*/\1/p' /proc/cmdline)
	ROUNDS=${ROUNDS:-100}
	for group in $groups; do
		run_group "$group"
	done
	echo "KTE-UPTIME end $(cut -d' ' -f1 /proc/uptime) busy $(busy_ticks)"
	echo "KTE-DONE"
}

# run_group NAME[:FILTER]: the tests of /kte/scenarios/NAME.sh (or
# /kte/NAME.sh, for groups a tier adds to the initramfs), or only those
# whose name matches the ERE FILTER. Announces how many it starts, so
# that the host can tell a guest that died mid-group from a finished one.
run_group() {
	_grp=${1%%:*}
	_gfilter=
	[ "$_grp" = "$1" ] || _gfilter=${1#*:}
	_gfile=/kte/scenarios/$_grp.sh
	[ -f "$_gfile" ] || _gfile=/kte/$_grp.sh
	if [ ! -f "$_gfile" ]; then
		result FAIL "$_grp" "no such scenario group"
		return
	fi
	# shellcheck source=/dev/null
	. "$_gfile"
	_gtests=$(sed -n 's/^\(test_[a-z0-9_]*\)().*/\1/p' "$_gfile" | grep -E -- "$_gfilter")
	echo "KTE-GROUP $1 tests=$(echo "$_gtests" | grep -c .)"
	for _gt in $_gtests; do
		TEST_FAILED=0
		TEST_WHY=
		TEST_SKIPPED=
		dmesg -c >/dev/null
		echo "KTE-TEST $_grp/$_gt" >/dev/kmsg
		echo "KTE-TEST $_grp/$_gt at $(cut -d" " -f1 /proc/uptime) s busy $(busy_ticks)"
		$_gt
		# The debug kernel's self-test expects reports.
		[ -n "${KTE_EXPECT_SPLAT:-}" ] || check_splat
		# The systemd images keep the module that the service loaded.
		[ -n "${KTE_KEEP_MODULE:-}" ] || cleanup_module
		if [ "$TEST_FAILED" != 0 ]; then
			result FAIL "$_grp/$_gt" "$(echo "$TEST_WHY" | cut -c1-300)"
		elif [ -n "$TEST_SKIPPED" ]; then
			result SKIP "$_grp/$_gt" "$TEST_SKIPPED"
		else
			result PASS "$_grp/$_gt"
		fi
	done
}

# busy_ticks: clock ticks (USER_HZ, hundredths of a second) every CPU
# spent not idle since boot (/proc/stat), with builtins only: each test's
# line carries it, so that what a test costs the guest reads off its
# output. The guest's own accounting, not what QEMU cost this machine (the
# guest's .cpu file beside its log has that): with the host's cores
# contended it may count less (ticks a waiting vCPU missed) or more (a vCPU
# spinning for its descheduled sibling; on s390x, the wait itself).
busy_ticks() {
	read -r _b _bu _bn _bs _bi _bw _bq _bsq _bst _brest </proc/stat
	echo $((_bu + _bn + _bs + _bq + _bsq + _bst))
}

# Never leave a module behind for the next test.
cleanup_module() {
	if is_loaded; then
		fail "module still loaded at end of test"
		ktool unload "$MOD" >/dev/null
	fi
}

check_splat() {
	if dmesg | grep -Eq 'Oops|BUG:|WARNING:|Call Trace:|circular locking|blocked for more'; then
		fail "kernel reported a problem"
		dmesg | tail -n 40
	fi
}

is_loaded() { grep -q "^$MOD " /proc/modules; }

# load [PARAM...]: load the module and fail the test if that fails.
load() {
	ktool load "$KO" "$@" || fail "load $* failed (errno $?)"
}

# unload: unload, fail the test if that fails; sets UNLOAD_US.
unload() {
	UNLOAD_US=$(ktool unload "$MOD" | sed -n 's/^unload_us=//p')
	[ -n "$UNLOAD_US" ] || fail "unload failed"
}

# count_threads PATTERN: kernel tasks whose comm matches the ERE ^PATTERN$.
count_threads() {
	cat /proc/[0-9]*/comm 2>/dev/null | grep -Ec "^($1)\$"
}

# pid_of NAME: the pid of the task whose comm is exactly NAME.
pid_of() {
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] && echo "${d#/proc/}" && return
	done
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
# (Its counter, like run_group's variables, has a name of its own:
# callers loop with n, i and such.)
wait_for() {
	_wait_tries=$(($1 * 10))
	shift
	while [ "$_wait_tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_wait_tries=$((_wait_tries - 1))
	done
	return 1
}

no_threads() { [ "$(count_threads "$1")" = 0 ]; }

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# is_int VALUE: VALUE is a decimal integer (not empty, not text).
is_int() {
	[ -n "$1" ] && [ "$1" -eq "$1" ] 2>/dev/null
}

# ints WHAT VALUE...: every VALUE is an integer; fails the test otherwise.
ints() {
	_what=$1
	shift
	for _v in "$@"; do
		is_int "$_v" || { fail "$_what: '$_v' is not a number"; return 1; }
	done
}

# assert_range WHAT LOW HIGH VALUE: LOW <= VALUE <= HIGH (integers)
assert_range() {
	ints "$1" "$2" "$3" "$4" || return 0
	if [ "$4" -lt "$2" ] || [ "$4" -gt "$3" ]; then
		fail "$1: $4 is outside $2..$3"
	fi
}

# assert_le WHAT A B: integer A <= B
assert_le() {
	ints "$1" "$2" "$3" || return 0
	[ "$2" -le "$3" ] || fail "$1: expected $2 <= $3"
}

# assert_ge WHAT A B: integer A >= B
assert_ge() {
	ints "$1" "$2" "$3" || return 0
	[ "$2" -ge "$3" ] || fail "$1: expected $2 >= $3"
}

# assert_near WHAT EXPECTED ACTUAL TOLERANCE: |ACTUAL - EXPECTED| <= TOLERANCE
assert_near() {
	ints "$1" "$2" "$3" "$4" || return 0
	_d=$(($3 - $2))
	[ "${_d#-}" -le "$4" ] || fail "$1: expected $2 +/- $4, got $3"
}

# assert_log ERE: the kernel log since the test began has a matching line.
assert_log() {
	dmesg | grep -Eq "$1" || fail "no log line matching '$1'"
}

# log_count ERE: how many kernel log lines match.
log_count() {
	dmesg | grep -Ec "$1"
}

# assert_log_order ERE...: lines matching each ERE appear in this order.
assert_log_order() {
	last=0
	for re in "$@"; do
		line=$(dmesg | grep -nE "$re" | head -n1 | cut -d: -f1)
		if [ -z "$line" ]; then
			fail "no log line matching '$re'"
			return
		fi
		[ "$line" -gt "$last" ] || fail "'$re' logged out of order"
		last=$line
	done
}

# assert_seed_log: a load, at least one iteration and an unload of one
# thread logged the seed's lines in the seed's order (and our stop time).
assert_seed_log() {
	assert_log_order "Loading Kernel Thread Example" \
		"Kernel thread created and running" \
		"Kernel thread running\.\.\.$" \
		"Stopping kernel thread\.\.\.$" \
		"Kernel thread stopping\.\.\.$" \
		"kthread_example: stopped 1 thread\(s\) in [0-9]+ us$" \
		"Module exit complete$"
}

# assert_gone [THREAD_ERE]: no module, no sysfs, no thread left.
assert_gone() {
	is_loaded && fail "module still in /proc/modules"
	[ -e "$SYSDIR" ] && fail "$SYSDIR still exists"
	[ -e "/sys/module/$MOD" ] && fail "/sys/module/$MOD still exists"
	wait_for 3 no_threads "${1:-my_kthread(/[0-9]+)?}" ||
		fail "threads left: $(count_threads "${1:-my_kthread(/[0-9]+)?}")"
}

# tstat THREAD FILE: one sysfs statistic of thread<i>.
tstat() {
	cat "$SYSDIR/thread$1/$2"
}

# now_ns: CLOCK_MONOTONIC in ns, the clock of the module's deadlines.
now_ns() {
	ktool clock | cut -d' ' -f1
}

# periods_since T PERIOD_MS: whole periods from T (now_ns) to now.
periods_since() {
	echo $((($(now_ns) - $1) / ($2 * 1000000)))
}

# lag_pct: how far behind its deadlines (percent of the periods) a thread
# may be when counted: 10, or kte.lag=N from the kernel command line (the
# debug tier's KASAN and lockdep kernel, four guests on two cores, needs
# more).
lag_pct() {
	_lag=$(sed -n 's/.*kte\.lag=\([0-9]*\).*/\1/p' /proc/cmdline)
	echo "${_lag:-10}"
}

# assert_counted WHAT THREAD T0 T1 PERIOD_MS [BASE]: THREAD's periods so
# far (iterations plus missed: every deadline passed, run or skipped; minus
# BASE, the count when its current run began) match the time since that
# run began on PERIOD_MS, which lies between T0 and T1 (now_ns taken around
# the load, an interval_ms write or an unpark). Counts follow measured
# time, never a fixed sleep, so a slow or busy machine does not fail them.
assert_counted() {
	_it=$(tstat "$2" iterations)
	_missed=$(tstat "$2" missed)
	ints "$1" "$_it" "$_missed" || return 0
	# A period may have ended without its wake-up yet (on a busy or
	# debug kernel the thread can wait its turn for several); the reads
	# themselves take time.
	_lo=$(periods_since "$4" "$5")
	assert_range "$1: periods counted (iterations $_it + missed $_missed - ${6:-0})" \
		"$((_lo - 2 - _lo * $(lag_pct) / 100))" "$(periods_since "$3" "$5")" \
		"$((_it + _missed - ${6:-0}))"
}

# periods THREAD: iterations plus missed of thread<THREAD>.
periods() {
	echo $(($(tstat "$1" iterations) + $(tstat "$1" missed)))
}

has_iterated() { [ "$(tstat "$1" iterations)" -gt 0 ]; }
# has_iterated_beyond I N: thread I has run more than N iterations.
has_iterated_beyond() { [ "$(tstat "$1" iterations)" -gt "$2" ]; }

# task_state PID: the state letter in /proc/PID/status (R, S, P, ...).
task_state() {
	sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status"
}

# allowed_cpus PID: the CPUs PID may run on, as a list (0-1, 1, ...).
allowed_cpus() {
	sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status"
}

# cpu_ticks PID: the user plus system time PID has used, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# states N: the state letters of thread0..N-1, space-separated.
states() {
	_st=
	_si=0
	while [ "$_si" -lt "$1" ]; do
		_st="$_st${_st:+ }$(task_state "$(tstat "$_si" pid)")"
		_si=$((_si + 1))
	done
	echo "$_st"
}

# in_state N LETTER: how many of thread0..N-1 are in state LETTER.
in_state() {
	states "$1" | tr ' ' '\n' | grep -cx "$2"
}

# all_in_state N LETTER / none_in_state N LETTER (each of the N threads
# must have a state: a missing one is neither).
all_in_state() {
	[ "$(in_state "$1" "$2")" = "$1" ]
}
none_in_state() {
	[ "$(states "$1" | tr ' ' '\n' | grep -c .)" = "$1" ] &&
		[ "$(in_state "$1" "$2")" = 0 ]
}

# bad_write FILE VALUE: a run-time write of a bad value to parameter FILE
# is refused and leaves the old value.
bad_write() {
	old=$(cat "$PARAMS/$1")
	# As echo does: the newline makes "" a real one-byte write.
	if printf '%s\n' "$2" 2>/dev/null >"$PARAMS/$1"; then
		fail "$1 accepted '$2'"
	fi
	assert_eq "$1 after bad write '$2'" "$old" "$(cat "$PARAMS/$1")"
}

# sample THREAD: S_T0 S_T1 (CLOCK_MONOTONIC ns around the reads), S_IT and
# S_MISSED of thread<THREAD>.
sample() {
	# shellcheck disable=SC2046 # four words
	set -- $(ktool clock "$SYSDIR/thread$1/iterations" "$SYSDIR/thread$1/missed")
	S_T0=$1 S_T1=$2 S_IT=$3 S_MISSED=$4
}

# assert_cadence WHAT PERIOD_MS SECONDS: over SECONDS, iterations plus the
# periods skipped (missed) of thread 0 equal the elapsed time on the
# deadlines' clock divided by the period, within 1 % plus one (plus the
# time the reads themselves took, in periods). A loop on absolute
# deadlines passes whatever its wake-up lateness; one that sleeps a period
# from each wake-up falls behind by its lateness every iteration.
assert_cadence() {
	period=$(($2 * 1000000))
	sample 0
	t0=$(((S_T0 + S_T1) / 2)) w0=$((S_T1 - S_T0)) n0=$((S_IT + S_MISSED))
	sleep "$3"
	sample 0
	t1=$(((S_T0 + S_T1) / 2)) w1=$((S_T1 - S_T0)) n1=$((S_IT + S_MISSED))
	want=$(((t1 - t0) / period))
	slack=$((want / 100 + 1 + (w0 + w1 + period - 1) / period))
	note "$1: $((n1 - n0)) periods counted in $(((t1 - t0) / 1000000)) ms at $2 ms (want $want +/- $slack)"
	assert_near "$1: periods in $3 s" "$want" "$((n1 - n0))" "$slack"
}

# The module's tracepoint, and tracefs mounted where it is not yet.
TRACEFS=/sys/kernel/tracing
# shellcheck disable=SC2034 # used by the trace group and the benchmark
EVENT=$TRACEFS/events/kthread_example/kte_iteration
# Without record-cmd: with it, turning any event on or off also hooks or
# unhooks the comm cache on the scheduler's sched_switch and sched_wakeup
# tracepoints, which patches code every CPU runs all the time. Under
# QEMU's TCG a second vCPU has hung or oopsed at such a site as it was
# patched (6.1.0-57-amd64: CPU 1 spinning at __schedule's sched_switch
# site while CPU 0's text_poke_bp waited for it, as the freezer tests
# turned power:suspend_resume off; 7.2.13: "Oops: int3" in
# ttwu_do_activate). The trace shows "<...>" for the task names instead.
tracefs_up() {
	[ -d "$TRACEFS/events" ] || mount -t tracefs nodev "$TRACEFS" ||
		fail "cannot mount tracefs"
	echo 0 >"$TRACEFS/options/record-cmd" || fail "cannot turn record-cmd off"
}

# in-kernel stop time in us from the "stopped N thread(s) in X us" line.
stop_us() {
	dmesg | sed -n 's/.*kthread_example: stopped [0-9]* thread(s) in \([0-9]*\) us$/\1/p' | tail -n1
}

# assert_fast_stop WHAT: the last unload did not wait out the period. The
# in-kernel stop (kthread_stop() of every thread) must take well under a
# second; the whole unload well under the period too, with room for a debug
# kernel, whose DEBUG_KOBJECT_RELEASE delays the module's own kobjects by
# seconds on purpose.
assert_fast_stop() {
	note "$1: unload ${UNLOAD_US} us, in-kernel stop $(stop_us) us"
	assert_le "in-kernel stop us, $1" "$(stop_us)" 1000000
	assert_le "unload us, $1" "$UNLOAD_US" 20000000
}

# check_binding [WHAT]: with bind_cpus and threads=4, thread i is on online
# CPU i mod N, and allowed there alone.
check_binding() {
	ncpu=$(nproc)
	i=0
	while [ $i -lt 4 ]; do
		want=$((i % ncpu))
		pid=$(tstat $i pid)
		assert_eq "${1:+$1: }thread$i allowed CPUs" "$want" "$(allowed_cpus "$pid")"
		assert_eq "${1:+$1: }thread$i last CPU" "$want" "$(tstat $i cpu)"
		i=$((i + 1))
	done
}

# The kernel's pm_test hold (suspend_test(): mdelay(pm_test_delay s), a
# busy wait that keeps the waiting vCPU, and so one of this machine's
# cores, busy throughout) is 5 s by default. The tests ask for no more
# than they need: 3 s where they count a thread's periods across it (six
# at 500 ms: a thread that did not freeze would run them, more than the
# two catch-up iterations allowed), less where only what the suspend
# leaves counts.

# test_delay S CPU: the pm_test delay (s) that makes the kernel's busy
# wait, on CPU, last about S seconds (mdelay() counts loops of CPU's own
# loops_per_jiffy: /proc/cpuinfo's bogomips on x86): S scaled by CPU 0's
# bogomips over CPU's, from 1 to 60 times S; S elsewhere (the other
# architectures' delays follow a timer, or one value for every CPU).
# CPU 0's loop is set from the measured TSC frequency; a second CPU
# calibrates its own against the jiffies as it comes up, and under
# emulation with other guests beside it has come out 50 times short (102
# bogomips against 5192: a 5 s wait of 140 to 420 ms) and 3 times long
# (16394 against 5189: 22 s, then a soft lockup).
test_delay() {
	case $(uname -m) in x86_64 | i?86) ;; *) echo "$1" && return ;; esac
	awk -v s="$1" -v cpu="$2" -F': *' '
	$1 ~ /^processor/ { p = $2 }
	tolower($1) ~ /^bogomips/ { b[p] = $2 + 0 }
	END {
		d = (b[0] > 0 && b[cpu] > 0) ? int(s * b[0] / b[cpu] + 0.5) : s
		print (d < 1 ? 1 : d > 60 * s ? 60 * s : d)
	}' /proc/cpuinfo
}

# pm_hold S CPU: the kernel's next pm_test hold, on CPU, about S seconds
# (test_delay); the value it had is kept in PM_WAS for pm_hold_back. On
# CPU 0 (its own reference) only shell builtins run: a caller may have a
# timer's period to stay within.
PM_TEST_DELAY=/sys/module/suspend/parameters/pm_test_delay
pm_hold() {
	PM_WAS=
	[ -w "$PM_TEST_DELAY" ] || return 0
	delay=$1
	[ "$2" = 0 ] || delay=$(test_delay "$1" "$2")
	case $delay in '' | *[!0-9]*) delay=$1 ;; esac
	read -r PM_WAS <"$PM_TEST_DELAY" || PM_WAS=5
	[ "$delay" = "$1" ] ||
		note "CPU $2's delay loop is not CPU 0's: pm_test_delay $delay for about $1 s"
	echo "$delay" >"$PM_TEST_DELAY"
}
pm_hold_back() {
	[ -z "$PM_WAS" ] || echo "$PM_WAS" >"$PM_TEST_DELAY"
}

# suspend_to_freezer [S]: one pm_test suspend that holds every task frozen
# for about S seconds (3 if not given); fails if the kernel refused it.
# On two or more CPUs the writer runs on the last one, so that during the
# kernel's busy wait a thread bound to another CPU would run if it had not
# frozen (on one CPU, only a preemptible kernel could show that).
suspend_to_freezer() {
	echo freezer >/sys/power/pm_test || return 1
	cpu=$(($(nproc) - 1))
	pm_hold "${1:-3}" "$cpu"
	taskset -c "$cpu" sh -c 'echo freeze >/sys/power/state'
	rc=$?
	pm_hold_back
	echo none >/sys/power/pm_test
	return "$rc"
}

# kmemleak_clear / kmemleak_check: forget what the kernel allocated so far;
# later, scan twice (objects must be 5 s old) and fail on any suspect.
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_clear() {
	echo clear >"$KMEMLEAK" || fail "kmemleak is not available"
}
kmemleak_check() {
	sleep 6
	echo scan >"$KMEMLEAK"
	sleep 6
	echo scan >"$KMEMLEAK"
	leaks=$(grep -c '^unreferenced object' "$KMEMLEAK")
	echo "KTE-REPORT kmemleak_suspects=$leaks"
	if [ "$leaks" != 0 ]; then
		fail "kmemleak suspects $leaks leak(s)"
		head -n 40 "$KMEMLEAK"
	fi
}

# --- Secure Boot (the package image booted through shim) ----------------------
# kte.cert=PATH on the command line: the certificate dkms signs with.
sb_cert() { sed -n 's/.*kte\.cert=\([^ ]*\).*/\1/p' /proc/cmdline; }

# assert_secure_boot: the firmware booted with Secure Boot enforcing and the
# kernel locked itself down; reports the evidence (from the boot's kernel
# log, which the tests' `dmesg -c` leaves alone).
assert_secure_boot() {
	journalctl -k -b -o cat | grep -E 'Secure boot enabled|locked down from EFI' |
		sed 's/^/KTE-REPORT /'
	journalctl -k -b -o cat | grep -q 'secureboot: Secure boot enabled' ||
		fail "the kernel did not see Secure Boot enabled"
	grep -q '\[integrity\]' /sys/kernel/security/lockdown ||
		fail "lockdown is not integrity: $(cat /sys/kernel/security/lockdown)"
	mokutil --sb-state | grep -q 'SecureBoot enabled' ||
		fail "mokutil --sb-state: $(mokutil --sb-state 2>&1)"
}

# cert_field OPENSSL-ARGS...: a field of the dkms certificate.
cert_field() { openssl x509 -inform DER -in "$(sb_cert)" -noout "$@"; }

# assert_signed_by_dkms_key: the loaded module's signature names the dkms
# certificate (signer = its CN, key = its serial number), and the .machine
# keyring, the MOKs the kernel trusts for modules, holds that certificate.
assert_signed_by_dkms_key() {
	signer=$(modinfo -F signer "$MOD")
	key=$(modinfo -F sig_key "$MOD" | tr -d ':' | tr 'a-f' 'A-F' | sed 's/^0*//')
	cn=$(cert_field -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')
	serial=$(cert_field -serial | sed 's/^serial=//; s/^0*//')
	echo "KTE-REPORT module $(modinfo -n "$MOD"): signer '$signer', key $key"
	assert_eq "module signer is the dkms certificate's CN" "$cn" "$signer"
	assert_eq "module key is the dkms certificate's serial" "$serial" "$key"
	machine=$(keyctl list %:.machine 2>&1)
	echo "$machine" | sed 's/^/KTE-REPORT .machine: /'
	echo "$machine" | grep -qF "asymmetric: $cn:" ||
		fail "no key '$cn' in the .machine keyring"
}

# unsigned_copy KO OUT: KO (possibly compressed) with its appended signature
# cut off: [module][signature][12-byte struct module_signature, whose last
# 4 bytes are the signature's length, big-endian][28-byte magic].
unsigned_copy() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -dc "$1" ;;
	*) cat "$1" ;;
	esac >/tmp/signed.ko
	[ "$(tail -c 28 /tmp/signed.ko)" = "~Module signature appended~" ] ||
		fail "$1 carries no signature"
	siglen=$(tail -c 32 /tmp/signed.ko | head -c 4 | od -An -tu1 |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	head -c $(($(stat -c %s /tmp/signed.ko) - 40 - siglen)) /tmp/signed.ko >"$2"
}
