/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kthread_example: the kte_iteration tracepoint, one event per iteration,
 * for watching a thread without printk:
 *   echo 1 > /sys/kernel/tracing/events/kthread_example/kte_iteration/enable
 * thread.c defines it (CREATE_TRACE_POINTS); define_trace.h then includes
 * this file again by name, from TRACE_INCLUDE_PATH, which Kbuild resolves
 * against -I$(src) (see Kbuild).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kthread_example

#if !defined(KTE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KTE_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(kte_iteration,
	    TP_PROTO(unsigned int thread, u64 iteration, u64 lateness_ns,
		     u64 missed, int cpu),
	    TP_ARGS(thread, iteration, lateness_ns, missed, cpu),
	    TP_STRUCT__entry(__field(unsigned int, thread)
			     __field(u64, iteration)
			     __field(u64, lateness_ns)
			     __field(u64, missed)
			     __field(int, cpu)),
	    TP_fast_assign(__entry->thread = thread;
			   __entry->iteration = iteration;
			   __entry->lateness_ns = lateness_ns;
			   __entry->missed = missed;
			   __entry->cpu = cpu;),
	    TP_printk("thread=%u iteration=%llu lateness_ns=%llu missed=%llu cpu=%d",
		      __entry->thread, __entry->iteration, __entry->lateness_ns,
		      __entry->missed, __entry->cpu)
);

#endif /* KTE_TRACE_H */

/* Outside the guard: define_trace.h reads this file again. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kte_trace
#include <trace/define_trace.h>
