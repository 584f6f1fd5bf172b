// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: the thread loop and its timing (start_mode=create and
 * run), and what every mode shares: an iteration's accounting, start, park,
 * stop.
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

#define CREATE_TRACE_POINTS
#include "kte_trace.h"

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

/* interval_ms changed: every looping thread starts a new period now. */
void kte_loops_rearm(void)
{
	atomic_inc(&kte_rearm_gen);
	wake_up_all(&kte_rearm_wq);
}

/*
 * Tell every loop to stop and wake those asleep; kthread_stop() then only
 * waits. A sleeper queued itself on kte_rearm_wq before it read the flag,
 * and wake_up_all() takes the queue's lock after the flag is set: either
 * it sees the flag or it is woken. Parked threads stay parked until their
 * kthread_stop(), which unparks them.
 */
void kte_loops_stop(void)
{
	WRITE_ONCE(kte_stopping, true);
	wake_up_all(&kte_rearm_wq);
}

static bool kte_should_stop(void)
{
	return kthread_should_stop() || READ_ONCE(kte_stopping);
}

static ktime_t kte_period(void)
{
	return ms_to_ktime(kte_param_interval_ms());
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

static void kte_account(struct kte_thread *t, u64 late, u64 missed)
{
	struct kte_stats *s = &t->stats;
	u64 n;

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->iterations);
	u64_stats_add(&s->missed, missed);
	kte_u64_stats_set(&s->late_last, late);
	u64_stats_add(&s->late_sum, late);
	if (late < u64_stats_read(&s->late_min))
		kte_u64_stats_set(&s->late_min, late);
	if (late > u64_stats_read(&s->late_max))
		kte_u64_stats_set(&s->late_max, late);
	n = u64_stats_read(&s->iterations);
	u64_stats_update_end(&s->syncp);
	WRITE_ONCE(t->last_cpu, raw_smp_processor_id());
	trace_kte_iteration(t->index, n, late, missed, t->last_cpu);
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

/* One period's work, @late ns after its deadline, @missed periods skipped. */
void kte_iteration(struct kte_thread *t, u64 late, u64 missed)
{
	/* Rate-limited: 256 threads at 1 ms must not flood the log. */
	if (kte_param_verbose())
		pr_info_ratelimited("Kernel thread running...\n");
	kte_account(t, late, missed);
}

/*
 * Park until kthread_unpark() or kthread_stop(). A parked task sleeps in
 * TASK_PARKED, a state the freezer cannot freeze: were we still freezable,
 * every suspend would fail waiting for us. So we leave the freezer's count
 * while parked (as a task that never called set_freezable() is left out).
 */
static void kte_parkme(void)
{
	current->flags |= PF_NOFREEZE;
	kthread_parkme();
	set_freezable();
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

	/* start_mode=run cannot kthread_bind(): the thread moves itself. */
	if (t->bind_cpu >= 0 && kte_param_start_mode() == KTE_START_RUN &&
	    set_cpus_allowed_ptr(current, cpumask_of(t->bind_cpu)))
		pr_warn("thread %u: cannot bind to CPU %d\n",
			t->index, t->bind_cpu);
	WRITE_ONCE(t->last_cpu, raw_smp_processor_id());
	kte_wait_for_park(t);

	set_freezable();
	gen = atomic_read(&kte_rearm_gen);
	period = kte_period();
	deadline = ktime_add(ktime_get(), period);

	while (!kte_should_stop()) {
		if (kthread_should_park()) {
			/* Parked time is neither run nor missed: start anew. */
			kte_parkme();
			gen = atomic_read(&kte_rearm_gen);
			period = kte_period();
			deadline = ktime_add(ktime_get(), period);
			continue;
		}
		try_to_freeze();
		kte_sleep_until(deadline, gen);
		if (kte_should_stop() || kthread_should_park())
			continue;

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
		kte_iteration(t, late, missed);
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

/* sched_policy: the kernel's helpers pick the priority (fifo: 50, low: 1). */
void kte_set_policy(struct task_struct *task)
{
	switch (kte_param_sched_policy()) {
	case KTE_SCHED_FIFO:
		sched_set_fifo(task);
		break;
	case KTE_SCHED_FIFO_LOW:
		sched_set_fifo_low(task);
		break;
	case KTE_SCHED_NORMAL:
		break;
	}
}

static struct task_struct *kte_create_task(struct kte_thread *t,
					   const char *name)
{
	if (kte_param_start_mode() == KTE_START_RUN)
		return kthread_run(kte_thread_fn, t, "%s", name);
	return kthread_create(kte_thread_fn, t, "%s", name);
}

/* Create the task of a loop mode, bound, with its policy, not yet woken. */
static int kte_loop_create(struct kte_thread *t, const char *name)
{
	struct task_struct *task = kte_create_task(t, name);

	if (IS_ERR(task))
		return PTR_ERR(task);
	/* Keep the task_struct valid for kthread_stop() even if it exits. */
	get_task_struct(task);
	t->task = task;
	if (kte_param_start_mode() != KTE_START_RUN && t->bind_cpu >= 0)
		kthread_bind(task, t->bind_cpu);
	kte_set_policy(task);
	return 0;
}

/*
 * Park or unpark (start_mode=worker: disarm or arm) @t; a no-op when it is
 * already so. A kthread_worker cannot be parked: kthread_worker_fn() never
 * calls kthread_parkme(), so kthread_park() would wait for it forever;
 * without its timer a worker sleeps and runs nothing, which is what paused
 * promises. Caller holds kte_lock.
 */
void kte_thread_set_parked(struct kte_thread *t, bool parked)
{
	if (t->parked == parked)
		return;
	WRITE_ONCE(t->parked, parked);
	if (t->w.worker) {
		if (parked)
			kte_worker_disarm(t);
		else
			kte_worker_arm(t);
	} else if (parked) {
		kthread_park(t->task);
	} else {
		kthread_unpark(t->task);
	}
}

/* interval_ms changed: restart a running worker's timer (loops re-arm alone). */
void kte_thread_rearm(struct kte_thread *t)
{
	if (t->w.worker && !t->parked) {
		kte_worker_disarm(t);
		kte_worker_arm(t);
	}
}

/* Put a bound thread back on its CPU (hotplug broke or may break it). */
void kte_thread_rebind(struct kte_thread *t)
{
	if (t->bind_cpu >= 0)
		set_cpus_allowed_ptr(t->task, cpumask_of(t->bind_cpu));
}

/*
 * Create thread @index of @count (parked if @parked), publish it under
 * @parent and start it. On failure nothing is left: no task, no sysfs
 * entry, no memory.
 */
struct kte_thread *kte_thread_start(unsigned int index, unsigned int count,
				    struct kobject *parent, bool parked)
{
	char name[TASK_COMM_LEN];
	struct kte_thread *t;
	int err;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->index = index;
	t->bind_cpu = kte_param_bind_cpus() ? kte_pick_cpu(index) : -1;
	t->parked = parked;
	u64_stats_init(&t->stats.syncp);
	kte_u64_stats_set(&t->stats.late_min, U64_MAX);
	if (count == 1)
		snprintf(name, sizeof(name), "%s", kte_param_thread_name());
	else
		snprintf(name, sizeof(name), "%s/%u", kte_param_thread_name(),
			 index);

	if (kte_param_start_mode() == KTE_START_WORKER)
		err = kte_worker_create(t, name);
	else
		err = kte_loop_create(t, name);
	if (err) {
		pr_err("cannot create thread %u: %d\n", index, err);
		goto err_free;
	}

	err = kte_sysfs_add_thread(t, parent);
	if (err) {
		pr_err("cannot add sysfs entry for thread %u: %d\n", index, err);
		goto err_stop;
	}

	if (t->w.worker) {
		if (!parked)
			kte_worker_arm(t);
	} else if (parked) {
		/* Wakes it into TASK_PARKED, before kte_thread_fn() runs. */
		kthread_park(t->task);
	} else if (kte_param_start_mode() != KTE_START_RUN) {
		wake_up_process(t->task);
	}
	return t;

err_stop:
	if (t->w.worker) {
		kte_worker_destroy(t);
	} else {
		/* A never-woken kthread exits without running kte_thread_fn(). */
		kthread_stop(t->task);
	}
	put_task_struct(t->task);
err_free:
	kfree(t);
	return ERR_PTR(err);
}

/* Stop the thread; returns once it has exited. @t stays valid. */
void kte_thread_stop(struct kte_thread *t)
{
	if (t->w.worker) {
		pr_info("Kernel thread stopping...\n");
		kte_worker_destroy(t);
	} else {
		kthread_stop(t->task);
	}
}

/* Free a stopped thread: its sysfs directory (waiting out readers) first. */
void kte_thread_destroy(struct kte_thread *t)
{
	kte_sysfs_remove(t->kobj);
	put_task_struct(t->task);
	kfree(t);
}
