#include "syscalls.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

/* Newer than the C library's headers (Linux 6.7). */
#ifndef SYS_futex_wake
#define SYS_futex_wake 454
#define SYS_futex_wait 455
#define SYS_futex_requeue 456
#endif
#ifndef FALLOC_FL_WRITE_ZEROES /* Linux 6.17 */
#define FALLOC_FL_WRITE_ZEROES 0x80
#endif

#define N -1 /* no such argument */
#define CWD PROBE_DIRFD_CWD
#define R PROBE_SC_RECORD
#define STAT PROBE_STAT_STAT
#define STATX PROBE_STAT_STATX

/* path, its dirfd, path2, its dirfd, fd, stat buffer, its kind, flags */
#define LAYOUT(p, d, p2, d2, fd, sb, kind, flags)                              \
	{ p, d, p2, d2, fd, sb, kind, flags }
/* Recorded by a record of its own (open, exec, read...), not generically. */
#define OWN LAYOUT(N, N, N, N, N, N, 0, 0)
/* A path relative to the cwd in argument p. */
#define PATH(p) LAYOUT(p, CWD, N, N, N, N, 0, R)
/* A path in argument p relative to the dirfd in argument d. */
#define PATH_AT(d, p) LAYOUT(p, d, N, N, N, N, 0, R)
/* An fd in argument fd. */
#define FD(fd) LAYOUT(N, N, N, N, fd, N, 0, R)
/* No file at all: process state. */
#define STATE LAYOUT(N, N, N, N, N, N, 0, R)
/* A change to the file a path names: the inodes it stamps tell which. */
#define T PROBE_SC_TOUCH
#define CHANGE(p) LAYOUT(p, CWD, N, N, N, N, 0, R | T)
#define CHANGE_AT(d, p) LAYOUT(p, d, N, N, N, N, 0, R | T)
/* Returns a new fd. */
#define NEW_FD LAYOUT(N, N, N, N, N, N, 0, R | PROBE_SC_NEW_FD)

static const struct syscall_info table[PROBE_NR_SYSCALLS] = {
	/* recorded by records of their own */
	[SYS_read] = { "read", OWN, {} },
	[SYS_write] = { "write", OWN, {} },
	[SYS_open] = { "open", OWN, {} },
	[SYS_close] = { "close", OWN, {} },
	[SYS_mmap] = { "mmap", OWN, {} },
	[SYS_mprotect] = { "mprotect", OWN, {} },
	[SYS_pread64] = { "pread64", OWN, {} },
	[SYS_pwrite64] = { "pwrite64", OWN, {} },
	[SYS_readv] = { "readv", OWN, {} },
	[SYS_writev] = { "writev", OWN, {} },
	[SYS_pipe] = { "pipe", OWN, {} },
	[SYS_dup] = { "dup", OWN, {} },
	[SYS_dup2] = { "dup2", OWN, {} },
	[SYS_sendfile] = { "sendfile", OWN, {} },
	[SYS_sendto] = { "sendto", OWN, {} },
	[SYS_recvfrom] = { "recvfrom", OWN, {} },
	[SYS_sendmsg] = { "sendmsg", OWN, {} },
	[SYS_recvmsg] = { "recvmsg", OWN, {} },
	[SYS_clone] = { "clone", OWN, {} },
	[SYS_fork] = { "fork", OWN, {} },
	[SYS_vfork] = { "vfork", OWN, {} },
	[SYS_execve] = { "execve", OWN, {} },
	[SYS_fcntl] = { "fcntl", OWN, {} },
	[SYS_creat] = { "creat", OWN, {} },
	[SYS_openat] = { "openat", OWN, {} },
	[SYS_splice] = { "splice", OWN, {} },
	[SYS_dup3] = { "dup3", OWN, {} },
	[SYS_pipe2] = { "pipe2", OWN, {} },
	[SYS_socketpair] = { "socketpair", OWN, {} },
	[SYS_preadv] = { "preadv", OWN, {} },
	[SYS_pwritev] = { "pwritev", OWN, {} },
	[SYS_execveat] = { "execveat", OWN, {} },
	[SYS_copy_file_range] = { "copy_file_range", OWN, {} },
	[SYS_preadv2] = { "preadv2", OWN, {} },
	[SYS_recvmmsg] = { "recvmmsg", OWN, {} },
	[SYS_sendmmsg] = { "sendmmsg", OWN, {} },
	[SYS_pwritev2] = { "pwritev2", OWN, {} },
	[SYS_pkey_mprotect] = { "pkey_mprotect", OWN, {} },
	[SYS_clone3] = { "clone3", OWN, {} },
	[SYS_close_range] = { "close_range", OWN, {} },
	[SYS_openat2] = { "openat2", OWN, {} },
	[SYS_io_submit] = { "io_submit", OWN, {} }, /* Linux AIO: uses */

	/* metadata reads */
	[SYS_stat] = { "stat", LAYOUT(0, CWD, N, N, N, 1, STAT, R), {} },
	[SYS_fstat] = { "fstat", LAYOUT(N, N, N, N, 0, 1, STAT, R), {} },
	[SYS_lstat] = { "lstat", LAYOUT(0, CWD, N, N, N, 1, STAT, R), {} },
	[SYS_newfstatat] = { "newfstatat",
			     LAYOUT(1, 0, N, N, N, 2, STAT, R),
			     { [3] = { "flags", ARG_AT_FLAGS } } },
	[SYS_statx] = { "statx", LAYOUT(1, 0, N, N, N, 4, STATX, R),
			{ [2] = { "flags", ARG_AT_FLAGS },
			  [3] = { "mask", ARG_HEX } } },
	[SYS_access] = { "access", PATH(0), { [1] = { "mode", ARG_UINT } } },
	[SYS_faccessat] = { "faccessat", PATH_AT(0, 1),
			    { [2] = { "mode", ARG_UINT } } },
	[SYS_faccessat2] = { "faccessat2", PATH_AT(0, 1),
			     { [2] = { "mode", ARG_UINT },
			       [3] = { "flags", ARG_AT_FLAGS } } },
	[SYS_readlink] = { "readlink", PATH(0), {} },
	[SYS_readlinkat] = { "readlinkat", PATH_AT(0, 1), {} },
	[SYS_getdents64] = { "getdents64", FD(0), {} },
	[SYS_statfs] = { "statfs", PATH(0), {} },
	[SYS_fstatfs] = { "fstatfs", FD(0), {} },
	[SYS_getxattr] = { "getxattr", PATH(0), {} },
	[SYS_lgetxattr] = { "lgetxattr", PATH(0), {} },
	[SYS_fgetxattr] = { "fgetxattr", FD(0), {} },
	[SYS_listxattr] = { "listxattr", PATH(0), {} },
	[SYS_llistxattr] = { "llistxattr", PATH(0), {} },
	[SYS_flistxattr] = { "flistxattr", FD(0), {} },

	/* metadata and namespace changes */
	[SYS_mkdir] = { "mkdir", CHANGE(0), { [1] = { "mode", ARG_MODE } } },
	[SYS_mkdirat] = { "mkdirat", CHANGE_AT(0, 1),
			  { [2] = { "mode", ARG_MODE } } },
	[SYS_mknod] = { "mknod", CHANGE(0),
			{ [1] = { "mode", ARG_MODE },
			  [2] = { "rdev", ARG_HEX } } },
	[SYS_mknodat] = { "mknodat", CHANGE_AT(0, 1),
			  { [2] = { "mode", ARG_MODE },
			    [3] = { "rdev", ARG_HEX } } },
	[SYS_rmdir] = { "rmdir", CHANGE(0), {} },
	[SYS_unlink] = { "unlink", CHANGE(0), {} },
	[SYS_unlinkat] = { "unlinkat", CHANGE_AT(0, 1),
			   { [2] = { "flags", ARG_AT_FLAGS } } },
	[SYS_rename] = { "rename", LAYOUT(0, CWD, 1, CWD, N, N, 0, R | T), {} },
	[SYS_renameat] = { "renameat", LAYOUT(1, 0, 3, 2, N, N, 0, R | T), {} },
	[SYS_renameat2] = { "renameat2", LAYOUT(1, 0, 3, 2, N, N, 0, R | T),
			    { [4] = { "flags", ARG_RENAME_FLAGS } } },
	[SYS_link] = { "link", LAYOUT(0, CWD, 1, CWD, N, N, 0, R | T), {} },
	[SYS_linkat] = { "linkat", LAYOUT(1, 0, 3, 2, N, N, 0, R | T),
			 { [4] = { "flags", ARG_AT_FLAGS } } },
	/* path: the link made; path2: its target, text kept as it is */
	[SYS_symlink] = { "symlink",
			  LAYOUT(1, CWD, 0, N, N, N, 0,
				 R | T | PROBE_SC_LITERAL2),
			  {} },
	[SYS_symlinkat] = { "symlinkat",
			    LAYOUT(2, 1, 0, N, N, N, 0,
				   R | T | PROBE_SC_LITERAL2),
			    {} },
	[SYS_truncate] = { "truncate", CHANGE(0),
			   { [1] = { "length", ARG_INT } } },
	[SYS_ftruncate] = { "ftruncate", FD(0),
			    { [1] = { "length", ARG_INT } } },
	[SYS_fallocate] = { "fallocate", FD(0),
			    { [1] = { "flags", ARG_FALLOC_FLAGS },
			      [2] = { "offset", ARG_UINT },
			      [3] = { "length", ARG_UINT } } },
	[SYS_chmod] = { "chmod", CHANGE(0), { [1] = { "mode", ARG_MODE } } },
	[SYS_fchmod] = { "fchmod", FD(0), { [1] = { "mode", ARG_MODE } } },
	[SYS_fchmodat] = { "fchmodat", CHANGE_AT(0, 1),
			   { [2] = { "mode", ARG_MODE } } },
	[SYS_chown] = { "chown", CHANGE(0),
			{ [1] = { "uid", ARG_INT }, [2] = { "gid", ARG_INT } } },
	[SYS_fchown] = { "fchown", FD(0),
			 { [1] = { "uid", ARG_INT }, [2] = { "gid", ARG_INT } } },
	[SYS_lchown] = { "lchown", CHANGE(0),
			 { [1] = { "uid", ARG_INT }, [2] = { "gid", ARG_INT } } },
	[SYS_fchownat] = { "fchownat", CHANGE_AT(0, 1),
			   { [2] = { "uid", ARG_INT },
			     [3] = { "gid", ARG_INT },
			     [4] = { "flags", ARG_AT_FLAGS } } },
	/* utimensat(fd, NULL, ...) changes fd's file: the base is then the
	 * dirfd's own path */
	[SYS_utimensat] = { "utimensat", CHANGE_AT(0, 1),
			    { [3] = { "flags", ARG_AT_FLAGS } } },
	[SYS_futimesat] = { "futimesat", CHANGE_AT(0, 1), {} },
	[SYS_utime] = { "utime", CHANGE(0), {} },
	[SYS_utimes] = { "utimes", CHANGE(0), {} },
	[SYS_setxattr] = { "setxattr", CHANGE(0),
			   { [4] = { "flags", ARG_UINT } } },
	[SYS_lsetxattr] = { "lsetxattr", CHANGE(0),
			    { [4] = { "flags", ARG_UINT } } },
	[SYS_fsetxattr] = { "fsetxattr", FD(0),
			    { [4] = { "flags", ARG_UINT } } },
	[SYS_removexattr] = { "removexattr", CHANGE(0), {} },
	[SYS_lremovexattr] = { "lremovexattr", CHANGE(0), {} },
	[SYS_fremovexattr] = { "fremovexattr", FD(0), {} },
	[SYS_name_to_handle_at] = { "name_to_handle_at", PATH_AT(0, 1),
				    { [4] = { "flags", ARG_AT_FLAGS } } },

	/* process state */
	[SYS_chdir] = { "chdir",
			LAYOUT(0, CWD, N, N, N, N, 0, R | PROBE_SC_BASE_ALWAYS),
			{} },
	[SYS_fchdir] = { "fchdir", FD(0), {} },
	/* the base of a successful chroot: the new root */
	[SYS_chroot] = { "chroot",
			 LAYOUT(0, CWD, N, N, N, N, 0, R | PROBE_SC_BASE_ROOT),
			 {} },
	[SYS_umask] = { "umask", STATE, { [0] = { "mask", ARG_MODE } } },
	[SYS_unshare] = { "unshare", STATE,
			  { [0] = { "flags", ARG_CLONE_FLAGS } } },
	[SYS_setuid] = { "setuid", STATE, { [0] = { "uid", ARG_INT } } },
	[SYS_setgid] = { "setgid", STATE, { [0] = { "gid", ARG_INT } } },
	[SYS_setreuid] = { "setreuid", STATE,
			   { [0] = { "ruid", ARG_INT },
			     [1] = { "euid", ARG_INT } } },
	[SYS_setregid] = { "setregid", STATE,
			   { [0] = { "rgid", ARG_INT },
			     [1] = { "egid", ARG_INT } } },
	[SYS_setresuid] = { "setresuid", STATE,
			    { [0] = { "ruid", ARG_INT },
			      [1] = { "euid", ARG_INT },
			      [2] = { "suid", ARG_INT } } },
	[SYS_setresgid] = { "setresgid", STATE,
			    { [0] = { "rgid", ARG_INT },
			      [1] = { "egid", ARG_INT },
			      [2] = { "sgid", ARG_INT } } },
	[SYS_setfsuid] = { "setfsuid", STATE, { [0] = { "uid", ARG_INT } } },
	[SYS_setfsgid] = { "setfsgid", STATE, { [0] = { "gid", ARG_INT } } },
	[SYS_setgroups] = { "setgroups", STATE,
			    { [0] = { "count", ARG_INT } } },

	/* waiting for children */
	[SYS_wait4] = { "wait4", STATE,
			{ [0] = { "target_pid", ARG_INT },
			  [2] = { "options", ARG_HEX } } },
	[SYS_waitid] = { "waitid", STATE,
			 { [0] = { "idtype", ARG_INT },
			   [1] = { "id", ARG_INT },
			   [3] = { "options", ARG_HEX } } },

	/* synchronisation, recorded by a record of its own */
	[SYS_futex] = { "futex", OWN, {} },
	[SYS_futex_waitv] = { "futex_waitv", OWN, {} },
	[SYS_futex_wake] = { "futex_wake", OWN, {} },
	[SYS_futex_wait] = { "futex_wait", OWN, {} },
	[SYS_futex_requeue] = { "futex_requeue", OWN, {} },

	/* signals sent */
	[SYS_kill] = { "kill", STATE,
		       { [0] = { "target_pid", ARG_INT },
			 [1] = { "signal", ARG_SIGNAL } } },
	[SYS_tkill] = { "tkill", STATE,
			{ [0] = { "target_tid", ARG_INT },
			  [1] = { "signal", ARG_SIGNAL } } },
	[SYS_tgkill] = { "tgkill", STATE,
			 { [0] = { "target_pid", ARG_INT },
			   [1] = { "target_tid", ARG_INT },
			   [2] = { "signal", ARG_SIGNAL } } },
	[SYS_rt_sigqueueinfo] = { "rt_sigqueueinfo", STATE,
				  { [0] = { "target_pid", ARG_INT },
				    [1] = { "signal", ARG_SIGNAL } } },
	[SYS_rt_tgsigqueueinfo] = { "rt_tgsigqueueinfo", STATE,
				    { [0] = { "target_pid", ARG_INT },
				      [1] = { "target_tid", ARG_INT },
				      [2] = { "signal", ARG_SIGNAL } } },
	[SYS_pidfd_send_signal] = { "pidfd_send_signal", FD(0),
				    { [1] = { "signal", ARG_SIGNAL } } },

	/* another process's memory, copied to or from the caller's: a flow
	 * between the two processes (the dataflow's) */
	[SYS_process_vm_readv] = { "process_vm_readv", STATE,
				   { [0] = { "target_pid", ARG_INT },
				     [5] = { "flags", ARG_UINT } } },
	[SYS_process_vm_writev] = { "process_vm_writev", STATE,
				    { [0] = { "target_pid", ARG_INT },
				      [5] = { "flags", ARG_UINT } } },

	/* makers of new fds */
	[SYS_socket] = { "socket", NEW_FD,
			 { [0] = { "domain", ARG_INT },
			   [1] = { "sock_type", ARG_UINT },
			   [2] = { "protocol", ARG_INT } } },
	[SYS_accept] = { "accept", NEW_FD, { [0] = { "listen_fd", ARG_INT } } },
	[SYS_accept4] = { "accept4", NEW_FD,
			  { [0] = { "listen_fd", ARG_INT },
			    [3] = { "flags", ARG_OPEN_FLAGS } } },
	[SYS_eventfd] = { "eventfd", NEW_FD, { [0] = { "initval", ARG_UINT } } },
	[SYS_eventfd2] = { "eventfd2", NEW_FD,
			   { [0] = { "initval", ARG_UINT },
			     [1] = { "flags", ARG_OPEN_FLAGS } } },
	[SYS_signalfd] = { "signalfd", NEW_FD, { [0] = { "ufd", ARG_INT } } },
	[SYS_signalfd4] = { "signalfd4", NEW_FD,
			    { [0] = { "ufd", ARG_INT },
			      [3] = { "flags", ARG_OPEN_FLAGS } } },
	[SYS_timerfd_create] = { "timerfd_create", NEW_FD,
				 { [0] = { "clockid", ARG_INT },
				   [1] = { "flags", ARG_OPEN_FLAGS } } },
	[SYS_epoll_create] = { "epoll_create", NEW_FD,
			       { [0] = { "size_hint", ARG_INT } } },
	[SYS_epoll_create1] = { "epoll_create1", NEW_FD,
				{ [0] = { "flags", ARG_OPEN_FLAGS } } },
	[SYS_inotify_init] = { "inotify_init", NEW_FD, {} },
	[SYS_inotify_init1] = { "inotify_init1", NEW_FD,
				{ [0] = { "flags", ARG_OPEN_FLAGS } } },
	[SYS_pidfd_open] = { "pidfd_open", NEW_FD,
			     { [0] = { "target_pid", ARG_INT },
			       [1] = { "flags", ARG_UINT } } },
	/* an fd of another process: the new fd is a copy, to its file */
	[SYS_pidfd_getfd] = { "pidfd_getfd", NEW_FD,
			      { [0] = { "pidfd", ARG_INT },
				[1] = { "target_fd", ARG_INT },
				[2] = { "flags", ARG_UINT } } },
	/* path2: the memfd's name, text */
	[SYS_memfd_create] = { "memfd_create",
			       LAYOUT(N, N, 0, N, N, N, 0,
				      R | PROBE_SC_NEW_FD | PROBE_SC_LITERAL2),
			       { [1] = { "flags", ARG_UINT } } },
	[SYS_open_by_handle_at] = { "open_by_handle_at", NEW_FD,
				    { [0] = { "mount_fd", ARG_INT },
				      [2] = { "flags", ARG_OPEN_FLAGS } } },
	/* an io_uring's fd: its requests are records of their own (see
	 * struct probe_async) */
	[SYS_io_uring_setup] = { "io_uring_setup", NEW_FD,
				 { [0] = { "entries", ARG_UINT } } },
};

const struct syscall_info *syscall_info(uint32_t nr)
{
	if (nr >= PROBE_NR_SYSCALLS || !table[nr].name)
		return NULL;
	return &table[nr];
}

/* The modes of fallocate(2) that change bytes of the file's content. */
#define FALLOC_CHANGES_DATA                                                    \
	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |                     \
	 FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_WRITE_ZEROES)

bool syscall_writes_data(const struct probe_syscall *r)
{
	if (r->ret != 0)
		return false;
	switch (r->nr) {
	case SYS_truncate:
	case SYS_ftruncate:
		return true;
	case SYS_fallocate:
		return r->args[1] & FALLOC_CHANGES_DATA;
	}
	return false;
}

bool syscall_maps(uint32_t nr)
{
	return nr == SYS_mmap || nr == SYS_mprotect || nr == SYS_pkey_mprotect;
}

void syscall_layouts(struct probe_sc_layout *out)
{
	for (unsigned nr = 0; nr < PROBE_NR_SYSCALLS; nr++)
		out[nr] = table[nr].layout;
}

/*
 * Whether a new fd was made close-on-exec.  SOCK_CLOEXEC, EFD_CLOEXEC,
 * TFD_CLOEXEC, SFD_CLOEXEC, IN_CLOEXEC and EPOLL_CLOEXEC all equal
 * O_CLOEXEC; memfd_create has MFD_CLOEXEC (1); a pidfd, an fd pidfd_getfd
 * takes and an io_uring's fd always are (io_uring_install_fd()).
 */
bool syscall_new_fd_cloexec(const struct probe_syscall *r)
{
	const struct syscall_info *info = syscall_info(r->nr);

	if (r->nr == SYS_memfd_create)
		return r->args[1] & 1;
	if (r->nr == SYS_pidfd_open || r->nr == SYS_pidfd_getfd ||
	    r->nr == SYS_io_uring_setup)
		return true;
	for (int i = 0; info && i < 6; i++)
		if ((info->arg[i].format == ARG_OPEN_FLAGS ||
		     r->nr == SYS_socket) &&
		    (r->args[i] & O_CLOEXEC))
			return true;
	return false;
}
