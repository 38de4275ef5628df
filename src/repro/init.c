/* init.c - PID 1 of the initramfs `cowfuzz kernel-check --kernel IMAGE` boots under QEMU.
 *
 * Mounts proc, sysfs and devtmpfs; loads /brd.ko if the initramfs has it (the kernel package's
 * RAM disk driver: /dev/ram0 and /dev/ram1, 64 MiB each; the programs use ram0 as swap through
 * COWFUZZ_SWAPDEV); copies /fs.img (an ext4 image) onto /dev/ram1 and mounts it on /mnt, where
 * `file` makes its files (COWFUZZ_FILEDIR: rootfs is tmpfs, not a disk filesystem);
 * runs every program in /tests in name order, each between "=== begin NAME" and
 * "=== end NAME exit N" lines on the console; then powers the machine off.
 * No shell, no busybox: build with gcc -static -O2 -Wall -Werror -o init init.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_module(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (syscall(SYS_finit_module, fd, "rd_nr=2 rd_size=65536", flags) == 0)
		printf("init: brd loaded (/dev/ram0 and /dev/ram1, 64 MiB each)\n");
	else
		printf("init: loading %s failed: %s\n", path, strerror(errno));
	close(fd);
}

/* /fs.img onto /dev/ram1, mounted on /mnt; 0 when done */
static int setup_fs(void)
{
	int in = open("/fs.img", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open("/dev/ram1", O_WRONLY | O_CLOEXEC);
	if (out < 0) {
		printf("init: /dev/ram1: %s: files unsupported\n", strerror(errno));
		close(in);
		return -1;
	}
	static char buf[1 << 16];
	ssize_t n;
	int ok = 1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			ok = 0;
	if (n < 0 || fsync(out))
		ok = 0;
	close(in);
	close(out);
	unlink("/fs.img");
	mkdir("/mnt", 0755);
	if (!ok || mount("/dev/ram1", "/mnt", "ext4", 0, NULL)) {
		printf("init: mounting the ext4 image on /mnt: %s: files unsupported\n", strerror(errno));
		return -1;
	}
	printf("init: ext4 on /dev/ram1 mounted on /mnt\n");
	return 0;
}

int main(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mkdir("/tmp", 01777);
	setvbuf(stdout, NULL, _IONBF, 0);
	struct utsname u;
	uname(&u);
	printf("init: %s %s up at %.2fs\n", u.sysname, u.release, now());
	load_module("/brd.ko", 0);
	load_module("/brd.ko.xz", MODULE_INIT_COMPRESSED_FILE);
	load_module("/brd.ko.zst", MODULE_INIT_COMPRESSED_FILE);
	int have_fs = setup_fs() == 0;

	char *names[1024];
	int n = 0;
	DIR *d = opendir("/tests");
	struct dirent *e;
	while (d && (e = readdir(d)) && n < 1024)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	double t0 = now();
	for (int i = 0; i < n; i++) {
		char path[300];
		snprintf(path, sizeof(path), "/tests/%s", names[i]);
		printf("=== begin %s\n", names[i]);
		double t1 = now();
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = { path, NULL };
			char *envp[] = { "PATH=/", "COWFUZZ_SWAPDEV=/dev/ram0", "COWFUZZ_TIMEOUT_MS=30000", "COWFUZZ_ALARM_S=600",
					 have_fs ? "COWFUZZ_FILEDIR=/mnt" : NULL, NULL };
			execve(path, argv, envp);
			printf("init: exec %s: %s\n", path, strerror(errno));
			_exit(127);
		}
		int st = 0;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		printf("=== end %s %s %d (%.2fs)\n", names[i], WIFEXITED(st) ? "exit" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), now() - t1);
	}
	printf("init: %d programs in %.2fs\n", n, now() - t0);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
