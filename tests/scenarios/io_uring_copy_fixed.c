/*
 * Copy IN1, then IN2, into OUT through the ring's registered (fixed)
 * files: IN1 and OUT opened with open(2) and registered in slots 0 and 1
 * (then their fds closed: the ring holds the files), IN2 opened by the
 * ring straight into slot 2 (IORING_OP_OPENAT with a file index) and
 * closed there; every read and write with IOSQE_FIXED_FILE.  Prints the
 * slots ("in1 0"...).
 * usage: io_uring_copy_fixed IN1 IN2 OUT
 */
#include <unistd.h>

#include "io_uring_copy.h"

int main(int argc, char **argv)
{
	int files[3] = { -1, -1, -1 }, n1, n2, err;
	struct io_uring_sqe *sqe;
	char buf[256];

	if (argc != 4) {
		fprintf(stderr, "usage: io_uring_copy_fixed IN1 IN2 OUT\n");
		return 2;
	}
	ring_init();
	files[0] = open(argv[1], O_RDONLY);
	files[1] = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (files[0] < 0 || files[1] < 0) {
		perror("open");
		return 1;
	}
	err = io_uring_register_files(&ring, files, 3); /* slot 2 empty */
	if (err < 0) {
		fprintf(stderr, "io_uring_register_files: %s\n", strerror(-err));
		return 1;
	}
	close(files[0]);
	close(files[1]);
	n1 = uring_read(0, buf, sizeof(buf), IOSQE_FIXED_FILE);
	uring_write(1, buf, n1, 0, IOSQE_FIXED_FILE);
	sqe = request();
	io_uring_prep_openat_direct(sqe, AT_FDCWD, argv[2], O_RDONLY, 0, 2);
	run(sqe, 0, argv[2]);
	n2 = uring_read(2, buf, sizeof(buf), IOSQE_FIXED_FILE);
	uring_write(1, buf, n2, n1, IOSQE_FIXED_FILE);
	sqe = request();
	io_uring_prep_close_direct(sqe, 2);
	run(sqe, 0, "close");
	printf("in1 0\nout 1\nin2 2\n");
	return 0;
}
