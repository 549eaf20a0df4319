/*
 * Metadata reads and changes, process state and the makers of new fds,
 * each once, relative to a directory fd where the syscall allows it:
 *   in DIR: mkdirat sub; creat sub/f; newfstatat and statx of sub/f;
 *   renameat2 RENAME_EXCHANGE of sub/f and sub/g; linkat sub/f sub/h;
 *   symlinkat "f" sub/s; fchmodat sub/f 0600; truncate; ftruncate;
 *   utimensat(fd, NULL) (futimens); unlinkat sub/h; unlinkat sub/s;
 *   chdir DIR/sub and a relative access("f"); umask; unshare(CLONE_FS);
 *   socket, eventfd2, memfd_create "probe-memfd", pidfd_open
 * Prints "name value" lines for the test to match.
 * usage: meta_ops DIR
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void must(long ok, const char *what)
{
	if (ok < 0) {
		perror(what);
		_exit(1);
	}
}

int main(int argc, char **argv)
{
	struct stat st;
	struct statx stx;
	int dir, fd;

	if (argc != 2) {
		fprintf(stderr, "usage: meta_ops DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	must(dir, "open dir");
	printf("dir %d\n", dir);
	must(mkdirat(dir, "sub", 0755), "mkdirat");
	fd = openat(dir, "sub/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	must(fd, "creat f");
	must(close(openat(dir, "sub/g", O_WRONLY | O_CREAT, 0644)), "g");
	must(fstatat(dir, "sub/f", &st, 0), "fstatat");
	must(statx(dir, "sub/f", 0, STATX_BASIC_STATS, &stx), "statx");
	must(syscall(SYS_renameat2, dir, "sub/f", dir, "sub/g",
		     RENAME_EXCHANGE),
	     "renameat2");
	must(linkat(dir, "sub/f", dir, "sub/h", 0), "linkat");
	must(symlinkat("f", dir, "sub/s"), "symlinkat");
	must(fchmodat(dir, "sub/f", 0600, 0), "fchmodat");
	must(ftruncate(fd, 3), "ftruncate");
	must(futimens(fd, NULL), "futimens");
	printf("fd %d\n", fd);
	must(unlinkat(dir, "sub/h", 0), "unlinkat h");
	must(unlinkat(dir, "sub/s", 0), "unlinkat s");
	must(fchdir(dir), "fchdir");
	must(chdir("sub"), "chdir");
	must(access("f", R_OK), "access");
	umask(027);
	must(unshare(CLONE_FS), "unshare");
	printf("socket %d\n", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	printf("eventfd %d\n", eventfd(0, 0));
	printf("memfd %d\n", memfd_create("probe-memfd", MFD_CLOEXEC));
	printf("pidfd %ld\n", syscall(SYS_pidfd_open, getpid(), 0));
	return 0;
}
