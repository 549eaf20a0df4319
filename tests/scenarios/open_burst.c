/*
 * Open and close FILE COUNT times as fast as possible: a burst that
 * overflows a small ring buffer between two drains.
 * usage: open_burst FILE COUNT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long count;

	if (argc != 3) {
		fprintf(stderr, "usage: open_burst FILE COUNT\n");
		return 2;
	}
	count = atol(argv[2]);
	for (long i = 0; i < count; i++) {
		int fd = open(argv[1], O_RDONLY);

		if (fd < 0)
			return 1;
		close(fd);
	}
	return 0;
}
