/*
 * Three threads, each opening its own file (DIR/thread-N) for writing,
 * joined by the main thread, which then exits with status 0.
 * usage: threads DIR
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define NTHREADS 3

static const char *dir;

static void *worker(void *arg)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/thread-%ld", dir, (long)arg);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return (void *)1;
	if (write(fd, "x", 1) != 1) {
		close(fd);
		return (void *)1;
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	void *ret;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: threads DIR\n");
		return 2;
	}
	dir = argv[1];
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i))
			return 1;
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &ret);
		bad |= ret != NULL;
	}
	return bad;
}
