/*
 * What a process that was already running had when recording started:
 * its open fds, exe and cwd, read from /proc and written to the log as
 * PROBE_REC_SNAPSHOT records, so that its later operations resolve.
 */
#ifndef PROBE_SNAPSHOT_H
#define PROBE_SNAPSHOT_H

#include <linux/types.h>

#include "log.h"

/*
 * Append pid's snapshot records stamped ts_ns, if pidfd (opened on pid)
 * shows once they are read that pid was still its process: returns how
 * many, 0 if it was gone (its pid may be another process's by then), -1
 * if /proc would not show its fds (that needs CAP_SYS_PTRACE and
 * CAP_DAC_READ_SEARCH for another user's process).
 */
int snapshot_process(struct log_writer *w, __u32 pid, int pidfd,
		     __u64 ts_ns);

#endif
