/*
 * Data through unix sockets, between a parent and its child:
 *   a socketpair: the child writes into one end, the parent reads the
 *   other;
 *   a named socket DIR/sock: the parent listens, the child connects and
 *   writes, the parent accepts and reads;
 * then the parent writes OUT.  The child stays until the parent has read
 * (it waits for a byte back through the pair), so that each read finds
 * its writer's socket open.  With "after-exit", the child writes and
 * exits, and the parent reaps it before it reads either socket: the
 * writing ends are closed by then (their socks orphaned), and what they
 * wrote is still read.
 * usage: unix_socket DIR OUT [after-exit]
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int sv[2], listener, conn, out, status;
	char buf[8];
	pid_t pid;
	bool after_exit = argc == 4 && !strcmp(argv[3], "after-exit");

	if (argc != 3 && !after_exit)
		return 2;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/sock", argv[1]);
	listener = socket(AF_UNIX, SOCK_STREAM, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || listener < 0 ||
	    bind(listener, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(listener, 1))
		return 1;
	pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);

		if (write(sv[1], "pair", 4) != 4 || c < 0 ||
		    connect(c, (struct sockaddr *)&addr, sizeof(addr)) ||
		    write(c, "named", 5) != 5 ||
		    (!after_exit && read(sv[1], buf, 1) != 1))
			_exit(1);
		_exit(0);
	}
	if (after_exit && (waitpid(pid, &status, 0) != pid || status))
		return 1;
	if (read(sv[0], buf, 4) != 4)
		return 1;
	conn = accept(listener, NULL, NULL);
	if (conn < 0 || read(conn, buf, 5) != 5 ||
	    (!after_exit && write(sv[0], "k", 1) != 1))
		return 1;
	if (!after_exit && (waitpid(pid, &status, 0) != pid || status))
		return 1;
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, buf, 5) != 5)
		return 1;
	printf("child %d\n", (int)pid);
	return 0;
}
