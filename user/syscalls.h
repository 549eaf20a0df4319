/*
 * The one table of syscalls: each one's name, how the BPF side reads its
 * arguments (struct probe_sc_layout, handed to it at load), and how the
 * exporters name and show its other arguments.  x86_64 numbers.
 */
#ifndef PROBE_SYSCALLS_H
#define PROBE_SYSCALLS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>

#include "probe_abi.h"

/* How an exporter shows an argument. */
enum arg_format {
	ARG_NONE = 0, /* not shown (a path, an fd, a buffer) */
	ARG_INT, /* a signed int */
	ARG_UINT, /* an unsigned number */
	ARG_MODE, /* a file mode, as a number */
	ARG_AT_FLAGS, /* AT_* names */
	ARG_RENAME_FLAGS, /* RENAME_* names */
	ARG_CLONE_FLAGS, /* CLONE_* names */
	ARG_OPEN_FLAGS, /* O_* names (also SOCK_*, EFD_*, TFD_* CLOEXEC) */
	ARG_HEX, /* a number shown as it is, for masks and types */
	ARG_SIGNAL, /* a signal, by name ("SIGTERM") */
	ARG_FALLOC_FLAGS, /* FALLOC_FL_* names */
};

struct syscall_arg {
	const char *name;
	enum arg_format format;
};

struct syscall_info {
	const char *name;
	struct probe_sc_layout layout;
	struct syscall_arg arg[6];
};

/* The entry for nr, or NULL for a syscall the table lacks. */
const struct syscall_info *syscall_info(uint32_t nr);

/* Whether a syscall that made a new fd made it close-on-exec. */
bool syscall_new_fd_cloexec(const struct probe_syscall *r);

/*
 * Whether a successful syscall of the generic record changed the data of
 * the file it names, as a write does: truncate, ftruncate (to 0: a
 * truncation, which erases it), and an fallocate that punches a hole,
 * zeroes, collapses or inserts a range (one that only allocates, or
 * unshares, changes no byte of content).
 */
bool syscall_writes_data(const struct probe_syscall *r);

/* Whether a use record made by syscall nr is a mapping of its file
 * (mmap, mprotect, pkey_mprotect): a write then goes on, store after
 * store, with no syscall, for as long as the mapping is there. */
bool syscall_maps(uint32_t nr);

/* Fill the BPF side's table (PROBE_NR_SYSCALLS entries). */
void syscall_layouts(struct probe_sc_layout *out);

#endif
