/*
 * A write through a shared writable mapping, then a read: maps OUT
 * MAP_SHARED and writable, writes into it, then reads LATER into the
 * mapping.  The kernel sees the mmap, never the stores through it, so
 * whatever the process read while it held the mapping can be in OUT.
 * usage: write_through_mapping OUT LATER
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE 4096

int main(int argc, char **argv)
{
	int out, later;
	char *map;

	if (argc != 3)
		return 2;
	out = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || ftruncate(out, SIZE))
		return 1;
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, out, 0);
	if (map == MAP_FAILED)
		return 1;
	memcpy(map, "mapped\n", 7);
	later = open(argv[2], O_RDONLY);
	if (later < 0 || read(later, map + 7, SIZE - 7) < 0)
		return 1;
	close(later);
	if (munmap(map, SIZE) || close(out))
		return 1;
	return 0;
}
