/*
 * Syscalls that a signal interrupts:
 *   an open of FIFO with no writer, interrupted by SIGALRM whose handler
 *   has no SA_RESTART: the open fails with EINTR;
 *   the same open again, now with SA_RESTART on SIGUSR1: a child sends
 *   SIGUSR1 (its handler makes an access() of DIR), then opens FIFO for
 *   writing, and the restarted open returns an fd;
 * then an O_TMPFILE file in DIR, written, and a socketpair with a write
 * through one end.
 * usage: interrupted FIFO DIR
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		access(dir, F_OK);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int fd, sv[2], status;
	pid_t child;

	if (argc != 3)
		return 2;
	dir = argv[2];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: the open returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	if (open(argv[1], O_RDONLY) >= 0)
		return 1;

	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	child = fork();
	if (child == 0) {
		usleep(300 * 1000);
		kill(getppid(), SIGUSR1);
		usleep(300 * 1000);
		_exit(open(argv[1], O_WRONLY) < 0);
	}
	fd = open(argv[1], O_RDONLY); /* restarted after the handler */
	if (fd < 0 || waitpid(child, &status, 0) != child || status)
		return 1;
	printf("fifo %d\n", fd);

	fd = open(argv[2], O_TMPFILE | O_RDWR, 0600);
	if (fd < 0 || write(fd, "tmp", 3) != 3)
		return 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    write(sv[0], "s", 1) != 1)
		return 1;
	printf("tmpfile %d\n", fd);
	printf("sv0 %d\n", sv[0]);
	printf("sv1 %d\n", sv[1]);
	return 0;
}
