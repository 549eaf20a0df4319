/*
 * The cost of recording io_uring requests: N times, one request at a time
 * on one ring, either a read of one open file ("read": after the first,
 * each is a repeat that the kernel side deduplicates: the cost of its two
 * tracepoints and a lookup), or an IORING_OP_OPENAT, READ and CLOSE of the
 * file ("open": three records each time, as the syscall loop makes).
 * Prints the time per iteration.  Not part of `make bench`: run it natively
 * and under `probe-bpf record` and compare (see bench/README.md).
 *
 * build: gcc -O2 -o io_uring_loop bench/io_uring_loop.c -luring
 * usage: io_uring_loop read|open [ITERATIONS [FILE]]
 *        (default 100000, /etc/hostname)
 */
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct io_uring ring;

/* Submit the request prepared and wait for it: its result, or exit. */
static int run(void)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_submit_and_wait(&ring, 1) < 1 ||
	    io_uring_wait_cqe(&ring, &cqe)) {
		perror("io_uring");
		exit(1);
	}
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	if (res < 0) {
		fprintf(stderr, "io_uring_loop: %s\n", strerror(-res));
		exit(1);
	}
	return res;
}

static int uring_open(const char *path)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	return run();
}

static void uring_read(int fd, char *buf, unsigned len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	io_uring_prep_read(sqe, fd, buf, len, 0);
	run();
}

static void uring_close(int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	io_uring_prep_close(sqe, fd);
	run();
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 100000;
	const char *path = argc > 3 ? argv[3] : "/etc/hostname";
	bool open_each;
	struct timespec t0, t1;
	char buf[256];
	int fd = -1;

	if (argc < 2 || argc > 4 || n <= 0 ||
	    (strcmp(argv[1], "read") && strcmp(argv[1], "open"))) {
		fputs("usage: io_uring_loop read|open [ITERATIONS [FILE]]\n",
		      stderr);
		return 2;
	}
	open_each = !strcmp(argv[1], "open");
	if (io_uring_queue_init(8, &ring, 0)) {
		perror("io_uring_queue_init");
		return 1;
	}
	if (!open_each)
		fd = uring_open(path);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		if (open_each)
			fd = uring_open(path);
		uring_read(fd, buf, sizeof(buf));
		if (open_each)
			uring_close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f ns per iteration\n",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
	return 0;
}
