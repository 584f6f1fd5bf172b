/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kthread_example: the one place that knows kernel API differences between
 * 5.10 and 7.x. Decisions come from compile probes run at build time
 * (conftest.sh writes kte_conftest.h), never from LINUX_VERSION_CODE:
 * distribution kernels backport API changes.
 */
#ifndef KTE_COMPAT_H
#define KTE_COMPAT_H

#include "kte_conftest.h"

#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/numa.h>
#include <linux/sched.h>
#include <linux/topology.h>
#include <linux/u64_stats_sync.h>

/* u64_stats_set() arrived in 5.16; 5.10 has u64_stats_t without it. */
static inline void kte_u64_stats_set(u64_stats_t *p, u64 val)
{
#ifdef KTE_HAVE_U64_STATS_SET
	u64_stats_set(p, val);
#elif BITS_PER_LONG == 64
	local64_set(&p->v, val);
#else
	p->v = val;
#endif
}

/*
 * A kthread_worker bound to @cpu (none if @cpu < 0) before its first
 * wake-up, and woken. kthread_run_worker() came with the change that made
 * kthread_create_worker_on_node() the creator and left its worker asleep
 * (Debian's 7.x): there we bind it before waking it, on @cpu's node, as
 * kthread_create_worker_on_cpu() does, which that change gave a fixed
 * "name/%u" format. Before it (6.12 and older), kthread_create_worker()
 * woke the worker itself, and only kthread_create_worker_on_cpu() bound
 * it first. Binding later would leave the worker movable (no
 * PF_NO_SETAFFINITY) and, on 7.x, in the list of threads whose default
 * affinity kthread() applied at its first wake-up.
 */
static inline struct kthread_worker *
kte_run_worker_on(int cpu, unsigned int flags, const char *name)
{
	struct kthread_worker *worker;

#ifdef KTE_HAVE_KTHREAD_RUN_WORKER
	worker = kthread_create_worker_on_node(flags,
					       cpu >= 0 ? cpu_to_node(cpu) : NUMA_NO_NODE,
					       "%s", name);
	if (IS_ERR(worker))
		return worker;
	if (cpu >= 0)
		kthread_bind(worker->task, cpu);
	wake_up_process(worker->task);
#else
	if (cpu >= 0)
		worker = kthread_create_worker_on_cpu(cpu, flags, "%s", name);
	else
		worker = kthread_create_worker(flags, "%s", name);
#endif
	return worker;
}

/*
 * kthread_run() for a thread bound to @cpu before its first wake-up:
 * kthread_run_on_cpu() (5.17 on, Debian's 6.1 and later), or what it does
 * (5.10). @name must hold no conversion: the helper formats it with @cpu.
 * Bound later, from outside, a 7.x thread could lose the binding to the
 * default affinity kthread() applies at its first wake-up.
 */
#ifdef KTE_HAVE_KTHREAD_RUN_ON_CPU
#define kte_run_on_cpu(fn, data, cpu, name) kthread_run_on_cpu(fn, data, cpu, name)
#else
static inline struct task_struct *kte_run_on_cpu(int (*fn)(void *data),
						 void *data, unsigned int cpu,
						 const char *name)
{
	struct task_struct *p = kthread_create(fn, data, "%s", name);

	if (!IS_ERR(p)) {
		kthread_bind(p, cpu);
		wake_up_process(p);
	}
	return p;
}
#endif

/* hrtimer_setup() replaced hrtimer_init(): 6.12 has only the latter, 7.x the former. */
static inline void kte_hrtimer_setup(struct hrtimer *timer,
				     enum hrtimer_restart (*fn)(struct hrtimer *),
				     clockid_t clock, enum hrtimer_mode mode)
{
#ifdef KTE_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

#endif /* KTE_COMPAT_H */
