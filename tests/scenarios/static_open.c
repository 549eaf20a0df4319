/*
 * Built with -static: no dynamic loader, no libc to interpose.  Opens
 * FILE, reads it and writes OUT.
 * usage: static_open FILE OUT
 */
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[64];
	ssize_t n;
	int in, out;

	if (argc != 3)
		return 2;
	in = open(argv[1], O_RDONLY);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		return 1;
	n = read(in, buf, sizeof(buf));
	if (n < 0 || write(out, buf, n) != n)
		return 1;
	return 0;
}
