/*
 * Copy IN1, then IN2, into OUT with Linux AIO (io_submit, raw syscalls):
 * IOCB_CMD_PREAD of IN1, IOCB_CMD_PWRITE into OUT, IOCB_CMD_PREADV of IN2,
 * IOCB_CMD_PWRITEV into OUT, each waited for with io_getevents.  The fds
 * come from open(2).  Prints them ("in1 FD"...).
 * usage: aio_copy IN1 IN2 OUT
 */
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static aio_context_t ctx;

/* Submit one iocb and wait for it; its result, or -1. */
static long aio_run(__u16 opcode, int fd, void *buf, __u64 len, __s64 off)
{
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;

	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = opcode;
	cb.aio_fildes = fd;
	cb.aio_buf = (__u64)(unsigned long)buf;
	cb.aio_nbytes = len;
	cb.aio_offset = off;
	if (syscall(SYS_io_submit, ctx, 1, cbs) != 1 ||
	    syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) != 1) {
		perror("io_submit");
		return -1;
	}
	return ev.res;
}

int main(int argc, char **argv)
{
	char buf1[256], buf2[256];
	struct iovec iov = { buf2, sizeof(buf2) };
	int in1, in2, out;
	long n1, n2;

	if (argc != 4) {
		fprintf(stderr, "usage: aio_copy IN1 IN2 OUT\n");
		return 2;
	}
	in1 = open(argv[1], O_RDONLY);
	in2 = open(argv[2], O_RDONLY);
	out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in1 < 0 || in2 < 0 || out < 0 || syscall(SYS_io_setup, 8, &ctx)) {
		perror("setup");
		return 1;
	}
	n1 = aio_run(IOCB_CMD_PREAD, in1, buf1, sizeof(buf1), 0);
	if (n1 < 0 || aio_run(IOCB_CMD_PWRITE, out, buf1, n1, 0) != n1)
		return 1;
	/* a new read: what the next write holds is new */
	n2 = aio_run(IOCB_CMD_PREADV, in2, &iov, 1, 0);
	iov.iov_len = n2;
	if (n2 < 0 || aio_run(IOCB_CMD_PWRITEV, out, &iov, 1, n1) != n2)
		return 1;
	printf("in1 %d\nout %d\nin2 %d\n", in1, out, in2);
	return 0;
}
