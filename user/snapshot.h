/*
 * What a process that was already running had when recording started:
 * its open fds, exe and cwd, read from /proc and written to the log as
 * PROBE_REC_SNAPSHOT records, so that its later operations resolve.
 */
#ifndef PROBE_SNAPSHOT_H
#define PROBE_SNAPSHOT_H

#include <linux/types.h>

#include "log.h"

/* Append pid's snapshot records stamped ts_ns; returns how many. */
unsigned snapshot_process(struct log_writer *w, __u32 pid, __u64 ts_ns);

#endif
