/*
 * The model: a replay of the log that knows, at every operation, which
 * file each fd of each task refers to.  One fd table per files_struct,
 * not per process: tasks created with CLONE_FILES share one (the clone
 * record says so from the kernel's pointers), unshare(CLONE_FILES) and
 * close_range(CLOSE_RANGE_UNSHARE) copy it, execve copies a shared one
 * first and then drops its close-on-exec fds (begin_new_exec()), and the
 * last task to let go of a table frees it.
 *
 * The cwd, root and umask likewise, per fs_struct: shared under CLONE_FS,
 * copied by fork and unshare(CLONE_FS), changed by chdir, fchdir, chroot,
 * umask.
 *
 * The kernel tells which file every first read or write used, and where a
 * relative open landed; the model predicted both, and counts whether they
 * agree, so that every recording checks the model.
 */
#ifndef PROBE_MODEL_H
#define PROBE_MODEL_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "probe_abi.h"
#include "records.h"

struct model;

struct model_stats {
	__u64 uses; /* fd uses checked: first reads and writes, fstat... */
	__u64 agree; /* the model's file for the fd was the kernel's */
	__u64 disagree; /* it was another file, or none */
	__u64 unknown; /* the fd was open before the recording saw it */
	/* opens of a bare name relative to the cwd: was the file's
	 * directory the model's cwd (the first one teaches it)?  opens of
	 * an absolute path: did it land below the model's root?  files an
	 * open created: did they get the mode less the model's umask? */
	__u64 fs_checked, fs_agree, fs_disagree;
	__u64 fs_root_checked; /* of fs_checked: opens of absolute paths */
};

struct model *model_new(void);
void model_free(struct model *m);

/* Replay one record (any type; the ones that change no fd are ignored). */
void model_apply(struct model *m, const struct probe_hdr *rec);

const struct model_stats *model_stats(const struct model *m);

/* What the model knows of a task, after the records applied so far. */
struct model_task {
	__u64 mm; /* an id of its address space: equal ids, one memory */
	__u32 epoch; /* execs of its process so far (0 before the first) */
};
bool model_task(struct model *m, __u32 tid, struct model_task *out);

/* A number for an io_uring or AIO context (struct probe_async's ring),
 * 1, 2... in the order the log first names them. */
size_t model_ring(struct model *m, __u64 ring);

/* The task's root directory, from its namespace's root ("/" if unknown):
 * what the absolute paths it passes are relative to. */
const char *model_root(struct model *m, __u32 tid);
/* Its cwd, absolute from the namespace's root, or NULL while the log has
 * not told it. */
const char *model_cwd(struct model *m, __u32 tid);

/*
 * An inode that a path-naming change stamped (struct probe_touch): the
 * model keeps those of each task's syscall in progress until its record.
 */
struct model_touch {
	__u64 dev, ino, parent_ino;
	__u32 gen;
	__u32 mode;
	__u32 nlink; /* the fewest links any of its stamps saw: 0 once the
			syscall removed its last one (filesystems stamp
			before or after they drop the count, some both) */
	char name[256]; /* a name of the inode then; "" for a new one */
};

/*
 * The file that path (as passed to the syscall of r) named, from the
 * inodes the syscall touched: the one touched inode, else the one named
 * like the path's last component (the one inside another touched
 * directory if two are), else the inode the syscall created.  except is
 * skipped (NULL: none), so that rename's path2 does not find the file
 * its path moved.  Call before model_apply(r); NULL if nothing tells.
 */
const struct model_touch *model_touched(struct model *m,
					const struct probe_syscall *r,
					struct bytes path,
					const struct model_touch *except);

#endif
