// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_example: module parameters.
 *
 * Every parameter has its own set() so that a bad value is refused with
 * -EINVAL and a message naming the parameter and its valid range, and the
 * stored value only changes once the new one is known to be good. At load
 * time a refusal fails the whole load before init runs, so nothing is left
 * behind; at run time the old value stays in place.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "kthread_example.h"

/* Longest part of a rejected value echoed back in the log. */
#define KTE_ECHO_MAX	32

static const char * const kte_start_modes[] = {
	[KTE_START_CREATE] = "create",
	[KTE_START_RUN] = "run",
	[KTE_START_WORKER] = "worker",
};

static const char * const kte_sched_policies[] = {
	[KTE_SCHED_NORMAL] = "normal",
	[KTE_SCHED_FIFO] = "fifo",
	[KTE_SCHED_FIFO_LOW] = "fifo_low",
};

static unsigned int kte_interval_ms = 2000;
static unsigned int kte_threads = 1;
static char kte_thread_name[KTE_NAME_MAX + 1] = "my_kthread";
static unsigned int kte_start_mode = KTE_START_CREATE;
static bool kte_bind_cpus;
static bool kte_verbose = true;
static bool kte_paused;
static unsigned int kte_sched_policy = KTE_SCHED_NORMAL;

/* Log a refused value without its trailing newline, and never at length. */
static int kte_reject(const struct kernel_param *kp, const char *val,
		      const char *valid)
{
	int len = min_t(size_t, strcspn(val, "\n"), KTE_ECHO_MAX);

	pr_err("invalid %s '%.*s': valid values are %s\n",
	       kp->name, len, val, valid);
	return -EINVAL;
}

/* An unsigned integer parameter with an inclusive range. */
struct kte_uint_param {
	unsigned int *value;
	unsigned int min;
	unsigned int max;
	const char *valid;
	void (*changed)(void);
};

static int kte_uint_set(const char *val, const struct kernel_param *kp)
{
	const struct kte_uint_param *p = kp->arg;
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v < p->min || v > p->max)
		return kte_reject(kp, val, p->valid);
	WRITE_ONCE(*p->value, v);
	if (p->changed)
		p->changed();
	return 0;
}

static int kte_uint_get(char *buf, const struct kernel_param *kp)
{
	const struct kte_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->value));
}

static const struct kernel_param_ops kte_uint_ops = {
	.set = kte_uint_set,
	.get = kte_uint_get,
};

/*
 * Stricter than kstrtobool(), which looks at the first character only and
 * so would take "yesno" for "y": the whole value must be one of these.
 */
static const char * const kte_bool_words[] = {
	"n", "N", "0", "no", "off", "false",
	"y", "Y", "1", "yes", "on", "true",
};

static int kte_bool_set(const char *val, const struct kernel_param *kp)
{
	int i;

	if (!val)		/* a bare "verbose" means "verbose=y" */
		val = "y";
	i = sysfs_match_string(kte_bool_words, val);
	if (i < 0)
		return kte_reject(kp, val, "y, n, 1, 0, yes, no, on, off, true, false");
	WRITE_ONCE(*(bool *)kp->arg, i >= ARRAY_SIZE(kte_bool_words) / 2);
	return 0;
}

static const struct kernel_param_ops kte_bool_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = kte_bool_set,
	.get = param_get_bool,
};

/* paused: park or unpark every running thread at once. */
static int kte_paused_set(const char *val, const struct kernel_param *kp)
{
	int err = kte_bool_set(val, kp);

	if (!err)
		kte_threads_update_parked();
	return err;
}

static const struct kernel_param_ops kte_paused_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = kte_paused_set,
	.get = param_get_bool,
};

static bool kte_name_valid(const char *s)
{
	size_t len = strlen(s);

	if (len < 1 || len > KTE_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum(*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static int kte_name_set(const char *val, const struct kernel_param *kp)
{
	if (!kte_name_valid(val))
		return kte_reject(kp, val,
				  "1 to 11 characters of A-Z a-z 0-9 _ -");
	strscpy(kp->arg, val, sizeof(kte_thread_name));
	return 0;
}

static int kte_name_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", (const char *)kp->arg);
}

static const struct kernel_param_ops kte_name_ops = {
	.set = kte_name_set,
	.get = kte_name_get,
};

/* A string parameter that is one word of a list, stored as its index. */
struct kte_word_param {
	unsigned int *value;
	const char * const *words;
	size_t n;
	const char *valid;
};

static int kte_word_set(const char *val, const struct kernel_param *kp)
{
	const struct kte_word_param *p = kp->arg;
	int i = __sysfs_match_string(p->words, p->n, val);

	if (i < 0)
		return kte_reject(kp, val, p->valid);
	WRITE_ONCE(*p->value, i);
	return 0;
}

static int kte_word_get(char *buf, const struct kernel_param *kp)
{
	const struct kte_word_param *p = kp->arg;

	return sysfs_emit(buf, "%s\n", p->words[READ_ONCE(*p->value)]);
}

static const struct kernel_param_ops kte_word_ops = {
	.set = kte_word_set,
	.get = kte_word_get,
};

static struct kte_word_param kte_start_mode_param = {
	.value = &kte_start_mode,
	.words = kte_start_modes,
	.n = ARRAY_SIZE(kte_start_modes),
	.valid = "create, run or worker",
};

static struct kte_word_param kte_sched_policy_param = {
	.value = &kte_sched_policy,
	.words = kte_sched_policies,
	.n = ARRAY_SIZE(kte_sched_policies),
	.valid = "normal, fifo or fifo_low",
};

static struct kte_uint_param kte_interval_param = {
	.value = &kte_interval_ms,
	.min = 1,
	.max = KTE_INTERVAL_MAX_MS,
	.valid = "1 to 3600000",
	/* A thread asleep on the old period re-arms at once. */
	.changed = kte_threads_rearm,
};

static struct kte_uint_param kte_threads_param = {
	.value = &kte_threads,
	.min = 1,
	.max = KTE_THREADS_MAX,
	.valid = "1 to 256",
};

module_param_cb(interval_ms, &kte_uint_ops, &kte_interval_param, 0644);
MODULE_PARM_DESC(interval_ms, "Period of each thread in ms, 1..3600000 (default 2000)");
module_param_cb(threads, &kte_uint_ops, &kte_threads_param, 0444);
MODULE_PARM_DESC(threads, "Number of threads, 1..256 (default 1)");
module_param_cb(thread_name, &kte_name_ops, kte_thread_name, 0444);
MODULE_PARM_DESC(thread_name, "Thread name, 1..11 chars of [A-Za-z0-9_-]; NAME/i when threads > 1 (default my_kthread)");
module_param_cb(start_mode, &kte_word_ops, &kte_start_mode_param, 0444);
MODULE_PARM_DESC(start_mode, "create: kthread_create + wake_up_process; run: kthread_run; worker: kthread_worker + hrtimer (default create)");
module_param_cb(bind_cpus, &kte_bool_ops, &kte_bind_cpus, 0444);
MODULE_PARM_DESC(bind_cpus, "Bind thread i to online CPU (i mod online CPUs), parked while that CPU is offline (default N)");
module_param_cb(verbose, &kte_bool_ops, &kte_verbose, 0644);
MODULE_PARM_DESC(verbose, "Log 'Kernel thread running...' each iteration, rate-limited (default Y)");
module_param_cb(paused, &kte_paused_ops, &kte_paused, 0644);
MODULE_PARM_DESC(paused, "Park every thread (kthread_park); N unparks them (default N)");
module_param_cb(sched_policy, &kte_word_ops, &kte_sched_policy_param, 0444);
MODULE_PARM_DESC(sched_policy, "normal, fifo (sched_set_fifo) or fifo_low (sched_set_fifo_low) (default normal)");

unsigned int kte_param_interval_ms(void)
{
	return READ_ONCE(kte_interval_ms);
}

unsigned int kte_param_threads(void)
{
	return kte_threads;
}

const char *kte_param_thread_name(void)
{
	return kte_thread_name;
}

enum kte_start_mode kte_param_start_mode(void)
{
	return kte_start_mode;
}

enum kte_sched_policy kte_param_sched_policy(void)
{
	return kte_sched_policy;
}

bool kte_param_bind_cpus(void)
{
	return kte_bind_cpus;
}

bool kte_param_verbose(void)
{
	return READ_ONCE(kte_verbose);
}

bool kte_param_paused(void)
{
	return READ_ONCE(kte_paused);
}
