/*
 * Data copied between two processes' memories: a child reads IN into
 * its buffer and stops; the parent copies that buffer into its own with
 * process_vm_readv and writes it to OUT1, then reads IN2 and copies it
 * into the child's other buffer with process_vm_writev, lets the child
 * go on and reads DECOY.  The child writes the buffer the parent filled
 * to OUT2.  No pipe or file carries data between them: the stop and the
 * SIGCONT only order them.
 * usage: process_memory_copied IN IN2 DECOY OUT1 OUT2
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* At the same addresses in both processes: the child is a fork. */
static char child_read[64], parent_put[64];

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size);

	if (fd >= 0)
		close(fd);
	return n;
}

static int write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	char got[64], decoy[64];
	struct iovec local = { got, sizeof(got) },
		     remote = { child_read, sizeof(child_read) };
	ssize_t n;
	int status;
	pid_t pid;

	if (argc != 6)
		return 2;
	pid = fork();
	if (pid == 0) {
		if (read_file(argv[1], child_read, sizeof(child_read) - 1) <= 0)
			_exit(1);
		raise(SIGSTOP);
		_exit(write_file(argv[5], parent_put, strlen(parent_put)) ? 1 : 0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return 1;
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n <= 0 || write_file(argv[4], got, strlen(got)))
		return 1;
	memset(parent_put, 0, sizeof(parent_put));
	if (read_file(argv[2], parent_put, sizeof(parent_put) - 1) <= 0)
		return 1;
	local = (struct iovec){ parent_put, sizeof(parent_put) };
	remote = (struct iovec){ parent_put, sizeof(parent_put) };
	if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != sizeof(parent_put))
		return 1;
	if (kill(pid, SIGCONT) || read_file(argv[3], decoy, sizeof(decoy)) < 0)
		return 1;
	if (waitpid(pid, &status, 0) != pid || status)
		return 1;
	printf("child %d\n", pid);
	return 0;
}
