// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: start_mode=create and run, a kthread running our loop.
 *
 * Each thread runs on absolute deadlines (deadline += period), so the
 * cadence does not drift by however long an iteration or a wake-up took.
 * A thread that falls behind by whole periods skips them rather than
 * running them back to back. Sleeps use an hrtimer, and every sleep is cut
 * short by kthread_stop() or kthread_park() (which wake the task) or by a
 * change of interval_ms (which wakes kte_rearm_wq), so none of them ever
 * waits out a period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/freezer.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/wait.h>

#include "kthread_example.h"

/*
 * Static, so that an interval_ms write arriving while the module is still
 * loading or already unloading (module parameters outlive init and exit)
 * finds a valid, possibly empty, wait queue.
 */
static DECLARE_WAIT_QUEUE_HEAD(kte_rearm_wq);
static atomic_t kte_rearm_gen = ATOMIC_INIT(0);

/*
 * Set once, before the first kthread_stop() of an unload (or of init's
 * unwinding): every loop leaves at its next check, so the threads exit
 * side by side instead of one kthread_stop() round trip after another.
 */
static bool kte_stopping;

/*
 * interval_ms changed: every looping thread starts a new period now. The
 * release orders the new interval_ms (stored by the caller) before the new
 * generation, and kte_new_period()'s acquire pairs with it: a thread that
 * sees the new generation reads the new period, also on arm64, ppc64el or
 * riscv64, where plain accesses may be seen out of order.
 */
static void kte_loops_rearm(void)
{
	atomic_inc_return_release(&kte_rearm_gen);
	wake_up_all(&kte_rearm_wq);
}

/*
 * Tell every loop to stop and wake those asleep; kthread_stop() then only
 * waits. A sleeper queued itself on kte_rearm_wq before it read the flag,
 * and wake_up_all() takes the queue's lock after the flag is set: either
 * it sees the flag or it is woken. Parked threads stay parked until their
 * kthread_stop(), which unparks them.
 */
static void kte_loops_stop(void)
{
	WRITE_ONCE(kte_stopping, true);
	wake_up_all(&kte_rearm_wq);
}

static bool kte_should_stop(void)
{
	return kthread_should_stop() || READ_ONCE(kte_stopping);
}

/* A new period from @now: the generation first, then the period it names. */
static void kte_new_period(ktime_t now, int *gen, ktime_t *period,
			   ktime_t *deadline)
{
	*gen = atomic_read_acquire(&kte_rearm_gen);
	*period = ms_to_ktime(kte_param_interval_ms());
	*deadline = ktime_add(now, *period);
}

/*
 * Sleep until @deadline unless a stop, a park, a re-arm or the freezer is
 * pending. The task state is set before the conditions are tested, so a
 * wake-up sent after the test ends the sleep instead of being lost.
 */
static void kte_sleep_until(ktime_t deadline, int gen)
{
	DEFINE_WAIT(wait);

	prepare_to_wait(&kte_rearm_wq, &wait, TASK_INTERRUPTIBLE);
	if (!kte_should_stop() && !kthread_should_park() &&
	    !freezing(current) && atomic_read(&kte_rearm_gen) == gen)
		schedule_hrtimeout(&deadline, HRTIMER_MODE_ABS);
	finish_wait(&kte_rearm_wq, &wait);
}

/*
 * Loaded with paused=Y in start_mode=run: kthread_run() woke us before our
 * starter could park us. Wait for its kthread_park() (or a stop) without
 * running an iteration.
 */
static void kte_wait_for_park(struct kte_thread *t)
{
	while (READ_ONCE(t->parked)) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_park() || kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int kte_thread_fn(void *data)
{
	struct kte_thread *t = data;
	ktime_t period, deadline, now;
	u64 late, missed;
	int gen;

	WRITE_ONCE(t->last_cpu, raw_smp_processor_id());
	kte_wait_for_park(t);

	set_freezable();
	kte_new_period(ktime_get(), &gen, &period, &deadline);

	while (!kte_should_stop()) {
		if (kthread_should_park()) {
			/* Parked time is neither run nor missed: start anew. */
			kte_parkme();
			kte_new_period(ktime_get(), &gen, &period, &deadline);
			continue;
		}
		try_to_freeze();
		kte_sleep_until(deadline, gen);
		if (kte_should_stop() || kthread_should_park())
			continue;

		now = ktime_get();
		if (atomic_read(&kte_rearm_gen) != gen) {
			/* interval_ms changed: a new period starts now. */
			kte_new_period(now, &gen, &period, &deadline);
			continue;
		}
		if (ktime_before(now, deadline))
			continue;	/* early wake-up, e.g. by the freezer */

		late = ktime_to_ns(ktime_sub(now, deadline));
		missed = div64_u64(late, ktime_to_ns(period));
		kte_iteration(t, late, missed);
		deadline = ktime_add_ns(deadline,
					(missed + 1) * ktime_to_ns(period));
	}

	pr_info("Kernel thread stopping...\n");
	return 0;
}

/* The task, bound and with its policy, asleep until kte_loop_start(). */
static int kte_create_create(struct kte_thread *t, const char *name)
{
	struct task_struct *task;

	task = kthread_create(kte_thread_fn, t, "%s", name);
	if (IS_ERR(task))
		return PTR_ERR(task);
	/* Keep the task_struct valid for kthread_stop() even if it exits. */
	get_task_struct(task);
	t->task = task;
	if (t->bind_cpu >= 0)
		kthread_bind(task, t->bind_cpu);
	kte_set_policy(task);
	return 0;
}

/*
 * kthread_run(), or kthread_run_on_cpu() when bound: running at once, bound
 * before its first wake-up. (Loaded paused, kthread_park() may catch it in
 * kthread() before kte_thread_fn() runs, or kte_wait_for_park() holds it.)
 * The name is ours, validated: no printf conversion in it.
 */
static int kte_run_create(struct kte_thread *t, const char *name)
{
	struct task_struct *task;

	if (t->bind_cpu >= 0)
		task = kte_run_on_cpu(kte_thread_fn, t, t->bind_cpu, name);
	else
		task = kthread_run(kte_thread_fn, t, "%s", name);
	if (IS_ERR(task))
		return PTR_ERR(task);
	get_task_struct(task);
	t->task = task;
	kte_set_policy(task);
	return 0;
}

/*
 * Or kthread_park() instead, which wakes a never-started thread straight
 * into TASK_PARKED, before kte_thread_fn() runs.
 */
static void kte_create_start(struct kte_thread *t)
{
	wake_up_process(t->task);
}

/* Returns once the thread sleeps in TASK_PARKED, off every CPU. */
static int kte_loop_park(struct kte_thread *t)
{
	return kthread_park(t->task);
}

static void kte_loop_unpark(struct kte_thread *t)
{
	kthread_unpark(t->task);
}

/* kte_loops_stop() has told the loop already; this waits for its exit. */
static void kte_loop_stop(struct kte_thread *t)
{
	kthread_stop(t->task);
}

const struct kte_mode_ops kte_create_ops = {
	.create = kte_create_create,
	.start = kte_create_start,
	.park = kte_loop_park,
	.unpark = kte_loop_unpark,
	.stop = kte_loop_stop,
	.rearm_all = kte_loops_rearm,
	.stop_all = kte_loops_stop,
};

/* Started by create() already: nothing more to start. */
static void kte_run_start(struct kte_thread *t)
{
}

const struct kte_mode_ops kte_run_ops = {
	.create = kte_run_create,
	.start = kte_run_start,
	.park = kte_loop_park,
	.unpark = kte_loop_unpark,
	.stop = kte_loop_stop,
	.rearm_all = kte_loops_rearm,
	.stop_all = kte_loops_stop,
};
