/*
 * A view of the dataflow graph, or of a walk of it, as a person reads it:
 * files a filter hides left out, system files folded into one node per
 * directory, the exec epochs of one process as one node if asked, and
 * edges that repeat between two nodes merged into one with a count.
 * Lineage, its JSON and the DOT export draw from a view.
 */
#ifndef PROBE_VIEW_H
#define PROBE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "dataflow.h"
#include "filter.h"

enum view_kind {
	VIEW_PROCESS, /* df_processes()[i] */
	VIEW_ENTITY, /* df_entities()[i] */
	VIEW_GROUP, /* the files under a directory, folded; or with
		       fold_channels, VIEW_CHANNELS */
};

/* The group of pipes and sockets as they were before the recording wrote
 * to them (view_opts.fold_channels). */
#define VIEW_CHANNELS "pipes and sockets"

struct view_node {
	enum view_kind kind;
	size_t i; /* process or entity; for a group, its first entity */
	char *group; /* a group's directory */
	size_t files; /* a group's files (distinct) */
	unsigned depth; /* from the walk (0 without one) */
};

struct view_edge {
	enum df_relation rel;
	size_t from, to; /* view nodes */
	size_t count; /* dataflow edges merged into it */
	long long op; /* the first one's op */
	__u64 ts_ns;
	unsigned flags; /* the union of theirs */
};

struct view {
	struct view_node *nodes;
	size_t nnodes;
	struct view_edge *edges;
	size_t nedges;
	size_t *of_process, *of_entity; /* df index -> node, or (size_t)-1 */
};

struct view_opts {
	const struct filter *filter;
	bool merge_epochs; /* a process's exec epochs as one node: its last
			      (in the view) stands for the others */
	long long keep; /* an entity shown on its own whatever the filter
			   says (a walk's root), or -1 */
	bool fold_channels; /* version 0 of every pipe and socket (empty,
			       or from outside the recording) as one group,
			       VIEW_CHANNELS */
};

/* A view of the walk w (NULL: of the whole graph). */
void view_build(struct view *v, const struct dataflow *g,
		const struct df_walk *w, const struct view_opts *opts);
void view_free(struct view *v);

/* A process as a person names it: pid, then argv (at most max bytes,
 * then "..."), or "(fork of PID)" before its first exec; into buf. */
void view_process_label(const struct dataflow *g, size_t process, char *buf,
			size_t len, size_t max);
/* The same for a picture: argv[0] by its last component, and an argv
 * longer than max bytes cut in the middle ("gcc -O2 ... -c -o x.o x.c"),
 * whole words kept at both ends, or else cut at its end. */
void view_process_short_label(const struct dataflow *g, size_t process,
			      char *buf, size_t len, size_t max);

struct json;

/* A process's members of a JSON object: pid, epoch, start_ns, and argv
 * and exe where it has them. */
void view_process_json(struct json *j, const struct dataflow *g,
		       size_t process);

#endif
