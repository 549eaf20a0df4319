/* probe-bpf info: what a log holds, in a few lines or as JSON. */
#ifndef PROBE_INFO_H
#define PROBE_INFO_H

#include <stdbool.h>

#include "filter.h"

struct info_opts {
	bool files; /* the inputs, outputs and temporaries one by one */
	bool json; /* all of it as one JSON object */
	const struct filter *filter; /* which files are shown, folded how */
};

/* The summary of the log at path on standard output: 0, or -1 with the
 * error said (a log that cannot be read, or is corrupt). */
int info_write(const char *path, const struct info_opts *o);

#endif
