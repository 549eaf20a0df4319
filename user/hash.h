/*
 * The end of a recording: what its inputs and outputs hold.  Once the
 * command has exited and the rings are drained, the recorder reads its
 * own log back (user/summary.h) and, before the trailer, appends a
 * PROBE_REC_HASH record for each output (written by the run and not
 * removed) and each input (read and never written; a system file only if
 * asked), with the file's SHA-256 when the file at the path is the one
 * the log knows and unchanged since the recording saw it
 * (schemas/probe_abi.h says how that is told).
 *
 * It reads nothing but the regular files of the (dev, inode) the log
 * gave, at the paths the log gave, and cannot hang on a FIFO or a device:
 * each path is opened with O_PATH and O_NOFOLLOW first (which neither
 * calls a device's driver nor waits for a FIFO's writer, nor follows a
 * last symbolic link), checked with fstat(2), and only then reopened for
 * reading, through /proc/self/fd, with O_NONBLOCK.  Pseudo-files (/proc,
 * /sys, /dev) are never read.
 */
#ifndef PROBE_HASH_H
#define PROBE_HASH_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define HASH_MAX_SIZE_DEFAULT (1ULL << 30)

struct hash_opts {
	bool system; /* hash inputs that are system files too */
	uint64_t max_size; /* a larger file is not hashed */
	/* asked between two files: true ends the hashing there */
	bool (*interrupted)(void *ctx);
	void *ctx;
};

struct hash_stats {
	size_t records; /* appended */
	size_t hashed; /* of them, with a hash */
	__u64 bytes; /* hashed */
	bool interrupted;
};

/*
 * Append the records for the log that w writes (everything appended
 * flushed, no trailer yet), read back from log_path; end_boot_ns is the
 * end of the recording (boot time).  Returns 0, or -1 with the error
 * printed if the log could not be read back.
 */
int hash_files(const char *log_path, struct log_writer *w, __u64 end_boot_ns,
	       const struct hash_opts *o, struct hash_stats *st);

#endif
