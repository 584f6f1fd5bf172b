// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: the thread loop and its timing.
 *
 * Each thread runs on absolute deadlines (deadline += period), so the
 * cadence does not drift by however long an iteration or a wake-up took.
 * A thread that falls behind by whole periods skips them rather than
 * running them back to back. Sleeps use an hrtimer, and every sleep is cut
 * short by kthread_stop() (which wakes the task) or by a change of
 * interval_ms (which wakes kte_rearm_wq), so neither ever waits out a period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/freezer.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "kthread_example.h"

/*
 * Static, so that an interval_ms write arriving while the module is still
 * loading or already unloading (module parameters outlive init and exit)
 * finds a valid, possibly empty, wait queue.
 */
static DECLARE_WAIT_QUEUE_HEAD(kte_rearm_wq);
static atomic_t kte_rearm_gen = ATOMIC_INIT(0);

/* Called after interval_ms changed: every thread starts a new period now. */
void kte_threads_rearm(void)
{
	atomic_inc(&kte_rearm_gen);
	wake_up_all(&kte_rearm_wq);
}

static ktime_t kte_period(void)
{
	return ms_to_ktime(kte_param_interval_ms());
}

/*
 * Sleep until @deadline unless a stop, a re-arm or the freezer is pending.
 * The task state is set before the conditions are tested, so a wake-up
 * sent after the test ends the sleep instead of being lost.
 */
static void kte_sleep_until(ktime_t deadline, int gen)
{
	DEFINE_WAIT(wait);

	prepare_to_wait(&kte_rearm_wq, &wait, TASK_INTERRUPTIBLE);
	if (!kthread_should_stop() && !freezing(current) &&
	    atomic_read(&kte_rearm_gen) == gen)
		schedule_hrtimeout(&deadline, HRTIMER_MODE_ABS);
	finish_wait(&kte_rearm_wq, &wait);
}

static void kte_account(struct kte_thread *t, u64 late, u64 missed)
{
	struct kte_stats *s = &t->stats;

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->iterations);
	u64_stats_add(&s->missed, missed);
	kte_u64_stats_set(&s->late_last, late);
	u64_stats_add(&s->late_sum, late);
	if (late < u64_stats_read(&s->late_min))
		kte_u64_stats_set(&s->late_min, late);
	if (late > u64_stats_read(&s->late_max))
		kte_u64_stats_set(&s->late_max, late);
	u64_stats_update_end(&s->syncp);
	WRITE_ONCE(t->last_cpu, raw_smp_processor_id());
}

void kte_thread_snapshot(struct kte_thread *t, struct kte_snapshot *snap)
{
	const struct kte_stats *s = &t->stats;
	unsigned int seq;
	u64 sum;

	do {
		seq = u64_stats_fetch_begin(&s->syncp);
		snap->iterations = u64_stats_read(&s->iterations);
		snap->missed = u64_stats_read(&s->missed);
		snap->late_last = u64_stats_read(&s->late_last);
		snap->late_min = u64_stats_read(&s->late_min);
		snap->late_max = u64_stats_read(&s->late_max);
		sum = u64_stats_read(&s->late_sum);
	} while (u64_stats_fetch_retry(&s->syncp, seq));

	if (snap->iterations) {
		snap->late_avg = div64_u64(sum, snap->iterations);
	} else {
		snap->late_min = 0;
		snap->late_avg = 0;
	}
}

/* One period's work: runs at (or just after) each deadline. */
static void kte_iteration(void)
{
	/* Rate-limited: 256 threads at 1 ms must not flood the log. */
	if (kte_param_verbose())
		pr_info_ratelimited("Kernel thread running...\n");
}

static int kte_thread_fn(void *data)
{
	struct kte_thread *t = data;
	ktime_t period, deadline, now;
	u64 late, missed;
	int gen;

	/* start_mode=run cannot kthread_bind(): the thread moves itself. */
	if (t->bind_cpu >= 0 && kte_param_start_run() &&
	    set_cpus_allowed_ptr(current, cpumask_of(t->bind_cpu)))
		pr_warn("thread %u: cannot bind to CPU %d\n",
			t->index, t->bind_cpu);
	WRITE_ONCE(t->last_cpu, raw_smp_processor_id());

	set_freezable();
	gen = atomic_read(&kte_rearm_gen);
	period = kte_period();
	deadline = ktime_add(ktime_get(), period);

	while (!kthread_should_stop()) {
		try_to_freeze();
		kte_sleep_until(deadline, gen);
		if (kthread_should_stop())
			break;

		now = ktime_get();
		if (atomic_read(&kte_rearm_gen) != gen) {
			/* interval_ms changed: a new period starts now. */
			gen = atomic_read(&kte_rearm_gen);
			period = kte_period();
			deadline = ktime_add(now, period);
			continue;
		}
		if (ktime_before(now, deadline))
			continue;	/* early wake-up, e.g. by the freezer */

		late = ktime_to_ns(ktime_sub(now, deadline));
		missed = div64_u64(late, ktime_to_ns(period));
		kte_iteration();
		kte_account(t, late, missed);
		deadline = ktime_add_ns(deadline,
					(missed + 1) * ktime_to_ns(period));
	}

	pr_info("Kernel thread stopping...\n");
	return 0;
}

/* CPU number (index mod online CPUs) among the online CPUs. */
static int kte_pick_cpu(unsigned int index)
{
	unsigned int n = index % num_online_cpus();
	int cpu;

	for_each_online_cpu(cpu)
		if (n-- == 0)
			return cpu;
	return cpumask_first(cpu_online_mask);
}

static struct task_struct *kte_create_task(struct kte_thread *t,
					   unsigned int count)
{
	const char *name = kte_param_thread_name();

	if (kte_param_start_run()) {
		if (count == 1)
			return kthread_run(kte_thread_fn, t, "%s", name);
		return kthread_run(kte_thread_fn, t, "%s/%u", name, t->index);
	}
	if (count == 1)
		return kthread_create(kte_thread_fn, t, "%s", name);
	return kthread_create(kte_thread_fn, t, "%s/%u", name, t->index);
}

/*
 * Create thread @index of @count, publish it under @parent and start it.
 * On failure nothing is left: no task, no sysfs entry, no memory.
 */
struct kte_thread *kte_thread_start(unsigned int index, unsigned int count,
				    struct kobject *parent)
{
	struct task_struct *task;
	struct kte_thread *t;
	int err;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->index = index;
	t->bind_cpu = kte_param_bind_cpus() ? kte_pick_cpu(index) : -1;
	u64_stats_init(&t->stats.syncp);
	kte_u64_stats_set(&t->stats.late_min, U64_MAX);

	task = kte_create_task(t, count);
	if (IS_ERR(task)) {
		err = PTR_ERR(task);
		pr_err("cannot create thread %u: %d\n", index, err);
		goto err_free;
	}
	/* Keep the task_struct valid for kthread_stop() even if it exits. */
	get_task_struct(task);
	t->task = task;

	if (!kte_param_start_run() && t->bind_cpu >= 0)
		kthread_bind(task, t->bind_cpu);

	err = kte_sysfs_add_thread(t, parent);
	if (err) {
		pr_err("cannot add sysfs entry for thread %u: %d\n", index, err);
		goto err_stop;
	}
	if (!kte_param_start_run())
		wake_up_process(task);
	return t;

err_stop:
	/* A never-woken kthread exits without running kte_thread_fn(). */
	kthread_stop(task);
	put_task_struct(task);
err_free:
	kfree(t);
	return ERR_PTR(err);
}

/* Stop the thread; returns once it has exited. @t stays valid. */
void kte_thread_stop(struct kte_thread *t)
{
	kthread_stop(t->task);
}

/* Free a stopped thread: its sysfs directory (waiting out readers) first. */
void kte_thread_destroy(struct kte_thread *t)
{
	kte_sysfs_remove(t->kobj);
	put_task_struct(t->task);
	kfree(t);
}
