/*
 * probe-bpf export jsonl: one JSON object per operation, in log order,
 * as schemas/ops.schema.json describes.
 */
#include "export.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "json.h"
#include "model.h"
#include "names.h"
#include "records.h"
#include "syscalls.h"
#include "util.h"

const char *export_op_name(const struct probe_hdr *h)
{
	const char *name;
	__u32 nr;

	switch (h->type) {
	case PROBE_REC_EXEC:
		return "exec";
	case PROBE_REC_CLONE:
		return "clone";
	case PROBE_REC_EXIT:
		return "exit";
	case PROBE_REC_OPEN:
		return "open";
	case PROBE_REC_CLOSE:
		return "close";
	case PROBE_REC_USE:
		if (((const struct probe_use *)h)->access == PROBE_USE_WRITE)
			return "write";
		return "read";
	case PROBE_REC_FDOP:
		name = syscall_name(((const struct probe_fdop *)h)->nr);
		return name ? name : "fdop";
	case PROBE_REC_SYSCALL:
		/* the BPF side records only the syscalls of the table */
		nr = ((const struct probe_syscall *)h)->nr;
		return syscall_info(nr)->name;
	case PROBE_REC_SNAPSHOT:
		return "snapshot";
	case PROBE_REC_SIGNAL:
		return "signal";
	case PROBE_REC_FUTEX:
		name = syscall_name(((const struct probe_futex *)h)->nr);
		return name ? name : "futex";
	case PROBE_REC_FD_ARRIVAL:
		return "scm_rights";
	case PROBE_REC_LOST:
		return "lost";
	}
	return "unknown";
}

static void common(struct json *j, const struct probe_hdr *h)
{
	json_u64(j, "seq", h->seq);
	json_u64(j, "cpu", h->cpu);
	json_u64(j, "ts_ns", h->ts_ns);
	json_u64(j, "pid", h->pid);
	json_u64(j, "tid", h->tid);
	json_str(j, "op", export_op_name(h), -1);
}

/* The error a failed syscall or request returned. */
static void syscall_err(struct json *j, __s64 ret)
{
	if (ret < 0) {
		/* -ret of INT64_MIN overflows: negate it unsigned */
		__u64 errnum = -(__u64)ret;
		const char *err = errnum <= INT_MAX ? errno_name(errnum) : NULL;

		if (err)
			json_str(j, "err", err, -1);
		else
			json_u64(j, "err", errnum);
	}
}

static void syscall_result(struct json *j, __u32 nr, __s64 ret)
{
	const char *name = syscall_name(nr);

	if (name)
		json_str(j, "syscall", name, -1);
	else
		json_u64(j, "syscall", nr);
	syscall_err(j, ret);
}

static void path(struct json *j, const char *key, struct bytes b)
{
	json_name(j, key, b.p, b.len);
}

static void incomplete(struct json *j, __u16 rflags)
{
	bool first = true;

	rflags &= ~PROBE_RF_ANON; /* nothing missing: see file_path() */
	if (!rflags)
		return;
	json_key(j, "incomplete");
	fputc('[', j->f);
	for (int i = 0; rflag_names[i]; i++) {
		if (!(rflags & (1U << i)))
			continue;
		fprintf(j->f, "%s\"%s\"", first ? "" : ",", rflag_names[i]);
		first = false;
	}
	fputc(']', j->f);
}

static const char *file_type(__u32 mode);

/* The path of a file that has one, else its name (anon_file_name()). */
static void file_path(struct json *j, struct bytes abs, __u16 rflags,
		      const struct probe_inode *ino)
{
	char name[64];

	if (!(rflags & PROBE_RF_ANON)) {
		if (abs.len)
			path(j, "path", abs);
		return;
	}
	json_str(j, "path", name, anon_file_name(ino, name, sizeof(name)));
}

static const char *file_type(__u32 mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "regular";
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symlink";
	case S_IFCHR:
		return "char";
	case S_IFBLK:
		return "block";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	}
	return "unknown";
}

/* Identity and state of a file: dev as stat(2)'s st_dev. */
static void inode(struct json *j, const char *prefix,
		  const struct probe_inode *ino)
{
	char key[32];

#define KEY(name) (snprintf(key, sizeof(key), "%s%s", prefix, name), key)
	json_u64(j, KEY("dev"), dev_kernel_to_user(ino->dev));
	json_u64(j, KEY("ino"), ino->ino);
	json_u64(j, KEY("gen"), ino->gen);
	json_u64(j, KEY("size"), ino->size);
	json_i64(j, KEY("mtime_ns"), ino->mtime_ns);
	json_i64(j, KEY("ctime_ns"), ino->ctime_ns);
	json_str(j, KEY("type"), file_type(ino->mode), -1);
	json_u64(j, KEY("perm"), ino->mode & 07777);
#undef KEY
}

/* A capability set as /proc/PID/status shows it (CapEff...): 16 hex
 * digits, capability n (include/uapi/linux/capability.h) bit n. */
static void cap_set(struct json *j, const char *key, __u64 caps)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)caps);
	json_str(j, key, hex, 16);
}

/* A process's credentials, as an object under key. */
static void cred(struct json *j, const char *key, const struct probe_cred *c)
{
	struct json o;

	json_key(j, key);
	json_begin(&o, j->f);
	json_u64(&o, "uid", c->uid);
	json_u64(&o, "euid", c->euid);
	json_u64(&o, "gid", c->gid);
	json_u64(&o, "egid", c->egid);
	cap_set(&o, "cap_effective", c->cap_effective);
	cap_set(&o, "cap_permitted", c->cap_permitted);
	json_close(&o);
}

static void export_exec(struct json *j, const struct probe_exec *r)
{
	struct bytes interp = exec_interp(r), env = exec_env(r);
	struct bytes exe_path = exec_path(r);

	common(j, &r->hdr);
	path(j, "path", exec_filename(r));
	if (exe_path.len)
		path(j, "exe_path", exe_path);
	if (r->cred_known & PROBE_EXEC_CRED_BEFORE)
		cred(j, "cred_before", &r->cred_before);
	if (r->cred_known & PROBE_EXEC_CRED_AFTER)
		cred(j, "cred_after", &r->cred_after);
	if (r->nr) {
		syscall_result(j, r->nr, r->ret);
	} else {
		struct bytes argv = exec_argv(r);

		json_namev(j, "argv", argv.p, argv.len);
		if (interp.len)
			path(j, "interp", interp);
		if (r->env_len || (r->rflags & PROBE_RF_ENV_FAULT))
			json_namev(j, "env", env.p, env.len);
		inode(j, "exe_", &r->exe);
		if (r->old_tid)
			json_u64(j, "old_tid", r->old_tid);
	}
	json_u64(j, "start_ns", r->start_ns);
	incomplete(j, r->rflags);
}

static void export_clone(struct json *j, const struct probe_clone *r)
{
	/* clone(2) keeps the exit signal in the low byte; clone3(2) keeps it
	 * apart and gives that byte's 0x80 to CLONE_NEWTIME. */
	bool csignal = r->nr != SYS_clone3;
	__u64 flags = csignal ? r->flags & ~0xffULL : r->flags;

	common(j, &r->hdr);
	if (r->io_thread) /* no syscall: create_io_thread() */
		json_bool(j, "io_thread", true);
	else
		syscall_result(j, r->nr, 0);
	json_u64(j, "child_pid", r->child_pid);
	json_u64(j, "child_tid", r->child_tid);
	if (!csignal && (flags & 0x80)) {
		flags &= ~0x80ULL;
		json_flags(j, "flags", "CLONE_NEWTIME", clone_flag_names, flags);
	} else {
		json_flags(j, "flags", NULL, clone_flag_names, flags);
	}
	if (csignal && (r->flags & 0xff)) {
		const char *sig = signal_name(r->flags & 0xff);

		if (sig)
			json_str(j, "exit_signal", sig, -1);
		else
			json_u64(j, "exit_signal", r->flags & 0xff);
	}
	json_bool(j, "thread", r->share & PROBE_SHARE_THREAD);
	json_bool(j, "share_files", r->share & PROBE_SHARE_FILES);
	json_bool(j, "share_fs", r->share & PROBE_SHARE_FS);
	json_bool(j, "share_vm", r->share & PROBE_SHARE_VM);
	json_bool(j, "share_sighand", r->share & PROBE_SHARE_SIGHAND);
	json_u64(j, "child_start_ns", r->child_start_ns);
	json_u64(j, "parent_start_ns", r->parent_start_ns);
	incomplete(j, r->rflags);
}

/* A signal by name, by number if the table lacks it. */
static void signal_field(struct json *j, const char *key, int sig)
{
	const char *name = signal_name(sig);

	if (name)
		json_str(j, key, name, -1);
	else
		json_i64(j, key, sig);
}

static void export_exit(struct json *j, const struct probe_exit *r)
{
	int status = r->group_dead ? r->status : r->exit_code;

	common(j, &r->hdr);
	json_bool(j, "group_dead", r->group_dead);
	if (WIFSIGNALED(status)) {
		signal_field(j, "signal", WTERMSIG(status));
		if (WCOREDUMP(status))
			json_bool(j, "core_dumped", true);
	} else {
		json_u64(j, "status", WEXITSTATUS(status));
	}
	json_u64(j, "start_ns", r->start_ns);
}

/*
 * What an io_uring request or an AIO iocb was (struct probe_async): the
 * request's opcode, its ring (numbered by the model), the io worker that
 * completed it; and its fd, or its index in the ring's registered files.
 * Nothing for a syscall's own record.
 */
static void async_fields(struct json *j, struct model *m, __u32 nr,
			 const struct probe_async *a, long long fd)
{
	const char *op;

	if (!a->ring) {
		json_i64(j, "fd", fd);
		return;
	}
	if (nr == PROBE_NR_IO_URING) {
		json_str(j, "via", "io_uring", -1);
		op = io_uring_op_name(a->opcode);
	} else {
		op = aio_cmd_name(a->opcode);
	}
	if (op)
		json_str(j, "opcode", op, -1);
	else
		json_u64(j, "opcode", a->opcode);
	json_u64(j, "ring", model_ring(m, a->ring));
	if (a->worker_tid)
		json_u64(j, "worker_tid", a->worker_tid);
	if (fd >= 0) /* else a failed request, or one not seen submitted */
		json_i64(j, a->flags & PROBE_ASYNC_FIXED ? "fixed_file" : "fd",
			 fd);
}

/* open(2) and the like; or an io_uring request that made an fd or a
 * fixed file: no syscall, and no path as passed (see probe_abi.h). */
static void export_open(struct json *j, struct model *m,
			const struct probe_open *r)
{
	bool uring = r->nr == PROBE_NR_IO_URING;
	__u8 op = r->async.opcode;

	common(j, &r->hdr);
	if (uring)
		syscall_err(j, r->ret);
	else
		syscall_result(j, r->nr, r->ret);
	if (r->ret >= 0 && !(r->rflags & PROBE_RF_NO_FILE))
		file_path(j, open_abs_path(r), r->rflags, &r->inode);
	if (!uring)
		path(j, "path_arg", open_path_arg(r));
	if (!uring || op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2)
		json_i64(j, "dirfd", r->dirfd);
	if (r->ret >= 0 || uring)
		async_fields(j, m, r->nr, &r->async, r->ret);
	json_flags(j, "flags", open_accmode_name(r->flags), open_flag_names,
		   r->flags & ~3ULL);
	json_str(j, "access", open_access(r->flags), -1);
	json_bool(j, "cloexec", r->flags & 02000000);
	if (r->flags & (0100 | 020000000)) /* O_CREAT, __O_TMPFILE */
		json_u64(j, "mode", r->mode);
	if (r->ret >= 0 && !(r->rflags & PROBE_RF_NO_FILE))
		inode(j, "", &r->inode);
	incomplete(j, r->rflags);
}

/* The first read or write of an open file description (one per epoch). */
static void export_use(struct json *j, struct model *m,
		       const struct probe_use *r)
{
	common(j, &r->hdr);
	if (r->fd >= 0 || r->async.ring) /* mprotect names its file by no fd */
		async_fields(j, m, r->nr, &r->async, r->fd);
	file_path(j, use_path(r), r->rflags, &r->inode);
	inode(j, "", &r->inode);
	if (r->peer_ino)
		json_u64(j, "peer_ino", r->peer_ino);
	if (r->nr != PROBE_NR_IO_URING)
		json_str(j, "via",
			 syscall_name(r->nr) ? syscall_name(r->nr) : "?", -1);
	if (syscall_maps(r->nr)) /* how the file was mapped */
		json_flags(j, "prot", NULL, prot_flag_names, r->prot);
	if (r->nr == SYS_mmap)
		json_flags(j, "map_flags", NULL, map_flag_names, r->map_flags);
	incomplete(j, r->rflags);
}

/* fcntl: the command by name, and what it did to the fd table. */
static void export_fcntl(struct json *j, const struct probe_fdop *r)
{
	const char *cmd = fcntl_cmd_name(r->arg1);

	json_i64(j, "fd", r->fd);
	if (cmd)
		json_str(j, "cmd", cmd, -1);
	else
		json_u64(j, "cmd", r->arg1);
	switch (r->arg1) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		json_i64(j, "min_fd", r->arg2);
		if (r->ret >= 0)
			json_i64(j, "newfd", r->ret);
		json_bool(j, "cloexec", r->arg1 == F_DUPFD_CLOEXEC);
		break;
	case F_SETFD:
		json_bool(j, "cloexec", r->arg2 & FD_CLOEXEC);
		break;
	case F_SETFL:
		json_flags(j, "flags", NULL, open_flag_names, r->arg2 & ~3ULL);
		break;
	default:
		json_u64(j, "arg", r->arg2);
	}
}

/* dup, dup2, dup3, fcntl, close_range, pipe, pipe2: by their arguments. */
static void export_fdop(struct json *j, const struct probe_fdop *r)
{
	common(j, &r->hdr);
	syscall_result(j, r->nr, r->ret);
	switch (r->nr) {
	case SYS_dup:
		json_i64(j, "fd", r->fd);
		if (r->ret >= 0)
			json_i64(j, "newfd", r->ret);
		break;
	case SYS_dup2:
	case SYS_dup3:
		json_i64(j, "fd", r->fd);
		json_i64(j, "newfd", (__s32)r->arg1);
		json_bool(j, "cloexec", r->nr == SYS_dup3 && (r->arg2 & O_CLOEXEC));
		break;
	case SYS_fcntl:
		export_fcntl(j, r);
		break;
	case SYS_close_range:
		json_u64(j, "first", (__u32)r->fd);
		json_u64(j, "last", (__u32)r->arg1);
		json_flags(j, "flags", NULL, close_range_flag_names, r->arg2);
		break;
	case SYS_socketpair: /* (domain, type, protocol, sv) */
		if (r->ret == 0) {
			json_key(j, "fds");
			fprintf(j->f, "[%d,%d]", r->fds[0], r->fds[1]);
		}
		json_i64(j, "domain", (int)r->fd);
		json_u64(j, "sock_type", r->arg1);
		json_bool(j, "cloexec", r->arg1 & O_CLOEXEC); /* SOCK_CLOEXEC */
		break;
	case SYS_pipe:
	case SYS_pipe2:
		if (r->ret == 0) {
			json_key(j, "fds");
			fprintf(j->f, "[%d,%d]", r->fds[0], r->fds[1]);
		}
		json_flags(j, "flags", NULL, open_flag_names,
			   r->nr == SYS_pipe2 ? r->arg1 : 0);
		json_bool(j, "cloexec",
			  r->nr == SYS_pipe2 && (r->arg1 & O_CLOEXEC));
		break;
	}
	incomplete(j, r->rflags);
}

/* An absolute path: see path_join(). */
static void joined_path(struct json *j, const char *key, struct bytes rel,
			struct bytes base, const char *root)
{
	size_t len;
	char *abs = path_join(rel, base, root, &len);

	json_name(j, key, abs, len);
	free(abs);
}

static void syscall_arg(struct json *j, const struct syscall_arg *a,
			__u64 v)
{
	switch (a->format) {
	case ARG_NONE:
		break;
	case ARG_INT:
		json_i64(j, a->name, (int)v);
		break;
	case ARG_UINT:
	case ARG_MODE:
	case ARG_HEX:
		json_u64(j, a->name, v);
		break;
	case ARG_AT_FLAGS:
		json_flags(j, a->name, NULL, at_flag_names, (unsigned)v);
		break;
	case ARG_RENAME_FLAGS:
		json_flags(j, a->name, NULL, rename_flag_names, (unsigned)v);
		break;
	case ARG_CLONE_FLAGS:
		json_flags(j, a->name, NULL, clone_flag_names, v);
		break;
	case ARG_OPEN_FLAGS:
		json_flags(j, a->name, NULL, open_flag_names, v & ~0xfULL);
		break;
	case ARG_SIGNAL:
		signal_field(j, a->name, (int)v);
		break;
	case ARG_FALLOC_FLAGS:
		json_flags(j, a->name, NULL, falloc_flag_names, v);
		break;
	}
}

/*
 * dev/ino of the files a path-naming change acted on, from the inodes it
 * touched: path's file, and the file path2 named before (rename over a
 * file, RENAME_EXCHANGE).
 */
static void touched_files(struct json *j, struct model *m,
			  const struct probe_syscall *r)
{
	const struct model_touch *t1, *t2 = NULL;

	t1 = model_touched(m, r, syscall_path(r), NULL);
	if (t1) {
		json_u64(j, "dev", dev_kernel_to_user(t1->dev));
		json_u64(j, "ino", t1->ino);
	}
	if (r->path2_len &&
	    !(syscall_info(r->nr)->layout.flags & PROBE_SC_LITERAL2))
		t2 = model_touched(m, r, syscall_path2(r), t1);
	if (t2) {
		json_u64(j, "dev2", dev_kernel_to_user(t2->dev));
		json_u64(j, "ino2", t2->ino);
	}
}

/*
 * Every other syscall, named after itself, with the arguments its table
 * entry names: path (absolute) and path_arg (as passed), path2 likewise,
 * fd and the file's path for an fd it acts on or returns, and dev/ino
 * wherever the kernel told which file it was.
 */
static void export_syscall(struct json *j, struct model *m,
			   const struct probe_syscall *r)
{
	const struct syscall_info *info = syscall_info(r->nr);
	const struct probe_sc_layout *l = &info->layout;
	struct bytes arg = syscall_path(r), base = syscall_base(r);
	struct bytes path2 = syscall_path2(r);
	const char *root = model_root(m, r->hdr.tid);

	common(j, &r->hdr);
	syscall_result(j, r->nr, r->ret);
	if (r->ret >= 0)
		json_i64(j, "ret", r->ret);
	if (r->path_len) {
		/* At sys_exit a successful chdir has moved the cwd that a
		 * relative path is joined to, and chroot's base is the new
		 * root: either is the path. */
		if ((l->flags & (PROBE_SC_BASE_ALWAYS | PROBE_SC_BASE_ROOT)) &&
		    r->ret == 0)
			joined_path(j, "path", (struct bytes){ arg.p, 0 },
				    base, root);
		else
			joined_path(j, "path", arg, base, root);
		path(j, "path_arg", arg);
		if (l->dirfd >= 0)
			json_i64(j, "dirfd", (int)r->args[l->dirfd]);
	} else if (l->fd >= 0 || (l->flags & PROBE_SC_NEW_FD)) {
		if (l->fd >= 0)
			json_i64(j, "fd", (int)r->args[l->fd]);
		else if (r->ret >= 0)
			json_i64(j, "fd", r->ret);
		if (r->has_inode)
			file_path(j, base, r->rflags, &r->inode);
	} else if (l->dirfd >= 0 && base.len) { /* utimensat(fd, NULL) */
		json_i64(j, "fd", (int)r->args[l->dirfd]);
		path(j, "path", base);
	}
	if (r->path2_len) {
		if (l->flags & PROBE_SC_LITERAL2)
			path(j, "target", path2);
		else
			joined_path(j, "path2", path2, syscall_base2(r), root);
	}
	for (int i = 0; i < 6; i++)
		syscall_arg(j, &info->arg[i], r->args[i]);
	if (l->flags & PROBE_SC_NEW_FD)
		json_bool(j, "cloexec", syscall_new_fd_cloexec(r));
	if (syscall_writes_data(r))
		json_str(j, "access", "w", -1);
	if (r->has_inode)
		inode(j, "", &r->inode);
	else if (l->flags & PROBE_SC_TOUCH)
		touched_files(j, m, r);
	incomplete(j, r->rflags);
}

/*
 * What a signal does to the syscall it interrupted (one that returned
 * -ERESTART*), as the kernel decides when it takes it (x86's
 * handle_signal() and arch_do_signal_or_restart()): with no handler to
 * run, every such syscall is restarted; with one, ERESTARTSYS restarts
 * only under SA_RESTART, ERESTARTNOINTR always, the others return EINTR.
 * A default action that ends the process ends the syscall with it.
 */
static const char *signal_outcome(const struct probe_signal *r)
{
	const __u64 sigset_stop_or_ignore =
		1ULL << SIGCHLD | 1ULL << SIGCONT | 1ULL << SIGURG |
		1ULL << SIGWINCH | 1ULL << SIGSTOP | 1ULL << SIGTSTP |
		1ULL << SIGTTIN | 1ULL << SIGTTOU;

	if (r->handler == (__u64)(uintptr_t)SIG_IGN)
		return "restart";
	if (r->handler == (__u64)(uintptr_t)SIG_DFL)
		return r->sig > 0 && r->sig < 64 &&
				       (sigset_stop_or_ignore >> r->sig & 1) ?
			       "restart" :
			       "exit";
	switch (-r->syscall_ret) {
	case 512: /* ERESTARTSYS */
		return r->sa_flags & SA_RESTART ? "restart" : "eintr";
	case 513: /* ERESTARTNOINTR */
		return "restart";
	}
	return "eintr"; /* ERESTARTNOHAND, ERESTART_RESTARTBLOCK */
}

/* A signal the task took, and what became of the syscall it came in. */
static void export_signal(struct json *j, const struct probe_signal *r)
{
	common(j, &r->hdr);
	signal_field(j, "signal", r->sig);
	json_i64(j, "code", r->code);
	if (r->code == SI_USER || r->code == SI_TKILL ||
	    r->code == SI_QUEUE || r->sig == SIGCHLD)
		json_u64(j, "sender_pid", r->sender_pid);
	json_str(j, "action",
		 r->handler == (__u64)(uintptr_t)SIG_DFL ? "default" :
		 r->handler == (__u64)(uintptr_t)SIG_IGN ? "ignore" :
							   "handler",
		 -1);
	if (r->syscall_nr >= 0 && r->syscall_ret <= -512 &&
	    r->syscall_ret >= -516) {
		const char *name = syscall_name(r->syscall_nr);

		if (name)
			json_str(j, "interrupted", name, -1);
		else
			json_i64(j, "interrupted", r->syscall_nr);
		json_str(j, "outcome", signal_outcome(r), -1);
	}
}

/*
 * A futex key as text, the same for every op on one futex word: private
 * memory by the model's id of the address space ("mm:2:0x7f..."), shared
 * by file ("inode:DEV:INO:OFFSET").
 */
static void futex_key_field(struct json *j, struct model *m, const char *key,
			    const struct probe_hdr *h,
			    const struct probe_futex_key *k)
{
	struct model_task t;
	char text[96];

	if (k->kind == PROBE_FUTEX_KEY_INODE)
		snprintf(text, sizeof(text), "inode:%llu:%llu:%llu",
			 (unsigned long long)dev_kernel_to_user(k->a),
			 (unsigned long long)k->b, (unsigned long long)k->c);
	else if (k->kind == PROBE_FUTEX_KEY_MM && model_task(m, h->tid, &t))
		snprintf(text, sizeof(text), "mm:%llu:0x%llx",
			 (unsigned long long)t.mm, (unsigned long long)k->b);
	else
		return;
	json_str(j, key, text, -1);
}

/* futex(2) by its operation; futex_wait, futex_wake... by their names. */
static void export_futex(struct json *j, struct model *m,
			 const struct probe_futex *r)
{
	common(j, &r->hdr);
	syscall_result(j, r->nr, r->ret);
	if (r->ret >= 0)
		json_i64(j, "ret", r->ret); /* a wake: how many it woke */
	json_u64(j, "uaddr", r->args[0]);
	if (r->nr == SYS_futex) {
		json_flags(j, "futex_op", futex_cmd_name(r->args[1] & 0x7f),
			   futex_flag_names, r->args[1] & ~0x7fULL);
		json_u64(j, "val", (__u32)r->args[2]);
	}
	futex_key_field(j, m, "key", &r->hdr, &r->key);
	futex_key_field(j, m, "key2", &r->hdr, &r->key2);
}

/* What a process already in the cgroup had when recording started. */
static void export_snapshot(struct json *j, const struct probe_snapshot *r)
{
	common(j, &r->hdr);
	if (r->fd >= 0) {
		json_i64(j, "fd", r->fd);
		path(j, "path", snapshot_path(r));
		json_flags(j, "flags", open_accmode_name(r->flags),
			   open_flag_names, r->flags & ~3U);
		json_bool(j, "cloexec", r->flags & O_CLOEXEC);
		inode(j, "", &r->inode);
	} else {
		if (r->path_len)
			path(j, "exe", snapshot_path(r));
		if (r->cwd_len)
			path(j, "cwd", snapshot_cwd(r));
		if (r->root_len)
			path(j, "root", snapshot_root(r));
		inode(j, "exe_", &r->inode);
	}
}

/* An fd that came in an SCM_RIGHTS message, and its file. */
static void export_fd_arrival(struct json *j, const struct probe_fd_arrival *r)
{
	common(j, &r->hdr);
	syscall_result(j, r->nr, r->ret);
	json_i64(j, "fd", r->fd);
	json_i64(j, "socket_fd", r->sock_fd);
	file_path(j, fd_arrival_path(r), r->rflags, &r->inode);
	json_bool(j, "cloexec", r->cloexec);
	inode(j, "", &r->inode);
	incomplete(j, r->rflags);
}

static void export_close(struct json *j, struct model *m,
			 const struct probe_close *r)
{
	common(j, &r->hdr);
	if (r->nr == PROBE_NR_IO_URING)
		syscall_err(j, r->ret);
	else
		syscall_result(j, r->nr, r->ret);
	async_fields(j, m, r->nr, &r->async, r->fd);
}

static void export_lost(struct json *j, const struct probe_lost *r)
{
	json_u64(j, "seq", r->hdr.seq);
	json_u64(j, "cpu", r->hdr.cpu);
	json_u64(j, "ts_ns", r->hdr.ts_ns);
	json_u64(j, "pid", 0);
	json_u64(j, "tid", 0);
	json_str(j, "op", "lost", -1);
	json_u64(j, "count", r->count);
}

/*
 * The model's view of the task: which address space (tasks that share one
 * have the same mm) and which exec epoch of its process.  An exit is
 * described as it was before it.
 */
static void task_fields(struct json *j, struct model *m,
			const struct probe_hdr *h)
{
	struct model_task t;
	bool known;

	if (h->type == PROBE_REC_LOST)
		return;
	if (h->type == PROBE_REC_EXIT) {
		known = model_task(m, h->tid, &t);
		model_apply(m, h);
	} else {
		model_apply(m, h);
		known = model_task(m, h->tid, &t);
	}
	if (known) {
		json_u64(j, "mm", t.mm);
		json_u64(j, "epoch", t.epoch);
	}
}

/* The happens-before graph's edges, a line each, after the ops. */
static void export_hb_edges(struct hb *g, FILE *out)
{
	const struct hb_edge *e;
	struct json j;
	size_t n;

	e = hb_edges(g, &n);
	for (size_t i = 0; i < n; i++) {
		json_begin(&j, out);
		json_str(&j, "op", "hb_edge", -1);
		json_str(&j, "kind", hb_kind_names[e[i].kind], -1);
		json_u64(&j, "from", e[i].from);
		json_u64(&j, "to", e[i].to);
		json_end(&j);
	}
}

int export_jsonl(struct log_reader *log, FILE *out,
		 const struct export_opts *opts)
{
	struct model *m = model_new();
	struct hb *g = hb_new();
	const struct probe_hdr *h;
	enum log_next n;
	struct json j;
	long long id;

	while ((n = log_next(log, &h)) == LOG_RECORD) {
		id = hb_add(g, h);
		if (id < 0) {
			/* a touch is part of the next op; a wakeup, of the
			 * happens-before graph */
			model_apply(m, h);
			continue;
		}
		json_begin(&j, out);
		json_u64(&j, "id", id);
		switch (h->type) {
		case PROBE_REC_EXEC:
			export_exec(&j, (const void *)h);
			break;
		case PROBE_REC_CLONE:
			export_clone(&j, (const void *)h);
			break;
		case PROBE_REC_EXIT:
			export_exit(&j, (const void *)h);
			break;
		case PROBE_REC_OPEN:
			export_open(&j, m, (const void *)h);
			break;
		case PROBE_REC_CLOSE:
			export_close(&j, m, (const void *)h);
			break;
		case PROBE_REC_USE:
			export_use(&j, m, (const void *)h);
			break;
		case PROBE_REC_FDOP:
			export_fdop(&j, (const void *)h);
			break;
		case PROBE_REC_SYSCALL:
			export_syscall(&j, m, (const void *)h);
			break;
		case PROBE_REC_SNAPSHOT:
			export_snapshot(&j, (const void *)h);
			break;
		case PROBE_REC_SIGNAL:
			export_signal(&j, (const void *)h);
			break;
		case PROBE_REC_FUTEX:
			export_futex(&j, m, (const void *)h);
			break;
		case PROBE_REC_FD_ARRIVAL:
			export_fd_arrival(&j, (const void *)h);
			break;
		case PROBE_REC_LOST:
			export_lost(&j, (const void *)h);
			break;
		}
		task_fields(&j, m, h);
		json_end(&j);
	}
	model_free(m);
	if (n != LOG_ERROR) {
		hb_warn(g, log_header(log)->scope);
		if (opts->hb)
			export_hb_edges(g, out);
	}
	hb_free(g);
	return n == LOG_ERROR ? -1 : 0;
}
