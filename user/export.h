/* The exporters: each reads a log and writes one format. */
#ifndef PROBE_EXPORT_H
#define PROBE_EXPORT_H

#include <stdio.h>

#include "log.h"

/* Returns 0, or -1 if the log turned out corrupt (log_error says how). */
int export_jsonl(struct log_reader *log, FILE *out);
/* Who cloned whom, as indented text (user/export_tree.c). */
int export_process_tree(struct log_reader *log, FILE *out);

#endif
