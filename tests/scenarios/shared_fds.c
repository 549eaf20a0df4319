/*
 * fd tables shared and unshared, with raw syscalls where libc would hide
 * the case.  Every read below goes through an fd the model can only know
 * if it shares, copies and drops tables as the kernel does:
 *   1. clone(CLONE_FILES) without CLONE_VM: the child opens B; the parent
 *      reads B through the child's fd after the child exited
 *   2. a plain fork: the child's open of C is not the parent's, so the
 *      parent's fd of that number still reads A
 *   3. unshare(CLONE_FILES) in a CLONE_FILES child: its close of the
 *      parent's fd x and its open of D stay its own; the parent reads x
 * usage: shared_fds A B C D
 */
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void must(long ok, const char *what)
{
	if (ok < 0) {
		perror(what);
		_exit(1);
	}
}

/* clone(flags) as fork() does it, with no new stack: the child runs on. */
static pid_t raw_clone(unsigned long flags)
{
	return syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
}

static void reap(pid_t pid)
{
	int status;

	must(waitpid(pid, &status, 0), "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		_exit(1);
}

int main(int argc, char **argv)
{
	char buf[4];
	int a, fd;
	pid_t pid;

	if (argc != 5) {
		fprintf(stderr, "usage: shared_fds A B C D\n");
		return 2;
	}
	a = open(argv[1], O_RDONLY);
	must(a, "open A");

	/* 1: the child's open lands in the parent's table too */
	pid = raw_clone(CLONE_FILES);
	must(pid, "clone");
	if (pid == 0)
		_exit(open(argv[2], O_RDONLY) == a + 1 ? 0 : 1);
	reap(pid);
	must(read(a + 1, buf, 1), "read B through the child's fd");

	/* 2: a fork's table is a copy: the child's fd a+2 is not ours */
	pid = fork();
	must(pid, "fork");
	if (pid == 0) {
		fd = open(argv[3], O_RDONLY);
		_exit(read(fd, buf, 1) == 1 ? 0 : 1);
	}
	reap(pid);
	must(dup2(a, a + 2), "dup2");
	must(read(a + 2, buf, 1), "read A through a+2");

	/* 3: unshare copies the table: the child's close of x and open of D
	 * stay its own, and the parent still reads through x */
	fd = open(argv[1], O_RDONLY); /* x: a new description of A */
	must(fd, "open x");
	pid = raw_clone(CLONE_FILES);
	must(pid, "clone");
	if (pid == 0) {
		int d;

		if (unshare(CLONE_FILES) || close(fd))
			_exit(1);
		d = open(argv[4], O_RDONLY); /* takes x's number, here only */
		syscall(SYS_close_range, d, d, CLOSE_RANGE_UNSHARE);
		_exit(d == fd ? 0 : 1);
	}
	reap(pid);
	must(read(fd, buf, 1), "read A through x");
	fd = open(argv[1], O_RDONLY); /* a+4: x is still open here */
	must(read(fd, buf, 1), "read A again");
	return fd == a + 4 ? 0 : 1;
}
