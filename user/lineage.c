/*
 * probe-bpf lineage LOG PATH: what the last version of PATH was made from
 * (or, with --descendants, what was made from it), as the content went
 * (df_walk(): a process's reads count for what it wrote after them).
 *
 * By default a summary: the inputs (files as they were before the
 * recording), the processes between them and PATH, each once, and the
 * files made on the way.  --tree prints the walk as an indented tree,
 * --json its nodes and edges.  The filter options fold and hide files in
 * all three.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dataflow.h"
#include "filter.h"
#include "idmap.h"
#include "json.h"
#include "lineage.h"
#include "text.h"
#include "util.h"
#include "view.h"

#define NONE ((size_t)-1)
#define LABEL_MAX 120 /* bytes of argv a process line shows */

struct lineage {
	struct dataflow *g;
	const struct df_process *procs;
	const struct df_entity *ents;
	const struct df_file *files;
	const struct df_edge *edges;
	size_t nprocs, nents, nfiles, nedges;
	size_t root; /* entity */
	bool down;
	struct df_walk walk;
	struct view view;
	bool *between; /* by view node: a process that used or wrote a
			  file of the walk */
	FILE *out;
};

/* ---- what a node is ---- */

/* Whether entity e is an input: a file as it was before the recording. */
static bool is_input(const struct lineage *l, size_t e)
{
	return l->ents[e].version == 0;
}

/* Whether view node n holds an input (a group: any of its files). */
static bool node_is_input(const struct lineage *l, size_t n)
{
	const struct view_node *v = &l->view.nodes[n];

	if (v->kind == VIEW_ENTITY)
		return is_input(l, v->i);
	if (v->kind != VIEW_GROUP)
		return false;
	for (size_t i = 0; i < l->walk.nnodes; i++) {
		struct df_node d = l->walk.nodes[i];

		if (!d.process && l->view.of_entity[d.i] == n &&
		    is_input(l, d.i))
			return true;
	}
	return false;
}

/* A path as a recorded program chose it: quoted, one line (text.h). */
static void print_path(FILE *out, const char *path)
{
	if (path)
		shell_quote(out, path, strlen(path));
	else
		fputs("(no path)", out);
}

/* One line's worth of node n: a process, a file version, a group. */
static void print_node(const struct lineage *l, size_t n, bool version)
{
	const struct view_node *v = &l->view.nodes[n];
	char label[LABEL_MAX + 64];

	switch (v->kind) {
	case VIEW_PROCESS:
		view_process_label(l->g, v->i, label, sizeof(label),
				   LABEL_MAX);
		fputs(label, l->out);
		break;
	case VIEW_GROUP:
		print_path(l->out, v->group);
		fprintf(l->out, "/ (%zu file%s)", v->files,
			v->files == 1 ? "" : "s");
		break;
	case VIEW_ENTITY: {
		const struct df_entity *e = &l->ents[v->i];
		const struct df_file *f = &l->files[e->file];

		print_path(l->out, e->path);
		if (version && e->version)
			fprintf(l->out, " (version %u)", e->version);
		else if (e->version == 0 && f->nversions)
			fputs(" (as it was before the recording)", l->out);
		if (e->anonymous && e->version == 0)
			fputs(" (from outside the recording)", l->out);
		if (!e->version && !version)
			break;
		if (f->removed && e->file != l->ents[l->root].file)
			fputs(" (removed)", l->out);
		break;
	}
	}
}

/* ---- the summary ---- */

static int by_path(const void *a, const void *b, void *arg)
{
	const struct lineage *l = arg;
	const struct view_node *x = &l->view.nodes[*(const size_t *)a];
	const struct view_node *y = &l->view.nodes[*(const size_t *)b];
	const char *px = x->kind == VIEW_GROUP ? x->group : l->ents[x->i].path;
	const char *py = y->kind == VIEW_GROUP ? y->group : l->ents[y->i].path;

	return strcmp(px ? px : "", py ? py : "");
}

static int by_start(const void *a, const void *b, void *arg)
{
	const struct lineage *l = arg;
	const struct df_process *x = &l->procs[l->view.nodes[*(const size_t *)a].i];
	const struct df_process *y = &l->procs[l->view.nodes[*(const size_t *)b].i];

	return (x->begin_ns > y->begin_ns) - (x->begin_ns < y->begin_ns);
}

/* The view nodes that pass keep(), sorted by cmp; *n of them. */
static size_t *select_nodes(const struct lineage *l,
			    bool (*keep)(const struct lineage *, size_t),
			    int (*cmp)(const void *, const void *, void *),
			    size_t *n)
{
	size_t *v = xmalloc((l->view.nnodes + 1) * sizeof(*v));
	struct idmap files = { 0 }; /* listed already */

	*n = 0;
	for (size_t i = 0; i < l->view.nnodes; i++) {
		const struct view_node *node = &l->view.nodes[i];

		if (!keep(l, i))
			continue;
		/* one line per file, not per version */
		if (node->kind == VIEW_ENTITY) {
			size_t file = l->ents[node->i].file;

			if (idmap_get(&files, file, 0) != IDMAP_NONE)
				continue;
			idmap_set(&files, file, 0, 1);
		}
		v[(*n)++] = i;
	}
	idmap_free(&files);
	qsort_r(v, *n, sizeof(*v), cmp, (void *)l);
	return v;
}

static bool keep_input(const struct lineage *l, size_t n)
{
	return n != l->view.of_entity[l->root] && node_is_input(l, n);
}

static bool keep_process(const struct lineage *l, size_t n)
{
	return l->view.nodes[n].kind == VIEW_PROCESS && l->between[n];
}

/*
 * The processes a summary names: those that used a file of the walk or
 * wrote one.  A clone that only passed on its parent's memory (a vfork
 * child before its exec) added nothing and is left out.
 */
static void find_between(struct lineage *l)
{
	const struct view *v = &l->view;

	l->between = xmalloc(v->nnodes + 1);
	memset(l->between, 0, v->nnodes + 1);
	for (size_t k = 0; k < v->nedges; k++) {
		const struct view_edge *e = &v->edges[k];

		if (e->rel == DF_USED)
			l->between[e->to] = true;
		else if (e->rel == DF_GENERATED)
			l->between[e->from] = true;
	}
}

/* A file version made while recording, other than the root's file. */
static bool keep_made(const struct lineage *l, size_t n)
{
	const struct view_node *v = &l->view.nodes[n];

	return v->kind == VIEW_ENTITY && l->ents[v->i].version &&
	       l->ents[v->i].file != l->ents[l->root].file;
}

static void print_list(const struct lineage *l, const char *title,
		       const size_t *v, size_t n)
{
	if (!n)
		return;
	fprintf(l->out, "\n%s:\n", title);
	for (size_t i = 0; i < n; i++) {
		fputs("  ", l->out);
		print_node(l, v[i], false);
		fputc('\n', l->out);
	}
}

static void print_summary(struct lineage *l, const char *path)
{
	const struct df_entity *root = &l->ents[l->root];
	const struct df_file *file = &l->files[root->file];
	size_t ninputs, nprocs, nmade;
	size_t *inputs = select_nodes(l, keep_input, by_path, &ninputs);
	size_t *procs = select_nodes(l, keep_process, by_start, &nprocs);
	size_t *made = select_nodes(l, keep_made, by_path, &nmade);

	print_path(l->out, path);
	if (root->version)
		fprintf(l->out, " (version %u)", root->version);
	if (!l->down && !root->version) {
		fputs(" is an input: the recording read it and never wrote "
		      "it.\n",
		      l->out);
		goto out;
	}
	if (!l->down && !root->written) {
		char label[LABEL_MAX + 64];

		/* the walk stops at a truncation: its process is in no
		 * view node */
		view_process_label(l->g, root->generated_by, label,
				   sizeof(label), LABEL_MAX);
		fprintf(l->out, ": emptied by %s and not written since: "
				"nothing in it came from another file.\n",
			label);
		goto out;
	}
	if (l->down)
		fprintf(l->out, ": read by %zu process%s; %zu file%s made from "
				"it\n",
			nprocs, nprocs == 1 ? "" : "es", nmade,
			nmade == 1 ? "" : "s");
	else
		fprintf(l->out, ": made by %zu process%s from %zu input%s%s\n",
			nprocs, nprocs == 1 ? "" : "es", ninputs,
			ninputs == 1 ? "" : "s",
			file->removed ? " (removed since)" : "");
	if (l->down) {
		print_list(l, "files made from it", made, nmade);
		print_list(l, "processes", procs, nprocs);
	} else {
		print_list(l, "inputs", inputs, ninputs);
		print_list(l, "processes", procs, nprocs);
		print_list(l, "made on the way", made, nmade);
	}
out:
	free(inputs);
	free(procs);
	free(made);
}

/* ---- the tree ---- */

struct tree {
	struct lineage *l;
	size_t *at, *next; /* view nodes a node leads to in the walk */
	bool *seen;
};

static void tree_index(struct tree *t)
{
	const struct view *v = &t->l->view;

	t->at = xmalloc((v->nnodes + 2) * sizeof(*t->at));
	t->next = xmalloc((v->nedges + 1) * sizeof(*t->next));
	memset(t->at, 0, (v->nnodes + 2) * sizeof(*t->at));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < v->nedges; k++) {
			const struct view_edge *e = &v->edges[k];
			size_t src = t->l->down ? e->from : e->to;
			size_t dst = t->l->down ? e->to : e->from;

			if (pass == 0)
				t->at[src + 2]++;
			else
				t->next[t->at[src + 1]++] = dst;
		}
		if (pass == 0)
			for (size_t n = 0; n < v->nnodes; n++)
				t->at[n + 2] += t->at[n + 1];
	}
}

static void tree_walk(struct tree *t, size_t n, int depth)
{
	FILE *out = t->l->out;

	fprintf(out, "%*s", 2 * depth, "");
	print_node(t->l, n, true);
	if (t->l->view.nodes[n].kind == VIEW_ENTITY && !t->l->down &&
	    node_is_input(t->l, n))
		fputs(" [input]", out);
	if (t->seen[n]) {
		fputs(" (see above)\n", out);
		return;
	}
	fputc('\n', out);
	t->seen[n] = true;
	for (size_t k = t->at[n]; k < t->at[n + 1]; k++)
		tree_walk(t, t->next[k], depth + 1);
}

static void print_tree(struct lineage *l)
{
	struct tree t = { .l = l };

	tree_index(&t);
	t.seen = xmalloc(l->view.nnodes + 1);
	memset(t.seen, 0, l->view.nnodes + 1);
	tree_walk(&t, l->view.of_entity[l->root], 0);
	free(t.seen);
	free(t.at);
	free(t.next);
}

/* ---- JSON ---- */

static const char *const relation_names[] = {
	[DF_USED] = "used",
	[DF_GENERATED] = "generated",
	[DF_INFORMED] = "informed",
	[DF_DERIVED] = "derived",
};

static void node_id(const struct lineage *l, size_t n, char *buf, size_t len)
{
	const struct view_node *v = &l->view.nodes[n];

	snprintf(buf, len, "%c%zu",
		 v->kind == VIEW_PROCESS ? 'p' :
		 v->kind == VIEW_ENTITY	 ? 'v' :
					   'g',
		 v->kind == VIEW_GROUP ? n : v->i);
}

/* Any loss may have taken a use or a write of any file: dataflow.h. */
static void json_incomplete_file(const struct lineage *l, struct json *j)
{
	if (df_losses(l->g)->any)
		json_bool(j, "incomplete", true);
}

/* What the log lost, if it lost anything: why nodes say "incomplete". */
static void json_losses(const struct lineage *l, struct json *j)
{
	const struct df_losses *loss = df_losses(l->g);
	struct json o;

	if (!loss->any)
		return;
	json_key(j, "losses");
	json_begin(&o, l->out);
	json_u64(&o, "records", loss->lost);
	json_u64(&o, "skipped_runs", loss->skipped);
	json_bool(&o, "cut_short", loss->cut_short);
	json_close(&o);
}

static void json_node(const struct lineage *l, size_t n)
{
	const struct view_node *v = &l->view.nodes[n];
	char id[32];
	struct json j;

	node_id(l, n, id, sizeof(id));
	json_begin(&j, l->out);
	json_str(&j, "id", id, -1);
	switch (v->kind) {
	case VIEW_PROCESS:
		json_str(&j, "type", "process", -1);
		view_process_json(&j, l->g, v->i);
		break;
	case VIEW_GROUP:
		json_str(&j, "type", "group", -1);
		json_name(&j, "path", v->group, -1);
		json_u64(&j, "files", v->files);
		json_bool(&j, "input", node_is_input(l, n));
		json_incomplete_file(l, &j);
		break;
	case VIEW_ENTITY: {
		const struct df_entity *e = &l->ents[v->i];

		json_str(&j, "type", "file", -1);
		json_name(&j, "path", e->path ? e->path : "", -1);
		json_u64(&j, "dev", dev_kernel_to_user(e->dev));
		json_u64(&j, "ino", e->ino);
		json_u64(&j, "gen", e->gen);
		json_u64(&j, "version", e->version);
		json_bool(&j, "input", is_input(l, v->i));
		json_bool(&j, "removed", l->files[e->file].removed);
		json_incomplete_file(l, &j);
		break;
	}
	}
	json_u64(&j, "depth", v->depth);
	json_close(&j);
}

static void json_edge(const struct lineage *l, const struct view_edge *e)
{
	char from[32], to[32];
	struct json j;

	node_id(l, e->from, from, sizeof(from));
	node_id(l, e->to, to, sizeof(to));
	json_begin(&j, l->out);
	json_str(&j, "kind", relation_names[e->rel], -1);
	json_str(&j, "from", from, -1);
	json_str(&j, "to", to, -1);
	if (e->op >= 0) {
		json_u64(&j, "op", e->op);
		json_u64(&j, "ts_ns", e->ts_ns);
	}
	if (e->count > 1)
		json_u64(&j, "count", e->count);
	if (e->flags & DF_EDGE_EXEC)
		json_bool(&j, "exec", true);
	if (e->flags & DF_EDGE_TRUNCATE)
		json_bool(&j, "truncate", true);
	json_close(&j);
}

static void print_json(struct lineage *l, const char *path)
{
	char id[32];
	size_t ninputs;
	size_t *inputs = select_nodes(l, keep_input, by_path, &ninputs);
	struct json j;
	bool first;

	json_begin(&j, l->out);
	json_name(&j, "path", path, -1);
	json_str(&j, "direction", l->down ? "descendants" : "ancestors", -1);
	node_id(l, l->view.of_entity[l->root], id, sizeof(id));
	json_str(&j, "root", id, -1);
	json_losses(l, &j);
	json_list_begin(&j, "nodes", &first);
	for (size_t n = 0; n < l->view.nnodes; n++) {
		json_sep(l->out, &first);
		json_node(l, n);
	}
	fputc(']', l->out);
	json_list_begin(&j, "edges", &first);
	for (size_t k = 0; k < l->view.nedges; k++) {
		json_sep(l->out, &first);
		json_edge(l, &l->view.edges[k]);
	}
	fputc(']', l->out);
	/* the inputs' ids, by path; then files and processes as lists of
	 * their own, the view's entities and processes but the root */
	json_list_begin(&j, "inputs", &first);
	for (size_t i = 0; i < ninputs; i++) {
		json_sep(l->out, &first);
		node_id(l, inputs[i], id, sizeof(id));
		json_string(l->out, id, strlen(id));
	}
	fputc(']', l->out);
	json_list_begin(&j, "files", &first);
	for (size_t n = 0; n < l->view.nnodes; n++) {
		const struct view_node *v = &l->view.nodes[n];
		const struct df_entity *e = &l->ents[v->i];
		struct json f;

		if (v->kind != VIEW_ENTITY || v->i == l->root)
			continue;
		json_sep(l->out, &first);
		json_begin(&f, l->out);
		json_name(&f, "path", e->path ? e->path : "", -1);
		json_u64(&f, "dev", dev_kernel_to_user(e->dev));
		json_u64(&f, "ino", e->ino);
		json_u64(&f, "version", e->version);
		json_incomplete_file(l, &f);
		json_close(&f);
	}
	fputc(']', l->out);
	json_list_begin(&j, "processes", &first);
	for (size_t n = 0; n < l->view.nnodes; n++) {
		const struct view_node *v = &l->view.nodes[n];
		struct json f;

		if (v->kind != VIEW_PROCESS)
			continue;
		json_sep(l->out, &first);
		json_begin(&f, l->out);
		view_process_json(&f, l->g, v->i);
		json_close(&f);
	}
	fputc(']', l->out);
	json_end(&j);
	free(inputs);
}

/* ---- the command ---- */

static void usage(FILE *f)
{
	fputs("usage: probe-bpf lineage [OPTION...] LOG PATH\n"
	      "\n"
	      "What the last version of PATH (absolute, or relative to the\n"
	      "current directory) was made from in LOG: the inputs (files as\n"
	      "they were before the recording), the processes between them\n"
	      "and PATH, and the files made on the way, each once.  A\n"
	      "process's reads count for what it wrote after them, not\n"
	      "before; a truncation ends what a file held.\n"
	      "\n"
	      "options:\n"
	      "      --descendants  what was made from PATH instead\n"
	      "      --tree         the whole walk as an indented tree, each\n"
	      "                     node under what depends on it\n"
	      "      --json         its nodes and edges as one JSON object\n"
	      "      --depth N      at most N writers away from PATH\n",
	      f);
	filter_usage(f);
	fputs("  -h, --help         show this help\n", f);
}

static int parse_depth(const char *s)
{
	uint64_t v;

	if (!parse_uint(s, INT_MAX, &v))
		die(EXIT_USAGE, "--depth wants a number of 0 or more, not '%s'",
		    s);
	return v;
}

void lineage_write(struct dataflow *g, size_t root, const char *path,
		   const struct lineage_opts *o, FILE *out)
{
	struct lineage l = { .g = g, .root = root, .down = o->down,
			     .out = out };
	struct view_opts vo = { .filter = o->filter, .keep = root };

	l.procs = df_processes(g, &l.nprocs);
	l.ents = df_entities(g, &l.nents);
	l.files = df_files(g, &l.nfiles);
	l.edges = df_edges(g, &l.nedges);
	df_walk(g, root, o->down, o->depth, &l.walk);
	/* the summary names each process once, whatever it exec'd */
	vo.merge_epochs = !o->json && !o->tree;
	view_build(&l.view, g, &l.walk, &vo);
	find_between(&l);
	if (o->json)
		print_json(&l, path);
	else if (o->tree)
		print_tree(&l);
	else
		print_summary(&l, path);
	free(l.between);
	view_free(&l.view);
	df_walk_free(&l.walk);
}

int cmd_lineage(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "descendants", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "tree", no_argument, NULL, 't' },
		{ "depth", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct filter filter = { 0 };
	struct lineage_opts o = { .filter = &filter, .depth = -1 };
	struct log_reader *log;
	struct dataflow *g;
	char *path;
	int c;
	long long root;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.down = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 't':
			o.tree = true;
			break;
		case 'D':
			o.depth = parse_depth(optarg);
			break;
		default:
			if (!filter_option(&filter, c, optarg))
				return cli_other_option(c, argv, "lineage", usage);
		}
	}
	if (argc - optind != 2)
		die(EXIT_USAGE, "lineage needs a LOG and a PATH (see "
				"'probe-bpf lineage --help')");
	if (o.json && o.tree)
		die(EXIT_USAGE, "--json and --tree: choose one");
	g = cli_dataflow(argv[optind], "the lineage of what it holds", &log);
	path = absolute_path(argv[optind + 1]);
	root = df_find_path(g, path);
	if (root < 0)
		errorf("%s: no process of the recording used %s", argv[optind],
		       path);
	else
		lineage_write(g, root, path, &o, stdout);
	filter_free(&filter);
	free(path);
	dataflow_free(g);
	log_close(log);
	if (root < 0)
		return EXIT_USAGE;
	if (fflush(stdout) || ferror(stdout))
		die(EXIT_USAGE, "cannot write the lineage: %s",
		    strerror(errno));
	return 0;
}
