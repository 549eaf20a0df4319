/*
 * A program run through an fd, three ways, each in a child of its own
 * with its stdout on OUTn: fexecve of PROGRAM opened (glibc: execveat
 * with AT_EMPTY_PATH), execveat of PROGRAM's name relative to a dirfd of
 * its directory, and fexecve of a memfd named "probe-copy" that holds a
 * copy of PROGRAM.  Each runs PROGRAM INn.  The kernel names all three
 * "/dev/fd/N...".
 * usage: exec_through_fd PROGRAM IN1 IN2 IN3 OUT1 OUT2 OUT3
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* stdout to path, for the program the child runs. */
static void output_to(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || dup2(fd, 1) != 1)
		_exit(1);
	close(fd);
}

/* A read-only fd of a memfd holding a copy of program: exec refuses a
 * file open for writing (ETXTBSY), so the copy is reopened. */
static int memfd_copy(const char *program)
{
	int in = open(program, O_RDONLY), mfd = memfd_create("probe-copy", 0);
	char buf[65536], proc[64];
	ssize_t n;

	if (in < 0 || mfd < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n)
			return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", mfd);
	n = open(proc, O_RDONLY | O_CLOEXEC);
	close(mfd);
	close(in);
	return n;
}

static void run(int how, const char *program, const char *in, const char *out)
{
	char *args[] = { "cat", (char *)in, NULL }, *copy = strdup(program);
	int fd;

	if (how == 0) {
		fd = open(program, O_RDONLY | O_CLOEXEC);
		output_to(out);
		fexecve(fd, args, environ);
	} else if (how == 1) {
		fd = open(dirname(copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
		output_to(out);
		strcpy(copy, program);
		syscall(SYS_execveat, fd, basename(copy), args, environ, 0);
	} else {
		fd = memfd_copy(program);
		output_to(out);
		fexecve(fd, args, environ);
	}
	perror("exec");
	_exit(1);
}

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc != 8)
		return 2;
	for (int how = 0; how < 3; how++) {
		pid = fork();
		if (pid == 0)
			run(how, argv[1], argv[2 + how], argv[5 + how]);
		if (waitpid(pid, &status, 0) != pid || status)
			return 1;
		printf("child%d %d\n", how + 1, pid);
	}
	return 0;
}
