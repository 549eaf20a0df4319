/*
 * fds passed over a unix socket (SCM_RIGHTS): a child opens IN1 and IN2
 * and sends each in a message of its own; the parent receives the first
 * with recvmsg and the second with recvmmsg (MSG_CMSG_CLOEXEC), reads
 * both and writes what it read to OUT.  The fds arrive at numbers the
 * parent used and closed before, so a model of its fd table that missed
 * the arrivals would take them for closed.
 * usage: fd_passed_by_scm_rights IN1 IN2 OUT
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* One byte with fd in its control message. */
static int send_fd(int sock, int fd)
{
	char byte = 'x', control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* The fd in the control message of msg, or -1. */
static int fd_in(struct msghdr *msg)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	int fd;

	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int main(int argc, char **argv)
{
	char byte, control[2][CMSG_SPACE(sizeof(int))], buf[128];
	struct iovec iov = { &byte, 1 };
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov,
					   .msg_iovlen = 1,
					   .msg_control = control[1],
					   .msg_controllen = sizeof(control[1]) } };
	struct msghdr msg = mm.msg_hdr;
	int sv[2], spare[2], fd[2], out, status;
	ssize_t n[2];
	pid_t pid;

	if (argc != 4 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 2;
	pid = fork();
	if (pid == 0)
		_exit(send_fd(sv[1], open(argv[1], O_RDONLY)) ||
		      send_fd(sv[1], open(argv[2], O_RDONLY)));
	spare[0] = open("/dev/null", O_RDONLY);
	spare[1] = open("/dev/null", O_RDONLY);
	if (spare[0] < 0 || spare[1] < 0 || close(spare[0]) || close(spare[1]))
		return 1;
	msg.msg_control = control[0];
	msg.msg_controllen = sizeof(control[0]);
	if (recvmsg(sv[0], &msg, 0) != 1 || (fd[0] = fd_in(&msg)) < 0)
		return 1;
	if (recvmmsg(sv[0], &mm, 1, MSG_CMSG_CLOEXEC, NULL) != 1 ||
	    (fd[1] = fd_in(&mm.msg_hdr)) < 0)
		return 1;
	if ((n[0] = read(fd[0], buf, 64)) < 0 ||
	    (n[1] = read(fd[1], buf + n[0], 64)) < 0)
		return 1;
	out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, buf, n[0] + n[1]) != n[0] + n[1])
		return 1;
	if (waitpid(pid, &status, 0) != pid || status)
		return 1;
	printf("fds %d %d\n", fd[0], fd[1]);
	return 0;
}
