/* The exporters: each reads a log and writes one format. */
#ifndef PROBE_EXPORT_H
#define PROBE_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "dataflow.h"
#include "hb.h"
#include "log.h"

struct export_opts {
	bool hb; /* jsonl: one line per happens-before edge too */
};

/* The op of a record as the exports name it: "open", "read", a syscall's
 * name... (the "op" of a jsonl line). */
const char *export_op_name(const struct probe_hdr *h);
/* One argument, quoted as sh(1) would read it back: as it is, in '...',
 * or in $'...' if it holds control bytes (so that a line is a line). */
void export_shell_arg(FILE *out, const char *s, size_t len);

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
/* The dataflow graph and the happens-before graph in Graphviz's DOT
 * language (user/export_dot.c). */
int export_dot(struct log_reader *log, FILE *out,
	       const struct export_opts *opts);
int export_hb_dot(struct log_reader *log, FILE *out,
		  const struct export_opts *opts);
/* Who cloned whom, as indented text (user/export_tree.c). */
int export_process_tree(struct log_reader *log, FILE *out,
			const struct export_opts *opts);

#endif
