/*
 * probe-bpf lineage LOG PATH: what the last version of PATH depends on
 * (or, with --descendants, what depends on it), along the dataflow graph.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dataflow.h"
#include "json.h"
#include "util.h"

/* A node of the walk: a process or an entity. */
struct node {
	bool process;
	size_t i;
};

struct walk {
	const struct dataflow *g;
	const struct df_process *procs;
	const struct df_entity *ents;
	const struct df_edge *edges;
	size_t nprocs, nents, nedges;
	bool down; /* --descendants */
	bool *seen_proc, *seen_ent;
	/* the edges in the walk's direction, by node: processes first, then
	 * entities; next[at[k]..at[k + 1]) */
	size_t *at;
	struct node *next;
	FILE *out;
};

static size_t slot(const struct walk *w, struct node n)
{
	return n.process ? n.i : w->nprocs + n.i;
}

/* Index the edges by the node a walk leaves them from. */
static void index_edges(struct walk *w)
{
	size_t nodes = w->nprocs + w->nents;

	w->at = xmalloc((nodes + 2) * sizeof(*w->at));
	w->next = xmalloc((w->nedges + 1) * sizeof(*w->next));
	memset(w->at, 0, (nodes + 2) * sizeof(*w->at));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < w->nedges; k++) {
			const struct df_edge *e = &w->edges[k];
			/* each relation: is from a process, is to one */
			bool from_p = e->rel == DF_GENERATED ||
				      e->rel == DF_INFORMED;
			bool to_p = e->rel == DF_USED || e->rel == DF_INFORMED;
			struct node src = { from_p, e->from };
			struct node dst = { to_p, e->to };

			if (!w->down) { /* against the edges */
				struct node t = src;

				src = dst;
				dst = t;
			}
			if (pass == 0)
				w->at[slot(w, src) + 2]++;
			else
				w->next[w->at[slot(w, src) + 1]++] = dst;
		}
		if (pass == 0)
			for (size_t v = 0; v < nodes; v++)
				w->at[v + 2] += w->at[v + 1];
	}
}

/* The nodes next to n in the walk's direction. */
static size_t neighbours(const struct walk *w, struct node n,
			 const struct node **out)
{
	size_t v = slot(w, n);

	*out = &w->next[w->at[v]];
	return w->at[v + 1] - w->at[v];
}

static void print_node(const struct walk *w, struct node n, int depth,
		       bool again)
{
	fprintf(w->out, "%*s", 2 * depth, "");
	if (n.process) {
		const struct df_process *p = &w->procs[n.i];

		fprintf(w->out, "process %u", p->pid);
		if (p->argv) {
			fputc(':', w->out);
			for (size_t k = 0; k < p->argv_len;) {
				fprintf(w->out, " %s", p->argv + k);
				k += strlen(p->argv + k) + 1;
			}
		} else {
			fputs(" (before its exec)", w->out);
		}
	} else {
		const struct df_entity *e = &w->ents[n.i];

		fputs(e->path ? e->path : "(no path)", w->out);
		if (e->version)
			fprintf(w->out, " (version %u)", e->version);
	}
	fputs(again ? " (see above)\n" : "\n", w->out);
}

static void walk_tree(struct walk *w, struct node n, int depth)
{
	bool *seen = n.process ? &w->seen_proc[n.i] : &w->seen_ent[n.i];
	const struct node *next;
	size_t count;

	print_node(w, n, depth, *seen);
	if (*seen)
		return;
	*seen = true;
	count = neighbours(w, n, &next);
	for (size_t k = 0; k < count; k++)
		walk_tree(w, next[k], depth + 1);
}

/* Every node reachable, marked in seen_*. */
static void walk_all(struct walk *w, struct node n)
{
	bool *seen = n.process ? &w->seen_proc[n.i] : &w->seen_ent[n.i];
	const struct node *next;
	size_t count;

	if (*seen)
		return;
	*seen = true;
	count = neighbours(w, n, &next);
	for (size_t k = 0; k < count; k++)
		walk_all(w, next[k]);
}

static void print_json(struct walk *w, const char *path, struct node root)
{
	struct json j;

	walk_all(w, root);
	w->seen_ent[root.i] = false; /* the file itself is not in its list */
	json_begin(&j, w->out);
	json_str(&j, "path", path, -1);
	json_str(&j, "direction", w->down ? "descendants" : "ancestors", -1);
	json_key(&j, "files");
	fputc('[', w->out);
	for (size_t i = 0, first = 1; i < w->nents; i++) {
		const struct df_entity *e = &w->ents[i];
		struct json f;

		if (!w->seen_ent[i])
			continue;
		if (!first)
			fputc(',', w->out);
		first = 0;
		json_begin(&f, w->out);
		json_str(&f, "path", e->path ? e->path : "", -1);
		json_u64(&f, "dev", dev_kernel_to_user(e->dev));
		json_u64(&f, "ino", e->ino);
		json_u64(&f, "version", e->version);
		json_close(&f);
	}
	fputc(']', w->out);
	json_key(&j, "processes");
	fputc('[', w->out);
	for (size_t i = 0, first = 1; i < w->nprocs; i++) {
		const struct df_process *p = &w->procs[i];
		struct json f;

		if (!w->seen_proc[i])
			continue;
		if (!first)
			fputc(',', w->out);
		first = 0;
		json_begin(&f, w->out);
		json_u64(&f, "pid", p->pid);
		json_u64(&f, "epoch", p->epoch);
		json_u64(&f, "start_ns", p->start_ns);
		if (p->argv)
			json_strv(&f, "argv", p->argv, p->argv_len);
		json_close(&f);
	}
	fputc(']', w->out);
	json_end(&j);
}

/* PATH as the log names files: absolute, symlinks resolved if it exists. */
static char *absolute(const char *path)
{
	char buf[PATH_MAX], *abs;

	if (realpath(path, buf))
		return xstrdup(buf);
	if (path[0] == '/' || !getcwd(buf, sizeof(buf)))
		return xstrdup(path);
	abs = xmalloc(strlen(buf) + strlen(path) + 2);
	sprintf(abs, "%s/%s", buf, path);
	return abs;
}

static void usage(FILE *f)
{
	fputs("usage: probe-bpf lineage [--descendants] [--json] LOG PATH\n"
	      "\n"
	      "What the last version of PATH (absolute, or relative to the\n"
	      "current directory) depends on in LOG, transitively: the\n"
	      "processes that wrote it and the file versions they read, the\n"
	      "processes that started them; one per line, indented under what\n"
	      "depends on it.  A node met again is marked (see above).\n"
	      "\n"
	      "options:\n"
	      "      --descendants  what was derived from PATH instead\n"
	      "      --json         the files and processes as one JSON object\n"
	      "  -h, --help         show this help\n",
	      f);
}

int cmd_lineage(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "descendants", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct walk w = { .out = stdout };
	struct log_reader *log;
	struct dataflow *g;
	bool as_json = false;
	char err[512], *path;
	long long root;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			w.down = true;
			break;
		case 'j':
			as_json = true;
			break;
		default:
			return cli_other_option(c, "lineage", usage);
		}
	}
	if (argc - optind != 2)
		die(EXIT_USAGE, "lineage needs a LOG and a PATH (see "
				"'probe-bpf lineage --help')");
	log = log_open(argv[optind], err, sizeof(err));
	if (!log)
		die(EXIT_USAGE, "%s", err);
	g = dataflow_build(log, err, sizeof(err));
	if (!g)
		die(EXIT_USAGE, "%s: %s", argv[optind], err);
	if (!log_complete(log))
		errorf("warning: %s is incomplete (its recorder stopped before "
		       "the end): the lineage of what it holds",
		       argv[optind]);
	path = absolute(argv[optind + 1]);
	root = df_find_path(g, path);
	if (root < 0)
		die(EXIT_USAGE, "%s: no process of the recording used %s",
		    argv[optind], path);
	w.g = g;
	w.procs = df_processes(g, &w.nprocs);
	w.ents = df_entities(g, &w.nents);
	w.edges = df_edges(g, &w.nedges);
	w.seen_proc = xmalloc(w.nprocs + 1);
	w.seen_ent = xmalloc(w.nents + 1);
	memset(w.seen_proc, 0, w.nprocs + 1);
	memset(w.seen_ent, 0, w.nents + 1);
	index_edges(&w);
	if (as_json)
		print_json(&w, path, (struct node){ false, root });
	else
		walk_tree(&w, (struct node){ false, root }, 0);
	free(w.seen_proc);
	free(w.seen_ent);
	free(w.at);
	free(w.next);
	free(path);
	dataflow_free(g);
	log_close(log);
	if (fflush(stdout) || ferror(stdout))
		die(EXIT_USAGE, "cannot write the lineage: %s",
		    strerror(errno));
	return 0;
}
