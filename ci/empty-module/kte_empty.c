// SPDX-License-Identifier: GPL-2.0
/*
 * kte_empty: a module that does nothing, built only by `make bench` so the
 * unload time of kthread_example can be set beside the floor that module
 * unloading itself costs in the same VM (RCU grace periods and all).
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init kte_empty_init(void)
{
	return 0;
}

static void __exit kte_empty_exit(void)
{
}

module_init(kte_empty_init);
module_exit(kte_empty_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Empty module: the unload-time floor for make bench");
