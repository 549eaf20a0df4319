/*
 * probe-bpf export dot and hb-dot: the dataflow graph and the
 * happens-before graph in Graphviz's DOT language, for dot(1) to draw.
 *
 * dot: each exec epoch of each process is a box labelled with its pid and
 * argv[0] (in brackets before its first exec: the program it inherited),
 * each version of each file, pipe or socket an ellipse labelled with its
 * path and version; edges used (version -> process), generated (process
 * -> version), informed (process -> process: a clone, an exec, a vfork
 * child's shared memory) and derived (version -> its next version).
 *
 * hb-dot: each op is a node labelled with its id (as the jsonl export
 * numbers ops), its op and its tid, inside a cluster per process; each
 * edge is coloured by its kind and, but for program order, named.
 *
 * Labels show the bytes of paths and arguments unambiguously: a backslash
 * as \\, a newline as \n, a tab as \t, other control bytes and bytes that
 * are not UTF-8 as \xHH.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "json.h"
#include "records.h"
#include "util.h"

/*
 * s (len bytes) shown as the comment above says, inside a DOT string:
 * there a backslash itself needs one (\\ shows \, \n breaks the line) and
 * so does a double quote.
 */
static void dot_text(FILE *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(u + i, len - i);

		if (u[i] == '"')
			fputs("\\\"", f);
		else if (u[i] == '\\')
			fputs("\\\\\\\\", f);
		else if (u[i] == '\n')
			fputs("\\\\n", f);
		else if (u[i] == '\t')
			fputs("\\\\t", f);
		else if (u[i] < 0x20 || u[i] == 0x7f || !n)
			fprintf(f, "\\\\x%02x", u[i]);
		else
			fwrite(u + i, 1, n, f);
		i += n ? n : 1;
	}
}

/* ---- the dataflow graph ---- */

struct dot {
	FILE *out;
	struct export_graph df;
};

/* The argv a process runs: its own, or the one it inherited. */
static const struct df_process *program_of(const struct dot *d, size_t i)
{
	const struct df_process *p = &d->df.procs[i];

	/* a parent comes before its children in the graph */
	while (!p->argv && p->parent >= 0)
		p = &d->df.procs[p->parent];
	return p->argv ? p : NULL;
}

static void process_node(const struct dot *d, size_t i)
{
	const struct df_process *p = &d->df.procs[i], *prog = program_of(d, i);
	size_t n = prog ? strnlen(prog->argv, prog->argv_len) : 0;

	fprintf(d->out, "p%zu [shape=box, label=\"%u\\n", i, p->pid);
	if (prog != p)
		fputc('[', d->out);
	if (n) /* argv[0], else the file it executed */
		dot_text(d->out, prog->argv, n);
	else if (prog && prog->exe)
		dot_text(d->out, prog->exe, strlen(prog->exe));
	else
		fputs("unknown program", d->out);
	if (prog != p)
		fputc(']', d->out);
	fputs("\"];\n", d->out);
}

static void entity_node(const struct dot *d, size_t i)
{
	const struct df_entity *e = &d->df.ents[i];

	fprintf(d->out, "e%zu [shape=ellipse, label=\"", i);
	if (e->path)
		dot_text(d->out, e->path, strlen(e->path));
	else
		fprintf(d->out, "inode %llu:%llu",
			(unsigned long long)dev_kernel_to_user(e->dev),
			(unsigned long long)e->ino);
	fprintf(d->out, "\\nversion %u\"];\n", e->version);
}

static void dataflow_edge(const struct dot *d, const struct df_edge *e)
{
	switch (e->rel) {
	case DF_USED:
		fprintf(d->out, "e%zu -> p%zu [label=\"used\"];\n", e->from,
			e->to);
		break;
	case DF_GENERATED:
		fprintf(d->out, "p%zu -> e%zu [label=\"generated\"];\n",
			e->from, e->to);
		break;
	case DF_INFORMED:
		fprintf(d->out, "p%zu -> p%zu [label=\"informed\"];\n",
			e->from, e->to);
		break;
	case DF_DERIVED:
		fprintf(d->out,
			"e%zu -> e%zu [label=\"derived\", style=dashed];\n",
			e->from, e->to);
		break;
	}
}

int export_dot(struct log_reader *log, FILE *out,
	       const struct export_opts *opts)
{
	struct dot d = { .out = out };

	(void)opts; /* it has none */
	if (export_graph_build(log, &d.df))
		return -1;
	fputs("digraph dataflow {\n", out);
	for (size_t i = 0; i < d.df.nprocs; i++)
		process_node(&d, i);
	for (size_t i = 0; i < d.df.nents; i++)
		entity_node(&d, i);
	for (size_t i = 0; i < d.df.nedges; i++)
		dataflow_edge(&d, &d.df.edges[i]);
	fputs("}\n", out);
	dataflow_free(d.df.g);
	return 0;
}

/* ---- the happens-before graph ---- */

/* An op: a node. */
struct hb_node {
	const char *op; /* export_op_name()'s, static */
	__u32 tid;
	size_t process; /* its cluster, or IDMAP_NONE (a loss) */
};

/* A process (a pid until its last thread exits), and the programs it ran,
 * each argv[0] with its NUL. */
struct hb_process {
	__u32 pid;
	char *programs;
	size_t len;
};

struct hb_dot {
	struct hb_node *nodes;
	size_t nnodes, nodes_cap;
	struct hb_process *procs;
	size_t nprocs;
	struct idmap process_of; /* pid -> procs[] */
};

static size_t hb_process_of(struct hb_dot *d, const struct probe_hdr *h)
{
	size_t p = idmap_get(&d->process_of, h->pid, 0);

	if (h->type == PROBE_REC_LOST)
		return IDMAP_NONE;
	if (p == IDMAP_NONE) {
		d->procs = xrealloc(d->procs,
				    (d->nprocs + 1) * sizeof(*d->procs));
		p = d->nprocs++;
		d->procs[p] = (struct hb_process){ .pid = h->pid };
		idmap_set(&d->process_of, h->pid, 0, p);
	}
	if (h->type == PROBE_REC_EXEC &&
	    ((const struct probe_exec *)h)->ret >= 0) {
		const struct probe_exec *r = (const void *)h;
		struct bytes argv = exec_argv(r);
		struct hb_process *proc = &d->procs[p];
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
	/* a later process with the pid is another */
	if (h->type == PROBE_REC_EXIT &&
	    ((const struct probe_exit *)h)->group_dead)
		idmap_set(&d->process_of, h->pid, 0, IDMAP_NONE);
	return p;
}

static void hb_add_node(struct hb_dot *d, const struct probe_hdr *h)
{
	if (d->nnodes == d->nodes_cap) {
		d->nodes_cap = d->nodes_cap ? 2 * d->nodes_cap : 256;
		d->nodes = xrealloc(d->nodes,
				    d->nodes_cap * sizeof(*d->nodes));
	}
	d->nodes[d->nnodes++] = (struct hb_node){
		.op = export_op_name(h),
		.tid = h->tid,
		.process = hb_process_of(d, h),
	};
}

/* The ops of a process together, in id order; the losses' (whose process
 * is IDMAP_NONE, the largest size_t) last. */
static int by_process(const void *a, const void *b, void *arg)
{
	const struct hb_node *nodes = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (nodes[x].process != nodes[y].process)
		return nodes[x].process < nodes[y].process ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void hb_cluster_begin(FILE *out, const struct hb_dot *d, size_t p)
{
	const struct hb_process *proc = &d->procs[p];

	fprintf(out, "subgraph cluster_%zu {\nlabel=\"pid %u", p, proc->pid);
	for (size_t i = 0; i < proc->len;) {
		size_t n = strlen(proc->programs + i);

		fputs(i ? ", then " : ": ", out);
		dot_text(out, proc->programs + i, n);
		i += n + 1;
	}
	fputs("\";\n", out);
}

static const char *const hb_colours[HB_NKINDS] = {
	[HB_PROGRAM_ORDER] = "gray40",
	[HB_CLONE] = "blue",
	[HB_EXEC] = "purple",
	[HB_WAIT] = "darkgreen",
	[HB_FUTEX] = "red",
	[HB_PIPE] = "orange",
	[HB_SIGNAL] = "magenta",
};

static void hb_write(FILE *out, struct hb_dot *d, struct hb *g)
{
	size_t *ids = xmalloc((d->nnodes + 1) * sizeof(*ids));
	size_t cluster = IDMAP_NONE;
	const struct hb_edge *e;
	size_t n;

	for (size_t id = 0; id < d->nnodes; id++)
		ids[id] = id;
	qsort_r(ids, d->nnodes, sizeof(*ids), by_process, d->nodes);
	fputs("digraph happens_before {\n"
	      "label=\"happens-before: locks taken without contention make no "
	      "syscall, so what they protect is not ordered here\";\n"
	      "labelloc=b;\nnode [shape=box];\n",
	      out);
	for (size_t k = 0; k < d->nnodes; k++) {
		const struct hb_node *node = &d->nodes[ids[k]];

		if (node->process != cluster) {
			if (cluster != IDMAP_NONE)
				fputs("}\n", out);
			cluster = node->process;
			if (cluster != IDMAP_NONE)
				hb_cluster_begin(out, d, cluster);
		}
		fprintf(out, "o%zu [label=\"%zu: %s\\ntid %u\"];\n", ids[k],
			ids[k], node->op, node->tid);
	}
	if (cluster != IDMAP_NONE)
		fputs("}\n", out);
	free(ids);
	e = hb_edges(g, &n);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "o%llu -> o%llu [color=\"%s\"",
			(unsigned long long)e[i].from,
			(unsigned long long)e[i].to, hb_colours[e[i].kind]);
		if (e[i].kind != HB_PROGRAM_ORDER)
			fprintf(out, ", label=\"%s\"",
				hb_kind_names[e[i].kind]);
		fputs("];\n", out);
	}
	fputs("}\n", out);
}

int export_hb_dot(struct log_reader *log, FILE *out,
		  const struct export_opts *opts)
{
	struct hb_dot d = { 0 };
	struct hb *g = hb_new();
	const struct probe_hdr *h;
	enum log_next n;

	(void)opts; /* it has none */
	while ((n = log_next(log, &h)) == LOG_RECORD)
		if (hb_add(g, h) >= 0)
			hb_add_node(&d, h);
	if (n != LOG_ERROR) {
		hb_warn(g, log_header(log)->scope);
		hb_write(out, &d, g);
	}
	for (size_t p = 0; p < d.nprocs; p++)
		free(d.procs[p].programs);
	free(d.procs);
	free(d.nodes);
	idmap_free(&d.process_of);
	hb_free(g);
	return n == LOG_ERROR ? -1 : 0;
}
