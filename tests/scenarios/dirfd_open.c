/*
 * Open DIR as a directory fd, then SUBDIR/FILE relative to it with openat,
 * then the same file by a path relative to the cwd after fchdir.  Prints
 * the dirfd so the test can match it.
 * usage: dirfd_open DIR RELPATH
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int dirfd, fd, fd2;

	if (argc != 3) {
		fprintf(stderr, "usage: dirfd_open DIR RELPATH\n");
		return 2;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return 1;
	fd = openat(dirfd, argv[2], O_RDONLY);
	if (fd < 0)
		return 1;
	if (fchdir(dirfd))
		return 1;
	fd2 = open(argv[2], O_RDWR);
	if (fd2 < 0)
		return 1;
	printf("%d %d %d\n", dirfd, fd, fd2);
	close(fd2);
	close(fd);
	close(dirfd);
	return 0;
}
