// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: start_mode=worker, a kthread_worker per thread.
 *
 * The worker's task is the kernel's kthread_worker_fn(); an hrtimer on
 * absolute deadlines queues one kthread_work per period. The timer moves
 * itself along the grid with hrtimer_forward_now(), which skips the
 * deadlines already past instead of firing for each: no drift, no burst.
 * The work measures its lateness against its own copy of the grid, so a
 * work that runs late (or twice in a row, queued while running) counts the
 * periods it skipped as missed and runs no extra iteration.
 *
 * Parking: kthread_worker_fn() never calls kthread_parkme(), so the worker
 * parks in a work item of ours, queued just before kthread_park(). That
 * gives the worker what the loops have: kthread_park() returns once it
 * sleeps in TASK_PARKED, off every CPU, where a CPU going down cannot move
 * it, and set_cpus_allowed_ptr() binds it without racing a wake-up. Merely
 * stopping the timer is not enough: the worker, woken by the timer's last
 * work, may still be queued on a dying CPU, and the scheduler then pushes
 * it off with a widened mask after our hotplug callback has bound it.
 *
 * While parked, the worker runs our park work: nothing may flush it or
 * cancel that work until it is unparked (kthread_destroy_worker() flushes).
 *
 * Arming, disarming and parking happen under kte_lock (or at unload, when
 * nothing else reaches the thread), with the timer and the work both idle
 * in between: period and deadline are never written while either can read
 * them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "kthread_example.h"

static void kte_work_fn(struct kthread_work *work)
{
	struct kte_thread *t = container_of(work, struct kte_thread, w.work);
	ktime_t now = ktime_get();
	u64 late, missed;

	if (ktime_before(now, t->w.deadline))
		return;		/* this period already ran */
	late = ktime_to_ns(ktime_sub(now, t->w.deadline));
	missed = div64_u64(late, ktime_to_ns(t->w.period));
	kte_iteration(t, late, missed);
	t->w.deadline = ktime_add_ns(t->w.deadline,
				     (missed + 1) * ktime_to_ns(t->w.period));
}

/*
 * The worker parks here. kthread_park() sets its flag after this work may
 * have started, so wait for the flag; a park that failed clears
 * w.parking instead, and kthread_parkme() then returns at once.
 */
static void kte_park_work_fn(struct kthread_work *work)
{
	struct kte_thread *t = container_of(work, struct kte_thread,
					    w.park_work);

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_park() || !READ_ONCE(t->w.parking))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	kte_parkme();
}

/* Hard or soft interrupt context: kthread_queue_work() takes a raw lock. */
static enum hrtimer_restart kte_timer_fn(struct hrtimer *timer)
{
	struct kte_thread *t = container_of(timer, struct kte_thread, w.timer);

	kthread_queue_work(t->w.worker, &t->w.work);
	hrtimer_forward_now(timer, t->w.period);
	return HRTIMER_RESTART;
}

/*
 * On PREEMPT_RT a timer not marked hard expires in the softirq thread
 * (ktimers/N), so a real-time worker would wait for that thread's turn:
 * the kernel gives its own sleepers hard expiry when the task is real-time
 * (__hrtimer_init_sleeper()), and we do the same for a fifo worker (the
 * callback only takes the worker's raw lock). A normal worker stays soft,
 * as the kernel keeps a normal task's wake-up out of the hard interrupt
 * there. Elsewhere the two modes are the same.
 */
static enum hrtimer_mode kte_worker_timer_mode(void)
{
	return kte_param_sched_policy() == KTE_SCHED_NORMAL ?
	       HRTIMER_MODE_ABS : HRTIMER_MODE_ABS_HARD;
}

/*
 * The worker of @t, named @name, bound before its first wake-up, with its
 * policy; freezable, as the loop's thread. Its timer is not armed yet. The
 * flush returns once the worker runs kthread_worker_fn(): from then on a
 * park goes through kte_park_work_fn(), never through the park that
 * kthread() does before calling its thread function (after which our park
 * work would run late, and wait for a park nobody asks for).
 */
static int kte_worker_create(struct kte_thread *t, const char *name)
{
	struct kthread_worker *worker;

	worker = kte_run_worker_on(t->bind_cpu, KTW_FREEZABLE, name);
	if (IS_ERR(worker))
		return PTR_ERR(worker);
	t->w.worker = worker;
	/* Ours, for the pid file, however the worker frees its own. */
	get_task_struct(worker->task);
	t->task = worker->task;
	kthread_init_work(&t->w.work, kte_work_fn);
	kthread_init_work(&t->w.park_work, kte_park_work_fn);
	kte_hrtimer_setup(&t->w.timer, kte_timer_fn, CLOCK_MONOTONIC,
			  kte_worker_timer_mode());
	kte_set_policy(worker->task);
	kthread_flush_worker(worker);
	return 0;
}

/* First deadline one period from now, as a loop's after its start. */
static void kte_worker_arm(struct kte_thread *t)
{
	t->w.period = ms_to_ktime(kte_param_interval_ms());
	t->w.deadline = ktime_add(ktime_get(), t->w.period);
	hrtimer_start(&t->w.timer, t->w.deadline, kte_worker_timer_mode());
}

/*
 * The timer first: hrtimer_cancel() waits for a running callback, and then
 * nothing queues the work again; then the work, pending or running.
 */
static void kte_worker_disarm(struct kte_thread *t)
{
	hrtimer_cancel(&t->w.timer);
	kthread_cancel_work_sync(&t->w.work);
}

static int kte_worker_park(struct kte_thread *t)
{
	int err;

	kte_worker_disarm(t);
	WRITE_ONCE(t->w.parking, true);
	kthread_queue_work(t->w.worker, &t->w.park_work);
	err = kthread_park(t->task);
	WRITE_ONCE(t->w.parking, false);
	if (err)
		wake_up_process(t->task);
	return err;
}

static void kte_worker_unpark(struct kte_thread *t)
{
	kthread_unpark(t->task);
	kte_worker_arm(t);
}

static void kte_worker_rearm(struct kte_thread *t)
{
	kte_worker_disarm(t);
	kte_worker_arm(t);
}

/*
 * Stop: the timer, then the worker, which stops and frees its task. The
 * worker is unparked first (without its timer): kthread_destroy_worker()
 * flushes the worker before it stops it, and a parked worker would never
 * run the flush. Whatever t->parked says: a park that reported failure may
 * have parked it all the same, and kthread_unpark() of a thread not asked
 * to park does nothing.
 */
static void kte_worker_stop(struct kte_thread *t)
{
	pr_info("Kernel thread stopping...\n");
	kthread_unpark(t->task);
	kte_worker_disarm(t);
	kthread_destroy_worker(t->w.worker);
	t->w.worker = NULL;
}

const struct kte_mode_ops kte_worker_ops = {
	.create = kte_worker_create,
	.start = kte_worker_arm,
	.park = kte_worker_park,
	.unpark = kte_worker_unpark,
	.rearm = kte_worker_rearm,
	.stop = kte_worker_stop,
};
