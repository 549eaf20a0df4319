/*
 * probe-bpf export dot: the dataflow graph in Graphviz's DOT language,
 * drawn from a view (user/view.h) so that a real build reads at a glance:
 * system files folded into one node per directory (the filter options
 * choose which files and how), one node per process whatever it exec'd,
 * labelled with its pid and its argv cut short, and the edges that repeat
 * between two nodes drawn once with their count.  With around, only the
 * lineage of one file's last version: what it came from and what came
 * from it, at most depth writers away.
 *
 * It reads from left to right: files read -> a process -> files written.
 * Boxes are processes; ellipses files (filled: made while recording;
 * dashed: removed since; bold: the file drawn around); folders the
 * system files of one directory, and the pipes and sockets as they were
 * before any write.  Blue arrows are reads, green the
 * program an exec ran, red writes; dashed grey arrows start a process
 * (clone, exec), dotted ones join a file's versions.  The files under the
 * directory that holds most of them are named by their path from it.
 */
#include "export.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"
#include "idmap.h"
#include "util.h"
#include "view.h"

#define ARGV_MAX 48 /* bytes of argv a process's label shows */
#define LINE_WIDTH 28 /* bytes after which a label breaks its line */
#define TOOLTIP_MAX 1000 /* bytes of argv its tooltip shows */
/* A folded directory used by more processes than this is drawn apart,
 * without its edges: a hub that every compiler reads (the C library's
 * headers, the loader's cache) would cross the whole picture with them,
 * and makes Graphviz route every one of them through every rank. */
#define HUB_USERS 8

struct dot {
	FILE *out;
	struct log_reader *log;
	struct dataflow *g;
	const struct df_process *procs;
	const struct df_entity *ents;
	const struct df_file *files;
	size_t nprocs, nents, nfiles;
	long long root; /* the entity drawn around, or -1 */
	struct df_walk walk;
	struct view view;
	char *home; /* files under it are named from it, or NULL */
	size_t *users; /* by view node: for a group, the nodes it has
			  edges with (0: not a group) */
	size_t *apart; /* by view node: for a process, the uses of
			  groups drawn apart */
};

/* ---- what to draw ---- */

/*
 * The lineage of root both ways: the walk up, and what the walk down
 * adds to it.  A node met by both keeps the smaller depth.
 */
static void walk_around(struct dot *d, int depth)
{
	struct df_walk *w = &d->walk, down;
	size_t nslots = d->nprocs + d->nents, nedges, nodes_cap, edges_cap;
	size_t *slot_at = xmalloc((nslots + 1) * sizeof(*slot_at));
	bool *edge_in;

	df_edges(d->g, &nedges);
	edge_in = xmalloc(nedges + 1);
	memset(edge_in, 0, nedges + 1);
	memset(slot_at, 0xff, (nslots + 1) * sizeof(*slot_at));
	df_walk(d->g, d->root, false, depth, w);
	df_walk(d->g, d->root, true, depth, &down);
	nodes_cap = w->nnodes;
	edges_cap = w->nedges;
	for (size_t i = 0; i < w->nnodes; i++) {
		struct df_node n = w->nodes[i];

		slot_at[n.process ? n.i : d->nprocs + n.i] = i;
	}
	for (size_t k = 0; k < w->nedges; k++)
		edge_in[w->edges[k]] = true;
	for (size_t i = 0; i < down.nnodes; i++) {
		struct df_node n = down.nodes[i];
		size_t *at = &slot_at[n.process ? n.i : d->nprocs + n.i];

		if (*at != (size_t)-1) {
			if (down.depth[i] < w->depth[*at])
				w->depth[*at] = down.depth[i];
			continue;
		}
		*at = w->nnodes;
		w->nodes = xgrow(w->nodes, &nodes_cap, w->nnodes + 1,
				 sizeof(*w->nodes));
		w->depth = xrealloc(w->depth, nodes_cap * sizeof(*w->depth));
		w->nodes[w->nnodes] = n;
		w->depth[w->nnodes++] = down.depth[i];
	}
	for (size_t k = 0; k < down.nedges; k++) {
		if (edge_in[down.edges[k]])
			continue;
		w->edges = xgrow(w->edges, &edges_cap, w->nedges + 1,
				 sizeof(*w->edges));
		w->edges[w->nedges++] = down.edges[k];
	}
	df_walk_free(&down);
	free(edge_in);
	free(slot_at);
}

static const char *entity_path(const struct dot *d, size_t e)
{
	return d->ents[e].anonymous ? NULL : d->ents[e].path;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The length of the directory a and b both lie under ("/a/b" of
 * "/a/b/x" and "/a/b/y"), 0 for the root. */
static size_t common_dir(const char *a, const char *b)
{
	size_t same = 0, dir = 0;

	while (a[same] && a[same] == b[same])
		same++;
	for (size_t j = 0; j < same; j++)
		if (a[j] == '/')
			dir = j;
	return dir;
}

/*
 * The directory that holds the most of the files drawn on their own: the
 * deepest that holds at least half of them (and two or more).  Sorted,
 * the paths under one directory make a run, and the directory of a run
 * is the one its first and its last path lie under.
 */
static void choose_home(struct dot *d)
{
	const char **paths = xmalloc((d->view.nnodes + 1) * sizeof(*paths));
	size_t n = 0, distinct = 0, half, best = 0;

	for (size_t i = 0; i < d->view.nnodes; i++) {
		const struct view_node *v = &d->view.nodes[i];

		if (v->kind == VIEW_ENTITY && entity_path(d, v->i))
			paths[n++] = entity_path(d, v->i);
	}
	qsort(paths, n, sizeof(*paths), by_string);
	for (size_t i = 0; i < n; i++) /* a file's versions: one path */
		if (!distinct || strcmp(paths[distinct - 1], paths[i]))
			paths[distinct++] = paths[i];
	half = (distinct + 1) / 2 < 2 ? 2 : (distinct + 1) / 2;
	for (size_t i = 0; i + half <= distinct; i++) {
		size_t dir = common_dir(paths[i], paths[i + half - 1]);

		if (dir > best) {
			best = dir;
			free(d->home);
			d->home = xstrndup(paths[i], dir);
		}
	}
	free(paths);
}

static bool is_group(const struct dot *d, size_t n)
{
	return d->view.nodes[n].kind == VIEW_GROUP;
}

/* Whether the group of view node n is drawn apart (a hub). */
static bool is_apart(const struct dot *d, size_t n)
{
	return is_group(d, n) && d->users[n] > HUB_USERS;
}

/* A user of group node: count it once, whether it read, wrote or both. */
static void count_user(struct dot *d, struct idmap *seen, size_t group,
		       size_t user)
{
	if (!is_group(d, group) || idmap_get(seen, group, user) != IDMAP_NONE)
		return;
	idmap_set(seen, group, user, 1);
	d->users[group]++;
}

/* Count each group's users, then each process's uses of the groups drawn
 * apart. */
static void find_hubs(struct dot *d)
{
	const struct view *v = &d->view;
	struct idmap seen = { 0 }; /* (group, user) -> 1 */

	d->users = xmalloc((v->nnodes + 1) * sizeof(*d->users));
	d->apart = xmalloc((v->nnodes + 1) * sizeof(*d->apart));
	memset(d->users, 0, (v->nnodes + 1) * sizeof(*d->users));
	memset(d->apart, 0, (v->nnodes + 1) * sizeof(*d->apart));
	for (size_t k = 0; k < v->nedges; k++) {
		count_user(d, &seen, v->edges[k].from, v->edges[k].to);
		count_user(d, &seen, v->edges[k].to, v->edges[k].from);
	}
	idmap_free(&seen);
	for (size_t k = 0; k < v->nedges; k++) {
		const struct view_edge *e = &v->edges[k];

		if (is_apart(d, e->from))
			d->apart[e->to] += e->count;
		if (is_apart(d, e->to))
			d->apart[e->from] += e->count;
	}
}

/* ---- nodes ---- */

/* How many versions file f has: version 0 (as it was before the
 * recording), and those made while recording. */
static size_t versions_of(const struct df_file *f)
{
	return f->nversions + (f->v0 >= 0);
}

/* A node whose records may be missing (dataflow.h, df_losses()): outlined
 * in red, with class "incomplete" (in SVG too), and said in its label. */
#define INCOMPLETE_ATTRS ", color=\"#cc0000\", penwidth=2, class=\"incomplete\""
#define INCOMPLETE_LABEL "\\n(records may be missing)"

static bool entity_incomplete(const struct dot *d)
{
	return df_losses(d->g)->any;
}

static void process_node(const struct dot *d, size_t n)
{
	const struct view_node *v = &d->view.nodes[n];
	char label[ARGV_MAX + 64], tooltip[TOOLTIP_MAX + 64];

	view_process_short_label(d->g, v->i, label, sizeof(label), ARGV_MAX);
	view_process_label(d->g, v->i, tooltip, sizeof(tooltip),
			   TOOLTIP_MAX);
	bool incomplete = d->procs[v->i].incomplete;

	fprintf(d->out, "n%zu [shape=box, style=filled, fillcolor=\"#eeeeee\"%s, "
			"label=\"",
		n, incomplete ? INCOMPLETE_ATTRS : "");
	dot_text_wrapped(d->out, label, LINE_WIDTH, true);
	if (d->apart[n])
		fprintf(d->out, "\\n+ %zu folded", d->apart[n]);
	if (incomplete)
		fputs(INCOMPLETE_LABEL, d->out);
	fputs("\", tooltip=\"", d->out);
	dot_text_wrapped(d->out, tooltip, SIZE_MAX, true);
	fputs("\"];\n", d->out);
}

static void entity_node(const struct dot *d, size_t n)
{
	const struct view_node *v = &d->view.nodes[n];
	const struct df_entity *e = &d->ents[v->i];
	const struct df_file *f = &d->files[e->file];
	const char *path = e->path, *shown = path;
	size_t home = d->home ? strlen(d->home) : 0;

	fprintf(d->out, "n%zu [shape=ellipse", n);
	if ((long long)v->i == d->root)
		fputs(", style=\"bold,filled\", fillcolor=\"#ffe680\"", d->out);
	else if (e->version && f->removed)
		fputs(", style=\"dashed,filled\", fillcolor=\"#ddeeff\"",
		      d->out);
	else if (e->version)
		fputs(", style=filled, fillcolor=\"#ddeeff\"", d->out);
	else if (f->removed)
		fputs(", style=dashed", d->out);
	if (entity_incomplete(d))
		fputs(INCOMPLETE_ATTRS, d->out);
	fputs(", label=\"", d->out);
	if (path && home && !strncmp(path, d->home, home) &&
	    path[home] == '/')
		shown = path + home + 1;
	if (shown)
		dot_text_wrapped(d->out, shown, LINE_WIDTH, false);
	else
		fprintf(d->out, "inode %llu:%llu",
			(unsigned long long)dev_kernel_to_user(e->dev),
			(unsigned long long)e->ino);
	if (versions_of(f) > 1)
		fprintf(d->out, "\\nversion %u", e->version);
	if (entity_incomplete(d))
		fputs(INCOMPLETE_LABEL, d->out);
	fputs("\", tooltip=\"", d->out);
	if (path)
		dot_text(d->out, path, strlen(path));
	fputs("\"];\n", d->out);
}

static void group_node(const struct dot *d, size_t n)
{
	const struct view_node *v = &d->view.nodes[n];

	fprintf(d->out, "n%zu [shape=folder%s, label=\"", n,
		entity_incomplete(d) ? INCOMPLETE_ATTRS : "");
	if (!strcmp(v->group, VIEW_CHANNELS)) {
		fprintf(d->out, "%zu %s\\nbefore any write", v->files,
			v->files == 1 ? "pipe or socket" : "pipes and sockets");
	} else {
		dot_text_wrapped(d->out, v->group, LINE_WIDTH, false);
		fprintf(d->out, "/\\n%zu file%s", v->files,
			v->files == 1 ? "" : "s");
	}
	if (is_apart(d, n))
		fprintf(d->out, ", %zu users", d->users[n]);
	if (entity_incomplete(d))
		fputs(INCOMPLETE_LABEL, d->out);
	fputs("\"];\n", d->out);
}

/* ---- edges ---- */

static void edge(const struct dot *d, const struct view_edge *e)
{
	static const char *const colours[] = {
		[DF_USED] = "1f5fbf",
		[DF_GENERATED] = "c03020",
		[DF_INFORMED] = "888888",
		[DF_DERIVED] = "888888",
	};
	static const char *const styles[] = {
		[DF_INFORMED] = ", style=dashed",
		[DF_DERIVED] = ", style=dotted",
	};
	bool exec = e->rel == DF_USED && (e->flags & DF_EDGE_EXEC);

	if (is_apart(d, e->from) || is_apart(d, e->to))
		return;
	fprintf(d->out, "n%zu -> n%zu [color=\"#%s\"%s", e->from, e->to,
		exec ? "208040" : colours[e->rel],
		styles[e->rel] ? styles[e->rel] : "");
	/* the count of edges merged: in the label, and the thicker the
	 * more */
	if (e->count > 1)
		fprintf(d->out, ", xlabel=\"%zu\", penwidth=%.1f", e->count,
			1 + log2((double)e->count) / 2);
	fputs("];\n", d->out);
}

/* ---- the graph ---- */

/* What the log lost, in the graph's label. */
static void graph_losses(const struct dot *d)
{
	const struct df_losses *l = df_losses(d->g);

	fprintf(d->out,
		"the log lost records (%" PRIu64 " in sequence gaps, %" PRIu64
		" program runs skipped%s): red outlines mark what may be "
		"incomplete\\l",
		(uint64_t)l->lost, (uint64_t)l->skipped,
		l->cut_short ? ", cut short" : "");
}

static void graph_begin(const struct dot *d)
{
	const char *target = log_target(d->log);

	fputs("digraph dataflow {\n"
	      "graph [rankdir=LR, ranksep=0.3, nodesep=0.08, "
	      "outputorder=edgesfirst, fontname=\"Helvetica\", fontsize=10, "
	      "labelloc=t, labeljust=l, label=\"",
	      d->out);
	dot_text(d->out, target, strlen(target));
	if (d->root >= 0) {
		/* a crafted log can name a file by its inode alone */
		const char *path = d->ents[d->root].path ?
					   d->ents[d->root].path :
					   "a file with no path";

		fputs(": the lineage of ", d->out);
		dot_text(d->out, path, strlen(path));
	}
	fputs("\\lboxes: processes (pid, argv; + N folded: the files it used "
	      "in folders drawn apart); ellipses: files (filled: made while "
	      "recording, dashed: removed since); folders: files folded by "
	      "directory\\l"
	      "arrows: blue read, green executed, red wrote, dashed started, "
	      "dotted next version; a number: that many merged\\l",
	      d->out);
	if (df_losses(d->g)->any)
		graph_losses(d);
	if (d->home) {
		fputs("files under ", d->out);
		dot_text(d->out, d->home, strlen(d->home));
		fputs("/ by their path from there\\l", d->out);
	}
	fputs("\"];\n"
	      "node [fontname=\"Helvetica\", fontsize=9, height=0.2, "
	      "margin=\"0.04,0.02\"];\n"
	      "edge [arrowsize=0.4, penwidth=0.6, fontsize=8, "
	      "fontname=\"Helvetica\"];\n",
	      d->out);
}

static void write_graph(const struct dot *d)
{
	bool apart = false;

	graph_begin(d);
	for (size_t n = 0; n < d->view.nnodes; n++) {
		if (is_apart(d, n)) {
			apart = true;
			continue;
		}
		switch (d->view.nodes[n].kind) {
		case VIEW_PROCESS:
			process_node(d, n);
			break;
		case VIEW_ENTITY:
			entity_node(d, n);
			break;
		case VIEW_GROUP:
			group_node(d, n);
			break;
		}
	}
	if (apart) {
		fprintf(d->out, "subgraph cluster_apart {\nlabel=\"used by "
				"more than %d processes: drawn without "
				"arrows\";\nstyle=dashed;\n",
			HUB_USERS);
		for (size_t n = 0; n < d->view.nnodes; n++)
			if (is_apart(d, n))
				group_node(d, n);
		fputs("}\n", d->out);
	}
	for (size_t k = 0; k < d->view.nedges; k++)
		edge(d, &d->view.edges[k]);
	fputs("}\n", d->out);
}

/* The last version of around, or -1 with the reason said. */
static long long find_root(const struct dot *d, const char *around)
{
	long long root = df_find_path(d->g, around);

	if (root < 0)
		errorf("--around %s: no process of the recording used it",
		       around);
	return root;
}

int export_dot(struct log_reader *log, FILE *out,
	       const struct export_opts *opts)
{
	static const struct filter none;
	struct dot d = { .out = out, .log = log, .root = -1 };
	struct view_opts vo = {
		.filter = opts->filter ? opts->filter : &none,
		.merge_epochs = true,
		.keep = -1,
		.fold_channels = true,
	};
	struct export_graph df;
	int ret = 0;

	if (export_graph_build(log, &df))
		return -1;
	d.g = df.g;
	d.procs = df_processes(d.g, &d.nprocs);
	d.ents = df_entities(d.g, &d.nents);
	d.files = df_files(d.g, &d.nfiles);
	if (opts->around) {
		d.root = vo.keep = find_root(&d, opts->around);
		if (d.root < 0) {
			dataflow_free(d.g);
			return EXPORT_REFUSED;
		}
		walk_around(&d, opts->depth);
	}
	view_build(&d.view, d.g, opts->around ? &d.walk : NULL, &vo);
	if (dot_within_limit("the dataflow graph", d.view.nnodes,
			     opts->max_nodes,
			     "--around PATH and --depth N, --only PREFIX, "
			     "--exclude PREFIX or --fold DIR")) {
		choose_home(&d);
		find_hubs(&d);
		write_graph(&d);
	} else {
		ret = EXPORT_REFUSED;
	}
	free(d.home);
	free(d.users);
	free(d.apart);
	view_free(&d.view);
	df_walk_free(&d.walk);
	dataflow_free(d.g);
	return ret;
}
