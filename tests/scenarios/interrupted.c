/*
 * An open of a FIFO with no writer, interrupted by SIGALRM (no
 * SA_RESTART): the open fails with EINTR.  Then an O_TMPFILE file in DIR,
 * written, and a socketpair with a write through one end.
 * usage: interrupted FIFO DIR
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_alarm(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int fd, sv[2];

	if (argc != 3)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: the open returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	if (open(argv[1], O_RDONLY) >= 0)
		return 1;
	fd = open(argv[2], O_TMPFILE | O_RDWR, 0600);
	if (fd < 0 || write(fd, "tmp", 3) != 3)
		return 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    write(sv[0], "s", 1) != 1)
		return 1;
	printf("tmpfile %d sv %d %d\n", fd, sv[0], sv[1]);
	return 0;
}
