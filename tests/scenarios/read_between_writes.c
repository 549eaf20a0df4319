/*
 * A read between two writes through one fd: reads FIRST, writes it into
 * OUT, reads SECOND, writes it into OUT through the same fd, then writes
 * OUT a third time with no read before.  The kernel deduplicates writes
 * per open file description, but records the second one again (the
 * process read something new since its last write), and not the third.
 * usage: read_between_writes FIRST SECOND OUT
 */
#include <fcntl.h>
#include <unistd.h>

#include "copy_into.h"

int main(int argc, char **argv)
{
	int out;

	if (argc != 4)
		return 2;
	out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || copy_into(argv[1], out) || copy_into(argv[2], out) ||
	    write(out, "end\n", 4) != 4 || close(out))
		return 1;
	return 0;
}
