/*
 * probe-bpf diff: what two recordings of a run did differently, causes
 * first (user/diff_files.c).
 */
#ifndef PROBE_DIFF_H
#define PROBE_DIFF_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>

/* One recording's inputs, outputs and temporaries (user/summary.h). */
struct diff_run;

/* Read the log at log_path; NULL with err filled if it cannot be opened
 * or is corrupt. */
struct diff_run *diff_load(const char *log_path, char *err, size_t errlen);
/* Whether the log had its trailer (its recorder finished). */
bool diff_run_complete(const struct diff_run *run);
/* Records the recording lost, as its trailer counts them (0 without
 * one: an incomplete log says so itself). */
__u64 diff_run_lost(const struct diff_run *run);
/* Its outputs of which the recorder said nothing at the end (recorded
 * with --no-hash, or by a recorder that was killed). */
size_t diff_run_unhashed(const struct diff_run *run);
void diff_run_free(struct diff_run *run);

struct diff_opts {
	bool json; /* one JSON document instead of text */
	char **ignore; /* fnmatch(3) patterns of paths to leave out */
	size_t nignore;
};

/* Write what differs between the runs to out; returns how many files
 * differ. */
size_t diff_write(struct diff_run *r1, struct diff_run *r2,
		  const struct diff_opts *o, FILE *out);

#endif
