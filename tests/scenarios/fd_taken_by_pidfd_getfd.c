/*
 * An fd taken from another process with pidfd_getfd: a child opens IN as
 * fd 100 and stops; the parent takes a copy of that fd, reads IN through
 * it and writes what it read to OUT.  The copy arrives at a number the
 * parent used and closed before, so a model of its fd table that missed
 * the arrival would take it for closed.
 * usage: fd_taken_by_pidfd_getfd IN OUT
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_FD 100

int main(int argc, char **argv)
{
	int pidfd, spare, fd, out, status;
	char buf[64];
	ssize_t n;
	pid_t pid;

	if (argc != 3)
		return 2;
	pid = fork();
	if (pid == 0) {
		fd = open(argv[1], O_RDONLY);
		if (fd < 0 || dup2(fd, CHILD_FD) != CHILD_FD)
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return 1;
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	spare = open("/dev/null", O_RDONLY);
	if (pidfd < 0 || spare < 0 || close(spare))
		return 1;
	fd = syscall(SYS_pidfd_getfd, pidfd, CHILD_FD, 0);
	if (fd != spare || (n = read(fd, buf, sizeof(buf))) < 0)
		return 1;
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, buf, n) != n || kill(pid, SIGCONT) ||
	    waitpid(pid, &status, 0) != pid || status)
		return 1;
	printf("fd %d\n", fd);
	return 0;
}
