/*
 * probe-bpf export hb-dot: the happens-before graph in Graphviz's DOT
 * language, ops by process, so that a real recording can be drawn.
 *
 * A window chooses the ops drawn: those of some processes, those of a
 * span of time from the recording's start, those of a span of op ids
 * (struct export_window).  An op with an edge other than program order
 * (a clone, an exec, a wait...) is a node of its own, labelled with its
 * id (as the jsonl export numbers ops), its op and its tid; each run of
 * consecutive ops of one thread between them, which nothing but program
 * order ties to the rest, is one node: "first-last: N ops", then what
 * they were.  An op outside the window that such an edge ties to one in
 * it is a dashed stub (id, op, pid): where to look next.  Each process is
 * a cluster labelled with its pid and the programs it ran.  Edges are
 * coloured by kind and, but for program order, named; edges that repeat
 * between two nodes are drawn once with their count.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "dot.h"
#include "idmap.h"
#include "records.h"
#include "util.h"

#define NONE ((size_t)-1)
#define SUMMARY_OPS 3 /* kinds of op a run's label names */

/* An op. */
struct hb_op {
	const char *name; /* export_op_name()'s, static */
	__u32 tid;
	size_t process; /* its cluster, or NONE (a loss) */
	__u64 ts_ns;
	size_t node; /* the node it is drawn in, or NONE: not drawn */
};

/* A node: one op, or a run of one thread's ops; or a stub, an op outside
 * the window that an edge from or to the window names. */
struct hb_node {
	size_t first, last; /* op ids */
	size_t ops;
	bool stub;
};

/* A process (a pid until its last thread exits), and the programs it ran,
 * each argv[0] with its NUL. */
struct hb_process {
	__u32 pid;
	char *programs;
	size_t len;
};

/* An edge between nodes, with the count of edges between ops it
 * stands for. */
struct hb_dot_edge {
	size_t from, to;
	enum hb_kind kind;
	size_t count;
};

struct hb_dot {
	const struct export_opts *opts;
	__u64 start_ns; /* the recording's start (boot time) */
	struct hb_op *ops;
	size_t nops, ops_cap;
	struct hb_process *procs;
	size_t nprocs;
	struct idmap process_of; /* pid -> procs[] */
	struct hb_node *nodes;
	size_t nnodes, nodes_cap;
	struct hb_dot_edge *edges;
	size_t nedges, edges_cap;
};

/* ---- the ops ---- */

static void add_program(struct hb_process *proc, const struct probe_exec *r)
{
	struct bytes argv = exec_argv(r);
	size_t n = strnlen(argv.p, argv.len);

	if (!n) { /* argv[0], else the file it executed */
		argv = exec_filename(r);
		n = strnlen(argv.p, argv.len);
	}
	proc->programs = xrealloc(proc->programs, proc->len + n + 1);
	memcpy(proc->programs + proc->len, argv.p, n);
	proc->programs[proc->len + n] = 0;
	proc->len += n + 1;
}

static size_t process_of(struct hb_dot *d, const struct probe_hdr *h)
{
	size_t p = idmap_get(&d->process_of, h->pid, 0);

	if (h->type == PROBE_REC_LOST)
		return NONE;
	if (p == IDMAP_NONE) {
		d->procs = xrealloc(d->procs,
				    (d->nprocs + 1) * sizeof(*d->procs));
		p = d->nprocs++;
		d->procs[p] = (struct hb_process){ .pid = h->pid };
		idmap_set(&d->process_of, h->pid, 0, p);
	}
	if (h->type == PROBE_REC_EXEC &&
	    ((const struct probe_exec *)h)->ret >= 0)
		add_program(&d->procs[p], (const void *)h);
	/* a later process with the pid is another */
	if (h->type == PROBE_REC_EXIT &&
	    ((const struct probe_exit *)h)->group_dead)
		idmap_set(&d->process_of, h->pid, 0, IDMAP_NONE);
	return p;
}

static void add_op(struct hb_dot *d, const struct probe_hdr *h)
{
	d->ops = xgrow(d->ops, &d->ops_cap, d->nops + 1, sizeof(*d->ops));
	d->ops[d->nops++] = (struct hb_op){
		.name = export_op_name(h),
		.tid = h->tid,
		.process = process_of(d, h),
		.ts_ns = h->ts_ns,
		.node = NONE,
	};
}

/* ---- the window, and the nodes ---- */

static bool in_window(const struct hb_dot *d, size_t id)
{
	const struct export_window *w = &d->opts->window;
	const struct hb_op *op = &d->ops[id];
	bool pid = !w->npids;

	for (size_t i = 0; i < w->npids && !pid; i++)
		pid = op->process != NONE &&
		      d->procs[op->process].pid == w->pids[i];
	if (!pid)
		return false;
	if (w->by_op && (id < w->first_op || id > w->last_op))
		return false;
	if (w->by_time && (op->ts_ns < d->start_ns + w->from_ns ||
			   op->ts_ns - d->start_ns > w->to_ns))
		return false;
	return true;
}

/* Whether an edge ties op id to another op than the one before or after
 * it in program order: a clone, an exec, a wait... */
static bool ties(const struct hb_edge *e, bool from_drawn, bool to_drawn)
{
	return e->kind != HB_PROGRAM_ORDER && (from_drawn || to_drawn);
}

/*
 * Which op a run continues: the op before it in program order, if both
 * are drawn and no other edge ties either of them to an op, drawn or
 * not.  By op: that op, or NONE.
 */
static size_t *find_runs(const struct hb_dot *d, const struct hb_edge *e,
			 size_t n, const bool *drawn)
{
	size_t *continues = xmalloc((d->nops + 1) * sizeof(*continues));
	bool *tied = xmalloc(d->nops + 1);

	memset(tied, 0, d->nops + 1);
	for (size_t i = 0; i < d->nops; i++)
		continues[i] = NONE;
	for (size_t i = 0; i < n; i++) {
		bool from = drawn[e[i].from], to = drawn[e[i].to];

		if (ties(&e[i], from, to))
			tied[e[i].from] = tied[e[i].to] = true;
		else if (e[i].kind == HB_PROGRAM_ORDER && from && to &&
			 e[i].from < e[i].to)
			continues[e[i].to] = e[i].from;
	}
	for (size_t id = 0; id < d->nops; id++)
		if (continues[id] != NONE &&
		    (tied[id] || tied[continues[id]]))
			continues[id] = NONE;
	free(tied);
	return continues;
}

static size_t node_new(struct hb_dot *d, size_t id, bool stub)
{
	d->nodes = xgrow(d->nodes, &d->nodes_cap, d->nnodes + 1,
			 sizeof(*d->nodes));
	d->nodes[d->nnodes] = (struct hb_node){ id, id, 1, stub };
	d->ops[id].node = d->nnodes;
	return d->nnodes++;
}

/* Give each op drawn its node, its own or its run's; then each op
 * outside the window that an edge ties to one drawn, a stub. */
static void make_nodes(struct hb_dot *d, const struct hb_edge *e, size_t n)
{
	bool *drawn = xmalloc(d->nops + 1);
	size_t *continues;

	for (size_t id = 0; id < d->nops; id++)
		drawn[id] = in_window(d, id);
	continues = find_runs(d, e, n, drawn);
	for (size_t id = 0; id < d->nops; id++) {
		size_t prev = continues[id];

		if (!drawn[id])
			continue;
		if (prev == NONE) {
			node_new(d, id, false);
			continue;
		}
		d->ops[id].node = d->ops[prev].node;
		d->nodes[d->ops[id].node].last = id;
		d->nodes[d->ops[id].node].ops++;
	}
	for (size_t i = 0; i < n; i++) {
		bool from = drawn[e[i].from], to = drawn[e[i].to];
		size_t outside = from ? e[i].to : e[i].from;

		if (from != to && ties(&e[i], from, to) &&
		    d->ops[outside].node == NONE)
			node_new(d, outside, true);
	}
	free(continues);
	free(drawn);
}

/* The edges between nodes, each pair of nodes and kind once. */
static void make_edges(struct hb_dot *d, const struct hb_edge *e, size_t n)
{
	struct idmap seen = { 0 }; /* (from, to << 3 | kind) -> edge */

	for (size_t i = 0; i < n; i++) {
		size_t from = d->ops[e[i].from].node, to = d->ops[e[i].to].node;
		__u64 key = (__u64)to << 3 | e[i].kind;
		size_t k;

		if (from == NONE || to == NONE || from == to)
			continue;
		k = idmap_get(&seen, from, key);
		if (k != IDMAP_NONE) {
			d->edges[k].count++;
			continue;
		}
		d->edges = xgrow(d->edges, &d->edges_cap, d->nedges + 1,
				 sizeof(*d->edges));
		d->edges[d->nedges] =
			(struct hb_dot_edge){ from, to, e[i].kind, 1 };
		idmap_set(&seen, from, key, d->nedges++);
	}
	idmap_free(&seen);
}

/* ---- writing ---- */

/* The cluster of node n: its process's, or NONE for a loss and a stub. */
static size_t cluster_of(const struct hb_dot *d, size_t n)
{
	return d->nodes[n].stub ? NONE : d->ops[d->nodes[n].first].process;
}

/* The nodes of a process together, in id order; those outside clusters
 * (NONE, the largest size_t) last. */
static int by_process(const void *a, const void *b, void *arg)
{
	const struct hb_dot *d = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t px = cluster_of(d, x), py = cluster_of(d, y);

	if (px != py)
		return px < py ? -1 : 1;
	return (d->nodes[x].first > d->nodes[y].first) -
	       (d->nodes[x].first < d->nodes[y].first);
}

static void cluster_begin(FILE *out, const struct hb_dot *d, size_t p)
{
	const struct hb_process *proc = &d->procs[p];

	fprintf(out, "subgraph cluster_%zu {\nlabel=\"pid %u", p, proc->pid);
	for (size_t i = 0; i < proc->len;) {
		size_t n = strlen(proc->programs + i);

		fputs(i ? ", then " : ": ", out);
		dot_text(out, proc->programs + i, n);
		i += n + 1;
	}
	fputs("\";\nlabelloc=t;\n", out);
}

/* What a run's ops were: "5 open, 5 close, 2 read, ...", the kinds of op
 * in the order they first came. */
static void run_summary(FILE *out, const struct hb_dot *d, size_t n)
{
	const struct hb_node *node = &d->nodes[n];
	struct {
		const char *name;
		size_t count;
	} kinds[SUMMARY_OPS + 1];
	size_t nkinds = 0;

	for (size_t id = node->first; id <= node->last; id++) {
		size_t k = 0;

		if (d->ops[id].node != n)
			continue;
		while (k < nkinds && kinds[k].name != d->ops[id].name)
			k++;
		if (k == nkinds && nkinds <= SUMMARY_OPS)
			kinds[nkinds++] = (typeof(kinds[0])){ d->ops[id].name,
							      0 };
		if (k < nkinds)
			kinds[k].count++;
	}
	for (size_t k = 0; k < nkinds && k < SUMMARY_OPS; k++)
		fprintf(out, "%s%zu %s", k ? ", " : "", kinds[k].count,
			kinds[k].name);
	if (nkinds > SUMMARY_OPS)
		fputs(", ...", out);
}

static void write_node(FILE *out, const struct hb_dot *d, size_t n)
{
	const struct hb_node *node = &d->nodes[n];
	const struct hb_op *op = &d->ops[node->first];

	if (node->stub) {
		fprintf(out, "o%zu [style=dashed, label=\"%zu: %s\\n",
			node->first, node->first, op->name);
		if (op->process != NONE)
			fprintf(out, "pid %u, ", d->procs[op->process].pid);
		fputs("not drawn\"];\n", out);
		return;
	}
	if (node->ops == 1) {
		fprintf(out, "o%zu [label=\"%zu: %s\\ntid %u\"];\n",
			node->first, node->first, d->ops[node->first].name,
			d->ops[node->first].tid);
		return;
	}
	fprintf(out, "o%zu [style=rounded, label=\"%zu-%zu: %zu ops\\n",
		node->first, node->first, node->last, node->ops);
	run_summary(out, d, n);
	fprintf(out, "\\ntid %u\"];\n", d->ops[node->first].tid);
}

static const char *const colours[HB_NKINDS] = {
	[HB_PROGRAM_ORDER] = "gray40",
	[HB_CLONE] = "blue",
	[HB_EXEC] = "purple",
	[HB_WAIT] = "darkgreen",
	[HB_FUTEX] = "red",
	[HB_PIPE] = "orange",
	[HB_SIGNAL] = "magenta",
};

static void write_edge(FILE *out, const struct hb_dot *d,
		       const struct hb_dot_edge *e)
{
	fprintf(out, "o%zu -> o%zu [color=\"%s\"", d->nodes[e->from].first,
		d->nodes[e->to].first, colours[e->kind]);
	/* xlabel: placed once the layout is made, a label would take a
	 * rank of its own */
	if (e->kind != HB_PROGRAM_ORDER && e->count > 1)
		fprintf(out, ", xlabel=\"%s (%zu)\"", hb_kind_names[e->kind],
			e->count);
	else if (e->kind != HB_PROGRAM_ORDER)
		fprintf(out, ", xlabel=\"%s\"", hb_kind_names[e->kind]);
	else if (e->count > 1)
		fprintf(out, ", xlabel=\"%zu\"", e->count);
	fputs("];\n", out);
}

static void write_graph(FILE *out, const struct hb_dot *d)
{
	size_t *order = xmalloc((d->nnodes + 1) * sizeof(*order));
	size_t cluster = NONE;

	for (size_t n = 0; n < d->nnodes; n++)
		order[n] = n;
	qsort_r(order, d->nnodes, sizeof(*order), by_process, (void *)d);
	fputs("digraph happens_before {\n"
	      "label=\"happens-before: locks taken without contention make no "
	      "syscall, so what they protect is not ordered here\";\n"
	      "labelloc=b;\nnode [shape=box];\n",
	      out);
	for (size_t k = 0; k < d->nnodes; k++) {
		size_t p = cluster_of(d, order[k]);

		if (p != cluster) {
			if (cluster != NONE)
				fputs("}\n", out);
			cluster = p;
			if (cluster != NONE)
				cluster_begin(out, d, cluster);
		}
		write_node(out, d, order[k]);
	}
	if (cluster != NONE)
		fputs("}\n", out);
	for (size_t i = 0; i < d->nedges; i++)
		write_edge(out, d, &d->edges[i]);
	fputs("}\n", out);
	free(order);
}

static void hb_dot_free(struct hb_dot *d)
{
	for (size_t p = 0; p < d->nprocs; p++)
		free(d->procs[p].programs);
	free(d->procs);
	free(d->ops);
	free(d->nodes);
	free(d->edges);
	idmap_free(&d->process_of);
}

int export_hb_dot(struct log_reader *log, FILE *out,
		  const struct export_opts *opts)
{
	struct hb_dot d = { .opts = opts };
	struct hb *g = hb_new();
	const struct probe_hdr *h;
	const struct hb_edge *e;
	enum log_next next;
	size_t n;
	int ret = 0;

	d.start_ns = log_header(log)->start_boottime_ns;
	while ((next = log_next(log, &h)) == LOG_RECORD)
		if (hb_add(g, h) >= 0)
			add_op(&d, h);
	if (next == LOG_ERROR) {
		ret = -1;
		goto out;
	}
	hb_warn(g, log_header(log)->scope);
	e = hb_edges(g, &n);
	make_nodes(&d, e, n);
	if (!dot_within_limit("the happens-before graph", d.nnodes,
			      opts->max_nodes,
			      "--pid PID, --from SEC and --to SEC, or --ops "
			      "FIRST-LAST")) {
		ret = EXPORT_REFUSED;
		goto out;
	}
	make_edges(&d, e, n);
	write_graph(out, &d);
out:
	hb_dot_free(&d);
	hb_free(g);
	return ret;
}
