/*
 * cwd shared and copied, with raw clone where libc would hide it:
 *   the parent opens "a" in DIR (its cwd);
 *   a clone(CLONE_FS) child chdirs to "sub": the parent's next relative
 *   open of "b" lands in DIR/sub;
 *   a clone(CLONE_FS) child that first unshares CLONE_FS chdirs to "/":
 *   the parent's open of "c" still lands in DIR/sub;
 *   a clone(CLONE_FS) child's umask(077) is the parent's: its new "d"
 *   gets mode 0600.
 * usage: clone_fs DIR (with DIR/a, DIR/sub/b, DIR/sub/c)
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t raw_clone(unsigned long flags)
{
	return syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
}

static int reap(pid_t pid)
{
	int status;

	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc != 2 || chdir(argv[1]) || open("a", O_RDONLY) < 0)
		return 2;
	pid = raw_clone(CLONE_FS);
	if (pid == 0)
		_exit(chdir("sub") ? 1 : 0);
	if (!reap(pid) || open("b", O_RDONLY) < 0)
		return 1;
	pid = raw_clone(CLONE_FS);
	if (pid == 0)
		_exit(unshare(CLONE_FS) || chdir("/") ? 1 : 0);
	if (!reap(pid) || open("c", O_RDONLY) < 0)
		return 1;
	/* the umask is shared too: the child's 077 makes our d 0600 */
	umask(022);
	pid = raw_clone(CLONE_FS);
	if (pid == 0) {
		umask(077);
		_exit(0);
	}
	if (!reap(pid) || open("d", O_WRONLY | O_CREAT | O_EXCL, 0666) < 0)
		return 1;
	return 0;
}
