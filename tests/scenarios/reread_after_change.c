/*
 * A read through an open file description after another process changed
 * the file: the first read of DIR/log is recorded when this process opens
 * it; then a child appends DIR/extra.txt's content to DIR/log and exits;
 * then this process reads DIR/log again through the same descriptor (a
 * read the kernel side would skip as a repeat, were the file unchanged)
 * and writes what it read to DIR/out.txt.  extra.txt is in out.txt.
 * usage: reread_after_change DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;

static int open_in(const char *name, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, flags, 0644);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static void copy(int from, int to)
{
	char buf[256];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (write(to, buf, n) != n) {
			perror("write");
			exit(1);
		}
}

int main(int argc, char **argv)
{
	int log, out, status;
	char buf[256];
	pid_t child;

	if (argc != 2) {
		fprintf(stderr, "usage: reread_after_change DIR\n");
		return 2;
	}
	dir = argv[1];
	log = open_in("log", O_RDONLY);
	while (read(log, buf, sizeof(buf)) > 0) /* to its end */
		;
	child = fork();
	if (child == 0) {
		int extra = open_in("extra.txt", O_RDONLY);

		copy(extra, open_in("log", O_WRONLY | O_APPEND));
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child || status) {
		perror("child");
		return 1;
	}
	out = open_in("out.txt", O_WRONLY | O_CREAT | O_TRUNC);
	copy(log, out); /* what the child appended */
	return 0;
}
