// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: bound threads across CPU hotplug (bind_cpus=Y).
 *
 * Left alone, a thread bound to a CPU that goes offline is moved to another
 * CPU and allowed on every CPU from then on: the binding is lost for good,
 * silently. As the kernel's own per-CPU threads do (kernel/smpboot.c), we
 * park the thread while its CPU is away and unpark it when the CPU is back.
 * A dynamic state in the online section runs our callbacks on the CPU
 * itself: offline before the CPU stops, online once it runs again.
 *
 * Parking wakes the thread, and a CPU on its way down runs no woken task
 * but its own per-CPU threads: the thread parks on another CPU, which
 * widens its affinity. So the offline callback binds the parked thread to
 * its CPU again, and the thread sleeps there, allowed on its CPU alone,
 * until the online callback unparks it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>

#include "kthread_example.h"

static int kte_cpuhp_state;

/*
 * During suspend and resume the tasks are frozen, ours too: a frozen thread
 * cannot park (kthread_park() would wait forever), and needs no parking,
 * since it sleeps until the thaw, when every CPU is back. Its binding is
 * restored even then (see kte_threads_cpu_online()).
 */
static int kte_cpu_online(unsigned int cpu)
{
	kte_threads_cpu_online(cpu, cpuhp_tasks_frozen);
	return 0;
}

static int kte_cpu_offline(unsigned int cpu)
{
	if (!cpuhp_tasks_frozen)
		kte_threads_cpu_offline(cpu);
	return 0;
}

/*
 * Register with the CPU hotplug lock already held by the caller, which
 * started the threads under it: no CPU came or went in between.
 */
int kte_hotplug_register(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						   KBUILD_MODNAME ":online",
						   kte_cpu_online,
						   kte_cpu_offline);
	if (ret < 0)
		return ret;
	kte_cpuhp_state = ret;
	return 0;
}

void kte_hotplug_unregister(void)
{
	if (kte_cpuhp_state > 0)
		cpuhp_remove_state_nocalls(kte_cpuhp_state);
	kte_cpuhp_state = 0;
}
