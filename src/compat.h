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

#endif /* KTE_COMPAT_H */
