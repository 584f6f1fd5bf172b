// SPDX-License-Identifier: GPL-2.0
/*
 * ktool: the guest's module loader, built static for the test initramfs.
 *
 *   ktool load FILE [PARAM...]  finit_module() only; busybox insmod falls
 *                               back to init_module() and so runs a failing
 *                               init twice. Exit status: 0 or the errno.
 *   ktool unload NAME           delete_module(); prints "unload_us=N", the
 *                               wall time of the syscall.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
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

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return load(argv[2], argc - 3, argv + 3);
	if (argc == 3 && !strcmp(argv[1], "unload"))
		return unload(argv[2]);
	fprintf(stderr, "usage: ktool load FILE [PARAM...] | ktool unload NAME\n");
	return 2;
}
