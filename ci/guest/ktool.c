// SPDX-License-Identifier: GPL-2.0
/*
 * ktool: the guest's module loader, built static for the test initramfs.
 *
 *   ktool load FILE [PARAM...]  finit_module() only; busybox insmod falls
 *                               back to init_module() and so runs a failing
 *                               init twice. Exit status: 0 or the errno.
 *   ktool unload NAME           delete_module(); prints "unload_us=N", the
 *                               wall time of the syscall.
 *   ktool load-nth N FILE [PARAM...]
 *                               load with fault injection armed for this
 *                               thread: the N-th fault point it reaches
 *                               fails (/proc/thread-self/fail-nth). Prints
 *                               "fail_nth_left=K": K > 0 means the load
 *                               reached fewer than N points.
 *   ktool write FILE VALUE      one write(2) of VALUE to FILE; exit status:
 *                               0 or the errno (of open or of write).
 *   ktool clock [FILE...]       "T0 T1 V1 V2 ...": CLOCK_MONOTONIC in ns
 *                               just before and just after reading the
 *                               first word of each FILE (the clock the
 *                               module's deadlines use, read tightly
 *                               around the values).
 *   ktool fifo PID PRIO         SCHED_FIFO at PRIO for PID (0: back to
 *                               SCHED_OTHER); the benchmark lifts its shell
 *                               above 256 busy threads so its reads run.
 *   ktool hog CPU MS            spin on CPU for MS ms at SCHED_FIFO 99: no
 *                               real-time task of lower priority runs there
 *                               meanwhile; prints "hog_ms=N", the spin.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now_us(void)
{
	return now_ns() / 1000;
}

static int load(const char *file, int argc, char **argv)
{
	char params[4096] = "";
	size_t used = 0;
	int fd, i, err;

	for (i = 0; i < argc; i++) {
		int n = snprintf(params + used, sizeof(params) - used, "%s%s",
				 i ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(params) - used) {
			fprintf(stderr, "ktool: parameters too long\n");
			return E2BIG;
		}
		used += n;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		fprintf(stderr, "ktool: open %s: %s\n", file, strerror(err));
		return err;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		err = errno;
		fprintf(stderr, "ktool: finit_module %s: %s (errno %d)\n", file,
			strerror(err), err);
		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/* Write @text to (or read one line of) /proc/thread-self/fail-nth. */
static int fail_nth(const char *text, char *out, size_t len)
{
	int fd = open("/proc/thread-self/fail-nth", text ? O_WRONLY : O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	if (text)
		n = write(fd, text, strlen(text));
	else
		n = read(fd, out, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	if (!text) {
		out[n] = '\0';
		out[strcspn(out, "\n")] = '\0';
	}
	return 0;
}

static int load_nth(const char *nth, const char *file, int argc, char **argv)
{
	char left[32] = "";
	int err;

	if (fail_nth(nth, NULL, 0)) {
		fprintf(stderr, "ktool: fail-nth: %s\n", strerror(errno));
		return 2;
	}
	err = load(file, argc, argv);
	if (fail_nth(NULL, left, sizeof(left)))
		snprintf(left, sizeof(left), "?");
	/* Disarm whatever is left so nothing after this fails. */
	fail_nth("0", NULL, 0);
	printf("fail_nth_left=%s\n", left);
	return err;
}

static int unload(const char *name)
{
	long long start = now_us();
	int err;

	if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
		err = errno;
		fprintf(stderr, "ktool: delete_module %s: %s (errno %d)\n", name,
			strerror(err), err);
		return err;
	}
	printf("unload_us=%lld\n", now_us() - start);
	return 0;
}

static int write_file(const char *file, const char *value)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, value, strlen(value)) < 0)
		err = errno;
	close(fd);
	return err;
}

static int clock_files(int argc, char **argv)
{
	char vals[64][32];
	long long t0, t1;
	int i;

	if (argc > 64)
		return E2BIG;
	t0 = now_ns();
	for (i = 0; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, vals[i], sizeof(vals[i]) - 1);

		if (fd >= 0)
			close(fd);
		if (n < 0) {
			fprintf(stderr, "ktool: read %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		vals[i][n] = '\0';
		vals[i][strcspn(vals[i], "\t\n ")] = '\0';
	}
	t1 = now_ns();
	printf("%lld %lld", t0, t1);
	for (i = 0; i < argc; i++)
		printf(" %s", vals[i]);
	printf("\n");
	return 0;
}

static int set_fifo(const char *pid, const char *prio)
{
	struct sched_param sp = { .sched_priority = atoi(prio) };
	int policy = sp.sched_priority ? SCHED_FIFO : SCHED_OTHER;

	if (sched_setscheduler(atoi(pid), policy, &sp)) {
		fprintf(stderr, "ktool: sched_setscheduler %s: %s\n", pid, strerror(errno));
		return errno;
	}
	return 0;
}

static int hog(const char *cpu, const char *ms)
{
	struct sched_param sp = { .sched_priority = 99 };
	long long start, end;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(atoi(cpu), &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    sched_setscheduler(0, SCHED_FIFO, &sp)) {
		fprintf(stderr, "ktool: spinning on CPU %s: %s\n", cpu, strerror(errno));
		return errno;
	}
	start = now_ns();
	end = start + atoll(ms) * 1000000LL;
	while (now_ns() < end)
		;
	printf("hog_ms=%lld\n", (now_ns() - start) / 1000000);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return load(argv[2], argc - 3, argv + 3);
	if (argc == 3 && !strcmp(argv[1], "unload"))
		return unload(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "load-nth"))
		return load_nth(argv[2], argv[3], argc - 4, argv + 4);
	if (argc == 4 && !strcmp(argv[1], "write"))
		return write_file(argv[2], argv[3]);
	if (argc >= 2 && !strcmp(argv[1], "clock"))
		return clock_files(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "fifo"))
		return set_fifo(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "hog"))
		return hog(argv[2], argv[3]);
	fprintf(stderr, "usage: ktool load FILE [PARAM...] | ktool unload NAME |\n"
		"       ktool load-nth N FILE [PARAM...] | ktool write FILE VALUE |\n"
		"       ktool clock [FILE...] | ktool fifo PID PRIO | ktool hog CPU MS\n");
	return 2;
}
