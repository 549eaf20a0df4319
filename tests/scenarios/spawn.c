/*
 * posix_spawn with a file action: glibc makes the child with
 * CLONE_VM|CLONE_VFORK, and the child opens FILE as its stdin in the
 * parent's memory, before its exec of /bin/cat gives it its own.
 * usage: spawn FILE
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	char *cat[] = { "cat", NULL };
	int status;
	pid_t pid;

	if (argc != 2)
		return 2;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, argv[1], O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, "/bin/cat", &fa, NULL, cat, environ))
		return 1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	printf("child %d\n", (int)pid);
	return WEXITSTATUS(status);
}
