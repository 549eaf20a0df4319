/* probe-bpf lineage: what a file was made from, or what was made from it. */
#ifndef PROBE_LINEAGE_H
#define PROBE_LINEAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dataflow.h"
#include "filter.h"

struct lineage_opts {
	bool down; /* what was made from it (--descendants) */
	bool tree; /* the walk as an indented tree (--tree) */
	bool json; /* its nodes and edges as one JSON object (--json) */
	int depth; /* at most this many writers away; -1: any */
	const struct filter *filter; /* which files are shown, folded how */
};

/*
 * The lineage of entity root of g (the last version of path, as the user
 * named it): by default a summary of its inputs, the processes between
 * and the files made on the way; or the tree or the JSON of o.
 */
void lineage_write(struct dataflow *g, size_t root, const char *path,
		   const struct lineage_opts *o, FILE *out);

#endif
