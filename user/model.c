#include "model.h"

#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "records.h"
#include "syscalls.h"
#include "util.h"

/* What an fd refers to. */
struct fd_entry {
	bool seen; /* opened or closed while recording */
	bool open;
	bool cloexec;
	bool known; /* dev and ino are known (a pipe's are not, at first) */
	__u64 dev, ino; /* the kernel's dev_t, as the records carry it */
};

/* One files_struct. */
struct fd_table {
	unsigned refs; /* tasks that use it */
	bool partial; /* it existed before the recording saw it */
	size_t cap;
	struct fd_entry *fd;
};

/* One fs_struct: cwd, root and umask. */
struct fs_info {
	unsigned refs;
	char *cwd; /* NULL until a chdir or a relative open tells it */
	char *root; /* NULL: "/", unless a chroot or a snapshot says */
	int umask; /* -1 until a umask() call tells it */
};

/* The inodes the task's syscall in progress touched (probe_touch). */
#define TOUCH_MAX 8
struct touched {
	unsigned n;
	struct model_touch t[TOUCH_MAX];
};

struct task {
	__u32 tid;		 /* 0: empty slot; TOMBSTONE: removed */
	struct touched *touched; /* NULL: none */
	struct fd_table *files;
	struct fs_info *fs;
	__u64 mm; /* the address space: tasks sharing one share the id */
	__u32 epoch; /* execs of this process seen so far */
};

#define TOMBSTONE 0xffffffffU

/* An io_uring (or an AIO context): its table of registered files, which
 * no task's fd table holds. */
struct ring {
	__u64 id; /* struct probe_async's ring */
	struct fd_table *fixed;
};

struct model {
	struct task *tasks; /* open addressing by tid */
	size_t cap, used; /* used counts tombstones too */
	__u64 next_mm;
	struct model_stats stats;
	struct ring *rings; /* in the order the log first named them */
	size_t nrings, rings_cap;
};

/* ---- fd tables ---- */

static struct fd_table *table_new(bool partial)
{
	struct fd_table *t = xmalloc(sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->refs = 1;
	t->partial = partial;
	return t;
}

static struct fd_table *table_copy(const struct fd_table *from)
{
	struct fd_table *t = table_new(from->partial);

	t->cap = from->cap;
	t->fd = xmalloc(t->cap * sizeof(t->fd[0]) + 1);
	if (t->cap) /* from->fd is NULL while it has none */
		memcpy(t->fd, from->fd, t->cap * sizeof(t->fd[0]));
	return t;
}

static void table_put(struct fd_table *t)
{
	if (t && --t->refs == 0) {
		free(t->fd);
		free(t);
	}
}

static struct fd_entry *table_slot(struct fd_table *t, long fd)
{
	if (fd < 0 || fd > (1L << 20))
		return NULL;
	if ((size_t)fd >= t->cap) {
		size_t cap = t->cap ? t->cap : 16;

		while (cap <= (size_t)fd)
			cap *= 2;
		t->fd = xrealloc(t->fd, cap * sizeof(t->fd[0]));
		memset(t->fd + t->cap, 0, (cap - t->cap) * sizeof(t->fd[0]));
		t->cap = cap;
	}
	return &t->fd[fd];
}

static const struct fd_entry *table_get(const struct fd_table *t, long fd)
{
	if (fd < 0 || (size_t)fd >= t->cap || !t->fd[fd].open)
		return NULL;
	return &t->fd[fd];
}

/* ---- fs_structs ---- */

static struct fs_info *fs_new(const struct fs_info *from)
{
	struct fs_info *fs = xmalloc(sizeof(*fs));

	fs->refs = 1;
	fs->cwd = from && from->cwd ? xstrdup(from->cwd) : NULL;
	fs->root = from && from->root ? xstrdup(from->root) : NULL;
	fs->umask = from ? from->umask : -1;
	return fs;
}

static void fs_put(struct fs_info *fs)
{
	if (fs && --fs->refs == 0) {
		free(fs->cwd);
		free(fs->root);
		free(fs);
	}
}

/* Set *dir (a cwd or a root) to the len bytes at path. */
static void fs_set(char **dir, const char *path, size_t len)
{
	free(*dir);
	*dir = xstrndup(path, len);
}

static void fs_set_cwd(struct fs_info *fs, const char *cwd, size_t len)
{
	fs_set(&fs->cwd, cwd, len);
}

/* The root "/" is kept as NULL: absolute paths need no prefix. */
static void fs_set_root(struct fs_info *fs, struct bytes root)
{
	if (root.len == 1 && root.p[0] == '/') {
		free(fs->root);
		fs->root = NULL;
		return;
	}
	fs_set(&fs->root, root.p, root.len);
}

/* ---- tasks ---- */

static size_t slot_of(const struct model *m, __u32 tid)
{
	return (tid * 2654435761U) & (m->cap - 1);
}

/* Whether tid can name a task: 0 and TOMBSTONE mark the table's empty
 * and freed slots, and a crafted log may say either. */
static bool is_tid(__u32 tid)
{
	return tid && tid != TOMBSTONE;
}

static struct task *task_find(struct model *m, __u32 tid)
{
	if (!m->cap || !is_tid(tid))
		return NULL;
	for (size_t i = slot_of(m, tid);; i = (i + 1) & (m->cap - 1)) {
		if (m->tasks[i].tid == tid)
			return &m->tasks[i];
		if (m->tasks[i].tid == 0)
			return NULL;
	}
}

static void grow(struct model *m)
{
	struct task *old = m->tasks;
	size_t cap = m->cap;

	m->cap = cap ? cap * 2 : 256;
	m->tasks = xmalloc(m->cap * sizeof(m->tasks[0]));
	memset(m->tasks, 0, m->cap * sizeof(m->tasks[0]));
	m->used = 0;
	for (size_t i = 0; i < cap; i++) {
		if (old[i].tid && old[i].tid != TOMBSTONE) {
			size_t j = slot_of(m, old[i].tid);

			while (m->tasks[j].tid)
				j = (j + 1) & (m->cap - 1);
			m->tasks[j] = old[i];
			m->used++;
		}
	}
	free(old);
}

/* A task the model has not seen begin: its fd table is partial. */
static struct task *task_add(struct model *m, __u32 tid,
			     struct fd_table *files, struct fs_info *fs)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap)
		grow(m);
	for (i = slot_of(m, tid); m->tasks[i].tid && m->tasks[i].tid != TOMBSTONE;
	     i = (i + 1) & (m->cap - 1))
		;
	if (!m->tasks[i].tid)
		m->used++;
	m->tasks[i].tid = tid;
	m->tasks[i].touched = NULL;
	m->tasks[i].files = files;
	m->tasks[i].fs = fs;
	m->tasks[i].mm = ++m->next_mm;
	m->tasks[i].epoch = 0;
	return &m->tasks[i];
}

static struct task *task_get(struct model *m, __u32 tid)
{
	struct task *t = task_find(m, tid);

	return t ? t : task_add(m, tid, table_new(true), fs_new(NULL));
}

/*
 * A task first seen acting: a thread of a process the model knows (one
 * that was running before the recording) is taken to share its leader's
 * tables and memory, as threads almost always do (CLONE_THREAD without
 * CLONE_FILES or CLONE_FS is legal but rare).
 */
static struct task *task_get_thread(struct model *m, __u32 tid, __u32 pid)
{
	struct task *t = task_find(m, tid), *leader;

	if (t || tid == pid || !(leader = task_find(m, pid)))
		return task_get(m, tid);
	leader->files->refs++;
	leader->fs->refs++;
	t = task_add(m, tid, leader->files, leader->fs);
	leader = task_find(m, pid); /* task_add may have moved it */
	t->mm = leader->mm;
	t->epoch = leader->epoch;
	return t;
}

static void task_remove(struct model *m, struct task *t)
{
	table_put(t->files);
	fs_put(t->fs);
	free(t->touched);
	t->touched = NULL;
	t->files = NULL;
	t->fs = NULL;
	t->tid = TOMBSTONE;
	(void)m;
}

/* The task stops sharing its table: it gets a copy (unshare_files()). */
static void unshare_files(struct task *t)
{
	struct fd_table *copy;

	if (t->files->refs == 1)
		return;
	copy = table_copy(t->files);
	table_put(t->files);
	t->files = copy;
}

/* ---- records ---- */

static void table_set(struct fd_table *t, long fd, bool cloexec, bool known,
		      __u64 dev, __u64 ino)
{
	struct fd_entry *e = table_slot(t, fd);

	if (e)
		*e = (struct fd_entry){ true, true, cloexec, known, dev, ino };
}

static void set_fd(struct task *t, long fd, bool cloexec, bool known,
		   __u64 dev, __u64 ino)
{
	table_set(t->files, fd, cloexec, known, dev, ino);
}

static void table_close(struct fd_table *t, long fd)
{
	struct fd_entry *e = table_slot(t, fd);

	if (e) {
		e->open = false;
		e->seen = true;
	}
}

static void close_fd(struct task *t, long fd)
{
	table_close(t->files, fd);
}

static void dup_fd(struct task *t, long from, long to, bool cloexec)
{
	const struct fd_entry *e = table_get(t->files, from);
	struct fd_entry copy, *dst;

	if (!e) {
		dst = table_slot(t->files, to);
		/* a copy of an fd from before the recording is as unknown as
		 * the original; a copy of a closed one is closed */
		if (dst && t->files->partial && from >= 0 &&
		    ((size_t)from >= t->files->cap || !t->files->fd[from].seen))
			*dst = (struct fd_entry){ 0 };
		else
			close_fd(t, to);
		return;
	}
	copy = *e; /* before the table can grow under e */
	copy.cloexec = cloexec;
	dst = table_slot(t->files, to);
	if (dst) /* NULL: an fd no table holds, in a crafted log */
		*dst = copy;
}

static void apply_clone(struct model *m, struct task *parent,
			const struct probe_clone *r)
{
	/* task_add() may move every task: take what the child inherits
	 * from the parent before it */
	__u64 mm = parent->mm;
	__u32 epoch = parent->epoch;
	struct fd_table *files;
	struct fs_info *fs;
	struct task *child;

	if (!is_tid(r->child_tid))
		return;
	if (r->share & PROBE_SHARE_FILES) {
		files = parent->files;
		files->refs++;
	} else {
		files = table_copy(parent->files);
	}
	if (r->share & PROBE_SHARE_FS) {
		fs = parent->fs;
		fs->refs++;
	} else {
		fs = fs_new(parent->fs);
	}
	child = task_find(m, r->child_tid);
	if (child) { /* seen before its clone record: replace its guess */
		table_put(child->files);
		fs_put(child->fs);
		child->files = files;
		child->fs = fs;
	} else {
		child = task_add(m, r->child_tid, files, fs);
	}
	/* threads, CLONE_VM and vfork (until its exec) share one memory */
	if (r->share & PROBE_SHARE_VM)
		child->mm = mm;
	/* a thread is in its process's exec epoch */
	child->epoch = (r->share & PROBE_SHARE_THREAD) ? epoch : 0;
}

/* execve: a shared table is copied first, then close-on-exec fds go. */
static void apply_exec(struct model *m, const struct probe_exec *r)
{
	struct task *t;

	if (r->ret < 0 || r->old_tid == TOMBSTONE)
		return;
	t = task_get(m, r->old_tid ? r->old_tid : r->hdr.tid);
	if (r->old_tid) { /* a thread's exec: it takes the leader's tid */
		struct fd_table *files = t->files;
		struct fs_info *fs = t->fs;

		t->tid = TOMBSTONE;
		t = task_find(m, r->hdr.tid);
		if (t)
			task_remove(m, t);
		t = task_add(m, r->hdr.tid, files, fs);
	}
	t->mm = ++m->next_mm; /* exec replaces the address space */
	t->epoch++;
	unshare_files(t);
	for (size_t fd = 0; fd < t->files->cap; fd++)
		if (t->files->fd[fd].open && t->files->fd[fd].cloexec)
			close_fd(t, fd);
}

/*
 * The kernel said which file fd of table t referred to (a first read or
 * write, an fstat, an fchmod...): does the model's file for the fd agree?
 */
static void check_table(struct model *m, struct fd_table *t, long fd,
			const struct probe_inode *ino)
{
	const struct fd_entry *e = table_get(t, fd);

	m->stats.uses++;
	if (!e) {
		/* Only an fd this recording never saw opened or closed may
		 * be one from before it. */
		if (t->partial &&
		    !(fd >= 0 && (size_t)fd < t->cap && t->fd[fd].seen))
			m->stats.unknown++;
		else
			m->stats.disagree++;
		return;
	}
	if (!e->known) { /* a pipe or socket end: now its inode is known */
		struct fd_entry *w = table_slot(t, fd);

		w->known = true;
		w->dev = ino->dev;
		w->ino = ino->ino;
		m->stats.agree++;
		return;
	}
	if (e->dev == ino->dev && e->ino == ino->ino)
		m->stats.agree++;
	else
		m->stats.disagree++;
}

static void check_fd(struct model *m, struct task *t, long fd,
		     const struct probe_inode *ino)
{
	check_table(m, t->files, fd, ino);
}

/* ---- io_uring: registered files ---- */

size_t model_ring(struct model *m, __u64 id)
{
	for (size_t i = 0; i < m->nrings; i++)
		if (m->rings[i].id == id)
			return i + 1;
	m->rings = xgrow(m->rings, &m->rings_cap, m->nrings + 1,
			 sizeof(*m->rings));
	/* files registered with io_uring_register(2) are not in the log:
	 * partial, as a table from before the recording */
	m->rings[m->nrings].id = id;
	m->rings[m->nrings].fixed = table_new(true);
	return ++m->nrings;
}

/* The table an async record's fd is in: its ring's registered files,
 * or the task's fds. */
static struct fd_table *async_table(struct model *m, struct task *t,
				    const struct probe_async *a)
{
	size_t ring;

	if (!(a->flags & PROBE_ASYNC_FIXED))
		return t->files;
	ring = model_ring(m, a->ring); /* before m->rings: it may move */
	return m->rings[ring - 1].fixed;
}

/*
 * A use through a registered file: checked like an fd's, and a slot the
 * log never showed filled (io_uring_register(2)) is unknown, then known
 * from the kernel's file, as a pipe's end is.
 */
static void check_fixed(struct model *m, struct fd_table *fixed, long slot,
			const struct probe_inode *ino)
{
	bool seen = slot >= 0 && (size_t)slot < fixed->cap &&
		    fixed->fd[slot].seen;

	check_table(m, fixed, slot, ino);
	if (!seen && !table_get(fixed, slot))
		table_set(fixed, slot, false, true, ino->dev, ino->ino);
}

/*
 * A file an open created (O_CREAT|O_EXCL: it cannot have existed) has
 * the mode asked for less the umask; the kernel's inode says which bits
 * it got, so a known umask is checked.
 */
static void check_umask(struct model *m, struct task *t,
			const struct probe_open *r)
{
	if ((r->flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL) ||
	    t->fs->umask < 0 || (r->rflags & PROBE_RF_NO_FILE))
		return;
	m->stats.fs_checked++;
	if ((r->inode.mode & 07777) == (r->mode & 07777 & ~t->fs->umask))
		m->stats.fs_agree++;
	else
		m->stats.fs_disagree++;
}

/*
 * An open of a bare name relative to the cwd landed, says the kernel, in
 * the directory of its absolute path: that must be the model's cwd (the
 * first such open teaches the cwd of a task the model saw no chdir of).
 * A name that was a symlink lands elsewhere: not checked.
 */
static void check_cwd(struct model *m, struct task *t,
		      const struct probe_open *r)
{
	struct bytes arg = open_path_arg(r), abs = open_abs_path(r);
	size_t dir;

	if (r->dirfd != AT_FDCWD || !arg.len || memchr(arg.p, '/', arg.len) ||
	    !abs.len || (r->rflags & (PROBE_RF_ANON | PROBE_RF_ABS_TRUNC)))
		return;
	if (abs.len <= arg.len || memcmp(abs.p + abs.len - arg.len, arg.p,
					 arg.len) ||
	    abs.p[abs.len - arg.len - 1] != '/')
		return;
	dir = abs.len - arg.len - 1;
	if (dir == 0)
		dir = 1; /* "/" */
	if (!t->fs->cwd) {
		fs_set_cwd(t->fs, abs.p, dir);
		return;
	}
	m->stats.fs_checked++;
	if (strlen(t->fs->cwd) == dir && !memcmp(t->fs->cwd, abs.p, dir))
		m->stats.fs_agree++;
	else
		m->stats.fs_disagree++;
}

/*
 * An open of an absolute path starts at the task's root, and ".." and
 * symlinks never lead above it: the file the kernel names must lie below
 * the model's root.  Under the root "/", only an open that symlinks did
 * not move (the kernel's path is the path passed) is counted.  Magic
 * links (/proc/PID/fd/N, /proc/PID/root) lead anywhere: not checked.
 */
static void check_root(struct model *m, struct task *t,
		       const struct probe_open *r)
{
	struct bytes arg = open_path_arg(r), abs = open_abs_path(r);
	const char *root = t->fs->root;
	size_t root_len = root ? strlen(root) : 0;

	if (!arg.len || arg.p[0] != '/' || !abs.len ||
	    (arg.len >= 6 && !memcmp(arg.p, "/proc/", 6)) ||
	    (r->rflags & (PROBE_RF_ANON | PROBE_RF_ABS_TRUNC)))
		return;
	if (!root && (abs.len != arg.len || memcmp(abs.p, arg.p, arg.len)))
		return;
	m->stats.fs_checked++;
	m->stats.fs_root_checked++;
	if (!root || (abs.len > root_len && !memcmp(abs.p, root, root_len) &&
		      abs.p[root_len] == '/'))
		m->stats.fs_agree++;
	else
		m->stats.fs_disagree++;
}

static void apply_fdop(struct task *t, const struct probe_fdop *r)
{
	__u32 first = r->fd, last = r->arg1;

	if (r->ret < 0)
		return;
	switch (r->nr) {
	case SYS_dup:
		dup_fd(t, r->fd, r->ret, false);
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (r->fd != (long)r->arg1) /* dup2(fd, fd) changes nothing */
			dup_fd(t, r->fd, r->arg1,
			       r->nr == SYS_dup3 && (r->arg2 & O_CLOEXEC));
		break;
	case SYS_fcntl:
		if (r->arg1 == F_DUPFD || r->arg1 == F_DUPFD_CLOEXEC)
			dup_fd(t, r->fd, r->ret, r->arg1 == F_DUPFD_CLOEXEC);
		else if (r->arg1 == F_SETFD && table_get(t->files, r->fd))
			table_slot(t->files, r->fd)->cloexec =
				r->arg2 & FD_CLOEXEC;
		break;
	case SYS_close_range:
		if (r->arg2 & 2) /* CLOSE_RANGE_UNSHARE */
			unshare_files(t);
		for (__u64 fd = first; fd <= last && fd < t->files->cap; fd++) {
			if (r->arg2 & 4) /* CLOSE_RANGE_CLOEXEC */
				t->files->fd[fd].cloexec = true;
			else
				close_fd(t, fd);
		}
		break;
	case SYS_pipe:
	case SYS_pipe2:
	case SYS_socketpair: {
		bool cloexec = r->nr != SYS_pipe && (r->arg1 & O_CLOEXEC);

		set_fd(t, r->fds[0], cloexec, false, 0, 0);
		set_fd(t, r->fds[1], cloexec, false, 0, 0);
		break;
	}
	}
}

static void apply_syscall(struct model *m, struct task *t,
			  const struct probe_syscall *r)
{
	const struct syscall_info *info = syscall_info(r->nr);

	if (!info || r->ret < 0)
		return;
	if (info->layout.fd >= 0 && r->has_inode)
		check_fd(m, t, (int)r->args[info->layout.fd], &r->inode);
	else if (info->layout.dirfd >= 0 && r->path_len <= 1 &&
		 r->has_inode && (int)r->args[info->layout.dirfd] != AT_FDCWD)
		/* fstatat(fd, "", AT_EMPTY_PATH): glibc's fstat */
		check_fd(m, t, (int)r->args[info->layout.dirfd], &r->inode);
	if (info->layout.flags & PROBE_SC_NEW_FD)
		set_fd(t, r->ret, syscall_new_fd_cloexec(r), r->has_inode,
		       r->inode.dev, r->inode.ino);
	if (r->nr == SYS_unshare && (r->args[0] & CLONE_FILES))
		unshare_files(t);
	if (r->nr == SYS_unshare && (r->args[0] & CLONE_FS) &&
	    t->fs->refs > 1) {
		struct fs_info *copy = fs_new(t->fs);

		fs_put(t->fs);
		t->fs = copy;
	}
	if (r->nr == SYS_umask)
		t->fs->umask = r->args[0] & 0777;
	/* At sys_exit the record's base is the new cwd (chdir), or the
	 * directory fchdir moved to. */
	if ((r->nr == SYS_chdir || r->nr == SYS_fchdir) && r->base_len > 1) {
		struct bytes cwd = syscall_base(r);

		fs_set_cwd(t->fs, cwd.p, cwd.len);
	}
	if (info->layout.flags & PROBE_SC_BASE_ROOT && r->base_len > 1)
		fs_set_root(t->fs, syscall_base(r));
}

/*
 * A process that was running before the recording: its fds one by one,
 * then (fd -1) its cwd; after that its table is whole, not partial.
 */
static void apply_snapshot(struct task *t, const struct probe_snapshot *r)
{
	if (r->fd >= 0) {
		set_fd(t, r->fd, r->flags & O_CLOEXEC, r->inode.ino != 0,
		       r->inode.dev, r->inode.ino);
		return;
	}
	t->files->partial = false;
	if (r->cwd_len > 1) {
		struct bytes cwd = snapshot_cwd(r);

		fs_set_cwd(t->fs, cwd.p, cwd.len);
	}
	if (r->root_len > 1)
		fs_set_root(t->fs, snapshot_root(r));
}

/* One more inode the task's syscall in progress stamped (once each). */
static void apply_touch(struct task *t, const struct probe_touch *r)
{
	struct bytes name = touch_name(r);
	struct model_touch *mt = NULL;

	if (!t->touched) {
		t->touched = xmalloc(sizeof(*t->touched));
		t->touched->n = 0;
	}
	for (unsigned i = 0; i < t->touched->n; i++)
		if (t->touched->t[i].dev == r->inode.dev &&
		    t->touched->t[i].ino == r->inode.ino)
			mt = &t->touched->t[i];
	if (!mt && t->touched->n == TOUCH_MAX)
		return;
	if (!mt) {
		mt = &t->touched->t[t->touched->n++];
		mt->name[0] = 0;
		mt->parent_ino = 0;
		mt->nlink = r->nlink;
	}
	mt->dev = r->inode.dev;
	mt->ino = r->inode.ino;
	mt->gen = r->inode.gen;
	mt->mode = r->inode.mode;
	if (r->nlink < mt->nlink)
		mt->nlink = r->nlink;
	/* rmdir stamps the directory again once its name is gone: keep the
	 * name it had. */
	if (!name.len)
		return;
	mt->parent_ino = r->parent_ino;
	if (name.len >= sizeof(mt->name))
		name.len = sizeof(mt->name) - 1;
	memcpy(mt->name, name.p, name.len);
	mt->name[name.len] = 0;
}

/* The last component of a path, trailing slashes dropped. */
static struct bytes last_component(struct bytes path)
{
	size_t end = path.len, start;

	while (end > 1 && path.p[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path.p[start - 1] != '/')
		start--;
	return (struct bytes){path.p + start, end - start};
}

/* Whether c lies in a directory that the syscall also touched. */
static bool inside_touched(const struct touched *tp,
			   const struct model_touch *c)
{
	for (unsigned i = 0; i < tp->n; i++)
		if (tp->t[i].dev == c->dev && tp->t[i].ino == c->parent_ino)
			return true;
	return false;
}

const struct model_touch *model_touched(struct model *m,
					const struct probe_syscall *r,
					struct bytes path,
					const struct model_touch *except)
{
	struct task *t = task_find(m, r->hdr.tid);
	const struct touched *tp = t ? t->touched : NULL;
	const struct model_touch *pick = NULL;
	struct bytes name = last_component(path);
	unsigned n = 0;

	if (!tp || !tp->n)
		return NULL;
	if (tp->n == 1 && !except)
		return &tp->t[0];
	/* A created inode (mkdir, mknod, symlink) has no name yet. */
	for (unsigned i = 0; i < tp->n; i++)
		if (&tp->t[i] != except && !tp->t[i].name[0])
			return &tp->t[i];
	for (unsigned i = 0; i < tp->n; i++) {
		const struct model_touch *c = &tp->t[i];

		if (c == except || strlen(c->name) != name.len ||
		    memcmp(c->name, name.p, name.len))
			continue;
		if (!pick || inside_touched(tp, c))
			pick = c;
	}
	if (pick || except)
		return pick;
	/* Named otherwise (another hard link of it was named last): the
	 * one touched inode that is not the directory of another. */
	for (unsigned i = 0; i < tp->n; i++) {
		bool dir_of_other = false;

		for (unsigned k = 0; k < tp->n; k++)
			dir_of_other |= tp->t[k].dev == tp->t[i].dev &&
					tp->t[k].parent_ino == tp->t[i].ino;
		if (!dir_of_other) {
			pick = &tp->t[i];
			n++;
		}
	}
	return n == 1 ? pick : NULL;
}

void model_apply(struct model *m, const struct probe_hdr *rec)
{
	struct task *t;

	/* the collector's records, and a crafted one's of no possible
	 * tid: no task did them */
	if (rec->type == PROBE_REC_LOST || rec->type == PROBE_REC_HASH ||
	    !is_tid(rec->tid))
		return;
	/* Every task that acts is known from here on.  t stays valid until
	 * the next task_add(). */
	t = task_get_thread(m, rec->tid, rec->pid);
	if (rec->type == PROBE_REC_TOUCH) {
		apply_touch(t, (const void *)rec);
		return;
	}
	/* Any other record of the task ends the syscall the touches were
	 * of (its own record is the next one; were it lost, they must not
	 * pass to a later one). */
	free(t->touched);
	t->touched = NULL;
	switch (rec->type) {
	case PROBE_REC_CLONE:
		apply_clone(m, t, (const void *)rec);
		break;
	case PROBE_REC_EXEC:
		apply_exec(m, (const void *)rec);
		break;
	case PROBE_REC_EXIT:
		task_remove(m, t);
		break;
	case PROBE_REC_OPEN: {
		const struct probe_open *r = (const void *)rec;

		if (r->ret < 0)
			break;
		table_set(async_table(m, t, &r->async), r->ret,
			  r->flags & O_CLOEXEC, !(r->rflags & PROBE_RF_NO_FILE),
			  r->inode.dev, r->inode.ino);
		check_cwd(m, t, r);
		check_root(m, t, r);
		check_umask(m, t, r);
		break;
	}
	case PROBE_REC_CLOSE: {
		const struct probe_close *r = (const void *)rec;

		if (r->ret == 0)
			table_close(async_table(m, t, &r->async), r->fd);
		break;
	}
	case PROBE_REC_FDOP:
		apply_fdop(t, (const void *)rec);
		break;
	case PROBE_REC_SYSCALL:
		apply_syscall(m, t, (const void *)rec);
		break;
	case PROBE_REC_USE: {
		const struct probe_use *r = (const void *)rec;

		if (r->rflags & PROBE_RF_UNSEEN_SUBMIT)
			break; /* which fd is not known */
		if (r->async.flags & PROBE_ASYNC_FIXED)
			check_fixed(m, async_table(m, t, &r->async), r->fd,
				    &r->inode);
		else if (r->fd >= 0) /* mprotect's: no fd named */
			check_fd(m, t, r->fd, &r->inode);
		break;
	}
	case PROBE_REC_SNAPSHOT:
		apply_snapshot(t, (const void *)rec);
		break;
	case PROBE_REC_FD_ARRIVAL: { /* SCM_RIGHTS: the kernel's file */
		const struct probe_fd_arrival *r = (const void *)rec;

		set_fd(t, r->fd, r->cloexec, true, r->inode.dev, r->inode.ino);
		break;
	}
	}
}

struct model *model_new(void)
{
	struct model *m = xmalloc(sizeof(*m));

	memset(m, 0, sizeof(*m));
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		if (m->tasks[i].tid && m->tasks[i].tid != TOMBSTONE) {
			table_put(m->tasks[i].files);
			fs_put(m->tasks[i].fs);
			free(m->tasks[i].touched);
		}
	for (size_t i = 0; i < m->nrings; i++)
		table_put(m->rings[i].fixed);
	free(m->rings);
	free(m->tasks);
	free(m);
}

bool model_task(struct model *m, __u32 tid, struct model_task *out)
{
	struct task *t = task_find(m, tid);

	if (!t)
		return false;
	out->mm = t->mm;
	out->epoch = t->epoch;
	return true;
}

const char *model_root(struct model *m, __u32 tid)
{
	struct task *t = task_find(m, tid);

	return t && t->fs->root ? t->fs->root : "/";
}

const char *model_cwd(struct model *m, __u32 tid)
{
	struct task *t = task_find(m, tid);

	return t ? t->fs->cwd : NULL;
}

const struct model_stats *model_stats(const struct model *m)
{
	return &m->stats;
}
