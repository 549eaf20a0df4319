/*
 * What the unit tests share: a scratch directory each test removes, files
 * to write, cut and patch, synthetic records of every type (as the BPF
 * side would write them, schemas/probe_abi.h) and logs made of them.
 */
#ifndef PROBE_TEST_HELPERS_H
#define PROBE_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "probe_abi.h"

#define TEST_ALIGN8(n) (((n) + 7) & ~(size_t)7)

/* ---- scratch directory ---- */

struct tmp_dir {
	char path[PATH_MAX];
};

static inline void tmp_dir_make(struct tmp_dir *d)
{
	const char *base = getenv("TMPDIR");

	snprintf(d->path, sizeof(d->path), "%s/probe-unit.XXXXXX",
		 base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(d->path));
}

/* out: the path of name inside d (PATH_MAX bytes). */
static inline void tmp_path(const struct tmp_dir *d, const char *name,
			    char *out)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", d->path, name);

	assert_true(n > 0 && n < PATH_MAX);
}

/* Remove d and the files in it (the tests make no subdirectories). */
static inline void tmp_dir_remove(struct tmp_dir *d)
{
	DIR *dir = opendir(d->path);
	struct dirent *e;
	char path[PATH_MAX];

	assert_non_null(dir);
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		tmp_path(d, e->d_name, path);
		assert_int_equal(unlink(path), 0);
	}
	closedir(dir);
	assert_int_equal(rmdir(d->path), 0);
}

/* ---- files ---- */

static inline void file_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The whole file, malloc'ed (one spare NUL after it); its size in *len. */
static inline char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	assert_non_null(f);
	assert_non_null(buf);
	for (;;) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
		assert_non_null(buf);
	}
	assert_int_equal(ferror(f), 0);
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* dst: the first len bytes of src, as if its writer stopped there. */
static inline void file_copy_cut(const char *src, const char *dst,
				 size_t len)
{
	size_t size;
	char *data = file_read(src, &size);

	assert_true(len <= size);
	file_write(dst, data, len);
	free(data);
}

/* Overwrite len bytes of path at offset. */
static inline void file_patch(const char *path, long offset, const void *data,
			      size_t len)
{
	FILE *f = fopen(path, "r+b");

	assert_non_null(f);
	assert_int_equal(fseek(f, offset, SEEK_SET), 0);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* ---- synthetic records ---- */

/* A zeroed record of type: its fixed part, then var bytes, 8-aligned. */
static inline void *rec_new(__u16 type, size_t fixed, size_t var, __u16 cpu,
			    __u64 seq, __u64 ts, __u32 pid)
{
	size_t size = TEST_ALIGN8(fixed + var);
	struct probe_hdr *h = calloc(1, size);

	assert_non_null(h);
	h->size = size;
	h->type = type;
	h->cpu = cpu;
	h->seq = seq;
	h->ts_ns = ts;
	h->pid = pid;
	h->tid = pid;
	return h;
}

/* Bytes a NULL-terminated argv takes packed, each string with its NUL. */
static inline size_t argv_size(char *const argv[])
{
	size_t len = 0;

	for (; argv && *argv; argv++)
		len += strlen(*argv) + 1;
	return len;
}

/* Append s with its NUL at data + *off; its length with the NUL (0 for
 * NULL: absent). */
static inline __u32 put_str(char *data, size_t *off, const char *s)
{
	size_t len = s ? strlen(s) + 1 : 0;

	memcpy(data + *off, s ? s : "", len);
	*off += len;
	return len;
}

/* Pack argv at data + *off; the bytes it took. */
static inline __u32 put_argv(char *data, size_t *off, char *const argv[])
{
	__u32 len = 0;

	for (; argv && *argv; argv++)
		len += put_str(data, off, *argv);
	return len;
}

/* A successful openat(AT_FDCWD, path_arg, O_RDONLY) that returned fd 3;
 * abs_path NULL leaves the absolute path out (as for a failed open). */
static inline struct probe_open *make_open(const char *path_arg,
					   const char *abs_path, __u16 cpu,
					   __u64 seq, __u64 ts, __u32 pid)
{
	size_t var = strlen(path_arg) + 1 +
		     (abs_path ? strlen(abs_path) + 1 : 0);
	struct probe_open *r = rec_new(PROBE_REC_OPEN, sizeof(*r), var, cpu,
				       seq, ts, pid);
	size_t off = 0;

	r->ret = 3;
	r->nr = SYS_openat;
	r->dirfd = AT_FDCWD;
	r->path_len = put_str(r->data, &off, path_arg);
	r->abs_len = put_str(r->data, &off, abs_path);
	return r;
}

/* The first read or write (access) of path through fd, made by nr. */
static inline struct probe_use *make_use(__u32 nr, int fd, __u32 access,
					 const char *path, __u16 cpu,
					 __u64 seq, __u64 ts, __u32 pid)
{
	struct probe_use *r = rec_new(PROBE_REC_USE, sizeof(*r),
				      strlen(path) + 1, cpu, seq, ts, pid);
	size_t off = 0;

	r->nr = nr;
	r->fd = fd;
	r->access = access;
	r->abs_len = put_str(r->data, &off, path);
	return r;
}

/* An fd-table operation nr(fd, arg1, arg2) that returned ret. */
static inline struct probe_fdop *make_fdop(__u32 nr, int fd, __u64 arg1,
					   __u64 arg2, long ret, __u32 pid)
{
	struct probe_fdop *r = rec_new(PROBE_REC_FDOP, sizeof(*r), 0, 0, 0, 0,
				       pid);

	r->nr = nr;
	r->fd = fd;
	r->arg1 = arg1;
	r->arg2 = arg2;
	r->ret = ret;
	return r;
}

/* A generic syscall record of nr that returned ret, with no paths. */
static inline struct probe_syscall *make_syscall(__u32 nr, long ret,
						 __u32 pid)
{
	struct probe_syscall *r = rec_new(PROBE_REC_SYSCALL, sizeof(*r), 0, 0,
					  0, 0, pid);

	r->nr = nr;
	r->ret = ret;
	return r;
}

/* A successful exec of filename (interp: the #! interpreter, or NULL). */
static inline struct probe_exec *make_exec(const char *filename,
					   const char *interp,
					   char *const argv[], __u16 cpu,
					   __u64 seq, __u64 ts, __u32 pid)
{
	size_t var = strlen(filename) + 1 + (interp ? strlen(interp) + 1 : 0) +
		     argv_size(argv);
	struct probe_exec *r = rec_new(PROBE_REC_EXEC, sizeof(*r), var, cpu,
				       seq, ts, pid);
	size_t off = 0;

	r->filename_len = put_str(r->data, &off, filename);
	r->interp_len = put_str(r->data, &off, interp);
	r->argv_len = put_argv(r->data, &off, argv);
	while (argv && argv[r->argc])
		r->argc++;
	return r;
}

static inline struct probe_clone *make_clone(__u32 nr, __u64 flags,
					     __u32 child_pid, __u16 cpu,
					     __u64 seq, __u64 ts, __u32 pid)
{
	struct probe_clone *r = rec_new(PROBE_REC_CLONE, sizeof(*r), 0, cpu,
					seq, ts, pid);

	r->nr = nr;
	r->flags = flags;
	r->child_pid = child_pid;
	r->child_tid = child_pid;
	return r;
}

/* status: the process's wait(2) status, for the last thread (group_dead)
 * and for this one. */
static inline struct probe_exit *make_exit(int status, bool group_dead,
					   __u16 cpu, __u64 seq, __u64 ts,
					   __u32 pid)
{
	struct probe_exit *r = rec_new(PROBE_REC_EXIT, sizeof(*r), 0, cpu, seq,
				       ts, pid);

	r->exit_code = status;
	r->status = status;
	r->group_dead = group_dead;
	return r;
}

static inline struct probe_close *make_close(int fd, __u16 cpu, __u64 seq,
					     __u64 ts, __u32 pid)
{
	struct probe_close *r = rec_new(PROBE_REC_CLOSE, sizeof(*r), 0, cpu,
					seq, ts, pid);

	r->nr = SYS_close;
	r->fd = fd;
	return r;
}

/* An inode (dev 1) a syscall nr of tid stamped, under name (NULL: none
 * yet, the inode the syscall makes). */
static inline struct probe_touch *make_touch(__u32 tid, __u32 nr, __u64 ino,
					     __u64 parent, const char *name)
{
	struct probe_touch *r =
		rec_new(PROBE_REC_TOUCH, sizeof(*r), name ? strlen(name) + 1 : 0,
			0, 0, 0, tid);
	size_t off = 0;

	r->nr = nr;
	r->inode.dev = 1;
	r->inode.ino = ino;
	r->parent_ino = parent;
	r->name_len = put_str(r->data, &off, name);
	return r;
}

/* A change nr(path, path2) of tid that names its files by path (path2:
 * NULL for none), with its paths as passed. */
static inline struct probe_syscall *make_change(__u32 tid, __u32 nr,
						const char *path,
						const char *path2)
{
	size_t var = strlen(path) + 1 + (path2 ? strlen(path2) + 1 : 0);
	struct probe_syscall *r =
		rec_new(PROBE_REC_SYSCALL, sizeof(*r), var, 0, 0, 0, tid);
	size_t off = 0;

	r->nr = nr;
	r->path_len = put_str(r->data, &off, path);
	r->path2_len = put_str(r->data, &off, path2);
	return r;
}

/* count records of cpu, from seq on, never arrived. */
static inline struct probe_lost *make_lost(__u16 cpu, __u64 seq, __u64 count,
					   __u64 ts)
{
	struct probe_lost *r = rec_new(PROBE_REC_LOST, sizeof(*r), 0, cpu, seq,
				       ts, 0);

	r->count = count;
	return r;
}

/* What the recorder found of the file ino at path at the end: status,
 * and for PROBE_HASH_DONE the hash sha256 (32 bytes). */
static inline struct probe_hash *make_hash(const struct probe_inode *ino,
					   const char *path, __u32 status,
					   const void *sha256, __u64 ts)
{
	struct probe_hash *r = rec_new(PROBE_REC_HASH, sizeof(*r),
				       strlen(path) + 1, 0, 0, ts, 1);
	size_t off = 0;

	r->inode = *ino;
	r->status = status;
	if (sha256)
		memcpy(r->sha256, sha256, sizeof(r->sha256));
	r->path_len = put_str(r->data, &off, path);
	return r;
}

static inline struct probe_trailer *make_trailer(__u32 ncpus, __u64 ts)
{
	struct probe_trailer *t =
		rec_new(PROBE_REC_TRAILER, sizeof(*t),
			ncpus * sizeof(struct probe_cpu_count), 0, 0, ts, 1);

	t->ncpus = ncpus;
	t->end_boottime_ns = ts;
	return t;
}

/* ---- streams of records ---- */

#define MAX_RECS 64

struct recs {
	struct probe_hdr *v[MAX_RECS];
	size_t n;
};

/* Append r, giving it the next seq and timestamp: 2000, 2010... */
static inline void push(struct recs *rs, void *r)
{
	struct probe_hdr *h = r;

	assert_true(rs->n < MAX_RECS);
	h->seq = rs->n;
	h->ts_ns = 2000 + 10 * rs->n;
	rs->v[rs->n++] = h;
}

/* parent (started at parent_start) forked child (started at start). */
static inline struct probe_clone *fork_of(__u32 parent, __u64 parent_start,
					  __u32 child, __u64 start)
{
	struct probe_clone *r = make_clone(SYS_clone, SIGCHLD, child, 0, 0, 0,
					   parent);

	r->parent_start_ns = parent_start;
	r->child_start_ns = start;
	return r;
}

/* ---- files, and what processes do to them ---- */

#define TEST_DEV (8 << 20 | 1) /* the kernel's dev_t of 8:1 */

/* A regular file's inode on TEST_DEV. */
static inline struct probe_inode file_inode(__u64 ino, __u32 gen)
{
	struct probe_inode in = { 0 };

	in.dev = TEST_DEV;
	in.ino = ino;
	in.gen = gen;
	in.mode = 0100644; /* S_IFREG | 0644 */
	return in;
}

/* pid's first read or write (access) of the file ino at path. */
static inline struct probe_use *use_of_inode(__u32 pid, __u32 access,
					     const char *path,
					     const struct probe_inode *ino)
{
	struct probe_use *r = make_use(access == PROBE_USE_READ ? SYS_read :
								  SYS_write,
				       3, access, path, 0, 0, 0, pid);

	r->ret = 1;
	r->inode = *ino;
	return r;
}

/* pid's open(path, O_WRONLY | O_CREAT | O_TRUNC) of the file ino. */
static inline struct probe_open *creat_of(__u32 pid, const char *path,
					  const struct probe_inode *ino)
{
	struct probe_open *r = make_open(path, path, 0, 0, 0, pid);

	r->flags = O_WRONLY | O_CREAT | O_TRUNC;
	r->inode = *ino;
	return r;
}

/* pid unlinks the last link of the file ino at path (absolute): the
 * touch the kernel's ctime tracepoint writes, then unlink's record. */
static inline void push_unlink(struct recs *rs, __u32 pid, const char *path,
			       const struct probe_inode *ino)
{
	const char *name = strrchr(path, '/') + 1;
	struct probe_touch *t = rec_new(PROBE_REC_TOUCH, sizeof(*t),
					strlen(name) + 1, 0, 0, 0, pid);
	struct probe_syscall *r = rec_new(PROBE_REC_SYSCALL, sizeof(*r),
					  strlen(path) + 1, 0, 0, 0, pid);
	size_t off = 0;

	t->nr = SYS_unlink;
	t->inode = *ino;
	t->name_len = put_str(t->data, &off, name);
	off = 0;
	r->nr = SYS_unlink;
	r->path_len = put_str(r->data, &off, path);
	push(rs, t);
	push(rs, r);
}

/* ---- synthetic logs ---- */

#define TEST_HOSTNAME "unit-host"
#define TEST_ROOT_PID 4242

static inline void test_log_header(struct probe_log_header *h, __u32 ncpus)
{
	memset(h, 0, sizeof(*h));
	h->scope = PROBE_SCOPE_COMMAND;
	h->start_realtime_ns = 1700000000000000000ULL;
	h->start_boottime_ns = 1000;
	h->ncpus = ncpus;
	h->collector_pid = 4241;
	h->root_pid = TEST_ROOT_PID;
	snprintf(h->release, sizeof(h->release), "6.1.0-unit");
	snprintf(h->hostname, sizeof(h->hostname), "%s", TEST_HOSTNAME);
	snprintf(h->boot_id, sizeof(h->boot_id),
		 "01234567-89ab-cdef-0123-456789abcdef");
}

/* Create a log at path for the command argv, on ncpus CPUs. */
static inline struct log_writer *test_log_create(const char *path,
						 bool overwrite, __u32 ncpus,
						 char *const argv[])
{
	struct probe_log_header h;
	size_t len = argv_size(argv), off = 0;
	char *target = malloc(len + 1);
	struct log_writer *w;

	assert_non_null(target);
	put_argv(target, &off, argv);
	test_log_header(&h, ncpus);
	w = log_create(path, overwrite, &h, target, len);
	free(target);
	return w;
}

/* A log of recs on ncpus CPUs; with_trailer false: its writer "died"
 * after its last log_flush. */
static inline void test_log_write(const char *path, __u32 ncpus,
				  char *const argv[],
				  const struct probe_hdr *const recs[],
				  size_t n, bool with_trailer)
{
	struct log_writer *w = test_log_create(path, false, ncpus, argv);

	assert_non_null(w);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(log_append(w, recs[i]), 0);
	assert_int_equal(log_flush(w), 0);
	if (with_trailer) {
		struct probe_trailer *t = make_trailer(ncpus, 999999);

		assert_int_equal(log_finish(w, t), 0);
		free(t);
		return;
	}
	fclose(w->f);
	output_free(&w->out);
	free(w);
}

#endif
