#include "dataflow.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "hb.h"
#include "idmap.h"
#include "model.h"
#include "records.h"
#include "syscalls.h"
#include "util.h"

/* A read or a write of one inode by one process, at one op. */
struct event {
	size_t process;
	long long op;
	__u64 dev, ino;
	__u32 mode;
	__u64 size;
	__s64 mtime_ns;
	bool write;
	bool anonymous;
	char *path;
	size_t made; /* the version this write made, or IDMAP_NONE */
};

/* The versions of one inode, in the order they were made. */
struct inode_versions {
	size_t *v; /* entity indices, version 1, 2... */
	size_t n, cap;
	size_t v0; /* the entity of version 0, or IDMAP_NONE */
};

struct dataflow {
	struct df_process *procs;
	size_t nprocs, procs_cap;
	struct df_entity *ents;
	size_t nents, ents_cap;
	struct df_edge *edges;
	size_t nedges, edges_cap;
	struct event *events;
	size_t nevents, events_cap;
	struct inode_versions *inodes;
	size_t ninodes, inodes_cap;
	struct idmap inode_of; /* (dev, ino) -> inodes[] */
	struct idmap process_of; /* pid -> its current process */
	struct idmap edge_seen; /* used edges made: (entity, process) */
	struct hb *hb; /* while building: the ops' times */
	/* absolute paths named, in log order, with their inode */
	struct named {
		char *path;
		__u64 dev, ino;
	} *named;
	size_t nnamed, named_cap;
};

/* ---- processes ---- */

static size_t process_new(struct dataflow *g, __u32 pid, __u32 epoch,
			  __u64 start_ns, long long parent, bool by_exec)
{
	struct df_process *p;

	g->procs = xgrow(g->procs, &g->procs_cap, g->nprocs + 1, sizeof(*p));
	p = &g->procs[g->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->epoch = epoch;
	p->start_ns = start_ns;
	p->parent = parent;
	p->by_exec = by_exec;
	idmap_set(&g->process_of, pid, 0, g->nprocs);
	return g->nprocs++;
}

/* The process pid is now, made if the log never showed its start. */
static size_t process_now(struct dataflow *g, __u32 pid)
{
	size_t p = idmap_get(&g->process_of, pid, 0);

	return p != IDMAP_NONE ? p : process_new(g, pid, 0, 0, -1, false);
}

static void edge(struct dataflow *g, enum df_relation rel, size_t from,
		 size_t to, long long op)
{
	g->edges = xgrow(g->edges, &g->edges_cap, g->nedges + 1,
			 sizeof(*g->edges));
	g->edges[g->nedges++] = (struct df_edge){
		rel, from, to, op, op >= 0 ? hb_op_ts(g->hb, op) : 0
	};
}

/* ---- what the log says ---- */

static void event(struct dataflow *g, size_t process, long long op,
		  const struct probe_inode *ino, bool write, bool anonymous,
		  struct bytes path)
{
	struct event *e;

	g->events = xgrow(g->events, &g->events_cap, g->nevents + 1, sizeof(*e));
	e = &g->events[g->nevents++];
	e->process = process;
	e->op = op;
	e->dev = ino->dev;
	e->ino = ino->ino;
	e->mode = ino->mode;
	e->size = ino->size;
	e->mtime_ns = ino->mtime_ns;
	e->write = write;
	e->anonymous = anonymous;
	e->made = IDMAP_NONE;
	if (anonymous) {
		char name[64];

		e->path = xstrndup(name,
				    anon_file_name(ino, name, sizeof(name)));
	} else {
		e->path = path.len ? xstrndup(path.p, path.len) : NULL;
	}
	if (e->path && !anonymous) {
		g->named = xgrow(g->named, &g->named_cap, g->nnamed + 1,
				 sizeof(*g->named));
		g->named[g->nnamed++] =
			(struct named){ xstrdup(e->path), e->dev, e->ino };
	}
}

static void on_process_exec(struct dataflow *g, const struct probe_exec *r,
		    long long op)
{
	size_t prev = idmap_get(&g->process_of, r->hdr.pid, 0), p;
	struct bytes argv = exec_argv(r), file = exec_interp(r);
	struct df_process *proc;

	if (r->ret < 0)
		return;
	p = process_new(g, r->hdr.pid,
			prev == IDMAP_NONE ? 1 : g->procs[prev].epoch + 1,
			r->start_ns, prev == IDMAP_NONE ? -1 : (long long)prev,
			prev != IDMAP_NONE);
	proc = &g->procs[p];
	proc->argv = xstrndup(argv.p, argv.len);
	proc->argv_len = argv.len;
	if (!file.len)
		file = exec_filename(r);
	proc->exe = xstrndup(file.p, file.len);
	/* the program it runs is a version of a file it used */
	event(g, p, op, &r->exe, false, false, file);
}

static void on_process_clone(struct dataflow *g, const struct probe_clone *r)
{
	size_t parent = process_now(g, r->hdr.pid), child;

	if (r->share & PROBE_SHARE_THREAD)
		return;
	child = process_new(g, r->child_pid, 0, r->child_start_ns, parent,
			    false);
	g->procs[child].shares_memory = r->share & PROBE_SHARE_VM;
}

static void on_process_exit(struct dataflow *g, const struct probe_exit *r)
{
	size_t p = idmap_get(&g->process_of, r->hdr.pid, 0);

	if (!r->group_dead || p == IDMAP_NONE)
		return;
	g->procs[p].exited = true;
	g->procs[p].status = r->status;
	idmap_set(&g->process_of, r->hdr.pid, 0, IDMAP_NONE);
}

/* A rename makes the next version of the file it moved, under its new
 * name: the one the model's touches tell. */
static void on_rename(struct dataflow *g, struct model *m, size_t process,
		      const struct probe_syscall *r, long long op)
{
	const struct model_touch *t;
	struct probe_inode ino = { 0 };
	char *path;
	size_t len;

	if (r->ret < 0 || !(t = model_touched(m, r, syscall_path(r), NULL)))
		return;
	ino.dev = t->dev;
	ino.ino = t->ino;
	ino.mode = t->mode;
	path = path_join(syscall_path2(r), syscall_base2(r),
			 model_root(m, r->hdr.tid), &len);
	event(g, process, op, &ino, true, false, (struct bytes){ path, len });
	free(path);
}

static void add(struct dataflow *g, struct model *m,
		const struct probe_hdr *h, long long op)
{
	bool new_image = h->type == PROBE_REC_EXEC &&
			 ((const struct probe_exec *)h)->ret == 0;
	bool timed = h->type != PROBE_REC_LOST && op >= 0;
	size_t p;

	/* an op belongs to the process it ran in: count it before an exit
	 * moves the pid on; a successful exec is the new image's first */
	if (timed && !new_image) {
		p = process_now(g, h->pid);
		if (!g->procs[p].begin_ns)
			g->procs[p].begin_ns = h->ts_ns;
		g->procs[p].end_ns = h->ts_ns;
	}
	switch (h->type) {
	case PROBE_REC_EXEC:
		on_process_exec(g, (const void *)h, op);
		break;
	case PROBE_REC_CLONE:
		on_process_clone(g, (const void *)h);
		break;
	case PROBE_REC_EXIT:
		on_process_exit(g, (const void *)h);
		break;
	case PROBE_REC_USE: {
		const struct probe_use *r = (const void *)h;

		struct probe_inode ino = r->inode;

		/* a socket reads what its peer wrote: one channel */
		if (r->access == PROBE_USE_READ && r->peer_ino)
			ino.ino = r->peer_ino;
		event(g, process_now(g, h->pid), op, &ino,
		      r->access == PROBE_USE_WRITE, r->rflags & PROBE_RF_ANON,
		      use_path(r));
		break;
	}
	case PROBE_REC_OPEN: {
		const struct probe_open *r = (const void *)h;

		/* truncating a file writes it, before any write() */
		if (r->ret >= 0 && (r->flags & O_TRUNC) &&
		    (r->flags & O_ACCMODE) != O_RDONLY &&
		    !(r->rflags & PROBE_RF_NO_FILE))
			event(g, process_now(g, h->pid), op, &r->inode, true,
			      false, open_abs_path(r));
		break;
	}
	case PROBE_REC_SYSCALL: {
		const struct probe_syscall *r = (const void *)h;

		if (r->nr == SYS_rename || r->nr == SYS_renameat ||
		    r->nr == SYS_renameat2)
			on_rename(g, m, process_now(g, h->pid), r, op);
		break;
	}
	}
	if (timed && new_image) {
		p = process_now(g, h->pid);
		g->procs[p].begin_ns = g->procs[p].end_ns = h->ts_ns;
	}
}

/* ---- versions ---- */

static struct inode_versions *inode_versions(struct dataflow *g, __u64 dev,
					     __u64 ino)
{
	size_t i = idmap_get(&g->inode_of, dev, ino);

	if (i == IDMAP_NONE) {
		g->inodes = xgrow(g->inodes, &g->inodes_cap, g->ninodes + 1,
				  sizeof(*g->inodes));
		i = g->ninodes++;
		memset(&g->inodes[i], 0, sizeof(g->inodes[i]));
		g->inodes[i].v0 = IDMAP_NONE;
		idmap_set(&g->inode_of, dev, ino, i);
	}
	return &g->inodes[i];
}

static size_t entity_new(struct dataflow *g, const struct event *e,
			 __u32 version, long long by)
{
	struct df_entity *v;

	g->ents = xgrow(g->ents, &g->ents_cap, g->nents + 1, sizeof(*v));
	v = &g->ents[g->nents];
	memset(v, 0, sizeof(*v));
	v->dev = e->dev;
	v->ino = e->ino;
	v->version = version;
	v->mode = e->mode;
	v->anonymous = e->anonymous;
	v->path = e->path ? xstrdup(e->path) : NULL;
	v->size = e->size;
	v->mtime_ns = e->mtime_ns;
	v->generated_by = by;
	v->op = by >= 0 ? e->op : -1;
	return g->nents++;
}

/* Each process that writes an inode makes its next version. */
static void make_versions(struct dataflow *g)
{
	for (size_t i = 0; i < g->nevents; i++) {
		struct event *e = &g->events[i];
		struct inode_versions *iv;
		size_t v;

		if (!e->write)
			continue;
		iv = inode_versions(g, e->dev, e->ino);
		if (iv->n && g->ents[iv->v[iv->n - 1]].generated_by ==
				     (long long)e->process)
			continue;
		v = entity_new(g, e, iv->n + 1, e->process);
		edge(g, DF_GENERATED, e->process, v, e->op);
		if (iv->n)
			edge(g, DF_DERIVED, iv->v[iv->n - 1], v, e->op);
		iv->v = xgrow(iv->v, &iv->cap, iv->n + 1, sizeof(*iv->v));
		iv->v[iv->n++] = v;
		e->made = v;
	}
}

static void used(struct dataflow *g, size_t entity, const struct event *e)
{
	if (g->ents[entity].generated_by == (long long)e->process ||
	    idmap_get(&g->edge_seen, entity, e->process) != IDMAP_NONE)
		return;
	idmap_set(&g->edge_seen, entity, e->process, 1);
	edge(g, DF_USED, entity, e->process, e->op);
}

/*
 * The versions a read used: each one whose write is not ordered after the
 * read and was not overwritten by a write ordered between the two; the
 * version from before the recording while no write is ordered before it.
 */
static void resolve_read(struct dataflow *g, struct hb *hb,
			 const struct event *e)
{
	struct inode_versions *iv = inode_versions(g, e->dev, e->ino);
	bool written_before = false;

	for (size_t k = 0; k < iv->n; k++) {
		long long w = g->ents[iv->v[k]].op;
		bool overwritten = false;

		if (hb_reaches(hb, e->op, w) && w != e->op)
			continue; /* written after the read */
		if (hb_reaches(hb, w, e->op))
			written_before = true;
		for (size_t l = 0; l < iv->n && !overwritten; l++) {
			long long w2 = g->ents[iv->v[l]].op;

			overwritten = l != k && hb_reaches(hb, w, w2) &&
				      hb_reaches(hb, w2, e->op);
		}
		if (!overwritten)
			used(g, iv->v[k], e);
	}
	if (written_before)
		return;
	if (iv->v0 == IDMAP_NONE)
		iv->v0 = entity_new(g, e, 0, -1);
	used(g, iv->v0, e);
}

/* A version's path, size and mtime: as the last event of its inode while
 * it was the newest version in log order says. */
static void describe_versions(struct dataflow *g)
{
	struct idmap newest = { 0 };

	for (size_t i = 0; i < g->nevents; i++) {
		const struct event *e = &g->events[i];
		size_t v = e->made != IDMAP_NONE ?
				   e->made :
				   idmap_get(&newest, e->dev, e->ino);
		struct df_entity *ent;

		if (v == IDMAP_NONE)
			v = inode_versions(g, e->dev, e->ino)->v0;
		if (v == IDMAP_NONE)
			continue;
		idmap_set(&newest, e->dev, e->ino, v);
		ent = &g->ents[v];
		ent->size = e->size;
		ent->mtime_ns = e->mtime_ns;
		if (e->path) {
			free(ent->path);
			ent->path = xstrdup(e->path);
		}
	}
	idmap_free(&newest);
}

static void process_edges(struct dataflow *g)
{
	for (size_t p = 0; p < g->nprocs; p++) {
		const struct df_process *proc = &g->procs[p];

		if (proc->parent < 0)
			continue;
		edge(g, DF_INFORMED, proc->parent, p, -1);
		/* a vfork child runs in its parent's memory until exec */
		if (proc->shares_memory)
			edge(g, DF_INFORMED, p, proc->parent, -1);
	}
}

struct dataflow *dataflow_build(struct log_reader *log, char *err,
				size_t errlen)
{
	struct dataflow *g = xmalloc(sizeof(*g));
	struct model *m = model_new();
	struct hb *hb = hb_new();
	const struct probe_hdr *h;
	enum log_next n;

	memset(g, 0, sizeof(*g));
	g->hb = hb;
	while ((n = log_next(log, &h)) == LOG_RECORD) {
		long long op = hb_add(hb, h);

		/* the model first: it knows the touches of a rename */
		add(g, m, h, op);
		model_apply(m, h);
	}
	model_free(m);
	if (n == LOG_ERROR) {
		snprintf(err, errlen, "%s", log_error(log));
		hb_free(hb);
		dataflow_free(g);
		return NULL;
	}
	/* the graph the reads are resolved by: say if it is not sound */
	hb_warn(hb, log_header(log)->scope);
	make_versions(g);
	for (size_t i = 0; i < g->nevents; i++)
		if (!g->events[i].write)
			resolve_read(g, hb, &g->events[i]);
	for (size_t i = 0; i < g->ninodes; i++)
		if (g->inodes[i].v0 != IDMAP_NONE && g->inodes[i].n)
			edge(g, DF_DERIVED, g->inodes[i].v0, g->inodes[i].v[0],
			     g->ents[g->inodes[i].v[0]].op);
	describe_versions(g);
	process_edges(g);
	g->hb = NULL;
	hb_free(hb);
	return g;
}

void dataflow_free(struct dataflow *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nprocs; i++) {
		free(g->procs[i].argv);
		free(g->procs[i].exe);
	}
	for (size_t i = 0; i < g->nents; i++)
		free(g->ents[i].path);
	for (size_t i = 0; i < g->nevents; i++)
		free(g->events[i].path);
	for (size_t i = 0; i < g->ninodes; i++)
		free(g->inodes[i].v);
	for (size_t i = 0; i < g->nnamed; i++)
		free(g->named[i].path);
	free(g->procs);
	free(g->ents);
	free(g->edges);
	free(g->events);
	free(g->inodes);
	free(g->named);
	idmap_free(&g->inode_of);
	idmap_free(&g->process_of);
	idmap_free(&g->edge_seen);
	free(g);
}

const struct df_process *df_processes(const struct dataflow *g, size_t *n)
{
	*n = g->nprocs;
	return g->procs;
}

const struct df_entity *df_entities(const struct dataflow *g, size_t *n)
{
	*n = g->nents;
	return g->ents;
}

const struct df_edge *df_edges(const struct dataflow *g, size_t *n)
{
	*n = g->nedges;
	return g->edges;
}

long long df_find_path(const struct dataflow *g, const char *path)
{
	for (size_t i = g->nnamed; i-- > 0;) {
		size_t iv;

		if (strcmp(g->named[i].path, path))
			continue;
		iv = idmap_get(&g->inode_of, g->named[i].dev, g->named[i].ino);
		if (iv == IDMAP_NONE)
			return -1;
		if (g->inodes[iv].n)
			return g->inodes[iv].v[g->inodes[iv].n - 1];
		return g->inodes[iv].v0 == IDMAP_NONE ? -1 :
							(long long)g->inodes[iv].v0;
	}
	return -1;
}
