// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: module lifecycle.
 *
 * init creates the sysfs root, then each thread in turn; if any step fails,
 * everything made so far is undone in reverse order and the load fails with
 * that step's error. exit stops every thread (each stop returns as soon as
 * the thread notices, never after a full period) and then frees.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "kthread_example.h"

static struct kobject *kte_root;
static struct kte_thread **kte_threads;
static unsigned int kte_nr_threads;

/* Stop threads [0, @n) and return how long the stops took, in us. */
static s64 kte_stop_threads(unsigned int n)
{
	ktime_t start = ktime_get();
	unsigned int i;

	for (i = 0; i < n; i++)
		kte_thread_stop(kte_threads[i]);
	return ktime_us_delta(ktime_get(), start);
}

static void kte_destroy_threads(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		kte_thread_destroy(kte_threads[i]);
}

static int __init kte_init(void)
{
	unsigned int n = kte_param_threads();
	struct kte_thread *t;
	unsigned int i;
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

	for (i = 0; i < n; i++) {
		t = kte_thread_start(i, n, kte_root);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			goto err_threads;
		}
		kte_threads[i] = t;
	}
	kte_nr_threads = n;

	pr_info("Kernel thread created and running\n");
	return 0;

err_threads:
	kte_stop_threads(i);
	kte_destroy_threads(i);
	kfree(kte_threads);
err_root:
	kte_sysfs_remove(kte_root);
	pr_err("load failed: %d\n", err);
	return err;
}

static void __exit kte_exit(void)
{
	s64 us;

	pr_info("Stopping kernel thread...\n");
	us = kte_stop_threads(kte_nr_threads);
	pr_info("stopped %u thread(s) in %lld us\n", kte_nr_threads, us);

	kte_destroy_threads(kte_nr_threads);
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
