/*
 * x86_64 syscall numbers that the BPF programs dispatch on
 * (arch/x86/entry/syscalls/syscall_64.tbl).  vmlinux.h carries no __NR_*
 * macros, and the BPF target has no <asm/unistd.h> of its own.
 */
#ifndef PROBE_BPF_SYSCALLS_H
#define PROBE_BPF_SYSCALLS_H

#define NR_open 2
#define NR_close 3
#define NR_clone 56
#define NR_fork 57
#define NR_vfork 58
#define NR_execve 59
#define NR_creat 85
#define NR_openat 257
#define NR_execveat 322
#define NR_clone3 435
#define NR_openat2 437

/* Flag values from the uapi headers that vmlinux.h does not carry. */
#define AT_FDCWD -100
#define NAME_MAX 255
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define CLONE_VM 0x00000100
#define CLONE_VFORK 0x00004000
#define SIGCHLD 17
#define SIGNAL_GROUP_EXIT 0x00000004 /* include/linux/sched/signal.h */

#endif
