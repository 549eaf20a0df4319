/*
 * A read after the last write: reads EARLY, writes OUT and closes it, and
 * only then reads LATER, which it copies into AFTER.  Nothing of LATER can
 * be in OUT; both EARLY and LATER can be in AFTER.
 * usage: read_after_last_write EARLY OUT LATER AFTER
 */
#include <fcntl.h>
#include <unistd.h>

#include "copy_into.h"

int main(int argc, char **argv)
{
	int out, after;

	if (argc != 5)
		return 2;
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || copy_into(argv[1], out) || close(out))
		return 1;
	after = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (after < 0 || copy_into(argv[3], after) || close(after))
		return 1;
	return 0;
}
