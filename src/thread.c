// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: what every start mode shares (an iteration's accounting,
 * the statistics, parking, binding, the policy) and the dispatch to the
 * mode's struct kte_mode_ops: create, start, park, unpark, re-arm, stop.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "kthread_example.h"

#define CREATE_TRACE_POINTS
#include "kte_trace.h"

/*
 * The thread is the only writer. The _irqsave variant costs nothing on
 * 64-bit (no seqcount there); on 32-bit it keeps the writer from being
 * preempted inside the seqcount's write section, which u64_stats requires:
 * a reader preempting it on the same CPU would spin on the odd sequence,
 * for ever if the reader is a real-time task. Sums are set, not added:
 * u64_stats_add() takes an unsigned long, which on 32-bit would cut a
 * lateness of 4.3 s or more (a thread starved or frozen that long).
 */
static void kte_account(struct kte_thread *t, u64 late, u64 missed)
{
	struct kte_stats *s = &t->stats;
	unsigned long flags;
	u64 n;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->iterations);
	kte_u64_stats_set(&s->missed, u64_stats_read(&s->missed) + missed);
	kte_u64_stats_set(&s->late_last, late);
	kte_u64_stats_set(&s->late_sum, u64_stats_read(&s->late_sum) + late);
	if (late < u64_stats_read(&s->late_min))
		kte_u64_stats_set(&s->late_min, late);
	if (late > u64_stats_read(&s->late_max))
		kte_u64_stats_set(&s->late_max, late);
	n = u64_stats_read(&s->iterations);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
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

	/*
	 * On 64-bit, u64_stats reads each counter whole but the set of them
	 * is not a snapshot: a read racing the writer may see the new count
	 * before the first minimum (or the average off by that one sample).
	 */
	if (snap->late_min == U64_MAX)
		snap->late_min = 0;
	snap->late_avg = snap->iterations ? div64_u64(sum, snap->iterations) : 0;
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
 * while parked (as a task that never called set_freezable() is left out),
 * and join it again before running anything.
 */
void kte_parkme(void)
{
	current->flags |= PF_NOFREEZE;
	kthread_parkme();
	set_freezable();
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

/* The ops of start_mode, which cannot change while the module is loaded. */
const struct kte_mode_ops *kte_mode_ops(void)
{
	static const struct kte_mode_ops *const ops[] = {
		[KTE_START_CREATE] = &kte_create_ops,
		[KTE_START_RUN] = &kte_run_ops,
		[KTE_START_WORKER] = &kte_worker_ops,
	};

	return ops[kte_param_start_mode()];
}

/*
 * Park or unpark @t; a no-op when it is already so. A failed park (the
 * kernel refuses only a thread that is exiting or already asked to park:
 * neither should ever be ours) is reported once per load, not per thread
 * or per write. Caller holds kte_lock.
 */
void kte_thread_set_parked(struct kte_thread *t, bool parked)
{
	int err;

	if (t->parked == parked)
		return;
	WRITE_ONCE(t->parked, parked);
	if (!parked) {
		t->ops->unpark(t);
		return;
	}
	err = t->ops->park(t);
	if (err)
		pr_warn_once("thread %u: kthread_park() failed: %d\n",
			     t->index, err);
}

/* interval_ms changed: a running thread starts a new period now. */
void kte_thread_rearm(struct kte_thread *t)
{
	if (t->ops->rearm && !t->parked)
		t->ops->rearm(t);
}

/*
 * Put a bound thread on its CPU (again, when hotplug broke or may break
 * it); a no-op when not bound. The kernel refuses only a CPU that is not
 * online: our callers run while it is, so a failure means the binding is
 * lost; said once per load.
 */
void kte_thread_rebind(struct kte_thread *t)
{
	int err;

	if (t->bind_cpu < 0)
		return;
	err = set_cpus_allowed_ptr(t->task, cpumask_of(t->bind_cpu));
	if (err)
		pr_warn_once("thread %u: cannot bind to CPU %d: %d\n",
			     t->index, t->bind_cpu, err);
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
	t->ops = kte_mode_ops();
	t->index = index;
	t->bind_cpu = kte_param_bind_cpus() ? kte_pick_cpu(index) : -1;
	u64_stats_init(&t->stats.syncp);
	kte_u64_stats_set(&t->stats.late_min, U64_MAX);
	if (count == 1)
		snprintf(name, sizeof(name), "%s", kte_param_thread_name());
	else
		snprintf(name, sizeof(name), "%s/%u", kte_param_thread_name(),
			 index);

	/* Before create(): a mode may run the thread at once (run mode). */
	t->parked = parked;
	err = t->ops->create(t, name);
	if (err) {
		pr_err("cannot create thread %u: %d\n", index, err);
		goto err_free;
	}

	err = kte_sysfs_add_thread(t, parent);
	if (err) {
		pr_err("cannot add sysfs entry for thread %u: %d\n", index, err);
		goto err_stop;
	}

	if (!parked) {
		t->ops->start(t);
	} else {
		err = t->ops->park(t);
		if (err) {
			pr_err("cannot park thread %u: %d\n", index, err);
			goto err_sysfs;
		}
	}
	return t;

err_sysfs:
	kte_sysfs_remove(t->kobj);
err_stop:
	t->ops->stop(t);
	put_task_struct(t->task);
err_free:
	kfree(t);
	return ERR_PTR(err);
}

/* Stop the thread; returns once it has exited. @t stays valid. */
void kte_thread_stop(struct kte_thread *t)
{
	t->ops->stop(t);
}

/* Free a stopped thread: its sysfs directory (waiting out readers) first. */
void kte_thread_destroy(struct kte_thread *t)
{
	kte_sysfs_remove(t->kobj);
	put_task_struct(t->task);
	kfree(t);
}
