/*
 * Two processes that share a POSIX semaphore in a MAP_SHARED file, mapped
 * at different addresses:
 *   the parent maps FILE (one page, zeroed), sem_init(pshared) with 0,
 *   forks; the child maps FILE again (a second mapping, at another
 *   address), sleeps 200 ms, opens OUT for writing and sem_posts on its
 *   mapping (FUTEX_WAKE); the parent, blocked in sem_wait on its own
 *   mapping (FUTEX_WAIT), returns and reads OUT.
 * Prints "name value" lines.
 * usage: shared_sem FILE OUT
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sem_t *sem, *again;
	int fd, status;
	pid_t pid;
	char c;

	if (argc != 3)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 4096))
		return 1;
	sem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (sem == MAP_FAILED || sem_init(sem, 1, 0))
		return 1;
	pid = fork();
	if (pid == 0) {
		again = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			     fd, 0);
		if (again == MAP_FAILED || again == sem)
			_exit(1);
		usleep(200 * 1000);
		close(open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644));
		_exit(sem_post(again) != 0);
	}
	if (sem_wait(sem))
		return 1;
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || read(fd, &c, 1) < 0)
		return 1;
	if (waitpid(pid, &status, 0) != pid || status)
		return 1;
	printf("child %d\n", (int)pid);
	return 0;
}
