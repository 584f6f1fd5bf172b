// SPDX-License-Identifier: GPL-2.0
/*
 * kte_fault: a test-only module, never shipped. While loaded, two kernel
 * calls report failure to kthread_example when they act on its threads
 * (tasks named my_kthread...), after doing their work as usual:
 * set_cpus_allowed_ptr() returns -EINVAL and kthread_park() -EBUSY. The
 * scenarios (ci/guest/scenarios/results.sh) then prove that the module
 * looks at both results and reports a failure once, not once per call. The
 * kernel itself fails these calls only in states a test cannot reach on
 * purpose (a CPU gone between two checks, a thread already exiting).
 * Built for amd64 guests only: regs_get_kernel_argument() and
 * regs_set_return_value() are not on every architecture of every kernel
 * (32-bit arm, powerpc on 6.1).
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>

#define KTE_FAULT_COMM "my_kthread"

struct kte_fault_call {
	bool ours;
};

static atomic_t kte_fault_hits = ATOMIC_INIT(0);

/*
 * Both calls take the task as their first argument. Non-zero: not one of
 * ours, and the return is not hooked at all.
 */
static int kte_fault_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct task_struct *p = (void *)regs_get_kernel_argument(regs, 0);
	struct kte_fault_call *call = (void *)ri->data;

	call->ours = p && !strncmp(p->comm, KTE_FAULT_COMM,
				   strlen(KTE_FAULT_COMM));
	return !call->ours;
}

static void kte_fault_fail(struct kretprobe_instance *ri, struct pt_regs *regs,
			   long err)
{
	struct kte_fault_call *call = (void *)ri->data;

	if (call->ours && regs_return_value(regs) == 0) {
		regs_set_return_value(regs, err);
		atomic_inc(&kte_fault_hits);
	}
}

static int kte_fault_bind_ret(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	kte_fault_fail(ri, regs, -EINVAL);
	return 0;
}

static int kte_fault_park_ret(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	kte_fault_fail(ri, regs, -EBUSY);
	return 0;
}

static struct kretprobe kte_fault_bind = {
	.kp.symbol_name = "set_cpus_allowed_ptr",
	.entry_handler = kte_fault_entry,
	.handler = kte_fault_bind_ret,
	.data_size = sizeof(struct kte_fault_call),
	.maxactive = 64,
};

static struct kretprobe kte_fault_park = {
	.kp.symbol_name = "kthread_park",
	.entry_handler = kte_fault_entry,
	.handler = kte_fault_park_ret,
	.data_size = sizeof(struct kte_fault_call),
	.maxactive = 64,
};

static struct kretprobe *kte_fault_probes[] = {
	&kte_fault_bind, &kte_fault_park,
};

static int __init kte_fault_init(void)
{
	return register_kretprobes(kte_fault_probes,
				   ARRAY_SIZE(kte_fault_probes));
}

/* Missed: returns not hooked because all maxactive instances were busy. */
static void __exit kte_fault_exit(void)
{
	unregister_kretprobes(kte_fault_probes, ARRAY_SIZE(kte_fault_probes));
	pr_info("kte_fault: %d call(s) failed, %d + %d missed\n",
		atomic_read(&kte_fault_hits), kte_fault_bind.nmissed,
		kte_fault_park.nmissed);
}

module_init(kte_fault_init);
module_exit(kte_fault_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test only: kthread_example's kernel calls report failure");
