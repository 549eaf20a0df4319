/*
 * One process, three threads, each of which opens its own file when told
 * to: for a test that puts the threads of one process in different
 * cgroups (cgroup v2's threaded mode).  Prints "TID TID TID" (the main
 * thread's, then the two others'), waits for a line on stdin, then each
 * thread opens its file; then the process exits.
 * usage: threads_apart FILE_MAIN FILE_1 FILE_2
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_barrier_t tids_known, go;
static pid_t tid[3];
static char **file;

static void open_file(int i)
{
	int fd = open(file[i], O_RDONLY);

	if (fd >= 0)
		close(fd);
}

static void *thread(void *arg)
{
	int i = (long)arg;

	tid[i] = syscall(SYS_gettid);
	pthread_barrier_wait(&tids_known);
	pthread_barrier_wait(&go);
	open_file(i);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[2];
	char line[16];

	if (argc != 4) {
		fprintf(stderr, "usage: threads_apart FILE_MAIN FILE_1 FILE_2\n");
		return 2;
	}
	file = argv + 1;
	pthread_barrier_init(&tids_known, NULL, 3);
	pthread_barrier_init(&go, NULL, 3);
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, thread, (void *)(i + 1));
	tid[0] = syscall(SYS_gettid);
	pthread_barrier_wait(&tids_known);
	printf("%d %d %d\n", tid[0], tid[1], tid[2]);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	pthread_barrier_wait(&go);
	open_file(0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return 0;
}
