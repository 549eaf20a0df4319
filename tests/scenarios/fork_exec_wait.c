/*
 * A parent that forks a child, which execs `cat FILE`, waits for it, then
 * writes what it saw to OUT and exits with the child's status plus 3.
 * usage: fork_exec_wait FILE OUT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status, fd;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: fork_exec_wait FILE OUT\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl("/bin/cat", "cat", argv[1], (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || dprintf(fd, "child %d status %d\n", (int)pid,
			      WEXITSTATUS(status)) < 0)
		return 1;
	close(fd);
	return WEXITSTATUS(status) + 3;
}
