/*
 * Reading the records of schemas/probe_abi.h safely: a check that a record
 * is whole (its fixed part and every variable part inside its size), and
 * accessors for the variable parts.  The log reader checks every record,
 * so the stages after it can use the accessors without checks of their own.
 */
#ifndef PROBE_RECORDS_H
#define PROBE_RECORDS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "probe_abi.h"

/* A byte string inside a record; len counts no terminating NUL. */
struct bytes {
	const char *p;
	size_t len;
};

/* NULL if rec is whole, else what is wrong with it. */
const char *record_check(const struct probe_hdr *rec);

struct bytes open_path_arg(const struct probe_open *r);
struct bytes open_abs_path(const struct probe_open *r);
struct bytes use_path(const struct probe_use *r);
struct bytes fd_arrival_path(const struct probe_fd_arrival *r);
/* A generic syscall's path arguments as passed, and the absolute paths of
 * the directories they are relative to (base: or the fd's file). */
struct bytes syscall_path(const struct probe_syscall *r);
struct bytes syscall_base(const struct probe_syscall *r);
struct bytes syscall_path2(const struct probe_syscall *r);
struct bytes syscall_base2(const struct probe_syscall *r);
struct bytes snapshot_path(const struct probe_snapshot *r);
struct bytes snapshot_cwd(const struct probe_snapshot *r);
struct bytes snapshot_root(const struct probe_snapshot *r);
struct bytes touch_name(const struct probe_touch *r);
struct bytes hash_path(const struct probe_hash *r);
/* The executable's own path where the exec named it through an fd, or
 * empty (struct probe_exec). */
struct bytes exec_path(const struct probe_exec *r);
struct bytes exec_filename(const struct probe_exec *r);
struct bytes exec_interp(const struct probe_exec *r);
/* What an exec ran, best named: its own path, else the interpreter of a
 * script, else the filename it was given. */
struct bytes exec_program(const struct probe_exec *r);
/* NUL-separated lists, the last NUL counted in len */
struct bytes exec_argv(const struct probe_exec *r);
struct bytes exec_env(const struct probe_exec *r);

/*
 * An absolute path, made with malloc(): rel itself when base is empty;
 * base + "/" + rel when rel is relative; root + rel when it is absolute
 * (root: the task's root, "/" unless it chrooted); base alone when rel is
 * empty (AT_EMPTY_PATH: the dirfd's own file).  Its length in *len.
 */
char *path_join(struct bytes rel, struct bytes base, const char *root,
		size_t *len);

/* path (len bytes) without its "." components and repeated slashes, in
 * place ("/a/./b//c" -> "/a/b/c"; ".." stays: a symbolic link decides
 * where it leads).  Returns the new length. */
size_t path_drop_dots(char *path, size_t len);

/*
 * The name of a file with no path, as the kernel's d_path() gives it:
 * "pipe:[ino]", "socket:[ino]", "anon_inode:[ino]".  Returns its length.
 */
int anon_file_name(const struct probe_inode *ino, char *buf, size_t len);

/* Names of the capture problems in rflags ("path_fault", ...), in bit
 * order, ended by NULL. */
extern const char *const rflag_names[];

#endif
