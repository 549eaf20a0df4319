#include "dataflow.h"

#include <fcntl.h>
#include <stdint.h>
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

/* What one process did to one file at one op, with the file's state the
 * record showed. */
struct event {
	struct df_access a;
	__u32 mode;
	__u64 size;
	__s64 mtime_ns, ctime_ns;
	bool mapped; /* a write through a shared writable mapping */
	char *path;
	size_t made; /* a write's version (made or added to), or IDMAP_NONE */
};

/* A set of ops, marked by one walk of the happens-before graph. */
struct reach {
	unsigned *marks;
	unsigned stamp; /* the marks of the last walk */
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
	struct df_file *files;
	size_t nfiles, files_cap;
	struct df_access *accesses; /* the events' public part, once built */
	struct idmap file_of; /* (dev << 32 | gen, ino) -> files[] */
	struct idmap process_of; /* pid -> its current process */
	struct idmap edge_seen; /* used edges made: see used() */
	bool files_only; /* dataflow_build_files(): see read_again() */
	struct idmap last_event; /* files only: file -> its last event */
	struct hb *hb;
	/* the walks resolve_read() makes */
	struct reach after_read, before_read, before_truncation;
	/* absolute paths named, in log order, with their file */
	struct named {
		char *path;
		size_t file;
	} *named;
	size_t nnamed, named_cap;
	/* the windows lost records fall in, and each CPU's last record */
	struct loss_window {
		__u64 from_ns, to_ns;
	} *windows;
	size_t nwindows, windows_cap;
	struct idmap cpu_last_ts; /* cpu -> ts_ns of its last record */
	struct df_losses losses;
};

bool df_op_before(struct dataflow *g, long long a, long long b)
{
	return a >= 0 && b >= 0 && a != b && hb_reaches(g->hb, a, b);
}

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
	p->clone_op = -1;
	p->last_op = -1;
	idmap_set(&g->process_of, pid, 0, g->nprocs);
	return g->nprocs++;
}

/* The process pid is now, made if the log never showed its start. */
static size_t process_now(struct dataflow *g, __u32 pid)
{
	size_t p = idmap_get(&g->process_of, pid, 0);

	return p != IDMAP_NONE ? p : process_new(g, pid, 0, 0, -1, false);
}

static size_t edge(struct dataflow *g, enum df_relation rel, size_t from,
		   size_t to, long long op, unsigned flags)
{
	g->edges = xgrow(g->edges, &g->edges_cap, g->nedges + 1,
			 sizeof(*g->edges));
	g->edges[g->nedges] = (struct df_edge){
		rel, from, to, op, -1, op >= 0 ? hb_op_ts(g->hb, op) : 0, flags
	};
	return g->nedges++;
}

/* ---- files ---- */

/* The file an inode is: (dev, ino, gen).  A socket's two ends are one
 * channel, and the generation of its peer's inode is not known: sockets
 * are (dev, ino). */
static size_t file_of(struct dataflow *g, const struct probe_inode *ino,
		      bool anonymous)
{
	__u32 gen = S_ISSOCK(ino->mode) ? 0 : ino->gen;
	__u64 key = ino->dev << 32 | gen;
	size_t i = idmap_get(&g->file_of, key, ino->ino);
	struct df_file *f;

	if (i != IDMAP_NONE)
		return i;
	g->files = xgrow(g->files, &g->files_cap, g->nfiles + 1,
			 sizeof(*g->files));
	i = g->nfiles++;
	f = &g->files[i];
	memset(f, 0, sizeof(*f));
	f->dev = ino->dev;
	f->ino = ino->ino;
	f->gen = gen;
	f->mode = ino->mode;
	f->anonymous = anonymous;
	f->v0 = -1;
	idmap_set(&g->file_of, key, ino->ino, i);
	return i;
}

/* ---- what the log says ---- */

static struct event *event(struct dataflow *g, enum df_access_kind kind,
			   size_t process, long long op,
			   const struct probe_hdr *h,
			   const struct probe_inode *ino, bool anonymous,
			   struct bytes path)
{
	struct event *e;

	g->events = xgrow(g->events, &g->events_cap, g->nevents + 1,
			  sizeof(*e));
	e = &g->events[g->nevents++];
	memset(e, 0, sizeof(*e));
	e->a.kind = kind;
	e->a.process = process;
	e->a.op = op;
	e->a.ts_ns = h->ts_ns;
	e->a.file = file_of(g, ino, anonymous);
	e->mode = ino->mode;
	e->size = ino->size;
	e->mtime_ns = ino->mtime_ns;
	e->ctime_ns = ino->ctime_ns;
	e->made = IDMAP_NONE;
	if (g->files_only)
		idmap_set(&g->last_event, e->a.file, 0, g->nevents - 1);
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
			(struct named){ xstrdup(e->path), e->a.file };
	}
	return e;
}

static void on_process_exec(struct dataflow *g, struct model *m,
			    const struct probe_exec *r, long long op)
{
	size_t prev = idmap_get(&g->process_of, r->hdr.pid, 0), p;
	struct bytes argv = exec_argv(r), file = exec_program(r);
	const char *cwd = model_cwd(m, r->hdr.tid);
	struct df_process *proc;
	char *path = NULL;
	size_t len;

	if (r->ret < 0)
		return;
	if (prev != IDMAP_NONE)
		g->procs[prev].last_op = op;
	p = process_new(g, r->hdr.pid,
			prev == IDMAP_NONE ? 1 : g->procs[prev].epoch + 1,
			r->start_ns, prev == IDMAP_NONE ? -1 : (long long)prev,
			prev != IDMAP_NONE);
	proc = &g->procs[p];
	proc->argv = xstrndup(argv.p, argv.len);
	proc->argv_len = argv.len;
	proc->exe = xstrndup(file.p, file.len);
	proc->cred_known = r->cred_known;
	proc->cred_before = r->cred_before;
	proc->cred_after = r->cred_after;
	/* the program it runs is a version of a file it used, named as
	 * files are: absolute, in the process's root ("./words" from its
	 * cwd, once the log told it); the kernel's own path of a program
	 * named through an fd already is */
	if (file.len && !exec_path(r).len && (file.p[0] == '/' || cwd)) {
		path = path_join(file,
				 (struct bytes){ cwd, cwd ? strlen(cwd) : 0 },
				 model_root(m, r->hdr.tid), &len);
		file = (struct bytes){ path, path_drop_dots(path, len) };
	}
	event(g, DF_EXECUTE, p, op, &r->hdr, &r->exe, false, file);
	free(path);
}

static void on_process_clone(struct dataflow *g, const struct probe_clone *r,
			     long long op)
{
	size_t parent = process_now(g, r->hdr.pid), child;

	if (r->share & PROBE_SHARE_THREAD)
		return;
	child = process_new(g, r->child_pid, 0, r->child_start_ns, parent,
			    false);
	g->procs[child].shares_memory = r->share & PROBE_SHARE_VM;
	g->procs[child].clone_op = op;
}

static void on_process_exit(struct dataflow *g, const struct probe_exit *r,
			    long long op)
{
	size_t p = idmap_get(&g->process_of, r->hdr.pid, 0);

	if (!r->group_dead || p == IDMAP_NONE)
		return;
	g->procs[p].exited = true;
	g->procs[p].status = r->status;
	g->procs[p].last_op = op;
	idmap_set(&g->process_of, r->hdr.pid, 0, IDMAP_NONE);
}

/* The file a touch names, as a struct probe_inode for event(). */
static struct probe_inode touched_inode(const struct model_touch *t)
{
	struct probe_inode ino = { 0 };

	ino.dev = t->dev;
	ino.ino = t->ino;
	ino.gen = t->gen;
	ino.mode = t->mode;
	return ino;
}

/*
 * The changes that name their file by path, from the inodes the model's
 * touches tell: rename moves a file to path2 (and removes the one it
 * replaced), unlink and rmdir remove a file's last link, truncate cuts it.
 */
static void on_path_change(struct dataflow *g, struct model *m,
			   size_t process, const struct probe_syscall *r,
			   long long op)
{
	const struct model_touch *t, *t2;
	struct probe_inode ino;
	char *path;
	size_t len;

	if (r->ret < 0 || !(t = model_touched(m, r, syscall_path(r), NULL)))
		return;
	ino = touched_inode(t);
	path = path_join(syscall_path(r), syscall_base(r),
			 model_root(m, r->hdr.tid), &len);
	switch (r->nr) {
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2: {
		char *to = path_join(syscall_path2(r), syscall_base2(r),
				     model_root(m, r->hdr.tid), &len);
		bool exchange = r->nr == SYS_renameat2 &&
				(r->args[4] & RENAME_EXCHANGE);

		t2 = model_touched(m, r, syscall_path2(r), t);
		/* the file replaced loses the name first: the moved file
		 * is the one that names it last (df_find_path()) */
		if (t2 && !exchange && !t2->nlink) {
			struct probe_inode ino2 = touched_inode(t2);

			event(g, DF_REMOVE, process, op, &r->hdr, &ino2, false,
			      (struct bytes){ to, len });
		}
		event(g, DF_RENAME, process, op, &r->hdr, &ino, false,
		      (struct bytes){ to, len });
		/* RENAME_EXCHANGE: the other file took path */
		if (t2 && exchange) {
			struct probe_inode ino2 = touched_inode(t2);

			event(g, DF_RENAME, process, op, &r->hdr, &ino2, false,
			      (struct bytes){ path, strlen(path) });
		}
		free(to);
		break;
	}
	case SYS_unlink:
	case SYS_unlinkat:
	case SYS_rmdir:
		if (!t->nlink)
			event(g, DF_REMOVE, process, op, &r->hdr, &ino, false,
			      (struct bytes){ path, len });
		break;
	case SYS_truncate:
		event(g, r->args[1] ? DF_WRITE : DF_TRUNCATE, process, op,
		      &r->hdr, &ino, false, (struct bytes){ path, len });
		break;
	}
	free(path);
}

/* A change of the data of the file an fd names (ftruncate, fallocate). */
static void fd_change(struct dataflow *g, const struct probe_syscall *r,
		      long long op, enum df_access_kind kind)
{
	if (syscall_writes_data(r) && r->has_inode)
		event(g, kind, process_now(g, r->hdr.pid), op, &r->hdr,
		      &r->inode, false, syscall_base(r));
}

/*
 * process_vm_readv copies memory of the target process into the caller's,
 * process_vm_writev the caller's into the target's (process_vm_readv(2)):
 * the receiving process holds, from the call on, what the other held at
 * the call.  The target is a traced process by its pid (its current exec
 * epoch); bytes from an untraced one come from outside the recording.
 */
static void on_memory_copy(struct dataflow *g, const struct probe_syscall *r,
			   long long op)
{
	size_t caller = process_now(g, r->hdr.pid), target, e;
	int pid = (int)r->args[0];

	if (r->ret <= 0 || pid <= 0)
		return;
	target = idmap_get(&g->process_of, pid, 0);
	if (target == IDMAP_NONE)
		return;
	if (r->nr == SYS_process_vm_readv)
		e = edge(g, DF_INFORMED, target, caller, op, 0);
	else
		e = edge(g, DF_INFORMED, caller, target, op, 0);
	g->edges[e].until = op;
}

static void on_syscall(struct dataflow *g, struct model *m,
		       const struct probe_syscall *r, long long op)
{
	switch (r->nr) {
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2:
	case SYS_unlink:
	case SYS_unlinkat:
	case SYS_rmdir:
	case SYS_truncate:
		on_path_change(g, m, process_now(g, r->hdr.pid), r, op);
		break;
	case SYS_ftruncate:
		fd_change(g, r, op, r->args[1] ? DF_WRITE : DF_TRUNCATE);
		break;
	case SYS_fallocate: /* punching a hole...: a write that can erase */
		fd_change(g, r, op, DF_WRITE);
		break;
	case SYS_process_vm_readv:
	case SYS_process_vm_writev:
		on_memory_copy(g, r, op);
		break;
	}
}

static void on_open(struct dataflow *g, const struct probe_open *r,
		    long long op)
{
	bool writes = (r->flags & O_ACCMODE) != O_RDONLY;

	if (r->ret < 0 || (r->rflags & PROBE_RF_NO_FILE) ||
	    (r->rflags & PROBE_RF_ANON))
		return;
	/* truncating a file writes it, before any write() */
	if ((r->flags & O_TRUNC) && writes && S_ISREG(r->inode.mode)) {
		event(g, DF_TRUNCATE, process_now(g, r->hdr.pid), op, &r->hdr,
		      &r->inode, false, open_abs_path(r));
		return;
	}
	/* a file an open created: nothing was in it before */
	if ((r->flags & O_CREAT) && !r->inode.size && S_ISREG(r->inode.mode)) {
		size_t known = g->nfiles;

		/* unless the log showed it before */
		if (file_of(g, &r->inode, false) == known)
			g->files[known].created = true;
	}
}

/*
 * Whether a read tells nothing its file's last event did not: the same
 * process read the same file, unchanged (ctime) and by the same path.
 * Only without a happens-before graph (files only), where a read is not
 * an op of its own: a loop of opens and reads keeps one event, not one
 * per iteration.
 */
static bool read_again(struct dataflow *g, const struct probe_use *r,
		       const struct probe_inode *ino)
{
	size_t f = file_of(g, ino, r->rflags & PROBE_RF_ANON);
	size_t last = idmap_get(&g->last_event, f, 0);
	const struct event *e;
	struct bytes path = use_path(r);

	if (last == IDMAP_NONE)
		return false;
	e = &g->events[last];
	return e->a.kind == DF_READ &&
	       e->a.process == process_now(g, r->hdr.pid) &&
	       e->ctime_ns == ino->ctime_ns && e->path &&
	       strlen(e->path) == path.len &&
	       !memcmp(e->path, path.p, path.len);
}

static void on_use(struct dataflow *g, const struct probe_use *r,
		   long long op)
{
	struct probe_inode ino = r->inode;
	bool write = r->access == PROBE_USE_WRITE;
	struct event *e;

	/* a socket reads what its peer wrote: one channel */
	if (!write && r->peer_ino)
		ino.ino = r->peer_ino;
	if (!write && g->files_only && read_again(g, r, &ino))
		return;
	e = event(g, write ? DF_WRITE : DF_READ, process_now(g, r->hdr.pid),
		  op, &r->hdr, &ino, r->rflags & PROBE_RF_ANON, use_path(r));
	e->mapped = write && syscall_maps(r->nr);
}

/* What the recorder found of a file at the end, kept with the file the
 * log knows (one the log never showed tells nothing). */
static void on_hash(struct dataflow *g, const struct probe_hash *r)
{
	size_t i = idmap_get(&g->file_of, r->inode.dev << 32 | r->inode.gen,
			     r->inode.ino);
	struct probe_hash *copy;

	if (i == IDMAP_NONE)
		return;
	copy = xmalloc(r->hdr.size);
	memcpy(copy, r, r->hdr.size);
	free((void *)g->files[i].end);
	g->files[i].end = copy;
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
		on_process_exec(g, m, (const void *)h, op);
		break;
	case PROBE_REC_CLONE:
		on_process_clone(g, (const void *)h, op);
		break;
	case PROBE_REC_EXIT:
		on_process_exit(g, (const void *)h, op);
		break;
	case PROBE_REC_USE:
		on_use(g, (const void *)h, op);
		break;
	case PROBE_REC_OPEN:
		on_open(g, (const void *)h, op);
		break;
	case PROBE_REC_SYSCALL:
		on_syscall(g, m, (const void *)h, op);
		break;
	case PROBE_REC_HASH:
		on_hash(g, (const void *)h);
		break;
	}
	if (timed && new_image) {
		p = process_now(g, h->pid);
		g->procs[p].begin_ns = g->procs[p].end_ns = h->ts_ns;
	}
}

/* ---- versions ---- */

static size_t entity_new(struct dataflow *g, const struct event *e,
			 __u32 version, long long by)
{
	struct df_entity *v;

	g->ents = xgrow(g->ents, &g->ents_cap, g->nents + 1, sizeof(*v));
	v = &g->ents[g->nents];
	memset(v, 0, sizeof(*v));
	v->dev = g->files[e->a.file].dev;
	v->ino = g->files[e->a.file].ino;
	v->gen = g->files[e->a.file].gen;
	v->file = e->a.file;
	v->version = version;
	v->mode = e->mode;
	v->anonymous = g->files[e->a.file].anonymous;
	v->path = e->path ? xstrdup(e->path) : NULL;
	v->size = e->size;
	v->mtime_ns = e->mtime_ns;
	v->generated_by = by;
	v->op = by >= 0 ? e->a.op : -1;
	v->last_op = v->op;
	return g->nents++;
}

/* The entity of a file's version 0, made on first need. */
static size_t version0(struct dataflow *g, const struct event *e)
{
	struct df_file *f = &g->files[e->a.file];

	if (f->v0 < 0)
		f->v0 = entity_new(g, e, 0, -1);
	return f->v0;
}

/*
 * Each process that writes a file makes its next version, or adds to the
 * newest if it made that one; a truncation always begins a new one, which
 * does not derive from the version before.
 */
static void make_versions(struct dataflow *g)
{
	for (size_t i = 0; i < g->nevents; i++) {
		struct event *e = &g->events[i];
		bool truncate = e->a.kind == DF_TRUNCATE;
		struct df_file *f = &g->files[e->a.file];
		size_t v;

		/* what a process writes to a character device (a terminal,
		 * /dev/null) is not what the next one reads from it */
		if ((!truncate && e->a.kind != DF_WRITE) || S_ISCHR(f->mode))
			continue;
		v = f->nversions ? f->versions[f->nversions - 1] : IDMAP_NONE;
		if (!truncate && v != IDMAP_NONE &&
		    g->ents[v].generated_by == (long long)e->a.process) {
			g->ents[v].last_op = e->a.op;
		} else {
			size_t prev = v;

			v = entity_new(g, e, f->nversions + 1, e->a.process);
			g->ents[v].truncated = truncate;
			edge(g, DF_GENERATED, e->a.process, v, e->a.op,
			     truncate ? DF_EDGE_TRUNCATE : 0);
			if (prev != IDMAP_NONE && !truncate)
				edge(g, DF_DERIVED, prev, v, e->a.op, 0);
			f->versions = xgrow(f->versions, &f->versions_cap,
					    f->nversions + 1,
					    sizeof(*f->versions));
			f->versions[f->nversions++] = v;
		}
		g->ents[v].written |= !truncate;
		g->ents[v].mapped |= e->mapped;
		e->made = v;
	}
}

/*
 * A used edge from entity to the process of read e, unless an earlier
 * read of it by the process happens before e: which reads count for a
 * write is decided by their order with it (df_walk()), and of two reads
 * in two threads that nothing orders, either can have come first.
 * edge_seen holds the count of a pair's edges under (entity, process),
 * and the k-th under (entity, process | k << 32).
 */
static void used(struct dataflow *g, size_t entity, const struct event *e)
{
	size_t n = idmap_get(&g->edge_seen, entity, e->a.process);
	__u64 p = e->a.process;

	if (g->ents[entity].generated_by == (long long)p)
		return;
	if (n == IDMAP_NONE)
		n = 0;
	for (size_t k = 1; k <= n; k++) {
		long long op = g->edges[idmap_get(&g->edge_seen, entity,
						  p | (__u64)k << 32)]
				       .op;

		if (op == e->a.op || df_op_before(g, op, e->a.op))
			return;
	}
	idmap_set(&g->edge_seen, entity, p, n + 1);
	idmap_set(&g->edge_seen, entity, p | (__u64)(n + 1) << 32,
		  edge(g, DF_USED, entity, p, e->a.op,
		       e->a.kind == DF_EXECUTE ? DF_EDGE_EXEC : 0));
}

/* The op after which version v's writer wrote nothing more to it: the
 * end of its process (its exit, or its next exec), -1 if unknown. */
static long long writes_end(const struct dataflow *g, size_t v)
{
	return g->procs[g->ents[v].generated_by].last_op;
}

/* The ops reachable from op (forward), or that reach it (backward), up to
 * bound; their marks stay until the next walk into the same set. */
static void reach_from(struct dataflow *g, struct reach *r, size_t op,
		       bool backward, size_t bound)
{
	if (!r->marks) {
		r->marks = xmalloc((hb_ops(g->hb) + 1) * sizeof(*r->marks));
		memset(r->marks, 0, (hb_ops(g->hb) + 1) * sizeof(*r->marks));
	}
	if (++r->stamp == 0) {
		memset(r->marks, 0, (hb_ops(g->hb) + 1) * sizeof(*r->marks));
		r->stamp = 1;
	}
	hb_reach_all(g->hb, op, backward, bound, r->marks, r->stamp);
}

static bool reached(const struct reach *r, long long op)
{
	return op >= 0 && r->marks[op] == r->stamp;
}

/*
 * The versions a read used.  A version's content can be there unless its
 * write is ordered after the read, or a truncation ordered after the end
 * of its writer and before the read erased it (version 0: any truncation
 * before the read).  Of those, each unbroken line of derivation (between
 * truncations) is stood for by its newest, which derives from the others.
 *
 * Three walks of the happens-before graph answer it, whatever the number
 * of versions: what the read reaches (the writes after it), what reaches
 * the read (the truncations before it), and what reaches the newest of
 * those truncations (the writers it erased).  A version that only another,
 * unordered, truncation erased counts as there: more, never less.
 */
static void resolve_read(struct dataflow *g, const struct event *e)
{
	const struct df_file *f = &g->files[e->a.file];
	size_t n = f->nversions, last_truncation = n;
	long long r = e->a.op, first_after = -1, first_trunc = -1;
	bool *candidate = xmalloc(n + 1);
	long long alive = -1; /* newest of this line: -1 is version 0 */

	for (size_t k = 0; k < n; k++) {
		const struct df_entity *v = &g->ents[f->versions[k]];

		if (v->op > r && first_after < 0)
			first_after = k;
		if (v->truncated && first_trunc < 0)
			first_trunc = v->op;
	}
	/* the writes after the read: one walk forward from it */
	if (first_after >= 0)
		reach_from(g, &g->after_read, r, false,
			   g->ents[f->versions[n - 1]].op);
	/* the truncations before it: one walk back */
	if (first_trunc >= 0)
		reach_from(g, &g->before_read, r, true, first_trunc);
	for (size_t k = 0; k < n; k++) {
		const struct df_entity *v = &g->ents[f->versions[k]];

		candidate[k] = v->op == r ||
			       !(first_after >= 0 && reached(&g->after_read,
							      v->op));
		if (candidate[k] && v->truncated && first_trunc >= 0 &&
		    v->op != r && reached(&g->before_read, v->op))
			last_truncation = k;
	}
	bool erasures = false; /* before_truncation walked for this read */

	if (last_truncation < n) {
		long long ends = -1;

		for (size_t k = 0; k < last_truncation; k++) {
			long long end = writes_end(g, f->versions[k]);

			if (end >= 0 && (ends < 0 || end < ends))
				ends = end;
		}
		if (ends >= 0) {
			reach_from(g, &g->before_truncation,
				   g->ents[f->versions[last_truncation]].op,
				   true, ends);
			erasures = true;
		}
	}
	for (size_t k = 0; k <= n; k++) {
		long long end;

		if (k == n || g->ents[f->versions[k]].truncated) {
			/* version 0 is erased by any truncation before */
			if (alive == -1 && last_truncation == n)
				used(g, version0(g, e), e);
			else if (alive >= 0)
				used(g, f->versions[alive], e);
			alive = -2;
		}
		if (k == n || !candidate[k])
			continue;
		end = writes_end(g, f->versions[k]);
		if (erasures && k < last_truncation &&
		    reached(&g->before_truncation, end))
			continue; /* erased */
		alive = k;
	}
	free(candidate);
}

/* A version's path, size and mtime: as the last event of its file while it
 * was the newest version in log order says; a rename names the newest. */
static void describe_versions(struct dataflow *g)
{
	size_t *newest = xmalloc((g->nfiles + 1) * sizeof(*newest));

	for (size_t i = 0; i < g->nfiles; i++)
		newest[i] = g->files[i].v0 >= 0 ? (size_t)g->files[i].v0 :
						  IDMAP_NONE;
	for (size_t i = 0; i < g->nevents; i++) {
		const struct event *e = &g->events[i];
		size_t v = e->made != IDMAP_NONE ? e->made : newest[e->a.file];
		struct df_file *f = &g->files[e->a.file];
		struct df_entity *ent;

		if (e->path) {
			free(f->path);
			f->path = xstrdup(e->path);
		}
		if (e->ctime_ns) /* touches tell no ctime */
			f->ctime_ns = e->ctime_ns;
		f->read |= e->a.kind == DF_READ || e->a.kind == DF_EXECUTE;
		f->executed |= e->a.kind == DF_EXECUTE;
		if (e->a.kind == DF_REMOVE)
			f->removed = true;
		else if (e->a.kind == DF_RENAME)
			f->removed = false; /* linked again */
		if (v == IDMAP_NONE)
			continue;
		newest[e->a.file] = v;
		ent = &g->ents[v];
		if (e->a.kind != DF_RENAME && e->a.kind != DF_REMOVE) {
			ent->size = e->size;
			ent->mtime_ns = e->mtime_ns;
		}
		if (e->path && e->a.kind != DF_REMOVE) {
			free(ent->path);
			ent->path = xstrdup(e->path);
		}
	}
	free(newest);
}

static void process_edges(struct dataflow *g)
{
	for (size_t p = 0; p < g->nprocs; p++) {
		const struct df_process *proc = &g->procs[p];
		size_t e;

		if (proc->parent < 0)
			continue;
		/* a clone holds its parent's state as of the clone; an exec
		 * the whole of the epoch before */
		e = edge(g, DF_INFORMED, proc->parent, p, -1, 0);
		g->edges[e].until = proc->by_exec ? -1 : proc->clone_op;
		/* a vfork child runs in its parent's memory until exec: the
		 * parent holds what it did once the clone returns */
		if (proc->shares_memory)
			edge(g, DF_INFORMED, p, proc->parent, proc->clone_op,
			     0);
	}
}

/* Version 0 of a file that was there before the recording and that the
 * recording wrote without truncating it first: its old content is in the
 * new versions. */
static void older_content(struct dataflow *g)
{
	for (size_t i = 0; i < g->nfiles; i++) {
		struct df_file *f = &g->files[i];
		const struct df_entity *v1;
		struct event e;

		if (!f->nversions || f->anonymous || f->created ||
		    g->ents[f->versions[0]].truncated)
			continue;
		v1 = &g->ents[f->versions[0]];
		if (f->v0 < 0) {
			memset(&e, 0, sizeof(e));
			e.a.file = i;
			e.mode = v1->mode;
			e.path = v1->path;
			version0(g, &e);
			v1 = &g->ents[f->versions[0]];
		}
		edge(g, DF_DERIVED, f->v0, f->versions[0], v1->op, 0);
	}
}

/* Each generated edge gets the last write of its version. */
static void generated_until(struct dataflow *g)
{
	for (size_t k = 0; k < g->nedges; k++) {
		struct df_edge *e = &g->edges[k];

		if (e->rel == DF_GENERATED)
			e->until = g->ents[e->to].mapped ? -1 :
							   g->ents[e->to].last_op;
	}
}

/* ---- losses ---- */

/* A lost record's window: after the last record its CPU wrote before the
 * gap (the recording's start if none), up to the record that showed the
 * gap (merge.c gives the lost record its time). */
static void note_record_time(struct dataflow *g, const struct probe_hdr *h)
{
	size_t last = idmap_get(&g->cpu_last_ts, h->cpu, 0);

	if (h->type == PROBE_REC_LOST) {
		const struct probe_lost *r = (const void *)h;

		g->windows = xgrow(g->windows, &g->windows_cap,
				   g->nwindows + 1, sizeof(*g->windows));
		g->windows[g->nwindows++] = (struct loss_window){
			last == IDMAP_NONE ? 0 : last, h->ts_ns
		};
		g->losses.lost += r->count;
		return;
	}
	idmap_set(&g->cpu_last_ts, h->cpu, 0, h->ts_ns);
}

/* Whether process p was alive in window w: from its start (its exec for
 * an epoch after the first) to its end, if the log saw one. */
static bool alive_in(const struct df_process *p, const struct loss_window *w)
{
	__u64 from = p->epoch ? p->begin_ns : p->start_ns;
	__u64 to = p->last_op >= 0 ? p->end_ns : UINT64_MAX;

	if (!p->epoch && p->begin_ns && p->begin_ns < from)
		from = p->begin_ns;
	return w->from_ns <= to && from <= w->to_ns;
}

static void mark_incomplete(struct dataflow *g, struct log_reader *log)
{
	const struct probe_trailer *t = log_trailer(log);
	struct df_losses *l = &g->losses;
	bool all;

	l->skipped = t ? t->misses : 0;
	l->cut_short = !log_complete(log);
	all = l->skipped || l->cut_short;
	l->any = all || g->nwindows;
	for (size_t i = 0; i < g->nprocs; i++) {
		struct df_process *p = &g->procs[i];

		p->incomplete = all;
		for (size_t k = 0; !p->incomplete && k < g->nwindows; k++)
			p->incomplete = alive_in(p, &g->windows[k]);
	}
}

const struct df_losses *df_losses(const struct dataflow *g)
{
	return &g->losses;
}

/* How much of the graph dataflow_build*() make. */
enum build_mode {
	BUILD_ALL, /* and warn about the happens-before graph */
	BUILD_QUIET,
	BUILD_FILES, /* files and versions, no happens-before graph */
};

/* A file read that no version of the recording precedes still has its
 * version 0, read: what dataflow_build_files() has of reads. */
static void version0_read(struct dataflow *g, const struct event *e)
{
	if (!g->files[e->a.file].nversions)
		version0(g, e);
}

static struct dataflow *build(struct log_reader *log, enum build_mode mode,
			      char *err, size_t errlen)
{
	struct dataflow *g = xmalloc(sizeof(*g));
	struct model *m = model_new();
	const struct probe_hdr *h;
	enum log_next n;

	memset(g, 0, sizeof(*g));
	g->hb = hb_new();
	g->files_only = mode == BUILD_FILES;
	while ((n = log_next(log, &h)) == LOG_RECORD) {
		long long op = mode == BUILD_FILES ? -1 : hb_add(g->hb, h);

		note_record_time(g, h);
		/* the model first: it knows the touches of a rename */
		add(g, m, h, op);
		model_apply(m, h);
	}
	model_free(m);
	if (n == LOG_ERROR) {
		snprintf(err, errlen, "%s", log_error(log));
		dataflow_free(g);
		return NULL;
	}
	/* the graph the reads are resolved by: say if it is not sound */
	if (mode == BUILD_ALL)
		hb_warn(g->hb, log_header(log)->scope);
	make_versions(g);
	for (size_t i = 0; i < g->nevents; i++) {
		if (g->events[i].a.kind != DF_READ &&
		    g->events[i].a.kind != DF_EXECUTE)
			continue;
		if (mode == BUILD_FILES)
			version0_read(g, &g->events[i]);
		else
			resolve_read(g, &g->events[i]);
	}
	older_content(g);
	generated_until(g);
	mark_incomplete(g, log);
	describe_versions(g);
	process_edges(g);
	g->accesses = xmalloc((g->nevents + 1) * sizeof(*g->accesses));
	for (size_t i = 0; i < g->nevents; i++) {
		g->accesses[i] = g->events[i].a;
		g->accesses[i].path = g->events[i].path;
	}
	return g;
}

struct dataflow *dataflow_build(struct log_reader *log, char *err,
				size_t errlen)
{
	return build(log, BUILD_ALL, err, errlen);
}

struct dataflow *dataflow_build_quiet(struct log_reader *log, char *err,
				      size_t errlen)
{
	return build(log, BUILD_QUIET, err, errlen);
}

struct dataflow *dataflow_build_files(struct log_reader *log, char *err,
				      size_t errlen)
{
	return build(log, BUILD_FILES, err, errlen);
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
	for (size_t i = 0; i < g->nfiles; i++) {
		free(g->files[i].path);
		free(g->files[i].versions);
		free((void *)g->files[i].end);
	}
	for (size_t i = 0; i < g->nnamed; i++)
		free(g->named[i].path);
	free(g->procs);
	free(g->ents);
	free(g->edges);
	free(g->events);
	free(g->files);
	free(g->accesses);
	free(g->named);
	free(g->windows);
	idmap_free(&g->cpu_last_ts);
	idmap_free(&g->file_of);
	idmap_free(&g->process_of);
	idmap_free(&g->edge_seen);
	idmap_free(&g->last_event);
	free(g->after_read.marks);
	free(g->before_read.marks);
	free(g->before_truncation.marks);
	hb_free(g->hb);
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

const struct df_file *df_files(const struct dataflow *g, size_t *n)
{
	*n = g->nfiles;
	return g->files;
}

const struct df_access *df_accesses(const struct dataflow *g, size_t *n)
{
	*n = g->nevents;
	return g->accesses;
}

long long df_find_path(const struct dataflow *g, const char *path)
{
	for (size_t i = g->nnamed; i-- > 0;) {
		const struct df_file *f;

		if (strcmp(g->named[i].path, path))
			continue;
		f = &g->files[g->named[i].file];
		if (f->nversions)
			return f->versions[f->nversions - 1];
		return f->v0;
	}
	return -1;
}

/* ---- walks ---- */

/*
 * The state of a walk.  Nodes are numbered processes first, then
 * entities.  A process can be reached again with another op: up, the
 * last op whose reads count (-1: all); down, the first op that holds
 * what came in (-1: all).  It is walked again only when the new op lets
 * more through than the best one before.
 */
struct walker {
	struct dataflow *g;
	bool down;
	int max_depth;
	size_t *at, *by; /* edges by node, in the walk's direction:
			    by[at[v]..at[v + 1]) */
	long long *best; /* by process: the op walked with, or -2 */
	bool *met; /* by node */
	bool *taken; /* by edge */
	struct df_walk *out;
	struct item {
		struct df_node n;
		long long op;
	} *now, *next; /* this depth's queue and the next's */
	size_t nnow, nnext, now_cap, next_cap;
	size_t nodes_cap, edges_cap; /* of out's arrays */
};

static size_t slot(const struct walker *w, struct df_node n)
{
	return n.process ? n.i : w->g->nprocs + n.i;
}

/* The node a walk leaves an edge from, and the one it reaches. */
static struct df_node edge_end(const struct df_edge *e, bool source)
{
	bool from_p = e->rel == DF_GENERATED || e->rel == DF_INFORMED;
	bool to_p = e->rel == DF_USED || e->rel == DF_INFORMED;

	return source ? (struct df_node){ from_p, e->from } :
			(struct df_node){ to_p, e->to };
}

static void index_edges(struct walker *w)
{
	size_t nodes = w->g->nprocs + w->g->nents;

	w->at = xmalloc((nodes + 2) * sizeof(*w->at));
	w->by = xmalloc((w->g->nedges + 1) * sizeof(*w->by));
	memset(w->at, 0, (nodes + 2) * sizeof(*w->at));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < w->g->nedges; k++) {
			/* up: against the edges, from their target */
			size_t v = slot(w, edge_end(&w->g->edges[k], w->down));

			if (pass == 0)
				w->at[v + 2]++;
			else
				w->by[w->at[v + 1]++] = k;
		}
		if (pass == 0)
			for (size_t v = 0; v < nodes; v++)
				w->at[v + 2] += w->at[v + 1];
	}
}

static void push(struct walker *w, struct df_node n, long long op, bool deeper,
		 unsigned depth)
{
	struct item **q = deeper ? &w->next : &w->now;
	size_t *len = deeper ? &w->nnext : &w->nnow;
	size_t *cap = deeper ? &w->next_cap : &w->now_cap;
	size_t v = slot(w, n);

	if (deeper && w->max_depth >= 0 && (int)depth + 1 > w->max_depth)
		return;
	*q = xgrow(*q, cap, *len + 1, sizeof(**q));
	(*q)[(*len)++] = (struct item){ n, op };
	if (!w->met[v]) {
		struct df_walk *o = w->out;

		size_t cap = w->nodes_cap;

		w->met[v] = true;
		o->nodes = xgrow(o->nodes, &w->nodes_cap, o->nnodes + 1,
				 sizeof(*o->nodes));
		o->depth = xgrow(o->depth, &cap, o->nnodes + 1,
				 sizeof(*o->depth));
		o->nodes[o->nnodes] = n;
		o->depth[o->nnodes++] = depth + deeper;
	}
}

static void take(struct walker *w, size_t k)
{
	if (w->taken[k])
		return;
	w->taken[k] = true;
	w->out->edges = xgrow(w->out->edges, &w->edges_cap,
			      w->out->nedges + 1, sizeof(size_t));
	w->out->edges[w->out->nedges++] = k;
}

/* Whether a process walked with op lets nothing through that the walk
 * with best did not: the same op, everything before, or from the start. */
static bool covered(struct walker *w, long long best, long long op)
{
	if (best == -2)
		return false;
	if (best == -1 || best == op)
		return true;
	if (op == -1)
		return false;
	return w->down ? df_op_before(w->g, best, op) :
			 df_op_before(w->g, op, best);
}

/* Whether an edge of process p's, at op at (the read, the clone...),
 * lies inside what a walk with op lets through. */
static bool admits(struct walker *w, long long op, long long at)
{
	if (op == -1 || at == -1)
		return true;
	/* up: reads and arrivals not after the cutoff; down: writes and
	 * departures not before the entry */
	return w->down ? !df_op_before(w->g, at, op) :
			 !df_op_before(w->g, op, at);
}

static void step(struct walker *w, struct item it, unsigned depth)
{
	const struct df_edge *edges = w->g->edges;
	size_t v = slot(w, it.n);

	if (it.n.process) {
		long long *best = &w->best[it.n.i];

		if (covered(w, *best, it.op))
			return;
		if (*best == -2 || covered(w, it.op, *best))
			*best = it.op;
	}
	for (size_t k = w->at[v]; k < w->at[v + 1]; k++) {
		const struct df_edge *e = &edges[w->by[k]];
		struct df_node to = edge_end(e, !w->down);

		switch (e->rel) {
		case DF_DERIVED:
			take(w, w->by[k]);
			push(w, to, -1, false, depth);
			break;
		case DF_GENERATED:
			if (!w->down) {
				/* a truncation alone leaves nothing of its
				 * writer in the file */
				if (!w->g->ents[e->to].written)
					break;
				take(w, w->by[k]);
				push(w, to, e->until, true, depth);
			} else if (admits(w, it.op, e->until)) {
				take(w, w->by[k]);
				push(w, to, -1, false, depth);
			}
			break;
		case DF_USED:
			if (w->down) {
				take(w, w->by[k]);
				push(w, to, e->op, true, depth);
			} else if (admits(w, it.op, e->op)) {
				take(w, w->by[k]);
				push(w, to, -1, false, depth);
			}
			break;
		case DF_INFORMED:
			if (admits(w, it.op, w->down ? e->until : e->op)) {
				take(w, w->by[k]);
				push(w, to, w->down ? e->op : e->until, false,
				     depth);
			}
			break;
		}
	}
}

void df_walk(struct dataflow *g, size_t root, bool down, int max_depth,
	     struct df_walk *out)
{
	struct walker w = { .g = g, .down = down, .max_depth = max_depth,
			    .out = out };
	size_t nodes = g->nprocs + g->nents;

	memset(out, 0, sizeof(*out));
	index_edges(&w);
	w.best = xmalloc((g->nprocs + 1) * sizeof(*w.best));
	for (size_t p = 0; p < g->nprocs; p++)
		w.best[p] = -2;
	w.met = xmalloc(nodes + 1);
	memset(w.met, 0, nodes + 1);
	w.taken = xmalloc(g->nedges + 1);
	memset(w.taken, 0, g->nedges + 1);
	push(&w, (struct df_node){ false, root }, -1, false, 0);
	for (unsigned depth = 0; w.nnow; depth++) {
		struct item *q;
		size_t cap;

		/* this depth's queue grows while it is walked */
		for (size_t i = 0; i < w.nnow; i++)
			step(&w, w.now[i], depth);
		q = w.now;
		cap = w.now_cap;
		w.now = w.next;
		w.now_cap = w.next_cap;
		w.nnow = w.nnext;
		w.next = q;
		w.next_cap = cap;
		w.nnext = 0;
	}
	free(w.now);
	free(w.next);
	free(w.at);
	free(w.by);
	free(w.best);
	free(w.met);
	free(w.taken);
}

void df_walk_free(struct df_walk *w)
{
	free(w->nodes);
	free(w->depth);
	free(w->edges);
	memset(w, 0, sizeof(*w));
}
