/*
 * The root directory per fs_struct: in DIR, with files DIR/jail/f,
 * DIR/jail/sub/g, DIR/jail/sub/h and DIR/jail/sub/deep/g,
 *   chroot jail, chdir "/"; open "/f" and stat "/sub/g" (below the new
 *   root);
 *   a clone(CLONE_FS) child chroots "sub": the parent's open and stat of
 *   "/h" then land in jail/sub, the root they share;
 *   a forked child stats "/h" (its copy of the root is jail/sub), chroots
 *   "/deep" and opens and stats "/g" there; the parent's open and stat of
 *   "/g" land in jail/sub: its root is its own.
 * Raw clone without CLONE_VM, so the child runs on its own stack copy.
 * Prints "name value" lines.
 * usage: chroot DIR
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void must(long ok, const char *what)
{
	if (ok < 0) {
		perror(what);
		_exit(1);
	}
}

static void wait_for(pid_t pid)
{
	int status;

	must(waitpid(pid, &status, 0), "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		_exit(1);
}

int main(int argc, char **argv)
{
	struct stat st;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: chroot DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	must(chdir(argv[1]), "chdir");
	must(syscall(SYS_chroot, "jail"), "chroot jail");
	must(syscall(SYS_chdir, "/"), "chdir /");
	printf("f %d\n", (int)syscall(SYS_open, "/f", O_RDONLY));
	must(syscall(SYS_stat, "/sub/g", &st), "stat /sub/g");

	pid = syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
	must(pid, "clone");
	if (pid == 0) {
		must(syscall(SYS_chroot, "sub"), "chroot sub");
		_exit(0);
	}
	wait_for(pid);
	printf("h %d\n", (int)syscall(SYS_open, "/h", O_RDONLY));
	must(syscall(SYS_stat, "/h", &st), "stat /h");

	pid = fork();
	must(pid, "fork");
	if (pid == 0) {
		must(syscall(SYS_stat, "/h", &st), "stat /h in child");
		must(syscall(SYS_chroot, "/deep"), "chroot /deep");
		must(syscall(SYS_open, "/g", O_RDONLY), "open /g in child");
		must(syscall(SYS_stat, "/g", &st), "stat /g in child");
		_exit(0);
	}
	wait_for(pid);
	printf("g %d\n", (int)syscall(SYS_open, "/g", O_RDONLY));
	must(syscall(SYS_stat, "/g", &st), "stat /g");
	return 0;
}
