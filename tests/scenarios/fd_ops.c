/*
 * Every fd-table operation recorded so far, each once, with raw syscalls
 * where libc could choose another (dup2 over an open fd, close_range with
 * both flags).  Prints "name value" lines for the test to match.
 * usage: fd_ops FILE
 */
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *name, long v)
{
	printf("%s %ld\n", name, v);
}

int main(int argc, char **argv)
{
	int fd, other, d, p[2];

	if (argc != 2) {
		fprintf(stderr, "usage: fd_ops FILE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(argv[1], O_RDONLY);
	other = open("/dev/null", O_RDONLY);
	show("fd", fd);
	show("other", other);
	show("dup", dup(fd));
	/* dup2 over an open fd closes it first */
	show("dup2", syscall(SYS_dup2, fd, other));
	show("dup3", syscall(SYS_dup3, fd, 20, O_CLOEXEC));
	d = fcntl(fd, F_DUPFD_CLOEXEC, 30);
	show("dupfd_cloexec", d);
	show("setfd", fcntl(fd, F_SETFD, FD_CLOEXEC));
	show("setfl", fcntl(fd, F_SETFL, O_NONBLOCK));
	if (pipe2(p, O_CLOEXEC))
		return 1;
	show("pipe_r", p[0]);
	show("pipe_w", p[1]);
	if (write(p[1], "x", 1) != 1)
		return 1;
	show("close_range_cloexec",
	     syscall(SYS_close_range, 20, 29, CLOSE_RANGE_CLOEXEC));
	show("close_range_unshare",
	     syscall(SYS_close_range, 30, 40, CLOSE_RANGE_UNSHARE));
	show("bad_dup", dup(999));
	return 0;
}
