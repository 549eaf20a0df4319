/* What the lineage scenarios share: copy a small file into an open fd. */
#ifndef SCENARIO_COPY_INTO_H
#define SCENARIO_COPY_INTO_H

#include <fcntl.h>
#include <unistd.h>

/* Read from (one read of at most 256 bytes) and write it to fd to: 0, or
 * -1 on any error. */
static int copy_into(const char *from, int to)
{
	char buf[256];
	int fd = open(from, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n < 0 || write(to, buf, n) != n ? -1 : 0;
}

#endif
