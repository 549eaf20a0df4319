/*
 * The classic syscall micro-benchmark: N times open, read, close and stat
 * one small file.  probe-bpf records the open and the close and sees the
 * read and the stat go by (one sys_exit program runs for every syscall), so
 * this is the worst case per syscall for a traced process.
 *
 * usage: syscall_loop [ITERATIONS [FILE]]   (default 150000, /etc/hostname)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* About 0.5-1 s natively on the 2-core Debian 12 VMs the project runs on;
 * bench/run.sh reads this line so both agree on the count. */
#define DEFAULT_ITERATIONS 150000

static void fail(const char *what, const char *path)
{
	fprintf(stderr, "syscall_loop: %s %s: %s\n", what, path,
		strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : DEFAULT_ITERATIONS;
	const char *path = argc > 2 ? argv[2] : "/etc/hostname";
	char buf[256];
	struct stat st;

	if (argc > 3 || n <= 0) {
		fputs("usage: syscall_loop [ITERATIONS [FILE]]\n", stderr);
		return 2;
	}
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			fail("open", path);
		if (read(fd, buf, sizeof(buf)) < 0)
			fail("read", path);
		close(fd);
		if (stat(path, &st))
			fail("stat", path);
	}
	return 0;
}
