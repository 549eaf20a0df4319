/*
 * The one table of syscall, flag, errno and signal names, used by every
 * exporter.  Values are x86_64 Linux's.
 */
#ifndef PROBE_NAMES_H
#define PROBE_NAMES_H

#include <stdint.h>

struct flag_name {
	uint64_t bit;
	const char *name;
};

/* Tables of single-bit flags, ended by a { 0, NULL } entry. */
extern const struct flag_name open_flag_names[];
extern const struct flag_name clone_flag_names[];
extern const struct flag_name prot_flag_names[];
extern const struct flag_name map_flag_names[];
extern const struct flag_name close_range_flag_names[];
extern const struct flag_name at_flag_names[];
extern const struct flag_name rename_flag_names[];
extern const struct flag_name futex_flag_names[];
extern const struct flag_name falloc_flag_names[];

/* "FUTEX_WAIT" for 0 (futex(2)'s op without its flags); NULL if unknown. */
const char *futex_cmd_name(uint64_t cmd);

/* "F_SETFD" for 2; NULL if unknown. */
const char *fcntl_cmd_name(uint64_t cmd);

/* "IORING_OP_READ" for 22; NULL if unknown. */
const char *io_uring_op_name(uint64_t opcode);
/* "IOCB_CMD_PREAD" for 0 (Linux AIO); NULL if unknown. */
const char *aio_cmd_name(uint64_t cmd);

/* "openat" for SYS_openat; NULL for a number the table lacks. */
const char *syscall_name(uint32_t nr);
/* "ENOENT" for 2; NULL if unknown. */
const char *errno_name(int err);
/* "SIGKILL" for 9; NULL if unknown. */
const char *signal_name(int sig);

/* The access mode of open flags: "r", "w" or "rw". */
const char *open_access(uint64_t flags);
/* "O_RDONLY", "O_WRONLY" or "O_RDWR" (or NULL for the invalid mode 3). */
const char *open_accmode_name(uint64_t flags);

#endif
