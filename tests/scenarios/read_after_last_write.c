/*
 * A read after the last write: reads EARLY, writes OUT and closes it, and
 * only then reads LATER, which it copies into AFTER.  Nothing of LATER can
 * be in OUT; both EARLY and LATER can be in AFTER.
 * usage: read_after_last_write EARLY OUT LATER AFTER
 */
#include <fcntl.h>
#include <unistd.h>

static int copy(const char *from, int to)
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

int main(int argc, char **argv)
{
	int out, after;

	if (argc != 5)
		return 2;
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || copy(argv[1], out) || close(out))
		return 1;
	after = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (after < 0 || copy(argv[3], after) || close(after))
		return 1;
	return 0;
}
