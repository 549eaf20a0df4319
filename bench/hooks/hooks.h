/*
 * What hooks.bpf.c and its loader share: the per-CPU counters a traced
 * task's syscalls bump.  The loader sums them after a run, so a traced
 * measurement can prove that the filter really let the task through.
 */
#ifndef HOOKS_H
#define HOOKS_H

enum hook_counter {
	HOOK_OPEN, /* open, openat, openat2, creat */
	HOOK_CLOSE,
	HOOK_EXEC, /* execve, execveat that returned (they failed) */
	NR_HOOK_COUNTERS,
};

#endif
