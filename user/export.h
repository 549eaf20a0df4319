/* The exporters: each reads a log and writes one format. */
#ifndef PROBE_EXPORT_H
#define PROBE_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "dataflow.h"
#include "filter.h"
#include "hb.h"
#include "log.h"

/* Which ops hb-dot draws; zeroed, all of them. */
struct export_window {
	const __u32 *pids; /* only ops of these processes (npids > 0) */
	size_t npids;
	bool by_time; /* only ops from from_ns to to_ns (included) after
			 the recording's start */
	__u64 from_ns, to_ns;
	bool by_op; /* only ops first_op to last_op (included) */
	__u64 first_op, last_op;
};

/* What the exporters are asked; zeroed, the defaults. */
struct export_opts {
	bool hb; /* jsonl: one line per happens-before edge too */
	const struct filter *filter; /* dot: which files, folded how;
					NULL: system files folded */
	const char *around; /* dot: only the lineage (both ways) of the
			       last version of this absolute path */
	int depth; /* with around: at most depth writers away; -1: any */
	struct export_window window; /* hb-dot */
	size_t max_nodes; /* dot, hb-dot: refuse a graph of more nodes
			     (0: no limit) */
};

/* What an exporter returns when it refused, having said why on stderr
 * (a graph too big to draw, a path the log never names): a usage
 * error. */
#define EXPORT_REFUSED (-2)

/* The op of a record as the exports name it: "open", "read", a syscall's
 * name... (the "op" of a jsonl line). */
const char *export_op_name(const struct probe_hdr *h);

/* Returns 0, or -1 if the log turned out corrupt (log_error says how). */
int export_jsonl(struct log_reader *log, FILE *out,
		 const struct export_opts *opts);

/* A log's dataflow graph and its parts, for the exporters that write it. */
struct export_graph {
	struct dataflow *g;
	const struct df_process *procs;
	const struct df_entity *ents;
	const struct df_edge *edges;
	size_t nprocs, nents, nedges;
};

/* Build it (dataflow_free(out->g) frees it): 0, or -1 if the log turned
 * out corrupt (log_error says how). */
int export_graph_build(struct log_reader *log, struct export_graph *out);

/* The dataflow graph as W3C PROV-JSON (user/export_prov.c). */
int export_prov_json(struct log_reader *log, FILE *out,
		     const struct export_opts *opts);
/* The dataflow graph in Graphviz's DOT language, as a person reads it
 * (user/export_dot.c); EXPORT_REFUSED past opts->max_nodes. */
int export_dot(struct log_reader *log, FILE *out,
	       const struct export_opts *opts);
/* The happens-before graph in DOT, its quiet runs of ops collapsed
 * (user/export_hb_dot.c); EXPORT_REFUSED past opts->max_nodes. */
int export_hb_dot(struct log_reader *log, FILE *out,
		  const struct export_opts *opts);
/* Who cloned whom, as indented text (user/export_tree.c). */
int export_process_tree(struct log_reader *log, FILE *out,
			const struct export_opts *opts);

#endif
