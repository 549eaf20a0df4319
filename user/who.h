/*
 * probe-bpf who: which processes read, wrote, executed, truncated,
 * renamed or removed the files a path named in a recording
 * (user/who_report.c; the command is user/who.c).
 */
#ifndef PROBE_WHO_H
#define PROBE_WHO_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>

#include "dataflow.h"

/*
 * Write, for each file that path (absolute) named in g, in the order it
 * first named them, what each process did to the file, in log order:
 * as text, or as one JSON object.  start_ns: the recording's start (boot
 * time), times are counted from it.  Returns how many files path named;
 * 0 (nothing written) if it named none.
 */
size_t who_write(const struct dataflow *g, const char *path, __u64 start_ns,
		 bool json, FILE *out);

#endif
