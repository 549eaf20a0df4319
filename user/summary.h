/*
 * A run's files as a person asks about them after a build: what it read,
 * what it made and what it threw away.  From the dataflow graph (a file is
 * the kernel's (dev, ino, gen)) and from what the recorder found of each
 * file when recording ended (PROBE_REC_HASH):
 *
 *   input      read or executed by the run, and never written or created
 *   output     written or created by the run, and there at the end
 *   temporary  written or created by the run, then removed (its last link
 *              unlinked or renamed over), or gone at the end
 *
 * Only regular files with a path are files here: pipes, sockets, devices
 * and directories are not.  info lists them, diff compares them, and the
 * recorder hashes the inputs and outputs.
 */
#ifndef PROBE_SUMMARY_H
#define PROBE_SUMMARY_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "dataflow.h"
#include "filter.h"

enum summary_role {
	SUMMARY_INPUT,
	SUMMARY_OUTPUT,
	SUMMARY_TEMPORARY,
	SUMMARY_NROLES,
};

/* "inputs", "outputs", "temporaries" */
extern const char *const summary_role_names[SUMMARY_NROLES];

struct summary_file {
	enum summary_role role;
	const char *path; /* the last path the log gave it */
	const struct df_file *file;
	/* the file as the recording saw it last: for an input, the
	 * version it read (size, mtime); NULL if none */
	const struct df_entity *seen;
};

struct summary {
	struct summary_file *files; /* by role, then by path */
	size_t n;
	size_t count[SUMMARY_NROLES];
	size_t at[SUMMARY_NROLES]; /* the first of each role */
};

void summary_build(struct summary *s, const struct dataflow *g);
void summary_free(struct summary *s);

/* The file's content hash, if the recorder took one at the end. */
const __u8 *summary_sha256(const struct summary_file *f);
/* A hash as 64 hex digits and a NUL. */
void summary_sha256_hex(const __u8 *sha256, char out[65]);

/* What the recorder found of a file at the end (enum probe_hash_status):
 * a name for JSON ("hashed", "changed"...) and a phrase for a person. */
const char *summary_end_name(const struct probe_hash *end);
const char *summary_end_phrase(const struct probe_hash *end);

/* One line of a list: a file, or the files of a role folded into one
 * directory (filter_group()). */
struct summary_entry {
	const struct summary_file *file; /* NULL for a folded directory */
	char *dir; /* a folded directory */
	size_t files; /* its files */
};

/*
 * The files of role as filter f shows them, by path: those it hides left
 * out, each folded directory once, where its first file was.  Free with
 * summary_entries_free().
 */
struct summary_entry *summary_entries(const struct summary *s,
				      enum summary_role role,
				      const struct filter *f, size_t *n);
void summary_entries_free(struct summary_entry *v, size_t n);

#endif
