#include "names.h"

#include <stddef.h>
#include <string.h>
#include "syscalls.h"

/* Kernel values (include/uapi/asm-generic/fcntl.h), not libc's: glibc
 * defines O_LARGEFILE as 0 on 64-bit, but the kernel still reports it. */
const struct flag_name open_flag_names[] = {
	{ 0100, "O_CREAT" },
	{ 0200, "O_EXCL" },
	{ 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" },
	{ 04000, "O_NONBLOCK" },
	{ 010000, "O_DSYNC" },
	{ 020000, "O_ASYNC" },
	{ 040000, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" },
	{ 0200000, "O_DIRECTORY" },
	{ 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" },
	{ 04000000, "__O_SYNC" }, /* O_SYNC is __O_SYNC | O_DSYNC */
	{ 010000000, "O_PATH" },
	{ 020000000, "__O_TMPFILE" }, /* O_TMPFILE adds O_DIRECTORY */
	{ 0, NULL },
};

/* include/uapi/linux/sched.h; the low byte of clone(2)'s flags is the
 * exit signal, and clone3(2) uses 0x80 for CLONE_NEWTIME. */
const struct flag_name clone_flag_names[] = {
	{ 0x00000100, "CLONE_VM" },
	{ 0x00000200, "CLONE_FS" },
	{ 0x00000400, "CLONE_FILES" },
	{ 0x00000800, "CLONE_SIGHAND" },
	{ 0x00001000, "CLONE_PIDFD" },
	{ 0x00002000, "CLONE_PTRACE" },
	{ 0x00004000, "CLONE_VFORK" },
	{ 0x00008000, "CLONE_PARENT" },
	{ 0x00010000, "CLONE_THREAD" },
	{ 0x00020000, "CLONE_NEWNS" },
	{ 0x00040000, "CLONE_SYSVSEM" },
	{ 0x00080000, "CLONE_SETTLS" },
	{ 0x00100000, "CLONE_PARENT_SETTID" },
	{ 0x00200000, "CLONE_CHILD_CLEARTID" },
	{ 0x00400000, "CLONE_DETACHED" },
	{ 0x00800000, "CLONE_UNTRACED" },
	{ 0x01000000, "CLONE_CHILD_SETTID" },
	{ 0x02000000, "CLONE_NEWCGROUP" },
	{ 0x04000000, "CLONE_NEWUTS" },
	{ 0x08000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },
	{ 0x80000000, "CLONE_IO" },
	{ 0x100000000ULL, "CLONE_CLEAR_SIGHAND" },
	{ 0x200000000ULL, "CLONE_INTO_CGROUP" },
	{ 0, NULL },
};

const char *syscall_name(uint32_t nr)
{
	const struct syscall_info *info = syscall_info(nr);

	return info ? info->name : NULL;
}

/*
 * The kernel's restart codes (include/linux/errno.h), which sys_exit sees
 * when a signal interrupted the syscall: the program then gets EINTR, or
 * the kernel runs the syscall again (SA_RESTART), which makes another op.
 */
static const char *const restart_names[] = {
	[512 - 512] = "ERESTARTSYS",
	[513 - 512] = "ERESTARTNOINTR",
	[514 - 512] = "ERESTARTNOHAND",
	[515 - 512] = "ENOIOCTLCMD",
	[516 - 512] = "ERESTART_RESTARTBLOCK",
};

const char *errno_name(int err)
{
	if (err >= 512 && err <= 516)
		return restart_names[err - 512];
	return strerrorname_np(err);
}

static const char *const signal_names[] = {
	NULL,	   "SIGHUP",  "SIGINT",	   "SIGQUIT", "SIGILL",	 "SIGTRAP",
	"SIGABRT", "SIGBUS",  "SIGFPE",	   "SIGKILL", "SIGUSR1", "SIGSEGV",
	"SIGUSR2", "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP",   "SIGTSTP", "SIGTTIN", "SIGTTOU",
	"SIGURG",  "SIGXCPU", "SIGXFSZ",   "SIGVTALRM", "SIGPROF",
	"SIGWINCH", "SIGIO",  "SIGPWR",	   "SIGSYS",
};

const char *signal_name(int sig)
{
	if (sig <= 0 || sig >= (int)(sizeof(signal_names) /
				     sizeof(signal_names[0])))
		return NULL;
	return signal_names[sig];
}

/* include/uapi/asm-generic/mman-common.h and mman.h */
const struct flag_name prot_flag_names[] = {
	{ 0x1, "PROT_READ" },
	{ 0x2, "PROT_WRITE" },
	{ 0x4, "PROT_EXEC" },
	{ 0, NULL },
};

const struct flag_name map_flag_names[] = {
	{ 0x01, "MAP_SHARED" },
	{ 0x02, "MAP_PRIVATE" },
	{ 0x10, "MAP_FIXED" },
	{ 0x20, "MAP_ANONYMOUS" },
	{ 0x100, "MAP_GROWSDOWN" },
	{ 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" },
	{ 0x4000, "MAP_NORESERVE" },
	{ 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" },
	{ 0x20000, "MAP_STACK" },
	{ 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" },
	{ 0, NULL },
};

/* include/uapi/linux/fcntl.h: the AT_* flags of the *at syscalls */
const struct flag_name at_flag_names[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" },
	{ 0x200, "AT_REMOVEDIR" }, /* also AT_EACCESS for faccessat */
	{ 0x400, "AT_SYMLINK_FOLLOW" },
	{ 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },
	{ 0x2000, "AT_STATX_FORCE_SYNC" },
	{ 0x4000, "AT_STATX_DONT_SYNC" },
	{ 0x8000, "AT_RECURSIVE" },
	{ 0, NULL },
};

/* include/uapi/linux/fs.h */
const struct flag_name rename_flag_names[] = {
	{ 1U << 0, "RENAME_NOREPLACE" },
	{ 1U << 1, "RENAME_EXCHANGE" },
	{ 1U << 2, "RENAME_WHITEOUT" },
	{ 0, NULL },
};

/* include/uapi/linux/falloc.h; 0 is FALLOC_FL_ALLOCATE_RANGE */
const struct flag_name falloc_flag_names[] = {
	{ 0x01, "FALLOC_FL_KEEP_SIZE" },
	{ 0x02, "FALLOC_FL_PUNCH_HOLE" },
	{ 0x04, "FALLOC_FL_NO_HIDE_STALE" },
	{ 0x08, "FALLOC_FL_COLLAPSE_RANGE" },
	{ 0x10, "FALLOC_FL_ZERO_RANGE" },
	{ 0x20, "FALLOC_FL_INSERT_RANGE" },
	{ 0x40, "FALLOC_FL_UNSHARE_RANGE" },
	{ 0x80, "FALLOC_FL_WRITE_ZEROES" },
	{ 0, NULL },
};

/* include/uapi/linux/close_range.h */
const struct flag_name close_range_flag_names[] = {
	{ 1U << 1, "CLOSE_RANGE_UNSHARE" },
	{ 1U << 2, "CLOSE_RANGE_CLOEXEC" },
	{ 0, NULL },
};

/* include/uapi/linux/futex.h: the flags of futex(2)'s op */
const struct flag_name futex_flag_names[] = {
	{ 128, "FUTEX_PRIVATE_FLAG" },
	{ 256, "FUTEX_CLOCK_REALTIME" },
	{ 0, NULL },
};

const char *futex_cmd_name(uint64_t cmd)
{
	static const char *const names[] = {
		"FUTEX_WAIT",	     "FUTEX_WAKE",	  "FUTEX_FD",
		"FUTEX_REQUEUE",     "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP",
		"FUTEX_LOCK_PI",     "FUTEX_UNLOCK_PI",	  "FUTEX_TRYLOCK_PI",
		"FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
		"FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
	};

	return cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : NULL;
}

/* include/uapi/linux/io_uring.h, enum io_uring_op (Linux 6.18) */
const char *io_uring_op_name(uint64_t opcode)
{
	static const char *const names[] = {
		"IORING_OP_NOP",	     "IORING_OP_READV",
		"IORING_OP_WRITEV",	     "IORING_OP_FSYNC",
		"IORING_OP_READ_FIXED",	     "IORING_OP_WRITE_FIXED",
		"IORING_OP_POLL_ADD",	     "IORING_OP_POLL_REMOVE",
		"IORING_OP_SYNC_FILE_RANGE", "IORING_OP_SENDMSG",
		"IORING_OP_RECVMSG",	     "IORING_OP_TIMEOUT",
		"IORING_OP_TIMEOUT_REMOVE",  "IORING_OP_ACCEPT",
		"IORING_OP_ASYNC_CANCEL",    "IORING_OP_LINK_TIMEOUT",
		"IORING_OP_CONNECT",	     "IORING_OP_FALLOCATE",
		"IORING_OP_OPENAT",	     "IORING_OP_CLOSE",
		"IORING_OP_FILES_UPDATE",    "IORING_OP_STATX",
		"IORING_OP_READ",	     "IORING_OP_WRITE",
		"IORING_OP_FADVISE",	     "IORING_OP_MADVISE",
		"IORING_OP_SEND",	     "IORING_OP_RECV",
		"IORING_OP_OPENAT2",	     "IORING_OP_EPOLL_CTL",
		"IORING_OP_SPLICE",	     "IORING_OP_PROVIDE_BUFFERS",
		"IORING_OP_REMOVE_BUFFERS",  "IORING_OP_TEE",
		"IORING_OP_SHUTDOWN",	     "IORING_OP_RENAMEAT",
		"IORING_OP_UNLINKAT",	     "IORING_OP_MKDIRAT",
		"IORING_OP_SYMLINKAT",	     "IORING_OP_LINKAT",
		"IORING_OP_MSG_RING",	     "IORING_OP_FSETXATTR",
		"IORING_OP_SETXATTR",	     "IORING_OP_FGETXATTR",
		"IORING_OP_GETXATTR",	     "IORING_OP_SOCKET",
		"IORING_OP_URING_CMD",	     "IORING_OP_SEND_ZC",
		"IORING_OP_SENDMSG_ZC",	     "IORING_OP_READ_MULTISHOT",
		"IORING_OP_WAITID",	     "IORING_OP_FUTEX_WAIT",
		"IORING_OP_FUTEX_WAKE",	     "IORING_OP_FUTEX_WAITV",
		"IORING_OP_FIXED_FD_INSTALL", "IORING_OP_FTRUNCATE",
		"IORING_OP_BIND",	     "IORING_OP_LISTEN",
		"IORING_OP_RECV_ZC",	     "IORING_OP_EPOLL_WAIT",
		"IORING_OP_READV_FIXED",     "IORING_OP_WRITEV_FIXED",
		"IORING_OP_PIPE",
	};

	return opcode < sizeof(names) / sizeof(names[0]) ? names[opcode] :
							   NULL;
}

/* include/uapi/linux/aio_abi.h */
const char *aio_cmd_name(uint64_t cmd)
{
	static const char *const names[] = {
		"IOCB_CMD_PREAD", "IOCB_CMD_PWRITE", "IOCB_CMD_FSYNC",
		"IOCB_CMD_FDSYNC", NULL,	     "IOCB_CMD_POLL",
		"IOCB_CMD_NOOP",  "IOCB_CMD_PREADV", "IOCB_CMD_PWRITEV",
	};

	return cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : NULL;
}

const char *fcntl_cmd_name(uint64_t cmd)
{
	/* include/uapi/asm-generic/fcntl.h, linux/fcntl.h */
	switch (cmd) {
	case 0:
		return "F_DUPFD";
	case 1:
		return "F_GETFD";
	case 2:
		return "F_SETFD";
	case 3:
		return "F_GETFL";
	case 4:
		return "F_SETFL";
	case 5:
		return "F_GETLK";
	case 6:
		return "F_SETLK";
	case 7:
		return "F_SETLKW";
	case 8:
		return "F_SETOWN";
	case 9:
		return "F_GETOWN";
	case 1024:
		return "F_SETLEASE";
	case 1025:
		return "F_GETLEASE";
	case 1030:
		return "F_DUPFD_CLOEXEC";
	case 1031:
		return "F_SETPIPE_SZ";
	case 1032:
		return "F_GETPIPE_SZ";
	case 1033:
		return "F_ADD_SEALS";
	case 1034:
		return "F_GET_SEALS";
	}
	return NULL;
}

const char *open_access(uint64_t flags)
{
	switch (flags & 3) {
	case 0:
		return "r";
	case 1:
		return "w";
	default:
		return "rw";
	}
}

const char *open_accmode_name(uint64_t flags)
{
	static const char *const names[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
					     NULL };

	return names[flags & 3];
}
