/*
 * What the io_uring scenarios share: one request at a time on one ring,
 * and a copy of two files into a third made of io_uring requests only.
 */
#ifndef SCENARIO_IO_URING_COPY_H
#define SCENARIO_IO_URING_COPY_H

#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct io_uring ring;

static inline void ring_init(void)
{
	int err = io_uring_queue_init(8, &ring, 0);

	if (err < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-err));
		exit(1);
	}
}

/* The next request's entry (the ring is never full: one at a time). */
static inline struct io_uring_sqe *request(void)
{
	return io_uring_get_sqe(&ring);
}

/* Submit the request with flags (IOSQE_*) and wait for its result;
 * exit if it failed. */
static inline int run(struct io_uring_sqe *sqe, unsigned flags, const char *what)
{
	struct io_uring_cqe *cqe;
	int res;

	io_uring_sqe_set_flags(sqe, flags);
	if (io_uring_submit_and_wait(&ring, 1) < 1 ||
	    io_uring_wait_cqe(&ring, &cqe)) {
		perror(what);
		exit(1);
	}
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	if (res < 0) {
		fprintf(stderr, "%s: %s\n", what, strerror(-res));
		exit(1);
	}
	return res;
}

static inline int uring_open(const char *path, int flags, unsigned sqe_flags)
{
	struct io_uring_sqe *sqe = request();

	io_uring_prep_openat(sqe, AT_FDCWD, path, flags, 0644);
	return run(sqe, sqe_flags, path);
}

static inline int uring_read(int fd, char *buf, unsigned len, unsigned sqe_flags)
{
	struct io_uring_sqe *sqe = request();

	io_uring_prep_read(sqe, fd, buf, len, 0);
	return run(sqe, sqe_flags, "read");
}

static inline void uring_write(int fd, const char *buf, unsigned len, __u64 off,
			unsigned sqe_flags)
{
	struct io_uring_sqe *sqe = request();

	io_uring_prep_write(sqe, fd, buf, len, off);
	run(sqe, sqe_flags, "write");
}

static inline void uring_close(int fd, unsigned sqe_flags)
{
	struct io_uring_sqe *sqe = request();

	io_uring_prep_close(sqe, fd);
	run(sqe, sqe_flags, "close");
}

/*
 * Copy in1, then in2, into out (created, truncated), every open, read,
 * write and close an io_uring request with sqe_flags; print each fd as
 * "in1 FD", "out FD", "in2 FD".
 */
static inline void uring_copy(const char *in1, const char *in2, const char *out,
		       unsigned sqe_flags)
{
	int fd_in1, fd_in2, fd_out, n1, n2;
	char buf[256];

	ring_init();
	fd_in1 = uring_open(in1, O_RDONLY, sqe_flags);
	n1 = uring_read(fd_in1, buf, sizeof(buf), sqe_flags);
	fd_out = uring_open(out, O_WRONLY | O_CREAT | O_TRUNC, sqe_flags);
	uring_write(fd_out, buf, n1, 0, sqe_flags);
	/* a new read: what the next write holds is new */
	fd_in2 = uring_open(in2, O_RDONLY, sqe_flags);
	n2 = uring_read(fd_in2, buf, sizeof(buf), sqe_flags);
	uring_write(fd_out, buf, n2, n1, sqe_flags);
	uring_close(fd_in1, sqe_flags);
	uring_close(fd_in2, sqe_flags);
	uring_close(fd_out, sqe_flags);
	printf("in1 %d\nout %d\nin2 %d\n", fd_in1, fd_out, fd_in2);
}

#endif
