/*
 * truncate(2) by path, not through an fd (coreutils' truncate opens the
 * file and calls ftruncate).
 * usage: truncate_by_path PATH SIZE
 */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	return truncate(argv[1], atol(argv[2])) ? 1 : 0;
}
