// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: /sys/kernel/kthread_example/thread<i>/ statistics.
 *
 * One kobject per thread, embedded in struct kte_thread: the kobject's
 * release() is the only place a thread's memory and task reference are
 * dropped, so removing the directory (which waits for readers in show())
 * and freeing can never race. Files are read-only (0444).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "kthread_example.h"

static struct kte_thread *kobj_to_kte(struct kobject *kobj)
{
	return container_of(kobj, struct kte_thread, kobj);
}

static ssize_t pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", task_pid_nr(kobj_to_kte(kobj)->task));
}

static ssize_t cpu_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(kobj_to_kte(kobj)->last_cpu));
}

/* Defines NAME_show() printing one field of a stats snapshot. */
#define KTE_STAT_ATTR(name, field)					\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	struct kte_snapshot snap;					\
									\
	kte_thread_snapshot(kobj_to_kte(kobj), &snap);			\
	return sysfs_emit(buf, "%llu\n", snap.field);			\
}									\
static struct kobj_attribute name##_attr = __ATTR_RO(name)

KTE_STAT_ATTR(iterations, iterations);
KTE_STAT_ATTR(missed, missed);
KTE_STAT_ATTR(lateness_last_ns, late_last);
KTE_STAT_ATTR(lateness_min_ns, late_min);
KTE_STAT_ATTR(lateness_avg_ns, late_avg);
KTE_STAT_ATTR(lateness_max_ns, late_max);

static struct kobj_attribute pid_attr = __ATTR_RO(pid);
static struct kobj_attribute cpu_attr = __ATTR_RO(cpu);

static struct attribute *kte_thread_attrs[] = {
	&pid_attr.attr,
	&cpu_attr.attr,
	&iterations_attr.attr,
	&missed_attr.attr,
	&lateness_last_ns_attr.attr,
	&lateness_min_ns_attr.attr,
	&lateness_avg_ns_attr.attr,
	&lateness_max_ns_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kte_thread);

static void kte_thread_release(struct kobject *kobj)
{
	struct kte_thread *t = kobj_to_kte(kobj);

	if (t->task)
		put_task_struct(t->task);
	kfree(t);
}

static const struct kobj_type kte_thread_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = kte_thread_release,
	.default_groups = kte_thread_groups,
};

void kte_sysfs_init_thread(struct kte_thread *t)
{
	kte_kobject_init(&t->kobj, &kte_thread_ktype);
}

/* /sys/kernel/kthread_example, or NULL when out of memory. */
struct kobject *kte_sysfs_create_root(void)
{
	return kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
}
