/*
 * Changes that name their file by path, each printed with the inode it
 * must act on (stat(2) just before), so that the test can check the dev/ino
 * the record carries: in DIR (the cwd),
 *   creat a, link a b (b is now a's newest name);
 *   chmod a, fchownat b, truncate a, utimensat b, setxattr a;
 *   unlink a (its dentry is b's: found as the one non-directory);
 *   creat c, rename b c (c's old inode is replaced);
 *   mkdir d, mkdir d/d, rmdir d/d (two directories named d);
 *   symlink "c" s, mknod p (a FIFO), renameat2 c p RENAME_EXCHANGE.
 * Raw syscalls, so that each change is the syscall the test expects.
 * usage: path_changes DIR
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
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

/* Print "name ino" for path, and its st_dev once. */
static void show(const char *name, const char *path)
{
	static int dev_shown;
	struct stat st;

	must(lstat(path, &st), path);
	if (!dev_shown++)
		printf("dev %llu\n", (unsigned long long)st.st_dev);
	printf("%s %llu\n", name, (unsigned long long)st.st_ino);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: path_changes DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	must(chdir(argv[1]), "chdir");
	must(close(creat("a", 0644)), "creat a");
	must(syscall(SYS_link, "a", "b"), "link");
	show("a", "a");
	must(syscall(SYS_chmod, "a", 0600), "chmod");
	must(syscall(SYS_fchownat, AT_FDCWD, "b", getuid(), getgid(), 0),
	     "fchownat");
	must(syscall(SYS_truncate, "a", 1), "truncate");
	must(syscall(SYS_utimensat, AT_FDCWD, "b", NULL, 0), "utimensat");
	printf("setxattr %ld\n",
	       syscall(SYS_setxattr, "a", "user.probe", "v", 1, 0));
	must(syscall(SYS_unlink, "a"), "unlink");

	must(close(creat("c", 0644)), "creat c");
	show("c", "c");
	must(syscall(SYS_rename, "b", "c"), "rename");

	must(syscall(SYS_mkdir, "d", 0755), "mkdir d");
	show("d", "d");
	must(syscall(SYS_mkdir, "d/d", 0755), "mkdir d/d");
	show("dd", "d/d");
	must(syscall(SYS_rmdir, "d/d"), "rmdir");

	must(syscall(SYS_symlink, "c", "s"), "symlink");
	show("s", "s");
	must(syscall(SYS_mknod, "p", S_IFIFO | 0644, 0), "mknod");
	show("p", "p");
	must(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "p",
		     RENAME_EXCHANGE),
	     "renameat2");
	return 0;
}
