/*
 * fallocate(2) as a write: reads IN, then punches a hole in the first
 * 4 KiB of OUT (a file that exists), which erases what was there; then
 * allocates 4 KiB past the end of PLAIN (a file that exists), which
 * changes no byte of what it holds.
 * usage: fallocate_punch_hole IN OUT PLAIN
 */
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[64];
	int in, out, plain;

	if (argc != 4)
		return 2;
	in = open(argv[1], O_RDONLY);
	if (in < 0 || read(in, buf, sizeof(buf)) < 0 || close(in))
		return 1;
	out = open(argv[2], O_RDWR);
	if (out < 0 ||
	    fallocate(out, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) ||
	    close(out))
		return 1;
	plain = open(argv[3], O_RDWR);
	if (plain < 0 || fallocate(plain, 0, lseek(plain, 0, SEEK_END), 4096) ||
	    close(plain))
		return 1;
	return 0;
}
