/*
 * A libFuzzer target for the readers: each input is a log, as untrusted as
 * a file someone handed over, and every command reads it as it would:
 * info (with --files, and --json), export jsonl --hb, process-tree,
 * prov-json, dot (the whole graph, and around a path), hb-dot, lineage
 * (summary, tree and JSON, both ways), who (text and JSON) and diff (the
 * log with itself).  What they write goes to /dev/null: the fuzzer looks
 * for crashes, hangs, leaks, large allocations and undefined behaviour.
 *
 * make fuzz builds it with ASan and UBSan and runs it from the logs
 * tests/fuzz/seeds.c writes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dataflow.h"
#include "diff.h"
#include "export.h"
#include "info.h"
#include "lineage.h"
#include "log.h"
#include "who.h"

/* Paths a log names that lineage, who and dot --around are asked about. */
#define PATHS_ASKED 3

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

/* Run one exporter on the log at path, as export FORMAT would. */
static void export_one(const char *path,
		       int (*format)(struct log_reader *, FILE *,
				     const struct export_opts *),
		       const struct export_opts *opts)
{
	char err[512];
	struct log_reader *log = log_open(path, err, sizeof(err));

	if (!log)
		return;
	format(log, devnull, opts);
	log_close(log);
}

static void exports(const char *path, const char *around)
{
	static const struct filter none;
	struct export_opts opts = { .hb = true, .filter = &none, .depth = -1,
				    .max_nodes = 1000 };

	export_one(path, export_jsonl, &opts);
	export_one(path, export_process_tree, &opts);
	export_one(path, export_prov_json, &opts);
	export_one(path, export_dot, &opts);
	export_one(path, export_hb_dot, &opts);
	if (around) {
		opts.around = around;
		opts.depth = 2;
		export_one(path, export_dot, &opts);
	}
}

static void infos(const char *path)
{
	static const struct filter none;
	struct info_opts text = { .files = true, .filter = &none };
	struct info_opts json = { .json = true, .filter = &none };

	info_write(path, &text);
	info_write(path, &json);
}

/* lineage and who of one path, every way they answer. */
static void ask_about(struct dataflow *g, const char *path, __u64 start_ns)
{
	static const struct filter none;
	long long root = df_find_path(g, path);

	if (root >= 0) {
		for (int i = 0; i < 6; i++) {
			struct lineage_opts o = { .down = i & 1,
						  .tree = i / 2 == 1,
						  .json = i / 2 == 2,
						  .depth = i == 5 ? 1 : -1,
						  .filter = &none };

			lineage_write(g, root, path, &o, devnull);
		}
	}
	who_write(g, path, start_ns, false, devnull);
	who_write(g, path, start_ns, true, devnull);
}

/* The paths to ask about: the first, the last, and one between, of the
 * files the graph knows; NULL where it knows fewer.  Malloc'ed. */
static void pick_paths(struct dataflow *g, char *paths[PATHS_ASKED])
{
	size_t n, at[PATHS_ASKED];
	const struct df_file *files = df_files(g, &n);

	at[0] = 0;
	at[1] = n / 2;
	at[2] = n ? n - 1 : 0;
	for (int i = 0; i < PATHS_ASKED; i++)
		paths[i] = at[i] < n && files[at[i]].path ?
				   strdup(files[at[i]].path) :
				   NULL;
}

static void queries(const char *path, char *paths[PATHS_ASKED])
{
	char err[512];
	struct log_reader *log = log_open(path, err, sizeof(err));
	struct dataflow *g;

	if (!log)
		return;
	g = dataflow_build(log, err, sizeof(err));
	if (g) {
		pick_paths(g, paths);
		for (int i = 0; i < PATHS_ASKED; i++)
			if (paths[i])
				ask_about(g, paths[i],
					  log_header(log)->start_boottime_ns);
		dataflow_free(g);
	}
	log_close(log);
}

static void diffs(const char *path)
{
	struct diff_opts text = { 0 }, json = { .json = true };
	char err[512];
	struct diff_run *a = diff_load(path, err, sizeof(err)), *b;

	if (!a)
		return;
	b = diff_load(path, err, sizeof(err));
	if (b) {
		diff_write(a, b, &text, devnull);
		diff_write(a, b, &json, devnull);
		diff_run_free(b);
	}
	diff_run_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("log", MFD_CLOEXEC);
	char path[64], *paths[PATHS_ASKED] = { NULL };

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	infos(path);
	queries(path, paths);
	exports(path, paths[0]);
	diffs(path);
	for (int i = 0; i < PATHS_ASKED; i++)
		free(paths[i]);
	close(fd);
	return 0;
}
