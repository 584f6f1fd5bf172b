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
 * Arming and disarming happen under kte_lock, with the timer and the work
 * both idle in between: period and deadline are never written while either
 * can read them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
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

/* Hard or soft interrupt context: kthread_queue_work() takes a raw lock. */
static enum hrtimer_restart kte_timer_fn(struct hrtimer *timer)
{
	struct kte_thread *t = container_of(timer, struct kte_thread, w.timer);

	kthread_queue_work(t->w.worker, &t->w.work);
	hrtimer_forward_now(timer, t->w.period);
	return HRTIMER_RESTART;
}

/*
 * Create the worker of @t, named @name, bound and with its policy; its
 * timer is not armed yet. The worker's task is freezable, as the loop's.
 */
int kte_worker_create(struct kte_thread *t, const char *name)
{
	struct kthread_worker *worker;

	worker = kte_run_worker(KTW_FREEZABLE, "%s", name);
	if (IS_ERR(worker))
		return PTR_ERR(worker);
	t->w.worker = worker;
	/* Ours, for the pid file, however the worker frees its own. */
	get_task_struct(worker->task);
	t->task = worker->task;
	kthread_init_work(&t->w.work, kte_work_fn);
	kte_hrtimer_setup(&t->w.timer, kte_timer_fn, CLOCK_MONOTONIC,
			  HRTIMER_MODE_ABS);
	kte_thread_rebind(t);
	kte_set_policy(worker->task);
	return 0;
}

/* First deadline one period from now, as a loop's after its start. */
void kte_worker_arm(struct kte_thread *t)
{
	t->w.period = ms_to_ktime(kte_param_interval_ms());
	t->w.deadline = ktime_add(ktime_get(), t->w.period);
	hrtimer_start(&t->w.timer, t->w.deadline, HRTIMER_MODE_ABS);
}

/*
 * The timer first: hrtimer_cancel() waits for a running callback, and then
 * nothing queues the work again; then the work, pending or running.
 */
void kte_worker_disarm(struct kte_thread *t)
{
	hrtimer_cancel(&t->w.timer);
	kthread_cancel_work_sync(&t->w.work);
}

/* Stop: the timer, then the worker (which stops and frees its task). */
void kte_worker_destroy(struct kte_thread *t)
{
	kte_worker_disarm(t);
	kthread_destroy_worker(t->w.worker);
	t->w.worker = NULL;
}
