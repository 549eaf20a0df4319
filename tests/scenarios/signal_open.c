/*
 * A signal handler that opens FILE while the main thread is blocked in
 * read() on a pipe: the handler's open is the main thread's, made inside
 * the interrupted read.  The handler then writes a byte to the pipe, so
 * that the read, restarted by the kernel (SA_RESTART), returns it.
 * usage: signal_open FILE
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static const char *file;
static int pipe_w;

static void on_alarm(int sig)
{
	int fd = open(file, O_RDONLY);

	(void)sig;
	if (fd >= 0)
		close(fd);
	if (write(pipe_w, "x", 1) != 1)
		_exit(1);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	char c;
	int p[2];

	if (argc != 2)
		return 2;
	file = argv[1];
	if (pipe(p))
		return 1;
	pipe_w = p[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	if (read(p[0], &c, 1) != 1) /* blocks until the handler writes */
		return 1;
	printf("pipe %d %d\n", p[0], p[1]);
	return 0;
}
