/*
 * The fuzzer's seed corpus: small logs made with the unit tests' helpers
 * (tests/unit/helpers.h), each a kind of recording the readers must
 * handle (a pipeline, a cgroup with processes from before, threads that
 * wake each other, path changes, losses, a log cut short), and crafted
 * ones, each a damage a reader once trusted (issue 9, item 8).
 *   seeds DIR   writes them into DIR, one file each
 */
#include "helpers.h"

#include <sys/stat.h>

#define CPUS 2
#define ROOT TEST_ROOT_PID
#define CHILD (TEST_ROOT_PID + 1)

static const char *dir;
static char *const sh_argv[] = { "sh", "-c", "tr a-z A-Z <in >out", NULL };

/* ---- records the helpers lack ---- */

static struct probe_signal *make_signal(__u32 pid, int sig, __u64 handler,
					__s64 syscall_nr, __s64 syscall_ret)
{
	struct probe_signal *r =
		rec_new(PROBE_REC_SIGNAL, sizeof(*r), 0, 0, 0, 0, pid);

	r->sig = sig;
	r->code = 0; /* SI_USER */
	r->sender_pid = pid;
	r->handler = handler;
	r->syscall_nr = syscall_nr;
	r->syscall_ret = syscall_ret;
	return r;
}

static struct probe_futex *make_futex(__u32 tid, __u64 op, __s64 ret)
{
	struct probe_futex *r =
		rec_new(PROBE_REC_FUTEX, sizeof(*r), 0, 0, 0, 0, ROOT);

	r->hdr.tid = tid;
	r->nr = SYS_futex;
	r->ret = ret;
	r->args[0] = 0x1000;
	r->args[1] = op;
	r->key.kind = PROBE_FUTEX_KEY_MM;
	r->key.a = 1;
	r->key.b = 0x1000;
	return r;
}

static struct probe_wake *make_wake(__u32 waker, __u32 wakee)
{
	struct probe_wake *r =
		rec_new(PROBE_REC_WAKE, sizeof(*r), 0, 0, 0, 0, ROOT);

	r->hdr.tid = waker;
	r->nr = SYS_futex;
	r->wakee_pid = ROOT;
	r->wakee_tid = wakee;
	return r;
}

static struct probe_snapshot *make_snapshot(__u32 pid, int fd,
					    const char *path, const char *cwd)
{
	size_t var = strlen(path) + 1 + (cwd ? 2 * (strlen(cwd) + 1) : 0);
	struct probe_snapshot *r =
		rec_new(PROBE_REC_SNAPSHOT, sizeof(*r), var, 0, 0, 0, pid);
	size_t off = 0;

	r->fd = fd;
	r->inode = file_inode(90 + fd + 1, 0);
	r->path_len = put_str(r->data, &off, path);
	r->cwd_len = put_str(r->data, &off, cwd);
	r->root_len = put_str(r->data, &off, cwd ? "/" : NULL);
	return r;
}

/* ---- writing a seed ---- */

static void seed_write(const char *name, struct recs *rs, bool trailer,
		       __u32 scope)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.probe", dir, name);
	test_log_write(path, CPUS, sh_argv, (const struct probe_hdr **)rs->v,
		       rs->n, trailer);
	file_patch(path, offsetof(struct probe_log_header, scope), &scope,
		   sizeof(scope));
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i]);
	rs->n = 0;
}

/* sh runs tr with in.txt as its input and out.txt as its output. */
static void pipeline(struct recs *rs)
{
	static char *const tr_argv[] = { "tr", "a-z", "A-Z", NULL };
	struct probe_inode in = file_inode(10, 1), out = file_inode(11, 2);
	struct probe_syscall *wait = make_syscall(SYS_wait4, CHILD, ROOT);
	struct probe_fdop *pipe = make_fdop(SYS_pipe2, 0, 0, 0, 0, ROOT);

	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, ROOT));
	pipe->fds[0] = 3;
	pipe->fds[1] = 4;
	push(rs, pipe);
	push(rs, fork_of(ROOT, 1, CHILD, 2));
	push(rs, make_exec("/usr/bin/tr", NULL, tr_argv, 0, 0, 0, CHILD));
	push(rs, make_open("in.txt", "/tmp/in.txt", 0, 0, 0, CHILD));
	((struct probe_open *)rs->v[rs->n - 1])->inode = in;
	push(rs, use_of_inode(CHILD, PROBE_USE_READ, "/tmp/in.txt", &in));
	push(rs, creat_of(CHILD, "/tmp/out.txt", &out));
	push(rs, use_of_inode(CHILD, PROBE_USE_WRITE, "/tmp/out.txt", &out));
	push(rs, make_close(3, 0, 0, 0, CHILD));
	push(rs, make_exit(0, true, 0, 0, 0, CHILD));
	push(rs, wait);
	push(rs, make_hash(&out, "/tmp/out.txt", PROBE_HASH_DONE,
			   "0123456789abcdef0123456789abcdef", 9000));
	push(rs, make_hash(&in, "/tmp/in.txt", PROBE_HASH_CHANGED, NULL, 9000));
}

/* A rename over a file, an unlink, a truncate by path, a mkdir. */
static void path_changes(struct recs *rs)
{
	struct probe_inode a = file_inode(20, 1), b = file_inode(21, 1);
	struct probe_syscall *trunc = make_change(ROOT, SYS_truncate,
						  "/tmp/a", NULL);

	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, ROOT));
	push(rs, creat_of(ROOT, "/tmp/a", &a));
	push(rs, use_of_inode(ROOT, PROBE_USE_WRITE, "/tmp/a", &a));
	push(rs, make_touch(ROOT, SYS_rename, 20, 2, "a"));
	push(rs, make_touch(ROOT, SYS_rename, 21, 2, "b"));
	push(rs, make_change(ROOT, SYS_rename, "/tmp/a", "/tmp/b"));
	push(rs, make_touch(ROOT, SYS_truncate, 20, 2, "b"));
	push(rs, trunc);
	push(rs, make_touch(ROOT, SYS_mkdir, 22, 2, NULL));
	push(rs, make_change(ROOT, SYS_mkdir, "/tmp/d", NULL));
	push_unlink(rs, ROOT, "/tmp/b", &b);
}

/* A thread that waits on a futex, woken by the leader; a signal. */
static void threads(struct recs *rs)
{
	struct probe_clone *thread = make_clone(SYS_clone, 0x10f00, ROOT, 0,
						0, 0, ROOT);

	thread->child_tid = ROOT + 7;
	thread->share = PROBE_SHARE_THREAD | PROBE_SHARE_FILES |
			PROBE_SHARE_FS | PROBE_SHARE_VM;
	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, ROOT));
	push(rs, thread);
	push(rs, make_wake(ROOT, ROOT + 7));
	push(rs, make_futex(ROOT, 1, 1)); /* FUTEX_WAKE */
	push(rs, make_futex(ROOT + 7, 0, 0)); /* FUTEX_WAIT, woken */
	push(rs, make_signal(ROOT, 15, 0, SYS_read, -512));
	push(rs, make_exit(0, false, 0, 0, 0, ROOT + 7));
	rs->v[rs->n - 1]->tid = ROOT + 7;
	push(rs, make_exit(0, true, 0, 0, 0, ROOT));
}

/* With --cgroup: a process from before, its fds and its cwd. */
static void cgroup(struct recs *rs)
{
	push(rs, make_snapshot(ROOT, 0, "/dev/pts/0", NULL));
	push(rs, make_snapshot(ROOT, 3, "/tmp/held", NULL));
	push(rs, make_snapshot(ROOT, -1, "/bin/sleep", "/tmp"));
	push(rs, make_use(SYS_read, 3, PROBE_USE_READ, "/tmp/held", 0, 0, 0,
			  ROOT));
	push(rs, make_exit(0, true, 0, 0, 0, ROOT));
}

/* Records lost on CPU 1 in the middle of a write. */
static void losses(struct recs *rs)
{
	struct probe_inode out = file_inode(30, 1);

	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, ROOT));
	push(rs, creat_of(ROOT, "/tmp/out", &out));
	push(rs, make_lost(1, 0, 40, 0));
	push(rs, use_of_inode(ROOT, PROBE_USE_WRITE, "/tmp/out", &out));
	rs->v[rs->n - 1]->cpu = 1;
	rs->v[rs->n - 1]->seq = 40;
	push(rs, make_exit(0, true, 0, 0, 0, ROOT));
}

/* ---- crafted damage ---- */

/* dup2 and dup3 to fds no table holds, fcntl(F_DUPFD) returning one. */
static void big_fds(struct recs *rs)
{
	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, ROOT));
	push(rs, make_fdop(SYS_dup2, 0, (1 << 20) + 1, 0, (1 << 20) + 1, ROOT));
	push(rs, make_fdop(SYS_dup3, 1, 0x7fffffff, 0, 0x7fffffff, ROOT));
	push(rs, make_fdop(SYS_fcntl, 2, 0, 0, 0x7ffffffe, ROOT));
	push(rs, make_fdop(SYS_close_range, 0, ~0ULL, 0, 0, ROOT));
	push(rs, fork_of(ROOT, 1, CHILD, 2));
}

/* Records of tid 0 and ~0: the task table's empty and freed markers. */
static void odd_tids(struct recs *rs)
{
	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, 0));
	push(rs, make_open("x", "/tmp/x", 0, 0, 0, 0xffffffff));
	push(rs, fork_of(0, 1, 0xffffffff, 2));
	push(rs, make_exit(0, true, 0, 0, 0, 0xffffffff));
}

/* Returns and numbers at their limits: -ret of INT64_MIN overflows. */
static void extremes(struct recs *rs)
{
	struct probe_open *o = make_open("x", NULL, 0, 0, 0, ROOT);
	struct probe_syscall *s = make_syscall(SYS_unlink, INT64_MIN, ROOT);
	struct probe_exec *failed = make_exec("/nope", NULL, NULL, 0, 0, 0,
					      ROOT);

	o->ret = INT64_MIN;
	failed->nr = SYS_execve;
	failed->ret = INT64_MIN;
	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, ROOT));
	push(rs, o);
	push(rs, s);
	push(rs, failed);
	push(rs, make_signal(ROOT, -3, 0, SYS_read, -512));
	push(rs, make_signal(ROOT, 200, 0, SYS_read, INT64_MIN));
	push(rs, make_exit(INT32_MIN, true, 0, 0, 0, ROOT));
}

/* Paths and argv with newlines, escapes and bytes that are not UTF-8. */
static void spoofing_names(struct recs *rs)
{
	static char *const argv[] = { "cat", "/tmp/x\n  fake-input",
				      "\x1b[2J\xff\xc3", NULL };
	struct probe_inode in = file_inode(40, 1);

	push(rs, make_exec("/bin/cat", NULL, argv, 0, 0, 0, ROOT));
	push(rs, use_of_inode(ROOT, PROBE_USE_READ, "/tmp/x\n  fake-input",
			      &in));
	push(rs, use_of_inode(ROOT, PROBE_USE_WRITE, "/tmp/\xff", &in));
	push(rs, make_exit(0, true, 0, 0, 0, ROOT));
}

/* A syscall record of a number the syscall table lacks. */
static void unknown_syscall(struct recs *rs)
{
	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, ROOT));
	push(rs, make_syscall(500, 0, ROOT));
}

/* Many wakeups of a task that never acts, and signals from nobody. */
static void wakes_of_nobody(struct recs *rs)
{
	push(rs, make_exec("/bin/sh", NULL, sh_argv, 0, 0, 0, ROOT));
	for (int i = 0; i < 20; i++) {
		push(rs, make_wake(ROOT, 9999));
		push(rs, make_signal(ROOT, 10, 0, -1, 0));
		rs->v[rs->n - 1]->pid = 9998;
	}
}

/* The header's strings without their NUL, the target without its end. */
static void header_without_nuls(const char *name)
{
	static const char full[65] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				     "AAAAAAAAAAAAAAAAAAAAAAAAA";
	struct recs rs = { .n = 0 };
	char path[PATH_MAX];

	pipeline(&rs);
	seed_write(name, &rs, true, PROBE_SCOPE_COMMAND);
	snprintf(path, sizeof(path), "%s/%s.probe", dir, name);
	file_patch(path, offsetof(struct probe_log_header, release), full, 65);
	file_patch(path, offsetof(struct probe_log_header, hostname), full,
		   65);
	file_patch(path, offsetof(struct probe_log_header, boot_id), full, 37);
	/* the target's last NUL */
	file_patch(path, sizeof(struct probe_log_header) + argv_size(sh_argv) - 1,
		   "Z", 1);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*make)(struct recs *);
		bool trailer;
		__u32 scope;
	} seeds[] = {
		{ "pipeline", pipeline, true, PROBE_SCOPE_COMMAND },
		{ "pipeline-incomplete", pipeline, false, PROBE_SCOPE_COMMAND },
		{ "path-changes", path_changes, true, PROBE_SCOPE_COMMAND },
		{ "threads", threads, true, PROBE_SCOPE_COMMAND },
		{ "cgroup", cgroup, true, PROBE_SCOPE_CGROUP },
		{ "losses", losses, true, PROBE_SCOPE_COMMAND },
		{ "big-fds", big_fds, true, PROBE_SCOPE_COMMAND },
		{ "odd-tids", odd_tids, true, PROBE_SCOPE_COMMAND },
		{ "extremes", extremes, true, PROBE_SCOPE_COMMAND },
		{ "spoofing-names", spoofing_names, true, PROBE_SCOPE_COMMAND },
		{ "unknown-syscall", unknown_syscall, true, PROBE_SCOPE_COMMAND },
		{ "wakes-of-nobody", wakes_of_nobody, false,
		  PROBE_SCOPE_COMMAND },
	};
	struct recs rs = { .n = 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		seeds[i].make(&rs);
		seed_write(seeds[i].name, &rs, seeds[i].trailer,
			   seeds[i].scope);
	}
	header_without_nuls("header-without-nuls");
	return 0;
}
