/*
 * execvp with PATH unset: glibc searches its default path (/bin, then
 * /usr/bin), and each miss is an execve that fails.  Then execvp of NAME,
 * which exists there.
 * usage: exec_nopath MISSING NAME
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *missing[] = { argv[1], NULL }, *found[] = { argv[2], NULL };

	if (argc != 3)
		return 2;
	unsetenv("PATH");
	execvp(missing[0], missing); /* fails: ENOENT at each attempt */
	execvp(found[0], found);
	perror("execvp");
	return 1;
}
