#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "idmap.h"
#include "json.h"
#include "text.h"
#include "util.h"

#define NONE ((size_t)-1)

struct builder {
	struct view *v;
	const struct dataflow *g;
	const struct df_process *procs;
	const struct df_entity *ents;
	const struct df_file *files;
	const struct view_opts *opts;
	size_t nodes_cap, edges_cap;
	struct idmap group_of; /* a group directory's hash -> node */
	struct idmap edge_of; /* (from, to << 3 | rel) -> edge */
	struct idmap group_files; /* (node, file) -> 1: files counted */
	size_t *stands_for; /* by process: the process whose node it joins */
};

static size_t node_new(struct builder *b, enum view_kind kind, size_t i,
		       unsigned depth)
{
	struct view *v = b->v;

	v->nodes = xgrow(v->nodes, &b->nodes_cap, v->nnodes + 1,
			 sizeof(*v->nodes));
	v->nodes[v->nnodes] = (struct view_node){ kind, i, NULL, 0, depth };
	return v->nnodes++;
}

/* FNV-1a of a directory's name, to find its group. */
static __u64 name_hash(const char *s, size_t len)
{
	__u64 h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The node of group dir (len bytes), made on first need. */
static size_t group_node(struct builder *b, const char *dir, size_t len,
			 size_t entity, unsigned depth)
{
	__u64 h = name_hash(dir, len), k;
	size_t n;

	/* the second key tells apart names whose hashes collide */
	for (k = 0; (n = idmap_get(&b->group_of, h, k)) != IDMAP_NONE; k++)
		if (strlen(b->v->nodes[n].group) == len &&
		    !memcmp(b->v->nodes[n].group, dir, len))
			break;
	if (n == IDMAP_NONE) {
		n = node_new(b, VIEW_GROUP, entity, depth);
		b->v->nodes[n].group = xstrndup(dir, len);
		idmap_set(&b->group_of, h, k, n);
	}
	if (depth < b->v->nodes[n].depth)
		b->v->nodes[n].depth = depth;
	return n;
}

/* The node an entity is shown as: its own, its group's, or none. */
static size_t entity_node(struct builder *b, size_t e, unsigned depth)
{
	const struct df_entity *ent = &b->ents[e];
	const char *path = ent->anonymous ? NULL : ent->path;
	size_t n, group;

	if (b->v->of_entity[e] != NONE)
		return b->v->of_entity[e];
	bool keep = (long long)e == b->opts->keep;

	if (!keep && !ent->anonymous && !filter_shows(b->opts->filter, path))
		return NONE;
	group = ent->anonymous || keep ? 0 :
					 filter_group(b->opts->filter, path);
	if (ent->anonymous && !ent->version && !keep &&
	    b->opts->fold_channels) {
		path = VIEW_CHANNELS;
		group = strlen(VIEW_CHANNELS);
	}
	if (group) {
		n = group_node(b, path, group, e, depth);
		if (idmap_get(&b->group_files, n, ent->file) == IDMAP_NONE) {
			idmap_set(&b->group_files, n, ent->file, 1);
			b->v->nodes[n].files++;
		}
	} else {
		n = node_new(b, VIEW_ENTITY, e, depth);
	}
	b->v->of_entity[e] = n;
	return n;
}

static size_t process_node(struct builder *b, size_t p, unsigned depth)
{
	size_t rep = b->stands_for[p];

	if (b->v->of_process[rep] == NONE)
		b->v->of_process[rep] = node_new(b, VIEW_PROCESS, rep, depth);
	b->v->of_process[p] = b->v->of_process[rep];
	return b->v->of_process[p];
}

static size_t node_of(struct builder *b, struct df_node n, unsigned depth)
{
	return n.process ? process_node(b, n.i, depth) :
			   entity_node(b, n.i, depth);
}

static void add_edge(struct builder *b, const struct df_edge *e)
{
	bool from_p = e->rel == DF_GENERATED || e->rel == DF_INFORMED;
	bool to_p = e->rel == DF_USED || e->rel == DF_INFORMED;
	size_t from = from_p ? b->v->of_process[e->from] :
			       b->v->of_entity[e->from];
	size_t to = to_p ? b->v->of_process[e->to] : b->v->of_entity[e->to];
	struct view *v = b->v;
	size_t k;

	if (from == NONE || to == NONE || from == to)
		return;
	k = idmap_get(&b->edge_of, from, (__u64)to << 3 | e->rel);
	if (k != IDMAP_NONE) {
		v->edges[k].count++;
		v->edges[k].flags |= e->flags;
		return;
	}
	v->edges = xgrow(v->edges, &b->edges_cap, v->nedges + 1,
			 sizeof(*v->edges));
	v->edges[v->nedges] = (struct view_edge){ e->rel, from, to, 1,
						  e->op, e->ts_ns, e->flags };
	idmap_set(&b->edge_of, from, (__u64)to << 3 | e->rel, v->nedges++);
}

/* Which process each one's node is: itself, or with merge_epochs the
 * last epoch of its process among those present. */
static void choose_representatives(struct builder *b, const bool *present,
				   size_t nprocs)
{
	for (size_t p = 0; p < nprocs; p++)
		b->stands_for[p] = p;
	if (!b->opts->merge_epochs)
		return;
	/* epochs come in log order: a later one of the same process has a
	 * higher index, and its parent is the one before (by_exec) */
	for (size_t p = nprocs; p-- > 0;) {
		const struct df_process *proc = &b->procs[p];

		if (!present[p] || !proc->by_exec || proc->parent < 0)
			continue;
		b->stands_for[proc->parent] = b->stands_for[p];
	}
}

void view_build(struct view *v, const struct dataflow *g,
		const struct df_walk *w, const struct view_opts *opts)
{
	struct builder b = { .v = v, .g = g, .opts = opts };
	size_t nprocs, nents, nfiles, nedges;
	const struct df_edge *edges = df_edges(g, &nedges);
	bool *present;

	memset(v, 0, sizeof(*v));
	b.procs = df_processes(g, &nprocs);
	b.ents = df_entities(g, &nents);
	b.files = df_files(g, &nfiles);
	v->of_process = xmalloc((nprocs + 1) * sizeof(size_t));
	v->of_entity = xmalloc((nents + 1) * sizeof(size_t));
	memset(v->of_process, 0xff, (nprocs + 1) * sizeof(size_t));
	memset(v->of_entity, 0xff, (nents + 1) * sizeof(size_t));
	b.stands_for = xmalloc((nprocs + 1) * sizeof(size_t));
	present = xmalloc(nprocs + 1);
	memset(present, !w, nprocs + 1);
	for (size_t i = 0; w && i < w->nnodes; i++)
		if (w->nodes[i].process)
			present[w->nodes[i].i] = true;
	choose_representatives(&b, present, nprocs);
	if (w) {
		for (size_t i = 0; i < w->nnodes; i++)
			node_of(&b, w->nodes[i], w->depth[i]);
		for (size_t k = 0; k < w->nedges; k++)
			add_edge(&b, &edges[w->edges[k]]);
	} else {
		for (size_t p = 0; p < nprocs; p++)
			process_node(&b, p, 0);
		for (size_t e = 0; e < nents; e++)
			entity_node(&b, e, 0);
		for (size_t k = 0; k < nedges; k++)
			add_edge(&b, &edges[k]);
	}
	free(present);
	free(b.stands_for);
	idmap_free(&b.group_of);
	idmap_free(&b.edge_of);
	idmap_free(&b.group_files);
}

void view_free(struct view *v)
{
	for (size_t i = 0; i < v->nnodes; i++)
		free(v->nodes[i].group);
	free(v->nodes);
	free(v->edges);
	free(v->of_process);
	free(v->of_entity);
	memset(v, 0, sizeof(*v));
}

/* What follows the last slash of the len bytes at s, which hold one. */
static const char *last_component(const char *s, size_t len)
{
	return (const char *)memrchr(s, '/', len) + 1;
}

/*
 * The words of a process's label after its pid: its argv, each word
 * shell-quoted (argv[0] by its last component if short_program), or what
 * it was before its first exec as one word.  *n of them, malloc'ed.
 */
static char **label_words(const struct dataflow *g, size_t process,
			  bool short_program, size_t *n)
{
	size_t nprocs, cap = 0, size;
	const struct df_process *procs = df_processes(g, &nprocs);
	const struct df_process *p = &procs[process];
	char **words = xgrow(NULL, &cap, 1, sizeof(*words));
	FILE *f;

	*n = 0;
	if (!p->argv) {
		f = open_memstream(&words[(*n)++], &size);
		if (!f)
			die(EXIT_USAGE, "out of memory");
		if (p->parent >= 0)
			fprintf(f, "(fork of %u)", procs[p->parent].pid);
		else
			fputs("(started before the recording)", f);
		fclose(f);
	}
	for (size_t k = 0; p->argv && k < p->argv_len;) {
		const char *arg = p->argv + k;
		size_t len = strnlen(arg, p->argv_len - k);

		words = xgrow(words, &cap, *n + 1, sizeof(*words));
		f = open_memstream(&words[(*n)++], &size);
		if (!f)
			die(EXIT_USAGE, "out of memory");
		if (short_program && k == 0 && memchr(arg, '/', len))
			shell_quote(f, last_component(arg, len),
					 arg + len - last_component(arg, len));
		else
			shell_quote(f, arg, len);
		fclose(f);
		k += len + 1;
	}
	return words;
}

static void free_words(char **words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

void view_process_label(const struct dataflow *g, size_t process, char *buf,
			size_t len, size_t max)
{
	size_t nprocs, n;
	const struct df_process *p = &df_processes(g, &nprocs)[process];
	char **words = label_words(g, process, false, &n);
	FILE *f = fmemopen(buf, len, "w");
	long start;

	if (!f) {
		snprintf(buf, len, "%u", p->pid);
		free_words(words, n);
		return;
	}
	fprintf(f, "%u ", p->pid);
	start = ftell(f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(' ', f);
		fputs(words[i], f);
		if ((size_t)(ftell(f) - start) > max)
			break;
	}
	fputc(0, f);
	fclose(f);
	free_words(words, n);
	if (strlen(buf) > (size_t)start + max && len > (size_t)start + max + 4)
		strcpy(buf + start + max, "...");
}

/* The length of s cut to at most max bytes, not inside a UTF-8
 * sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

void view_process_short_label(const struct dataflow *g, size_t process,
			      char *buf, size_t len, size_t max)
{
	size_t nprocs, n, head = 0, tail = 0, h = 0, t, total = 0;
	const struct df_process *p = &df_processes(g, &nprocs)[process];
	char **words = label_words(g, process, true, &n);
	FILE *f = fmemopen(buf, len, "w");

	if (!f) {
		snprintf(buf, len, "%u", p->pid);
		free_words(words, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		total += strlen(words[i]) + (i > 0);
	/* whole words from the start up to half of max, from the end up to
	 * the rest but for the " ..." between them */
	while (h < n && head + strlen(words[h]) + (h > 0) <= max / 2) {
		head += strlen(words[h]) + (h > 0);
		h++;
	}
	for (t = n; t > h + 1 &&
		    tail + strlen(words[t - 1]) + 1 <= max - max / 2 - 4;
	     t--)
		tail += strlen(words[t - 1]) + 1;
	fprintf(f, "%u", p->pid);
	if (total > max && h > 0 && t < n) {
		for (size_t i = 0; i < h; i++)
			fprintf(f, " %s", words[i]);
		fputs(" ...", f);
		for (size_t i = t; i < n; i++)
			fprintf(f, " %s", words[i]);
	} else {
		/* all of it, or its start cut at max */
		char *all = xmalloc(total + 1), *at = all;

		*at = 0;
		for (size_t i = 0; i < n; i++)
			at += sprintf(at, "%s%s", i ? " " : "", words[i]);
		if (n)
			fprintf(f, " %.*s%s", (int)utf8_cut(all, max), all,
				total > max ? "..." : "");
		free(all);
	}
	fputc(0, f);
	fclose(f);
	free_words(words, n);
}

void view_process_json(struct json *j, const struct dataflow *g,
		       size_t process)
{
	size_t nprocs;
	const struct df_process *p = &df_processes(g, &nprocs)[process];

	json_u64(j, "pid", p->pid);
	json_u64(j, "epoch", p->epoch);
	json_u64(j, "start_ns", p->start_ns);
	if (p->argv)
		json_namev(j, "argv", p->argv, p->argv_len);
	if (p->exe)
		json_name(j, "exe", p->exe, -1);
	if (p->incomplete)
		json_bool(j, "incomplete", true);
}
