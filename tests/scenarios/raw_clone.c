/*
 * Process creation that libc wrappers would hide or refuse:
 *   a raw clone3 with CLONE_FILES and without CLONE_VM: the child opens
 *   A in the table it shares, exits with the fd as its status, and the
 *   parent reads through that fd;
 *   vfork: the child opens B in the parent's memory, then execs
 *   /bin/true.
 * Prints "name value" lines.
 * usage: raw_clone A B
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct clone_args args;
	char *true_argv[] = { "true", NULL }, c;
	int status, fd;
	pid_t pid;

	if (argc != 3)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_FILES;
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		return 1;
	if (pid == 0)
		syscall(SYS_exit, open(argv[1], O_RDONLY));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	fd = WEXITSTATUS(status);
	if (read(fd, &c, 1) != 1)
		return 1;
	printf("clone3_child %d\n", (int)pid);
	printf("fd %d\n", fd);

	pid = vfork();
	if (pid == 0) {
		if (open(argv[2], O_RDONLY) < 0)
			_exit(1);
		execve("/bin/true", true_argv, NULL);
		_exit(1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		return 1;
	printf("vfork_child %d\n", (int)pid);
	return 0;
}
