/*
 * Uses of files that the first-read/first-write records must show exactly
 * once per open file description, whatever the syscall:
 *   DIR/in.txt   written once, then opened O_RDWR and only read (10 read,
 *                3 pread64): one read, no write
 *   DIR/out.txt  writev 5 times: one write
 *   DIR/send.txt sendfile from in.txt; DIR/copy.txt copy_file_range
 *   DIR/map.txt  mmap MAP_SHARED PROT_READ|PROT_WRITE: a read and a write
 *   in.txt closed and reopened 3 times (the struct file may be reused at
 *   the same address), read each time: three more reads
 * Prints "NAME FD" for each descriptor it used.
 * usage: file_use DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *dir;

static int open_in(const char *name, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, flags, 0644);
	if (fd < 0) {
		perror(path);
		_exit(1);
	}
	printf("%s %d\n", name, fd);
	return fd;
}

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		_exit(1);
	}
}

int main(int argc, char **argv)
{
	char buf[64];
	struct iovec iov = { .iov_base = "line\n", .iov_len = 5 };
	int fd, out, send, copy, map;
	char *p;

	if (argc != 2) {
		fprintf(stderr, "usage: file_use DIR\n");
		return 2;
	}
	dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open_in("in.txt", O_WRONLY | O_CREAT | O_TRUNC);
	must(write(fd, "0123456789abcdef", 16) == 16, "write");
	close(fd);

	fd = open_in("in.txt", O_RDWR);
	for (int i = 0; i < 10; i++)
		must(read(fd, buf, 1) == 1, "read");
	for (int i = 0; i < 3; i++)
		must(pread(fd, buf, 4, i) == 4, "pread");

	out = open_in("out.txt", O_WRONLY | O_CREAT | O_TRUNC);
	for (int i = 0; i < 5; i++)
		must(writev(out, &iov, 1) == 5, "writev");

	send = open_in("send.txt", O_WRONLY | O_CREAT | O_TRUNC);
	must(sendfile(send, fd, &(off_t){ 0 }, 8) == 8, "sendfile");
	copy = open_in("copy.txt", O_WRONLY | O_CREAT | O_TRUNC);
	must(copy_file_range(fd, &(off_t){ 0 }, copy, NULL, 8, 0) == 8,
	     "copy_file_range");

	map = open_in("map.txt", O_RDWR | O_CREAT | O_TRUNC);
	must(ftruncate(map, 4096) == 0, "ftruncate");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, map, 0);
	must(p != MAP_FAILED, "mmap");
	memcpy(p, "mapped", 6);
	munmap(p, 4096);

	close(fd);
	for (int i = 0; i < 3; i++) {
		fd = open_in("in.txt", O_RDONLY);
		must(read(fd, buf, 1) == 1, "read again");
		close(fd);
	}
	return 0;
}
