/*
 * probe-bpf diff: the files two recordings read, wrote and executed
 * differently (user/diff_files.c).
 */
#ifndef PROBE_DIFF_H
#define PROBE_DIFF_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>

/* The files one recording read, wrote and executed. */
struct diff_run;

/* Read the log at log_path; NULL with err filled if it cannot be opened
 * or is corrupt. */
struct diff_run *diff_load(const char *log_path, char *err, size_t errlen);
/* Whether the log had its trailer (its recorder finished). */
bool diff_run_complete(const struct diff_run *run);
/* Records the recording lost. */
__u64 diff_run_lost(const struct diff_run *run);
void diff_run_free(struct diff_run *run);

/* Write what differs between the runs, as text or as one JSON document,
 * to out; returns how many files differ. */
size_t diff_write(const struct diff_run *r1, const struct diff_run *r2,
		  bool json, FILE *out);

#endif
