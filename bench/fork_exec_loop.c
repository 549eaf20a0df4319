/*
 * N times fork, exec a tiny program and wait for it: the process life
 * cycle that probe-bpf records in full (clone, exec, the loader's opens
 * and closes, exit) and that a build system repeats thousands of times.
 *
 * usage: fork_exec_loop [ITERATIONS [PROGRAM]]   (default 300, /bin/true)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* About 0.5-1 s natively on the 2-core Debian 12 VMs the project runs on;
 * bench/run.sh reads this line so both agree on the count. */
#define DEFAULT_ITERATIONS 300

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : DEFAULT_ITERATIONS;
	char *prog = argc > 2 ? argv[2] : "/bin/true";
	char *child_argv[] = { prog, NULL };

	if (argc > 3 || n <= 0) {
		fputs("usage: fork_exec_loop [ITERATIONS [PROGRAM]]\n", stderr);
		return 2;
	}
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork_exec_loop: fork");
			return 1;
		}
		if (pid == 0) {
			execv(prog, child_argv);
			fprintf(stderr, "fork_exec_loop: exec %s: %s\n", prog,
				strerror(errno));
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid) {
			perror("fork_exec_loop: waitpid");
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "fork_exec_loop: %s failed (status %#x)\n",
				prog, status);
			return 1;
		}
	}
	return 0;
}
