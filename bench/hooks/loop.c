/*
 * loop N [FILE]: wait for a line on stdin, then N times open, read, close
 * and stat FILE (default /etc/hostname), in CHUNKS equal chunks, and print
 * "CPU_NS WALL_NS BEST_NS" on stdout: the CPU and wall-clock nanoseconds of
 * the N iterations, and the CPU nanoseconds of the fastest chunk times
 * CHUNKS.
 *
 * It waits so that run.sh can hand its pid to the loader, which marks it
 * traced, before the first timed syscall; and it times itself so that
 * neither that wait nor the exec is in the numbers.
 *
 * CPU time (the task's sum_exec_runtime, user and kernel) leaves out the
 * time other tasks hold the CPU, which wall time does not; a BPF program
 * runs in the syscall's task and is in it.  On a shared VM the CPU time
 * still swells while the neighbours are busy (caches, the host's other
 * hyperthread), and only ever swells: the fastest chunk is the estimate
 * least touched by them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNKS 10

static void fail(const char *what, const char *path)
{
	fprintf(stderr, "loop: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Returns 0 when stdin closed before a newline came: nothing to time. */
static int wait_for_go(void)
{
	char c;

	for (;;) {
		ssize_t n = read(STDIN_FILENO, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if (c == '\n')
			return 1;
	}
}

/* One iteration is four syscalls: openat, read, close, newfstatat. */
static void iterate(long n, const char *path)
{
	char buf[256];
	struct stat st;

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
}

int main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/etc/hostname";
	long n = argc > 1 ? atol(argv[1]) : 0;
	long long cpu, wall, best = -1;

	if (argc < 2 || argc > 3 || n < CHUNKS || n % CHUNKS) {
		fprintf(stderr,
			"usage: loop ITERATIONS [FILE]   "
			"(ITERATIONS a multiple of %d)\n",
			CHUNKS);
		return 2;
	}
	if (!wait_for_go()) {
		fputs("loop: stdin closed before the go line\n", stderr);
		return 2;
	}
	cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	wall = now_ns(CLOCK_MONOTONIC);
	for (int c = 0; c < CHUNKS; c++) {
		long long start = now_ns(CLOCK_PROCESS_CPUTIME_ID), took;

		iterate(n / CHUNKS, path);
		took = now_ns(CLOCK_PROCESS_CPUTIME_ID) - start;
		if (best < 0 || took < best)
			best = took;
	}
	wall = now_ns(CLOCK_MONOTONIC) - wall;
	cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu;
	printf("%lld %lld %lld\n", cpu, wall, best * CHUNKS);
	return 0;
}
