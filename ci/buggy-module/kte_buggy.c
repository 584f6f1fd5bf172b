// SPDX-License-Identifier: GPL-2.0
/*
 * kte_buggy: a test-only module with planted bugs, never shipped. The
 * debug-kernel tier (ci/test-debug) loads it once per bug to prove that the
 * debug kernel reports each one: a checker that never fires proves nothing.
 *
 *   bug=uaf    read of freed memory       (KASAN)
 *   bug=leak   unreferenced allocation    (kmemleak)
 *   bug=sleep  may-sleep call under a spinlock (DEBUG_ATOMIC_SLEEP)
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "none";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "uaf, leak or sleep");

static DEFINE_SPINLOCK(kte_buggy_lock);

static noinline void kte_buggy_uaf(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	pr_info("kte_buggy: freed byte reads %d\n", READ_ONCE(p[8]));
}

static noinline void kte_buggy_leak(void)
{
	/* The only pointer is dropped on return: kmemleak must report it. */
	void *p = kmalloc(128, GFP_KERNEL);

	pr_info("kte_buggy: leaking %p\n", p);
}

static noinline void kte_buggy_sleep(void)
{
	void *p;

	/* A GFP_KERNEL allocation may sleep: not under a spinlock. */
	spin_lock(&kte_buggy_lock);
	p = kmalloc(64, GFP_KERNEL);
	spin_unlock(&kte_buggy_lock);
	kfree(p);
}

static int __init kte_buggy_init(void)
{
	if (!strcmp(bug, "uaf"))
		kte_buggy_uaf();
	else if (!strcmp(bug, "leak"))
		kte_buggy_leak();
	else if (!strcmp(bug, "sleep"))
		kte_buggy_sleep();
	return 0;
}

static void __exit kte_buggy_exit(void)
{
}

module_init(kte_buggy_init);
module_exit(kte_buggy_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Planted bugs for the debug-kernel self-test (test only)");
