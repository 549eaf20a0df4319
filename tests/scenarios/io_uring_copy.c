/*
 * Copy IN1, then IN2, into OUT with io_uring requests only: openat,
 * read, write, close, each completed inline by the task that submits it.
 * Prints the fds ("in1 FD"...).
 * usage: io_uring_copy IN1 IN2 OUT
 */
#include "io_uring_copy.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: io_uring_copy IN1 IN2 OUT\n");
		return 2;
	}
	uring_copy(argv[1], argv[2], argv[3], 0);
	return 0;
}
