/*
 * The probe log: an append-only file of records.
 *
 *   header    struct probe_log_header, then the target string
 *   records   as the BPF side wrote them (schemas/probe_abi.h), in merged
 *             timestamp order, plus PROBE_REC_LOST where a CPU's sequence
 *             has a gap
 *   trailer   one PROBE_REC_TRAILER record, written when recording ends
 *
 * A log without its trailer is incomplete (its writer was killed): it
 * still reads up to its last whole record.  schemas/log-format.md has the
 * byte layout.
 */
#ifndef PROBE_LOG_H
#define PROBE_LOG_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>

#include "output.h"
#include "probe_abi.h"

#define PROBE_LOG_MAGIC "PROBELOG"
#define PROBE_LOG_VERSION 1
/* No record the BPF side writes is larger; a larger size is corruption. */
#define PROBE_REC_SIZE_MAX (1U << 20)

struct probe_log_header {
	char magic[8];
	__u32 version; /* PROBE_LOG_VERSION */
	__u32 abi_version; /* PROBE_ABI_VERSION of the records */
	__u32 header_size; /* this struct plus target, a multiple of 8 */
	__u32 scope; /* enum probe_scope */
	__u64 start_realtime_ns;
	__u64 start_boottime_ns; /* the records' clock */
	__u32 ncpus;
	__u32 collector_pid;
	__u32 root_pid; /* the command's pid; 0 with --cgroup */
	__u32 target_len; /* bytes of target, NULs included */
	char release[65]; /* uname -r */
	char hostname[65];
	char boot_id[37];
	char pad[1];
	/* target: the command's argv, each NUL-terminated, or the cgroup
	 * directory with its NUL */
	char target[];
};

/* ---- writing ---- */

struct log_writer {
	FILE *f;
	struct output out; /* its file, as made */
	__u64 records;
};

/* Create path as output_create() does (refusing an existing file unless
 * overwrite, never through a symlink, mode 0600) and write the
 * header.  On failure prints one error line and returns NULL. */
struct log_writer *log_create(const char *path, bool overwrite,
			      const struct probe_log_header *hdr,
			      const char *target, __u32 target_len);
/* Append one record as it is (hdr->size bytes). */
int log_append(struct log_writer *w, const struct probe_hdr *rec);
/* Make what was appended reach the file (a reader sees it whole). */
int log_flush(struct log_writer *w);
/* Append the trailer and close; returns 0 or -1 with the error printed. */
int log_finish(struct log_writer *w, struct probe_trailer *trailer);
/* Close a log that can no longer be written (a write failed): no
 * trailer, so that it reads as incomplete; what is unflushed is dropped. */
void log_abandon(struct log_writer *w);

/* ---- reading ---- */

struct log_reader;

enum log_next {
	LOG_RECORD = 1, /* *rec is the next record */
	LOG_END = 0, /* no more records: see log_complete() */
	LOG_ERROR = -1, /* corrupt: log_error() says what */
};

/* Open and check the header; NULL with err filled on any problem. */
struct log_reader *log_open(const char *path, char *err, size_t errlen);
const struct probe_log_header *log_header(const struct log_reader *r);
/* The target string: argv joined by spaces, or the cgroup path. */
const char *log_target(const struct log_reader *r);
enum log_next log_next(struct log_reader *r, const struct probe_hdr **rec);
/* After LOG_END: whether the trailer was there (then log_trailer) and
 * says the recording ended with all it recorded (no
 * PROBE_END_LEFT_RUNNING). */
bool log_complete(const struct log_reader *r);
const struct probe_trailer *log_trailer(const struct log_reader *r);
/* Bytes after the last whole record of an incomplete log. */
__u64 log_torn_bytes(const struct log_reader *r);
const char *log_error(const struct log_reader *r);
void log_close(struct log_reader *r);

#endif
