/*
 * The record ABI of probe-bpf: the one definition of every record that the
 * BPF programs write into the per-CPU ring buffers and that the log stores
 * unchanged.  Included by bpf/ (after vmlinux.h) and by user/ (after
 * <linux/types.h>); nothing here may depend on either side's headers.
 *
 * Every record starts with struct probe_hdr and is a multiple of 8 bytes
 * long.  Variable parts (strings, argv) follow the fixed part, in the order
 * the record's *_len fields give; each string there ends in a NUL that its
 * length counts.  A length of 0 means "absent".
 *
 * Bump PROBE_ABI_VERSION on any change to a layout below.
 */
#ifndef PROBE_ABI_H
#define PROBE_ABI_H

#define PROBE_ABI_VERSION 7

/* Limits shared by both sides. */
#define PROBE_MAX_CPUS 1024 /* power of two: the BPF side masks with it */
#define PROBE_PID_LIMIT 4194304 /* PID_MAX_LIMIT on 64-bit kernels */
#define PROBE_PATH_MAX 4096 /* one path string, NUL included */
#define PROBE_ARGV_MAX 16384 /* argv or env blob, NULs included */
#define PROBE_PATH_DEPTH 64 /* dentries walked for an absolute path */
#define PROBE_REC_MAX (96 * 1024) /* the largest record, a multiple of 8 */

/* What the collector records: chosen at load time. */
enum probe_scope {
	PROBE_SCOPE_COMMAND = 1, /* a command and its descendants */
	PROBE_SCOPE_CGROUP = 2, /* every task in a cgroup v2 subtree */
};

enum probe_rec_type {
	PROBE_REC_EXEC = 1, /* struct probe_exec */
	PROBE_REC_CLONE = 2, /* struct probe_clone */
	PROBE_REC_EXIT = 3, /* struct probe_exit */
	PROBE_REC_OPEN = 4, /* struct probe_open */
	PROBE_REC_CLOSE = 5, /* struct probe_close */
	PROBE_REC_USE = 6, /* struct probe_use */
	PROBE_REC_FDOP = 7, /* struct probe_fdop */
	PROBE_REC_SYSCALL = 8, /* struct probe_syscall */
	PROBE_REC_SNAPSHOT = 9, /* struct probe_snapshot, by the collector */
	PROBE_REC_TOUCH = 10,	/* struct probe_touch */
	PROBE_REC_SIGNAL = 11, /* struct probe_signal */
	PROBE_REC_FUTEX = 12, /* struct probe_futex */
	PROBE_REC_WAKE = 13, /* struct probe_wake */
	PROBE_REC_FD_ARRIVAL = 14, /* struct probe_fd_arrival */
	/* Written by the user-side consumer, never by BPF: */
	PROBE_REC_LOST = 64, /* struct probe_lost: a gap in one CPU's seq */
	PROBE_REC_TRAILER = 65, /* struct probe_trailer: last record of a log */
	PROBE_REC_HASH = 66, /* struct probe_hash: a file at the end */
};

/* Bits of the rflags field: what the record could not capture. */
enum probe_rec_flags {
	PROBE_RF_PATH_FAULT = 1 << 0, /* the user path could not be read */
	PROBE_RF_PATH_TRUNC = 1 << 1, /* the user path was cut at PATH_MAX */
	PROBE_RF_ABS_TRUNC = 1 << 2, /* the dentry walk hit its depth bound */
	PROBE_RF_NO_FILE = 1 << 3, /* no struct file behind the new fd */
	PROBE_RF_ARGV_FAULT = 1 << 4, /* argv could not be read */
	PROBE_RF_ARGV_TRUNC = 1 << 5, /* argv was longer than ARGV_MAX */
	PROBE_RF_ENV_FAULT = 1 << 6,
	PROBE_RF_ENV_TRUNC = 1 << 7,
	PROBE_RF_ARGS_FAULT = 1 << 8, /* a syscall's argument struct unread */
	/* Not a loss: the file has no path (a pipe, a socket, an anonymous
	 * inode); its absolute path is empty. */
	PROBE_RF_ANON = 1 << 9,
	/* An io_uring request whose submission was not seen (made before
	 * the recording, or forgotten): its fd and its submitter unknown */
	PROBE_RF_UNSEEN_SUBMIT = 1 << 10,
};

/* What a child shares with its parent, from the kernel's own pointers. */
enum probe_share {
	PROBE_SHARE_FILES = 1 << 0, /* child->files == parent->files */
	PROBE_SHARE_FS = 1 << 1, /* child->fs == parent->fs */
	PROBE_SHARE_VM = 1 << 2, /* child->mm == parent->mm */
	PROBE_SHARE_SIGHAND = 1 << 3,
	PROBE_SHARE_THREAD = 1 << 4, /* same thread group */
};

struct probe_hdr {
	__u32 size; /* the whole record in bytes, a multiple of 8 */
	__u16 type; /* enum probe_rec_type */
	__u16 cpu;
	__u64 seq; /* per CPU, counting records that failed to reserve */
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	__u32 pid; /* tgid, as the root pid namespace sees it */
	__u32 tid;
};

/* A file as the kernel's inode describes it. */
struct probe_inode {
	__u64 dev; /* the kernel's dev_t of the superblock (MKDEV layout) */
	__u64 ino;
	__u64 size;
	__s64 mtime_ns;
	__s64 ctime_ns;
	__u32 mode; /* i_mode: type and permission bits */
	__u32 gen; /* i_generation: with dev and ino, which file this is; a
		      file made in an inode number freed by an unlink gets
		      another (ext4, tmpfs, xfs: random; 0 where the
		      filesystem keeps none, or from a stat buffer) */
};

/*
 * A process's credentials, from the kernel's struct cred (the objective
 * ones, task->real_cred): ids as the initial user namespace sees them.
 */
struct probe_cred {
	__u32 uid;
	__u32 euid;
	__u32 gid;
	__u32 egid;
	__u64 cap_effective; /* CAP_* bits */
	__u64 cap_permitted;
};

/*
 * A successful exec (from sched_process_exec, nr == 0, ret == 0), or a
 * failed execve/execveat (from sys_exit, ret < 0, no exe, no creds).
 * Variable part: exe_path, filename, interp, argv, env.  exe is the file
 * the kernel mapped: for a #! script, its interpreter (the script is only
 * named).  exe_path is that file's absolute path where filename names it
 * through an fd (execveat with AT_EMPTY_PATH or a dirfd, fexecve: the
 * kernel's "/dev/fd/N..."), and not a script; a file with no path, a
 * memfd, by its name ("memfd:NAME").  cred_before is what the process
 * held before the exec (PROBE_EXEC_CRED_BEFORE in cred_known),
 * cred_after what it holds after: a setuid or setgid program, or file
 * capabilities, make them differ.
 */
struct probe_exec {
	struct probe_hdr hdr;
	__s64 ret;
	__u32 nr; /* syscall number of a failed attempt */
	__u32 old_tid; /* the tid that called exec, if a non-leader thread */
	__u64 start_ns; /* task start time (boottime): with pid, identity */
	struct probe_inode exe;
	__u32 filename_len;
	__u32 interp_len; /* what ran, where it differs from filename (#!) */
	__u32 argv_len;
	__u32 env_len;
	__u16 argc;
	__u16 rflags;
	__u32 exe_path_len;
	__u32 cred_known; /* enum probe_exec_cred */
	__u32 pad;
	struct probe_cred cred_before;
	struct probe_cred cred_after;
	char data[];
};

enum probe_exec_cred {
	PROBE_EXEC_CRED_BEFORE = 1 << 0,
	PROBE_EXEC_CRED_AFTER = 1 << 1,
};

/*
 * A task created by clone, clone3, fork or vfork; hdr names the parent.
 * Or a thread the kernel made for the parent's process with
 * create_io_thread() (io_thread: an io_uring worker, iou-wrk-PID, or its
 * SQPOLL thread, iou-sqp-PID): no syscall (nr 0), flags as the kernel
 * passed them to copy_process().
 */
struct probe_clone {
	struct probe_hdr hdr;
	__u64 flags; /* the raw clone flags, as the syscall passed them */
	__u32 nr; /* clone, clone3, fork or vfork; 0 for an io thread */
	__u32 share; /* enum probe_share */
	__u32 child_pid; /* tgid */
	__u32 child_tid;
	__u64 child_start_ns;
	__u64 parent_start_ns;
	__u16 rflags;
	__u16 io_thread; /* 1: made by create_io_thread(), see above */
	__u16 pad[2];
};

/* A task's exit; group_dead marks the last thread of its process. */
struct probe_exit {
	struct probe_hdr hdr;
	__s32 exit_code; /* the task's own, in wait(2) status layout */
	__s32 status; /* the process's status as wait(2) reports it */
	__u64 start_ns;
	__u32 group_dead;
	__u32 pad;
};

/*
 * Opens, uses and closes that no syscall of the task's own made: an
 * io_uring request (the record's nr is PROBE_NR_IO_URING), or an iocb that
 * Linux AIO's io_submit took (nr is io_submit's).  Their records carry
 * struct probe_async, all 0 in the records of syscalls (ring is never 0
 * otherwise).  hdr names the task that submitted the request; an io_uring
 * request is recorded when it completes (io_uring_complete), so a request
 * whose completion posts no CQE (IOSQE_CQE_SKIP_SUCCESS, a CQ ring that
 * overflowed) is not seen.
 */
#define PROBE_NR_IO_URING 1024 /* above every syscall number */
enum probe_async_flags {
	/* fd is an index in the ring's table of registered (fixed) files,
	 * not an fd */
	PROBE_ASYNC_FIXED = 1 << 0,
};
struct probe_async {
	__u64 ring; /* the io_uring (its struct io_ring_ctx) or the AIO
		       context (aio_context_t): an id, 0 for a syscall */
	__u32 worker_tid; /* the task that completed it, when not the
			     submitter: an io worker (iou-wrk) */
	__u8 opcode; /* IORING_OP_*, or IOCB_CMD_* */
	__u8 flags; /* enum probe_async_flags */
	__u16 pad;
};

/*
 * open, openat, openat2, creat.  Variable part: the path as the program
 * passed it, then the absolute path from the kernel's dentries.
 *
 * Or an io_uring request that made an fd or a fixed file (async.ring != 0):
 * IORING_OP_OPENAT, OPENAT2 (dirfd, flags and mode as the request gave
 * them; the path as passed is gone at completion: path_len 0), ACCEPT,
 * SOCKET, FIXED_FD_INSTALL, PIPE (one record per end; flags: the new
 * file's access mode, O_NONBLOCK and the request's O_CLOEXEC).  ret is the
 * new fd, or with PROBE_ASYNC_FIXED the slot.
 */
struct probe_open {
	struct probe_hdr hdr;
	__s64 ret; /* the new fd, or -errno */
	__u32 nr;
	__s32 dirfd; /* AT_FDCWD for open and creat */
	__u64 flags; /* as passed (open_how.flags for openat2) */
	__u64 mode; /* as passed */
	__u32 f_flags; /* the new struct file's f_flags */
	__u32 f_mode; /* the new struct file's f_mode (FMODE_READ/WRITE) */
	struct probe_inode inode;
	__u32 path_len;
	__u32 abs_len;
	__u16 rflags;
	__u16 pad[3];
	struct probe_async async;
	char data[];
};

/* close(2), or IORING_OP_CLOSE of an fd or a fixed file (see
 * struct probe_async). */
struct probe_close {
	struct probe_hdr hdr;
	__s64 ret;
	__u32 nr;
	__s32 fd;
	struct probe_async async;
};

/* How a process used an open file description (enum bits). */
enum probe_use_access {
	PROBE_USE_READ = 1,
	PROBE_USE_WRITE = 2,
};

/*
 * The first read, or the first write, of an open file description by one
 * exec epoch of one process: read/pread64/readv/preadv/preadv2 and the
 * write family, sendfile, splice, copy_file_range, the send and receive
 * family (sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg), mmap
 * of a file (a shared writable mapping is a write), and mprotect or
 * pkey_mprotect that makes a shared mapping of a file writable (a write,
 * with fd -1: no fd names the mapping's file).  Deduplicated in the kernel, so
 * a loop of reads costs one record; but a write after the process's
 * latest recorded read is recorded again, so that each write record is
 * preceded by every read whose data the writes up to the next one can
 * hold.  A read of a pipe, a FIFO or a socket that returned nothing (the
 * end of the stream) carried no data and is no use.  Variable part: the
 * absolute path.
 *
 * io_uring requests and AIO iocbs (see struct probe_async) are uses too,
 * deduplicated alike: IORING_OP_READ, READV, READ_FIXED, READV_FIXED,
 * READ_MULTISHOT, RECV, RECVMSG (reads), WRITE, WRITEV, WRITE_FIXED,
 * WRITEV_FIXED, SEND, SENDMSG, SEND_ZC, SENDMSG_ZC (writes), SPLICE and
 * TEE (a read of the input, a write of the output); IOCB_CMD_PREAD, PREADV,
 * PWRITE, PWRITEV.  ret: the request's result; for AIO, what io_submit
 * returned (the iocb's own result comes later).
 */
struct probe_use {
	struct probe_hdr hdr;
	__s64 ret;
	__u32 nr; /* the syscall that made the use */
	__s32 fd; /* -1: none (mprotect) */
	__u32 access; /* PROBE_USE_READ or PROBE_USE_WRITE */
	__u32 prot; /* mmap's and mprotect's prot, mmap's flags; else 0 */
	__u32 map_flags;
	__u32 abs_len;
	struct probe_inode inode;
	__u64 peer_ino; /* a connected unix socket: its peer's inode, where
			   what it writes is read and what it reads was
			   written (0: none) */
	__u16 rflags;
	__u16 pad[3];
	struct probe_async async;
	char data[];
};

/*
 * An operation on the fd table: dup, dup2, dup3, fcntl, close_range,
 * pipe, pipe2, socketpair, with the syscall's arguments as passed.
 */
struct probe_fdop {
	struct probe_hdr hdr;
	__s64 ret;
	__u32 nr;
	__s32 fd; /* dup*: oldfd; fcntl: fd; close_range: first */
	__u64 arg1; /* dup2, dup3: newfd; fcntl: cmd; close_range: last;
		       pipe2: flags */
	__u64 arg2; /* dup3: flags; fcntl: arg; close_range: flags */
	__s32 fds[2]; /* pipe, pipe2: the read and the write end;
			 socketpair: the two ends */
	__u16 rflags;
	__u16 pad[3];
};

/*
 * An fd that arrived in a control message (SCM_RIGHTS) of recvmsg or
 * recvmmsg: the new fd, and the file the kernel installed there, read
 * from the fd table at sys_exit.  One record per fd, after the record of
 * the receive's use of its socket.  Variable part: the absolute path.
 */
struct probe_fd_arrival {
	struct probe_hdr hdr;
	__s64 ret; /* what the receive returned */
	__u32 nr; /* recvmsg or recvmmsg */
	__s32 fd; /* the new fd */
	__s32 sock_fd; /* the socket it came through */
	__u32 cloexec; /* MSG_CMSG_CLOEXEC */
	struct probe_inode inode;
	__u32 abs_len;
	__u16 rflags;
	__u16 pad;
	char data[];
};

/*
 * How the generic syscall record reads one syscall's arguments.  The
 * loader gives the BPF side a table of these indexed by syscall number,
 * filled from the one table of syscalls (user/syscalls.c).  Argument
 * indices count from 0; -1 means none.
 */
#define PROBE_NR_SYSCALLS 512 /* a power of two above every x86_64 nr */
enum probe_sc_flags {
	PROBE_SC_RECORD = 1 << 0, /* record it with struct probe_syscall */
	PROBE_SC_NEW_FD = 1 << 1, /* it returns a new fd */
	PROBE_SC_LITERAL2 = 1 << 2, /* path2 is text, not a path to resolve
				       (symlink's target) */
	PROBE_SC_BASE_ALWAYS = 1 << 3, /* resolve the base even for an
					  absolute path (chdir: at sys_exit
					  the base is the new cwd) */
	PROBE_SC_TOUCH = 1 << 4,       /* it changes files it names by path:
					  record the inodes it touches */
	PROBE_SC_BASE_ROOT = 1 << 5, /* on success the base is the task's
					new root (chroot) */
};
enum probe_stat_kind {
	PROBE_STAT_NONE = 0,
	PROBE_STAT_STAT = 1, /* struct stat (x86_64) */
	PROBE_STAT_STATX = 2, /* struct statx */
};
#define PROBE_DIRFD_CWD (-1) /* a path argument relative to the cwd */
struct probe_sc_layout {
	__s8 path; /* a path argument */
	__s8 dirfd; /* the dirfd it is relative to, or PROBE_DIRFD_CWD */
	__s8 path2; /* a second path argument (rename, link, symlink) */
	__s8 dirfd2;
	__s8 fd; /* an fd argument the syscall acts on */
	__s8 statbuf; /* a buffer the kernel fills with the file's stat */
	__u8 stat_kind; /* enum probe_stat_kind */
	__u8 flags; /* enum probe_sc_flags */
};

/*
 * Every other recorded syscall: its six raw arguments, and what its
 * layout names.  inode: of the fd argument, of the new fd, or read back
 * from the stat buffer.  Variable part: path (as passed), base (the
 * absolute path of the directory a relative path is relative to, or of
 * the fd argument's or new fd's file), path2, base2.
 */
struct probe_syscall {
	struct probe_hdr hdr;
	__s64 ret;
	__u32 nr;
	__u16 rflags;
	__u16 has_inode;
	__u64 args[6];
	struct probe_inode inode;
	__u32 path_len;
	__u32 base_len;
	__u32 path2_len;
	__u32 base2_len;
	char data[];
};

/*
 * An inode whose ctime a traced task's syscall stamped, for the syscalls
 * the layout marks PROBE_SC_TOUCH (chmod, unlink, rename, mkdir...): they
 * name their files by path, and by sys_exit the kernel has let go of the
 * inodes, so their record could not say which files the paths were.
 * Written while the syscall runs, so before its own record (same tid),
 * which it belongs to; a syscall may touch several inodes (unlink: the
 * file and its directory) or one twice.  inode is as it was then.
 * Variable part: the name of one of the inode's dentries at that moment
 * (the name the syscall used, unless the file has other hard links, or
 * empty for an inode not linked yet: the one mkdir, mknod or symlink
 * makes).
 */
struct probe_touch {
	struct probe_hdr hdr;
	__u32 nr; /* the syscall */
	__u32 nlink;
	__u64 parent_ino; /* the inode of that dentry's directory, or 0 */
	struct probe_inode inode;
	__u32 name_len;
	__u16 rflags;
	__u16 pad;
	char data[];
};

/*
 * A signal a traced task takes (signal_deliver): a handler is about to
 * run, or the signal is ignored or takes its default action.  When it
 * came while the task was in a syscall that the kernel would restart
 * (syscall_ret is -ERESTART*), handler and sa_flags say what happens to
 * that syscall: it returns EINTR, or runs again (a second record).
 */
struct probe_signal {
	struct probe_hdr hdr;
	__s32 sig;
	__s32 code; /* si_code */
	__u32 sender_pid; /* si_pid (SI_USER, SI_TKILL, SI_QUEUE, SIGCHLD),
			     in the receiver's pid namespace */
	__u32 sa_flags; /* of the action taken */
	__u64 handler; /* 0: SIG_DFL, 1: SIG_IGN, else the handler */
	__s64 syscall_nr; /* the syscall it came in, -1 if none */
	__s64 syscall_ret; /* what that syscall returned */
};

/*
 * A futex word as the kernel keys it (get_futex_key()): private futexes
 * and private memory by address space and address, futexes in a shared
 * mapping of a file or of shared memory by inode and offset, so that
 * processes that map one file at different addresses meet on one key.
 */
enum probe_futex_key_kind {
	PROBE_FUTEX_KEY_NONE = 0, /* no address, or none mapped there */
	PROBE_FUTEX_KEY_MM = 1, /* a: the mm (a kernel address), b: uaddr */
	PROBE_FUTEX_KEY_INODE = 2, /* a: dev, b: ino, c: byte offset */
};
struct probe_futex_key {
	__u64 a, b, c;
	__u32 kind; /* enum probe_futex_key_kind */
	__u32 pad;
};

/*
 * futex(2) and futex_wait, futex_wake, futex_requeue, futex_waitv: the
 * raw arguments, and the key of each futex word futex(2) names (uaddr;
 * uaddr2 for the requeue and wake-op operations).
 */
struct probe_futex {
	struct probe_hdr hdr;
	__s64 ret;
	__u32 nr;
	__u32 pad;
	__u64 args[6];
	struct probe_futex_key key, key2;
};

/*
 * A traced task woke another: in a futex syscall (a wake, a requeue, an
 * unlock), or exiting (the futex wake of its CLONE_CHILD_CLEARTID word
 * that pthread_join() waits for).  Written when the wakeup happens, so
 * before the record of the waker's syscall and of the wakee's.
 */
struct probe_wake {
	struct probe_hdr hdr; /* the waker */
	__s64 nr; /* the waker's syscall */
	__u32 wakee_pid;
	__u32 wakee_tid;
};

/*
 * With --cgroup, what a process already in the cgroup had when recording
 * started, taken by the collector from /proc and written before any
 * record of the kernel's (cpu 0, seq 0, ts the start): one record per
 * open fd, then one with fd -1 for its exe (inode, path), its cwd and its
 * root.
 */
struct probe_snapshot {
	struct probe_hdr hdr;
	__s32 fd; /* the fd, or -1: the process's exe and cwd */
	__u32 flags; /* the fd's open flags, from /proc/PID/fdinfo */
	struct probe_inode inode; /* the fd's file, or the exe */
	__u32 path_len; /* the fd's path, or the exe's */
	__u32 cwd_len; /* with fd -1: the cwd */
	__u32 root_len; /* with fd -1: the root directory */
	__u32 pad;
	char data[];
};

/* A gap in one CPU's sequence: records that never reached userspace. */
struct probe_lost {
	struct probe_hdr hdr; /* cpu, and seq of the first missing record */
	__u64 count;
};

/*
 * What the collector found of a file when recording ended: once the
 * command had exited and the rings were drained, before the trailer.  One
 * record for each file the recording wrote and did not remove (an output)
 * and each file it read and never wrote (an input), at the path the log
 * last gave it.  The content is hashed only if the file there is the one
 * the log knows (a regular file of its dev and inode) and unchanged since
 * the recording saw it: an input's ctime is the one the recording last
 * saw, an output's is not later than the end of the recording, and
 * stat(2) after the hashing equals stat(2) before it.
 */
enum probe_hash_status {
	PROBE_HASH_DONE = 1, /* sha256 is the file's content */
	PROBE_HASH_CHANGED = 2, /* changed since the recording saw it, or
				   while it was hashed */
	PROBE_HASH_GONE = 3, /* no file at its path, or another one */
	PROBE_HASH_TOO_LARGE = 4, /* larger than the recorder's limit */
	PROBE_HASH_UNREADABLE = 5, /* it could not be opened or read: err */
};
#define PROBE_HASH_STATUS_MAX PROBE_HASH_UNREADABLE

struct probe_hash {
	struct probe_hdr hdr; /* the collector's; ts_ns: the recording's end */
	struct probe_inode inode; /* dev, ino, gen: the file as the log knows
				     it; size, times, mode: its stat(2) at
				     the end (0 if gone) */
	__u32 status; /* enum probe_hash_status */
	__s32 err; /* PROBE_HASH_UNREADABLE: the errno */
	__u8 sha256[32]; /* PROBE_HASH_DONE */
	__u32 path_len;
	__u32 pad;
	char data[]; /* the path it was found at */
};

/* The BPF side's counters for one CPU, one cache line each (in .bss). */
struct probe_cpu_state {
	__u64 seq; /* the next record's sequence number */
	__u64 drops; /* ring buffer reservations that failed */
	__u64 read_faults; /* user or kernel reads that failed */
	__u64 read_clock; /* first reads recorded here: see read_stamps */
	__u64 nested; /* records not written: their program ran inside
			 another that was writing one on this CPU */
	__u32 building; /* a program is writing a record on this CPU */
	__u32 pad0;
	__u64 pad[2];
};

/*
 * Each CPU's ring: one element of the BPF "rings" array, mmapped by the
 * reader.  A control block, then ring_size bytes of data (a power of two)
 * and PROBE_REC_MAX bytes of slack: a record starts at head % ring_size and
 * is never split; one that runs past the end continues into the slack, and
 * the next starts at the wrapped position.  The BPF program on that CPU is
 * the only writer of head (syscall and sched tracepoints run it with
 * preemption off, so it never interleaves with itself; a program that an
 * interrupt runs inside it finds probe_cpu_state.building set and writes
 * nothing there).  The reader writes
 * tail, except that when the ring is empty (tail == head: the reader has
 * nothing to read and writes nothing) the writer moves both to the ring's
 * next start, tail first, so that a ring drained often keeps reusing the
 * same few cache-hot pages.  So the reader loads head (acquire), then
 * tail, and reads only while tail < head.
 */
struct probe_ring_ctl {
	__u64 head; /* bytes written, ever */
	__u64 pad0[7];
	__u64 tail; /* bytes read, ever (see above) */
	__u64 pad1[7];
};

/* The same counters as the trailer keeps them. */
struct probe_cpu_count {
	__u64 records; /* records this CPU attempted (its last seq + 1) */
	__u64 drops; /* ring buffer reservations that failed */
	__u64 read_faults; /* user or kernel reads that failed */
	__u64 nested; /* records a program inside another did not write */
};

/* Counters of a whole recording: the log's last record. */
struct probe_trailer {
	struct probe_hdr hdr;
	__u64 end_realtime_ns;
	__u64 end_boottime_ns;
	__u64 records; /* records written to the log, this one excluded */
	__u64 lost; /* records missing from seq gaps */
	__u64 late; /* records that arrived after the watermark passed them */
	__u64 misses; /* program runs the kernel skipped (recursion) */
	__u32 ncpus;
	__u32 pad;
	struct probe_cpu_count cpu[];
};

#endif /* PROBE_ABI_H */
