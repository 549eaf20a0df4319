#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* A symlink of /proc's target, NUL included in the length; 0 if gone or
 * denied (errno says which). */
static size_t proc_link(const char *link, char *buf, size_t len)
{
	ssize_t n = readlink(link, buf, len - 1);

	if (n < 0)
		return 0;
	buf[n] = 0;
	return n + 1;
}

/* The "flags:" line of /proc/PID/fdinfo/FD: octal open flags. */
static __u32 fd_flags(__u32 pid, int fd)
{
	char path[64], line[128];
	unsigned flags = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %o", &flags) == 1)
			break;
	fclose(f);
	return flags;
}

static void inode_of(const char *link, struct probe_inode *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (stat(link, &st))
		return;
	out->dev = dev_user_to_kernel(st.st_dev);
	out->ino = st.st_ino;
	out->size = st.st_size;
	out->mode = st.st_mode;
	out->mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	out->ctime_ns = st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
}

/*
 * The strings of a snapshot record: the fd's path; or the exe's path, the
 * cwd and the root.  Each with its NUL in its length; 0: absent.
 */
struct snap_strings {
	char path[PATH_MAX], cwd[PATH_MAX], root[PATH_MAX];
	size_t path_len, cwd_len, root_len;
};

/* The records of one process, kept until it is known to be still the
 * process its pid named. */
struct snap_records {
	struct probe_hdr **rec;
	size_t n, cap;
};

static void put(struct snap_records *out, __u32 pid, __u64 ts, int fd,
		__u32 flags, const char *link, const struct snap_strings *str)
{
	size_t var = str->path_len + str->cwd_len + str->root_len;
	size_t size = (sizeof(struct probe_snapshot) + var + 7) & ~7UL;
	struct probe_snapshot *r = xmalloc(size);

	memset(r, 0, size);
	r->hdr.size = size;
	r->hdr.type = PROBE_REC_SNAPSHOT;
	r->hdr.ts_ns = ts;
	r->hdr.pid = r->hdr.tid = pid;
	r->fd = fd;
	r->flags = flags;
	inode_of(link, &r->inode);
	r->path_len = str->path_len;
	r->cwd_len = str->cwd_len;
	r->root_len = str->root_len;
	memcpy(r->data, str->path, str->path_len);
	memcpy(r->data + str->path_len, str->cwd, str->cwd_len);
	memcpy(r->data + str->path_len + str->cwd_len, str->root,
	       str->root_len);
	out->rec = xgrow(out->rec, &out->cap, out->n + 1, sizeof(*out->rec));
	out->rec[out->n++] = &r->hdr;
}

/* Whether the process pidfd names has not been reaped: then its pid is
 * still its own, and what /proc/PID showed was of it.  Signal 0 checks
 * the permission to signal too: EPERM (another user's process, to a
 * recorder with capabilities only) says it is there; ESRCH that it is
 * gone. */
static bool still_there(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 ||
	       errno == EPERM;
}

/* The open fds of pid as snapshot records; false if /proc denied them. */
static bool snapshot_fds(struct snap_records *out, __u32 pid, __u64 ts_ns,
			 struct snap_strings *str)
{
	char dir[64], link[96];
	struct dirent *e;
	bool denied = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%u/fd", pid);
	d = opendir(dir);
	if (!d)
		return errno != EACCES && errno != EPERM;
	str->cwd_len = str->root_len = 0;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name)
			continue;
		snprintf(link, sizeof(link), "%s/%ld", dir, fd);
		str->path_len = proc_link(link, str->path, sizeof(str->path));
		if (str->path_len)
			put(out, pid, ts_ns, fd, fd_flags(pid, fd), link, str);
		else if (errno == EACCES || errno == EPERM)
			denied = true;
	}
	closedir(d);
	return !denied;
}

int snapshot_process(struct log_writer *w, __u32 pid, int pidfd,
		     __u64 ts_ns)
{
	struct snap_strings *str = xmalloc(sizeof(*str));
	struct snap_records out = { 0 };
	bool readable = snapshot_fds(&out, pid, ts_ns, str), same;
	char link[96];
	int n = 0;

	if (readable) {
		snprintf(link, sizeof(link), "/proc/%u/cwd", pid);
		str->cwd_len = proc_link(link, str->cwd, sizeof(str->cwd));
		snprintf(link, sizeof(link), "/proc/%u/root", pid);
		str->root_len = proc_link(link, str->root, sizeof(str->root));
		snprintf(link, sizeof(link), "/proc/%u/exe", pid);
		str->path_len = proc_link(link, str->path, sizeof(str->path));
		put(&out, pid, ts_ns, -1, 0, link, str);
	}
	/* Only now is it known whose /proc/PID was read. */
	same = still_there(pidfd);
	for (size_t i = 0; i < out.n; i++) {
		if (same && readable && !log_append(w, out.rec[i]))
			n++;
		free(out.rec[i]);
	}
	free(out.rec);
	free(str);
	return !same ? 0 : readable ? n : -1;
}
