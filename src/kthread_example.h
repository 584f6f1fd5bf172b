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
 */
#ifndef KTE_KTHREAD_EXAMPLE_H
#define KTE_KTHREAD_EXAMPLE_H

#include <linux/kobject.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

#include "compat.h"

/* Longest thread_name: "NAME/255" must fit in TASK_COMM_LEN (16) with NUL. */
#define KTE_NAME_MAX		11
#define KTE_THREADS_MAX		256
#define KTE_INTERVAL_MAX_MS	3600000U

struct task_struct;

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

struct kte_thread {
	struct task_struct *task;	/* our reference, dropped on destroy */
	struct kobject *kobj;		/* thread<i>/ */
	unsigned int index;
	int bind_cpu;			/* -1: not bound */
	int last_cpu;
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
bool kte_param_start_run(void);
bool kte_param_bind_cpus(void);
bool kte_param_verbose(void);

/* thread.c: the thread loop and its timing. */
struct kte_thread *kte_thread_start(unsigned int index, unsigned int count,
				    struct kobject *parent);
void kte_thread_stop(struct kte_thread *t);
void kte_thread_destroy(struct kte_thread *t);
void kte_threads_rearm(void);
void kte_thread_snapshot(struct kte_thread *t, struct kte_snapshot *s);

/* sysfs.c: /sys/kernel/kthread_example/thread<i>/. */
struct kobject *kte_sysfs_create_root(void);
int kte_sysfs_add_thread(struct kte_thread *t, struct kobject *parent);
void kte_sysfs_remove(struct kobject *kobj);

#endif /* KTE_KTHREAD_EXAMPLE_H */
