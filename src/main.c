// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: module lifecycle, and the set of running threads.
 *
 * init creates the sysfs root, then each thread in turn, then (bind_cpus=Y)
 * the CPU hotplug callbacks; if any step fails, everything made so far is
 * undone in reverse order and the load fails with that step's error. exit
 * takes the threads out of reach of parameter writes and hotplug callbacks,
 * stops every thread (each stop returns as soon as the thread notices,
 * never after a full period) and then frees.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "kthread_example.h"

/*
 * kte_threads[0, kte_nr_threads) are the running threads. Parameter
 * writes (which can come during init and after exit) and hotplug
 * callbacks change them under kte_lock; init and exit publish and withdraw
 * them under it. Lock order: CPU hotplug lock, then kte_lock.
 */
static DEFINE_MUTEX(kte_lock);
static struct kte_thread **kte_threads;
static unsigned int kte_nr_threads;
static struct kobject *kte_root;

/* Park @t if paused or its CPU is away, unpark it otherwise. */
static void kte_update_parked(struct kte_thread *t)
{
	kte_thread_set_parked(t, kte_param_paused() || t->cpu_down);
}

/* paused was written. */
void kte_threads_update_parked(void)
{
	unsigned int i;

	mutex_lock(&kte_lock);
	for (i = 0; i < kte_nr_threads; i++)
		kte_update_parked(kte_threads[i]);
	mutex_unlock(&kte_lock);
}

/* interval_ms was written: every thread starts a new period now. */
void kte_threads_rearm(void)
{
	const struct kte_mode_ops *ops = kte_mode_ops();
	unsigned int i;

	if (ops->rearm_all)
		ops->rearm_all();
	mutex_lock(&kte_lock);
	for (i = 0; i < kte_nr_threads; i++)
		kte_thread_rearm(kte_threads[i]);
	mutex_unlock(&kte_lock);
}

/*
 * @cpu is going down: its bound threads park (off every CPU, so the
 * scheduler cannot move them), then get their binding back, which the
 * park's wake-up lost: a regular kthread may not run on a dying CPU, so it
 * parked on another one, allowed everywhere (select_fallback_rq()).
 */
void kte_threads_cpu_offline(unsigned int cpu)
{
	struct kte_thread *t;
	unsigned int i;

	mutex_lock(&kte_lock);
	for (i = 0; i < kte_nr_threads; i++) {
		t = kte_threads[i];
		if (t->bind_cpu != cpu)
			continue;
		t->cpu_down = true;
		kte_update_parked(t);
		kte_thread_rebind(t);
	}
	mutex_unlock(&kte_lock);
}

/*
 * @cpu is back: its bound threads are bound to it again, then resume
 * unless paused. In a resume (@tasks_frozen) they are only bound: a frozen
 * thread cannot be unparked or woken, and needs no unparking (the offline
 * callback left it alone; a paused one stays parked). But it may have lost
 * its binding: a frozen task sleeps in TASK_UNINTERRUPTIBLE before 6.1, so
 * a worker's timer could wake it while its CPU was away, which moved it and
 * widened its mask; nothing else would ever restore it. (A CPU that fails
 * to come back in a resume gets no callback: its threads then run
 * elsewhere, unbound, as they would without the module's callbacks.)
 */
void kte_threads_cpu_online(unsigned int cpu, bool tasks_frozen)
{
	struct kte_thread *t;
	unsigned int i;

	mutex_lock(&kte_lock);
	for (i = 0; i < kte_nr_threads; i++) {
		t = kte_threads[i];
		if (t->bind_cpu != cpu)
			continue;
		kte_thread_rebind(t);
		if (tasks_frozen)
			continue;
		t->cpu_down = false;
		kte_update_parked(t);
	}
	mutex_unlock(&kte_lock);
}

/*
 * Stop threads [0, @n) and return how long the stops took, in us. The mode
 * may tell every thread first (the loops then exit side by side); the task
 * reference each kte_thread holds keeps the stop safe on a thread already
 * gone. Only at unload or in init's unwinding: no thread runs again.
 */
static s64 kte_stop_threads(struct kte_thread **threads, unsigned int n)
{
	const struct kte_mode_ops *ops = kte_mode_ops();
	ktime_t start = ktime_get();
	unsigned int i;

	if (ops->stop_all)
		ops->stop_all();
	for (i = 0; i < n; i++)
		kte_thread_stop(threads[i]);
	return ktime_us_delta(ktime_get(), start);
}

static void kte_destroy_threads(struct kte_thread **threads, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		kte_thread_destroy(threads[i]);
}

/*
 * Start @n threads; on failure, undo. Called with the hotplug lock held
 * (the CPUs picked for binding stay online) and kte_lock (a paused write
 * waits until every thread exists).
 */
static int kte_start_threads(unsigned int n)
{
	struct kte_thread *t;
	unsigned int i;

	for (i = 0; i < n; i++) {
		t = kte_thread_start(i, n, kte_root, kte_param_paused());
		if (IS_ERR(t)) {
			kte_stop_threads(kte_threads, i);
			kte_destroy_threads(kte_threads, i);
			return PTR_ERR(t);
		}
		kte_threads[i] = t;
	}
	kte_nr_threads = n;
	return 0;
}

/* Withdraw every thread from parameter writes; returns how many there were. */
static unsigned int kte_withdraw_threads(void)
{
	unsigned int n;

	mutex_lock(&kte_lock);
	n = kte_nr_threads;
	kte_nr_threads = 0;
	mutex_unlock(&kte_lock);
	return n;
}

static int __init kte_init(void)
{
	unsigned int n = kte_param_threads();
	int err;

	pr_info("Loading Kernel Thread Example...\n");

	kte_root = kte_sysfs_create_root();
	if (!kte_root)
		return -ENOMEM;

	kte_threads = kcalloc(n, sizeof(*kte_threads), GFP_KERNEL);
	if (!kte_threads) {
		err = -ENOMEM;
		goto err_root;
	}

	cpus_read_lock();
	mutex_lock(&kte_lock);
	err = kte_start_threads(n);
	mutex_unlock(&kte_lock);
	if (err)
		goto err_unlock;
	if (kte_param_bind_cpus()) {
		err = kte_hotplug_register();
		if (err) {
			pr_err("cannot register for CPU hotplug: %d\n", err);
			goto err_threads;
		}
	}
	cpus_read_unlock();

	pr_info("Kernel thread created and running\n");
	return 0;

err_threads:
	n = kte_withdraw_threads();
	kte_stop_threads(kte_threads, n);
	kte_destroy_threads(kte_threads, n);
err_unlock:
	cpus_read_unlock();
	kfree(kte_threads);
err_root:
	kte_sysfs_remove(kte_root);
	pr_err("load failed: %d\n", err);
	return err;
}

static void __exit kte_exit(void)
{
	unsigned int n;
	s64 us;

	pr_info("Stopping kernel thread...\n");
	/* No callback runs after this, and none is running. */
	kte_hotplug_unregister();
	n = kte_withdraw_threads();
	us = kte_stop_threads(kte_threads, n);
	pr_info("stopped %u thread(s) in %lld us\n", n, us);

	kte_destroy_threads(kte_threads, n);
	kfree(kte_threads);
	kte_sysfs_remove(kte_root);
	pr_info("Module exit complete\n");
}

module_init(kte_init);
module_exit(kte_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kthread-example developers");
MODULE_DESCRIPTION("Kernel threads done right: drift-free periodic kthreads with fast stop");
MODULE_VERSION(KTE_VERSION);
