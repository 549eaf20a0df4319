/*
 * Data through the send and receive family, from a child to its parent,
 * one socketpair (datagrams) per pair of syscalls: the child reads A and
 * sends it with sendto, reads B and sends it with sendmsg, reads C and
 * sends it with sendmmsg; the parent receives each in turn (recvfrom,
 * recvmsg, recvmmsg) and writes what it got to OUT1, OUT2 and OUT3.
 * usage: send_recv_family A B C OUT1 OUT2 OUT3
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The content of path (at most len bytes): its length, or -1. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

static int spill(const char *path, const char *buf, ssize_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || n < 0 || write(fd, buf, n) != n)
		return -1;
	return close(fd);
}

static int child(int s[3], char **in)
{
	char buf[3][64];
	ssize_t n[3];
	struct iovec iov[2];
	struct msghdr msg = { .msg_iov = &iov[0], .msg_iovlen = 1 };
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov[1],
					   .msg_iovlen = 1 } };

	if ((n[0] = slurp(in[0], buf[0], sizeof(buf[0]))) < 0 ||
	    sendto(s[0], buf[0], n[0], 0, NULL, 0) != n[0])
		return 1;
	if ((n[1] = slurp(in[1], buf[1], sizeof(buf[1]))) < 0)
		return 1;
	iov[0] = (struct iovec){ buf[1], n[1] };
	if (sendmsg(s[1], &msg, 0) != n[1])
		return 1;
	if ((n[2] = slurp(in[2], buf[2], sizeof(buf[2]))) < 0)
		return 1;
	iov[1] = (struct iovec){ buf[2], n[2] };
	if (sendmmsg(s[2], &mm, 1, 0) != 1)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int pair[3][2], mine[3], theirs[3], status;
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct mmsghdr mm = { .msg_hdr = msg };
	ssize_t n;
	pid_t pid;

	if (argc != 7)
		return 2;
	for (int i = 0; i < 3; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair[i]))
			return 1;
		mine[i] = pair[i][0];
		theirs[i] = pair[i][1];
	}
	pid = fork();
	if (pid == 0)
		_exit(child(theirs, argv + 1));
	n = recvfrom(mine[0], buf, sizeof(buf), 0, NULL, NULL);
	if (spill(argv[4], buf, n))
		return 1;
	n = recvmsg(mine[1], &msg, 0);
	if (spill(argv[5], buf, n))
		return 1;
	if (recvmmsg(mine[2], &mm, 1, 0, NULL) != 1 ||
	    spill(argv[6], buf, mm.msg_len))
		return 1;
	if (waitpid(pid, &status, 0) != pid || status)
		return 1;
	printf("child %d\n", (int)pid);
	return 0;
}
