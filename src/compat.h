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

#include <linux/hrtimer.h>
#include <linux/kthread.h>
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
 * kthread_run_worker() came with the change that made kthread_create_worker()
 * leave its worker asleep (7.x); before it (6.12 and older),
 * kthread_create_worker() woke the worker itself.
 */
#ifdef KTE_HAVE_KTHREAD_RUN_WORKER
#define kte_run_worker(flags, fmt, ...) kthread_run_worker(flags, fmt, ##__VA_ARGS__)
#else
#define kte_run_worker(flags, fmt, ...) kthread_create_worker(flags, fmt, ##__VA_ARGS__)
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
