/*
 * io_uring_copy with IOSQE_ASYNC on every request: the kernel hands each
 * to an io worker thread (iou-wrk), which opens, reads, writes and closes
 * for this process and posts the completion.
 * usage: io_uring_copy_async IN1 IN2 OUT
 */
#include "io_uring_copy.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: io_uring_copy_async IN1 IN2 OUT\n");
		return 2;
	}
	uring_copy(argv[1], argv[2], argv[3], IOSQE_ASYNC);
	return 0;
}
