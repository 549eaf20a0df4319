/*
 * x86_64 syscall numbers that the BPF programs dispatch on
 * (arch/x86/entry/syscalls/syscall_64.tbl).  vmlinux.h carries no __NR_*
 * macros, and the BPF target has no <asm/unistd.h> of its own.
 */
#ifndef PROBE_BPF_SYSCALLS_H
#define PROBE_BPF_SYSCALLS_H

#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_mmap 9
#define NR_mprotect 10
#define NR_pread64 17
#define NR_pwrite64 18
#define NR_readv 19
#define NR_writev 20
#define NR_pipe 22
#define NR_dup 32
#define NR_dup2 33
#define NR_sendfile 40
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_socketpair 53
#define NR_clone 56
#define NR_fork 57
#define NR_vfork 58
#define NR_execve 59
#define NR_exit 60
#define NR_fcntl 72
#define NR_creat 85
#define NR_futex 202
#define NR_exit_group 231
#define NR_openat 257
#define NR_splice 275
#define NR_dup3 292
#define NR_pipe2 293
#define NR_preadv 295
#define NR_pwritev 296
#define NR_recvmmsg 299
#define NR_sendmmsg 307
#define NR_execveat 322
#define NR_copy_file_range 326
#define NR_preadv2 327
#define NR_pwritev2 328
#define NR_pkey_mprotect 329
#define NR_clone3 435
#define NR_close_range 436
#define NR_openat2 437
#define NR_futex_waitv 449
#define NR_futex_wake 454
#define NR_futex_wait 455
#define NR_futex_requeue 456

/* Flag values from the uapi headers that vmlinux.h does not carry. */
#define AT_FDCWD -100
#define NAME_MAX 255
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define PROT_WRITE 0x2
#define MAP_SHARED 0x01
#define MAP_ANONYMOUS 0x20
#define CLONE_VM 0x00000100
#define CLONE_VFORK 0x00004000
#define SIGCHLD 17
#define SIGNAL_GROUP_EXIT 0x00000004 /* include/linux/sched/signal.h */
#define VM_WRITE 0x00000002
#define VM_SHARED 0x00000008
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFIFO 0010000
#define AF_UNIX 1
#define PAGE_SHIFT 12
#define FUTEX_PRIVATE_FLAG 128 /* also FUTEX2_PRIVATE */
#define FUTEX_CMD_MASK 0x7f
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12

#endif
