/* The exporters: each reads a log and writes one format. */
#ifndef PROBE_EXPORT_H
#define PROBE_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "hb.h"
#include "log.h"

struct export_opts {
	bool hb; /* jsonl: one line per happens-before edge too */
};

/* Returns 0, or -1 if the log turned out corrupt (log_error says how). */
int export_jsonl(struct log_reader *log, FILE *out,
		 const struct export_opts *opts);

/* Who cloned whom, as indented text (user/export_tree.c). */
int export_process_tree(struct log_reader *log, FILE *out,
			const struct export_opts *opts);

#endif
