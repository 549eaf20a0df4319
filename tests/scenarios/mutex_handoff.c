/*
 * A contended mutex handed from one thread to another, then a join:
 *   main locks M and starts a thread that blocks on M (FUTEX_WAIT);
 *   main, 200 ms later, unlocks M (FUTEX_WAKE), and the thread takes it,
 *   opens FILE for writing, unlocks and exits; main joins it (woken by
 *   the kernel's wake of the thread's CLONE_CHILD_CLEARTID word, if the
 *   thread had not exited yet).
 * Prints "name value" lines: the thread's tid.
 * usage: mutex_handoff FILE
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static const char *file;
static volatile pid_t thread_tid;

static void *worker(void *arg)
{
	(void)arg;
	thread_tid = syscall(SYS_gettid);
	pthread_mutex_lock(&m); /* blocks: main holds it */
	close(open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	pthread_mutex_unlock(&m);
	usleep(100 * 1000); /* main is in pthread_join by now */
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 2)
		return 2;
	file = argv[1];
	pthread_mutex_lock(&m);
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	usleep(200 * 1000);
	pthread_mutex_unlock(&m);
	if (pthread_join(t, NULL))
		return 1;
	printf("thread %d\n", (int)thread_tid);
	return 0;
}
