/*
 * Programs that run inside others on one CPU: one thread makes futex wakes
 * as fast as it can (each one a record that sys_exit writes), while eight
 * threads sleep 20 us at a time, so that timer interrupts wake them in the
 * middle of those records (sched_waking runs in the interrupt, with the
 * waker's syscall as its current task), and one more thread opens and
 * closes DIR/file N times.  Runs for SECONDS, then prints "opens N".
 * usage: wakeups_inside_records DIR SECONDS N
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop;
static int word;
static const char *dir;
static int opens;

static void *waker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop))
		syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

static void *sleeper(void *arg)
{
	struct timespec t = { 0, 20000 };

	(void)arg;
	while (!atomic_load(&stop))
		nanosleep(&t, NULL);
	return NULL;
}

static void *opener(void *arg)
{
	char path[PATH_MAX];

	(void)arg;
	snprintf(path, sizeof(path), "%s/file", dir);
	for (int i = 0; i < opens; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t w, s[8], o;

	if (argc != 4) {
		fprintf(stderr, "usage: wakeups_inside_records DIR SECONDS N\n");
		return 2;
	}
	dir = argv[1];
	opens = atoi(argv[3]);
	if (pthread_create(&w, NULL, waker, NULL) ||
	    pthread_create(&o, NULL, opener, NULL))
		return 1;
	for (int i = 0; i < 8; i++)
		if (pthread_create(&s[i], NULL, sleeper, NULL))
			return 1;
	sleep(atoi(argv[2]));
	atomic_store(&stop, 1);
	pthread_join(w, NULL);
	pthread_join(o, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(s[i], NULL);
	printf("opens %d\n", opens);
	return 0;
}
