// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: /sys/kernel/kthread_example/thread<i>/ statistics.
 *
 * The directories are plain kobjects from kobject_create_and_add(), whose
 * release is the kernel's own code; the files are attributes embedded in
 * struct kte_thread. Removal is kobject_del() first, which takes the files
 * away and waits for any show() still running, then kobject_put(): after
 * kte_sysfs_remove() returns, no show() can touch the thread, however late
 * the kobject itself is released. Files are read-only (0444).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>

#include "kthread_example.h"

#define kte_of(attr, field) container_of(attr, struct kte_thread, sysfs.field)

static ssize_t pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", task_pid_nr(kte_of(attr, pid)->task));
}

static ssize_t cpu_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(kte_of(attr, cpu)->last_cpu));
}

/* Defines NAME_show() printing one field of a statistics snapshot. */
#define KTE_STAT_SHOW(name, field)					\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	struct kte_snapshot snap;					\
									\
	kte_thread_snapshot(kte_of(attr, name), &snap);			\
	return sysfs_emit(buf, "%llu\n", snap.field);			\
}

KTE_STAT_SHOW(iterations, iterations)
KTE_STAT_SHOW(missed, missed)
KTE_STAT_SHOW(lateness_last_ns, late_last)
KTE_STAT_SHOW(lateness_min_ns, late_min)
KTE_STAT_SHOW(lateness_avg_ns, late_avg)
KTE_STAT_SHOW(lateness_max_ns, late_max)

/* The files of thread<i>/, in order: name, place in struct kte_thread_sysfs. */
#define KTE_ATTR(field) { #field, offsetof(struct kte_thread_sysfs, field), field##_show }

static const struct {
	const char *name;
	size_t offset;
	ssize_t (*show)(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf);
} kte_attrs[] = {
	KTE_ATTR(pid),
	KTE_ATTR(cpu),
	KTE_ATTR(iterations),
	KTE_ATTR(missed),
	KTE_ATTR(lateness_last_ns),
	KTE_ATTR(lateness_min_ns),
	KTE_ATTR(lateness_avg_ns),
	KTE_ATTR(lateness_max_ns),
};

static void kte_sysfs_init_attrs(struct kte_thread_sysfs *s)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(kte_attrs) + 1 != ARRAY_SIZE(s->attrs));
	for (i = 0; i < ARRAY_SIZE(kte_attrs); i++) {
		struct kobj_attribute *a = (void *)s + kte_attrs[i].offset;

		/* One lockdep class for all: they are alike. */
		sysfs_attr_init(&a->attr);
		a->attr.name = kte_attrs[i].name;
		a->attr.mode = 0444;
		a->show = kte_attrs[i].show;
		s->attrs[i] = &a->attr;
	}
	s->attrs[i] = NULL;
	s->group.attrs = s->attrs;
}

/* /sys/kernel/kthread_example, or NULL when out of memory. */
struct kobject *kte_sysfs_create_root(void)
{
	return kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
}

/* Publish thread<index>/ under @parent; on failure nothing is left. */
int kte_sysfs_add_thread(struct kte_thread *t, struct kobject *parent)
{
	char name[sizeof("thread") + 10];
	int err;

	kte_sysfs_init_attrs(&t->sysfs);
	snprintf(name, sizeof(name), "thread%u", t->index);
	t->kobj = kobject_create_and_add(name, parent);
	if (!t->kobj)
		return -ENOMEM;
	err = sysfs_create_group(t->kobj, &t->sysfs.group);
	if (err) {
		kte_sysfs_remove(t->kobj);
		t->kobj = NULL;
	}
	return err;
}

/* Remove a directory now; its kobject is freed whenever its refs drop. */
void kte_sysfs_remove(struct kobject *kobj)
{
	if (!kobj)
		return;
	kobject_del(kobj);
	kobject_put(kobj);
}
