#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dataflow.h"
#include "filter.h"
#include "sha256.h"
#include "summary.h"
#include "util.h"

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)
#define CHUNK (1 << 20)

/* What hashing needs of a run, once. */
struct hasher {
	const struct hash_opts *o;
	__s64 end_realtime_ns; /* the end of the recording, on ctime's clock */
	char *buf; /* CHUNK bytes */
};

static __s64 ns_of(const struct timespec *t)
{
	return (__s64)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void set_stat(struct probe_inode *ino, const struct stat *st)
{
	ino->size = st->st_size;
	ino->mtime_ns = ns_of(&st->st_mtim);
	ino->ctime_ns = ns_of(&st->st_ctim);
	ino->mode = st->st_mode;
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size &&
	       ns_of(&a->st_mtim) == ns_of(&b->st_mtim) &&
	       ns_of(&a->st_ctim) == ns_of(&b->st_ctim);
}

/* The file at path as an O_PATH fd: no driver opened, no FIFO waited
 * for, no last symbolic link followed (a magic link of /proc not even on
 * the way).  -1 with errno. */
static int open_path(const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};

	return syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

/* The file of an O_PATH fd, opened for reading: the same inode whatever
 * happened to its path since.  O_NONBLOCK: were it a FIFO after all, no
 * wait; O_NOATIME: reading it leaves no trace (needs CAP_FOWNER). */
static int reopen(int pfd)
{
	char proc[64];
	int fd, flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(proc, flags);
	return fd;
}

/* Whether the open file is the generation of its inode the log saw, as
 * far as its filesystem tells (ext4 does, tmpfs does not). */
static bool same_generation(int fd, __u32 gen)
{
	long now = 0;

	return !gen || ioctl(fd, FS_IOC_GETVERSION, &now) ||
	       (__u32)now == gen;
}

/* Hash fd's content into r->sha256: the status, with errno in r->err. */
static __u32 digest(struct hasher *h, int fd, const struct stat *before,
		    struct probe_hash *r)
{
	__u64 total = 0;
	struct stat after;
	struct sha256 sha;
	ssize_t n;

	sha256_init(&sha);
	while ((n = read(fd, h->buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->err = errno;
			return PROBE_HASH_UNREADABLE;
		}
		sha256_update(&sha, h->buf, n);
		total += n;
		if (total > (__u64)before->st_size)
			break; /* it grows: changed */
	}
	sha256_final(&sha, r->sha256);
	if (fstat(fd, &after)) {
		r->err = errno;
		return PROBE_HASH_UNREADABLE;
	}
	set_stat(&r->inode, &after);
	if (!same_stat(before, &after) || total != (__u64)after.st_size)
		return PROBE_HASH_CHANGED;
	return PROBE_HASH_DONE;
}

/*
 * What is at path of file f: whether it is f (a regular file of its dev
 * and inode), unchanged since the recording saw it (an input's ctime the
 * one it last saw; an output's not after the recording's end), and then
 * its hash.  Fills r's inode and hash; returns the status.
 */
static __u32 look(struct hasher *h, const char *path, const struct df_file *f,
		  bool input, struct probe_hash *r)
{
	struct stat st;
	__u32 status;
	int pfd = open_path(path), fd;

	if (pfd < 0) {
		r->err = errno;
		return errno == ENOENT || errno == ENOTDIR ?
			       PROBE_HASH_GONE :
			       PROBE_HASH_UNREADABLE;
	}
	if (fstat(pfd, &st)) {
		r->err = errno;
		close(pfd);
		return PROBE_HASH_UNREADABLE;
	}
	if (S_ISLNK(st.st_mode)) {
		/* the path names a symbolic link (an exec by a link's name):
		 * not followed, as open(O_NOFOLLOW) would say */
		close(pfd);
		r->err = ELOOP;
		return PROBE_HASH_UNREADABLE;
	}
	if (!S_ISREG(st.st_mode) || dev_user_to_kernel(st.st_dev) != f->dev ||
	    st.st_ino != f->ino) {
		close(pfd);
		return PROBE_HASH_GONE;
	}
	set_stat(&r->inode, &st);
	if (input ? ns_of(&st.st_ctim) != f->ctime_ns :
		    ns_of(&st.st_ctim) > h->end_realtime_ns) {
		close(pfd);
		return PROBE_HASH_CHANGED;
	}
	if ((__u64)st.st_size > h->o->max_size) {
		close(pfd);
		return PROBE_HASH_TOO_LARGE;
	}
	fd = reopen(pfd);
	if (fd < 0)
		r->err = errno;
	close(pfd);
	if (fd < 0)
		return PROBE_HASH_UNREADABLE;
	status = same_generation(fd, f->gen) ? digest(h, fd, &st, r) :
					       PROBE_HASH_GONE;
	close(fd);
	return status;
}

/* Whether the recorder looks at a file at the end: a pseudo-file never,
 * a system input only if asked, a path it could not name never. */
static bool wanted(const struct hasher *h, const struct summary_file *sf)
{
	const char *path = sf->path;

	if (path[0] != '/' || filter_is_pseudo(path))
		return false;
	if (sf->role == SUMMARY_INPUT)
		return sf->file->ctime_ns &&
		       (h->o->system || !filter_is_system(path));
	return sf->role == SUMMARY_OUTPUT;
}

static void append(struct hasher *h, struct log_writer *w, __u64 end_boot_ns,
		   const struct summary_file *sf, struct hash_stats *st)
{
	size_t len = strlen(sf->path) + 1;
	size_t size = ALIGN8(sizeof(struct probe_hash) + len);
	struct probe_hash *r = xmalloc(size);

	memset(r, 0, size);
	r->hdr.size = size;
	r->hdr.type = PROBE_REC_HASH;
	r->hdr.ts_ns = end_boot_ns;
	r->hdr.pid = r->hdr.tid = getpid();
	r->inode.dev = sf->file->dev;
	r->inode.ino = sf->file->ino;
	r->inode.gen = sf->file->gen;
	r->path_len = len;
	memcpy(r->data, sf->path, len);
	r->status = look(h, sf->path, sf->file, sf->role == SUMMARY_INPUT, r);
	if (r->status != PROBE_HASH_UNREADABLE)
		r->err = 0; /* an errno of a path that was gone */
	if (r->status != PROBE_HASH_DONE)
		memset(r->sha256, 0, sizeof(r->sha256));
	if (log_append(w, &r->hdr))
		die(1, "cannot write %s: %s", w->out.path, strerror(errno));
	st->records++;
	if (r->status == PROBE_HASH_DONE) {
		st->hashed++;
		st->bytes += r->inode.size;
	}
	free(r);
}

int hash_files(const char *log_path, struct log_writer *w, __u64 end_boot_ns,
	       const struct hash_opts *o, struct hash_stats *st)
{
	struct hasher h = { .o = o };
	const struct probe_log_header *hdr;
	struct log_reader *log;
	struct dataflow *g;
	struct summary s;
	char err[PROBE_ERR_MAX];

	memset(st, 0, sizeof(*st));
	log = log_open(log_path, err, sizeof(err));
	if (!log) {
		errorf("cannot read the log back to hash its files: %s", err);
		return -1;
	}
	g = dataflow_build_files(log, err, sizeof(err));
	if (!g) {
		errorf("cannot read the log back to hash its files: %s", err);
		log_close(log);
		return -1;
	}
	hdr = log_header(log);
	h.end_realtime_ns = hdr->start_realtime_ns +
			    (end_boot_ns - hdr->start_boottime_ns);
	h.buf = xmalloc(CHUNK);
	summary_build(&s, g);
	for (size_t i = 0; i < s.n; i++) {
		if (o->interrupted && o->interrupted(o->ctx)) {
			st->interrupted = true;
			break;
		}
		if (wanted(&h, &s.files[i]))
			append(&h, w, end_boot_ns, &s.files[i], st);
	}
	summary_free(&s);
	dataflow_free(g);
	log_close(log);
	free(h.buf);
	return 0;
}
