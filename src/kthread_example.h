/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kthread_example: shared declarations.
 *
 * Ownership: the module owns each struct kte_thread (main.c's array) and
 * frees it at exit, after the thread has stopped and its sysfs directory is
 * gone. The directory's kobject belongs to the kobject core, whose release
 * code is the kernel's own: no module code ever runs as a kobject release,
 * so a delayed release (CONFIG_DEBUG_KOBJECT_RELEASE) cannot call into an
 * unloaded module. The thread itself owns nothing.
 *
 * Locking: main.c's kte_lock serialises everything that changes a running
 * thread from outside (park, unpark, re-arm, rebind, stop): the paused and
 * interval_ms writes and the CPU hotplug callbacks. The thread's loop and
 * its statistics take no lock.
 *
 * Start modes: each is a struct kte_mode_ops (loop.c: create and run;
 * worker.c: worker); thread.c holds what they share and dispatches to them.
 */
#ifndef KTE_KTHREAD_EXAMPLE_H
#define KTE_KTHREAD_EXAMPLE_H

#include <linux/hrtimer.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

#include "compat.h"

/* Longest thread_name: "NAME/255" must fit in TASK_COMM_LEN (16) with NUL. */
#define KTE_NAME_MAX		11
#define KTE_THREADS_MAX		256
#define KTE_INTERVAL_MAX_MS	3600000U

struct kte_thread;

enum kte_start_mode { KTE_START_CREATE, KTE_START_RUN, KTE_START_WORKER };
enum kte_sched_policy { KTE_SCHED_NORMAL, KTE_SCHED_FIFO, KTE_SCHED_FIFO_LOW };

/* Written by the thread alone; read locklessly through u64_stats. */
struct kte_stats {
	u64_stats_t iterations;
	u64_stats_t missed;		/* whole periods skipped, not replayed */
	u64_stats_t late_last;
	u64_stats_t late_min;
	u64_stats_t late_max;
	u64_stats_t late_sum;
	struct u64_stats_sync syncp;
};

/* sysfs files of one thread: show() finds it with container_of(). */
struct kte_thread_sysfs {
	struct kobj_attribute pid;
	struct kobj_attribute cpu;
	struct kobj_attribute iterations;
	struct kobj_attribute missed;
	struct kobj_attribute lateness_last_ns;
	struct kobj_attribute lateness_min_ns;
	struct kobj_attribute lateness_avg_ns;
	struct kobj_attribute lateness_max_ns;
	struct attribute *attrs[9];
	struct attribute_group group;
};

/* start_mode=worker: a kthread_worker fed by an hrtimer. */
struct kte_worker {
	struct kthread_worker *worker;
	struct kthread_work work;
	struct kthread_work park_work;	/* parks the worker: see worker.c */
	bool parking;			/* park_work waits for kthread_park() */
	struct hrtimer timer;
	/* Changed only while the timer and the work are both idle. */
	ktime_t period;
	ktime_t deadline;		/* the work's next one */
};

/*
 * What a start mode does. Every per-thread callback but create() is called
 * under kte_lock (or, at unload and in init's unwinding, with the thread
 * out of everyone else's reach) and returns once it holds:
 * @create:	make the task, bound to t->bind_cpu before its first wake-up
 *		where the mode allows, with its policy; no iteration yet.
 * @start:	the first period starts now.
 * @park:	the task sleeps in TASK_PARKED, off every CPU; 0 or -errno.
 *		Nothing else may wait on the task until it is unparked.
 * @unpark:	running again, a new period starting now.
 * @rearm:	interval_ms changed while running (NULL: see @rearm_all).
 * @stop:	the task has exited (parked or not).
 * And for every thread of the mode at once (NULL: nothing to do):
 * @rearm_all:	interval_ms changed, before the per-thread @rearm.
 * @stop_all:	the module stops them all, before the first @stop.
 */
struct kte_mode_ops {
	int (*create)(struct kte_thread *t, const char *name);
	void (*start)(struct kte_thread *t);
	int (*park)(struct kte_thread *t);
	void (*unpark)(struct kte_thread *t);
	void (*rearm)(struct kte_thread *t);
	void (*stop)(struct kte_thread *t);
	void (*rearm_all)(void);
	void (*stop_all)(void);
};

struct kte_thread {
	const struct kte_mode_ops *ops;
	struct task_struct *task;	/* our reference, dropped on destroy */
	struct kobject *kobj;		/* thread<i>/ */
	unsigned int index;
	int bind_cpu;			/* -1: not bound */
	int last_cpu;
	bool parked;			/* under kte_lock */
	bool cpu_down;			/* bind_cpu is offline; under kte_lock */
	struct kte_worker w;		/* start_mode=worker's own state */
	struct kte_stats stats;
	struct kte_thread_sysfs sysfs;
};

/* A consistent copy of struct kte_stats for readers. */
struct kte_snapshot {
	u64 iterations;
	u64 missed;
	u64 late_last;
	u64 late_min;
	u64 late_max;
	u64 late_avg;
};

/* params.c: validated module parameters. */
unsigned int kte_param_interval_ms(void);
unsigned int kte_param_threads(void);
const char *kte_param_thread_name(void);
enum kte_start_mode kte_param_start_mode(void);
enum kte_sched_policy kte_param_sched_policy(void);
bool kte_param_bind_cpus(void);
bool kte_param_verbose(void);
bool kte_param_paused(void);

/* main.c: what a parameter write changes in every running thread. */
void kte_threads_rearm(void);
void kte_threads_update_parked(void);

/* hotplug.c: keep bound threads on their CPU across CPU hotplug. */
int kte_hotplug_register(void);
void kte_hotplug_unregister(void);
void kte_threads_cpu_offline(unsigned int cpu);
void kte_threads_cpu_online(unsigned int cpu, bool tasks_frozen);

/* thread.c: what every start mode shares, and the dispatch to its ops. */
const struct kte_mode_ops *kte_mode_ops(void);
struct kte_thread *kte_thread_start(unsigned int index, unsigned int count,
				    struct kobject *parent, bool parked);
void kte_thread_set_parked(struct kte_thread *t, bool parked);
void kte_thread_rearm(struct kte_thread *t);
void kte_thread_rebind(struct kte_thread *t);
void kte_thread_stop(struct kte_thread *t);
void kte_thread_destroy(struct kte_thread *t);
void kte_thread_snapshot(struct kte_thread *t, struct kte_snapshot *s);
void kte_iteration(struct kte_thread *t, u64 late, u64 missed);
void kte_parkme(void);
void kte_set_policy(struct task_struct *task);

/* loop.c: start_mode=create and run, a kthread running our loop. */
extern const struct kte_mode_ops kte_create_ops;
extern const struct kte_mode_ops kte_run_ops;

/* worker.c: start_mode=worker. */
extern const struct kte_mode_ops kte_worker_ops;

/* sysfs.c: /sys/kernel/kthread_example/thread<i>/. */
struct kobject *kte_sysfs_create_root(void);
int kte_sysfs_add_thread(struct kte_thread *t, struct kobject *parent);
void kte_sysfs_remove(struct kobject *kobj);

#endif /* KTE_KTHREAD_EXAMPLE_H */
