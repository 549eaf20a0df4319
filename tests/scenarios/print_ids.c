/*
 * Print the ids the program runs with, one "name value" a line: a copy
 * installed setuid and setgid runs with the euid and egid of the copy's
 * owner, and the uid and gid of whoever ran it.
 * usage: print_ids
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("uid %u\neuid %u\ngid %u\negid %u\n", getuid(), geteuid(),
	       getgid(), getegid());
	return 0;
}
