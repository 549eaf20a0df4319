/*
 * Writes through mappings that mprotect made writable: maps OUT (a file
 * that exists) shared and read-only, makes the mapping writable with
 * mprotect, then reads IN into it: OUT changes with no write syscall,
 * after the mprotect.  Then maps IN privately, read-only, makes that
 * writable and stores into it: a private copy, IN does not change.
 * usage: mprotect_makes_writable OUT IN
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE 4096

int main(int argc, char **argv)
{
	char *map, *copy;
	int out, in;

	if (argc != 3)
		return 2;
	out = open(argv[1], O_RDWR);
	if (out < 0)
		return 1;
	map = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, out, 0);
	if (map == MAP_FAILED || mprotect(map, SIZE, PROT_READ | PROT_WRITE))
		return 1;
	in = open(argv[2], O_RDONLY);
	if (in < 0 || read(in, map, SIZE) < 0)
		return 1;
	copy = mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE, in, 0);
	if (copy == MAP_FAILED || mprotect(copy, SIZE, PROT_READ | PROT_WRITE))
		return 1;
	memcpy(copy, "private", 7);
	if (munmap(map, SIZE) || munmap(copy, SIZE) || close(out) || close(in))
		return 1;
	return 0;
}
