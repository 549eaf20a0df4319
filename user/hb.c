#include "hb.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "idmap.h"
#include "util.h"

const char *const hb_kind_names[HB_NKINDS] = {
	[HB_PROGRAM_ORDER] = "program_order",
	[HB_CLONE] = "clone",
	[HB_EXEC] = "exec",
	[HB_WAIT] = "wait",
	[HB_FUTEX] = "futex",
	[HB_PIPE] = "pipe",
	[HB_SIGNAL] = "signal",
};

#ifndef SYS_futex_wait
#define SYS_futex_wait 455
#endif
#define P_PID_IDTYPE 1 /* waitid's P_PID */

/* What the edges need to know of one op. */
struct node {
	__u64 ts;
	__u32 pid, tid;
	__u16 type; /* enum probe_rec_type */
	bool group_exit; /* an exit that ended its process */
	bool futex_wait_woken; /* a futex wait that a wake ended */
	bool futex_requeue; /* FUTEX_REQUEUE, FUTEX_CMP_REQUEUE */
	__u32 nr; /* the syscall, where the record has one */
	__u32 child_tid; /* clone */
	__u32 old_tid; /* exec by a non-leader thread */
	__s64 ret;
	__u64 args[3]; /* kill family, wait4, waitid */
	struct probe_futex_key key, key2; /* futex */
	__u64 dev, ino; /* a first use of a channel: the inode its data
			   went through (a unix socket read: its peer's) */
	__u32 access; /* of that use */
	bool channel; /* a pipe, a FIFO, a connected unix socket */
	__s32 sig, code; /* signal */
	__u32 sender_pid;
	size_t chain; /* the thread's run of program order it is in */
};

/* A wakeup: the next ops of the waker and of the wakee. */
struct wake {
	__u32 waker_tid, wakee_tid;
	long long from, to; /* -1 until that thread's next op */
};

struct hb {
	struct node *nodes;
	size_t n, cap;
	struct wake *wakes;
	size_t nwakes, wakes_cap;
	size_t wakes_open; /* wakes before it have both their ops */
	struct hb_edge *edges;
	size_t nedges, edges_cap;
	struct idmap last_exit; /* tid -> its exit op, while the latest */
	/* for hb_reaches(): edges by source, and a mark per op */
	size_t *succ_at, *succ; /* succ[succ_at[v]..succ_at[v + 1]) */
	size_t *pred_at; /* edges[pred_at[v]..pred_at[v + 1]) go to v */
	unsigned *mark, stamp;
	size_t *stack;
	bool backward; /* some edge goes to an earlier op */
	bool built;
	__u64 lost;
};

struct hb *hb_new(void)
{
	struct hb *g = xmalloc(sizeof(*g));

	memset(g, 0, sizeof(*g));
	return g;
}

void hb_free(struct hb *g)
{
	if (!g)
		return;
	free(g->nodes);
	free(g->wakes);
	free(g->edges);
	idmap_free(&g->last_exit);
	free(g->succ_at);
	free(g->succ);
	free(g->pred_at);
	free(g->mark);
	free(g->stack);
	free(g);
}

/* Whether a futex syscall's op is one that sleeps until woken. */
static bool futex_waits(const struct probe_futex *r)
{
	switch (r->nr) {
	case SYS_futex:
		switch (r->args[1] & 0x7f) {
		case 0: /* FUTEX_WAIT */
		case 6: /* FUTEX_LOCK_PI */
		case 9: /* FUTEX_WAIT_BITSET */
		case 11: /* FUTEX_WAIT_REQUEUE_PI */
		case 13: /* FUTEX_LOCK_PI2 */
			return true;
		}
		return false;
	case SYS_futex_wait:
	case SYS_futex_waitv:
		return true;
	}
	return false;
}

static void fill(struct node *n, const struct probe_hdr *rec)
{
	switch (rec->type) {
	case PROBE_REC_CLONE: {
		const struct probe_clone *r = (const void *)rec;

		n->child_tid = r->child_tid;
		break;
	}
	case PROBE_REC_EXEC: {
		const struct probe_exec *r = (const void *)rec;

		n->old_tid = r->ret == 0 ? r->old_tid : 0;
		n->ret = r->ret;
		break;
	}
	case PROBE_REC_EXIT:
		n->group_exit = ((const struct probe_exit *)rec)->group_dead;
		break;
	case PROBE_REC_SYSCALL: {
		const struct probe_syscall *r = (const void *)rec;

		n->nr = r->nr;
		n->ret = r->ret;
		memcpy(n->args, r->args, sizeof(n->args));
		break;
	}
	case PROBE_REC_FUTEX: {
		const struct probe_futex *r = (const void *)rec;

		n->nr = r->nr;
		n->ret = r->ret;
		n->key = r->key;
		n->key2 = r->key2;
		/* futex_waitv returns the index of the word woken */
		n->futex_wait_woken = futex_waits(r) &&
				      (r->ret == 0 ||
				       (r->nr == SYS_futex_waitv && r->ret > 0));
		n->futex_requeue = r->nr == SYS_futex &&
				   ((r->args[1] & 0x7f) == 3 ||
				    (r->args[1] & 0x7f) == 4);
		break;
	}
	case PROBE_REC_USE: {
		const struct probe_use *r = (const void *)rec;

		n->ret = r->ret;
		n->channel = S_ISFIFO(r->inode.mode) || S_ISSOCK(r->inode.mode);
		n->dev = r->inode.dev;
		n->ino = r->access == PROBE_USE_READ && r->peer_ino ?
				 r->peer_ino :
				 r->inode.ino;
		n->access = r->access;
		break;
	}
	case PROBE_REC_SIGNAL: {
		const struct probe_signal *r = (const void *)rec;

		n->sig = r->sig;
		n->code = r->code;
		n->sender_pid = r->sender_pid;
		break;
	}
	}
}

/* The wakeups still waiting for an op of tid get it. */
static void close_wakes(struct hb *g, __u32 tid, long long id)
{
	for (size_t i = g->wakes_open; i < g->nwakes; i++) {
		struct wake *w = &g->wakes[i];

		if (w->from < 0 && w->waker_tid == tid)
			w->from = id;
		if (w->to < 0 && w->wakee_tid == tid)
			w->to = id;
	}
	while (g->wakes_open < g->nwakes &&
	       g->wakes[g->wakes_open].from >= 0 &&
	       g->wakes[g->wakes_open].to >= 0)
		g->wakes_open++;
}

long long hb_add(struct hb *g, const struct probe_hdr *rec)
{
	struct node *n;

	/* a touch is part of the next op; a hash, of no op: it tells what
	 * a file held when recording ended */
	if (rec->type == PROBE_REC_TOUCH || rec->type == PROBE_REC_TRAILER ||
	    rec->type == PROBE_REC_HASH)
		return -1;
	if (rec->type == PROBE_REC_WAKE) {
		const struct probe_wake *r = (const void *)rec;
		struct wake *w;

		g->wakes = xgrow(g->wakes, &g->wakes_cap, g->nwakes + 1,
		     sizeof(*g->wakes));
		w = &g->wakes[g->nwakes++];
		w->waker_tid = rec->tid;
		w->wakee_tid = r->wakee_tid;
		w->from = w->to = -1;
		/* the wake of the CLONE_CHILD_CLEARTID word comes after the
		 * exiting thread's exit record */
		if ((r->nr == SYS_exit || r->nr == SYS_exit_group) &&
		    idmap_get(&g->last_exit, rec->tid, 0) != IDMAP_NONE)
			w->from = idmap_get(&g->last_exit, rec->tid, 0);
		return -1;
	}
	if (rec->type == PROBE_REC_LOST)
		g->lost += ((const struct probe_lost *)rec)->count;
	g->nodes = xgrow(g->nodes, &g->cap, g->n + 1, sizeof(*g->nodes));
	n = &g->nodes[g->n];
	memset(n, 0, sizeof(*n));
	n->ts = rec->ts_ns;
	n->pid = rec->pid;
	n->tid = rec->tid;
	n->type = rec->type;
	fill(n, rec);
	if (rec->type != PROBE_REC_LOST) {
		close_wakes(g, rec->tid, g->n);
		idmap_set(&g->last_exit, rec->tid, 0,
			  rec->type == PROBE_REC_EXIT ? g->n : IDMAP_NONE);
	}
	g->built = false;
	return g->n++;
}

/* ---- building the edges ---- */

static void edge(struct hb *g, size_t from, size_t to, enum hb_kind kind)
{
	g->edges = xgrow(g->edges, &g->edges_cap, g->nedges + 1,
	     sizeof(*g->edges));
	g->edges[g->nedges++] = (struct hb_edge){ from, to, kind };
}

/* Program order, clone, exec and wait: one pass in log order. */
static void thread_edges(struct hb *g, size_t *unmatched_clones)
{
	struct idmap last = { 0 }, clones = { 0 }, group_exit = { 0 };

	for (size_t i = 0; i < g->n; i++) {
		struct node *n = &g->nodes[i];
		size_t prev, from;

		n->chain = i; /* a chain of its own, unless it goes on one */
		if (n->type == PROBE_REC_LOST)
			continue;
		prev = idmap_get(&last, n->tid, 0);
		if (n->type == PROBE_REC_EXEC && n->old_tid) {
			/* a non-leader thread's exec: it goes on as the
			 * leader, under the process's pid */
			from = idmap_get(&last, n->old_tid, 0);
			if (from != IDMAP_NONE) {
				edge(g, from, i, HB_EXEC);
				n->chain = g->nodes[from].chain;
			}
			idmap_set(&last, n->old_tid, 0, IDMAP_NONE);
		} else if (prev != IDMAP_NONE) {
			/* a failed exec began no new image */
			edge(g, prev, i,
			     g->nodes[prev].type == PROBE_REC_EXEC &&
					     g->nodes[prev].ret >= 0 ?
				     HB_EXEC :
				     HB_PROGRAM_ORDER);
			n->chain = g->nodes[prev].chain;
		} else if ((from = idmap_get(&clones, n->tid, 0)) !=
			   IDMAP_NONE) {
			edge(g, from, i, HB_CLONE);
			idmap_set(&clones, n->tid, 0, IDMAP_NONE);
		}
		idmap_set(&last, n->tid, 0,
			  n->type == PROBE_REC_EXIT ? IDMAP_NONE : i);

		switch (n->type) {
		case PROBE_REC_CLONE:
			if (n->child_tid)
				idmap_set(&clones, n->child_tid, 0, i);
			break;
		case PROBE_REC_EXIT:
			if (n->group_exit)
				idmap_set(&group_exit, n->pid, 0, i);
			break;
		case PROBE_REC_SYSCALL: {
			__u32 child = 0;

			if (n->nr == SYS_wait4 && n->ret > 0)
				child = n->ret;
			else if (n->nr == SYS_waitid && n->ret == 0 &&
				 n->args[0] == P_PID_IDTYPE)
				child = n->args[1];
			if (child && (from = idmap_get(&group_exit, child, 0)) !=
					     IDMAP_NONE)
				edge(g, from, i, HB_WAIT);
			break;
		}
		}
	}
	*unmatched_clones = 0;
	for (size_t k = 0; k < clones.cap; k++)
		if (clones.slot[k].used && clones.slot[k].val != IDMAP_NONE)
			(*unmatched_clones)++;
	idmap_free(&last);
	idmap_free(&clones);
	idmap_free(&group_exit);
}

static bool same_key(const struct probe_futex_key *a,
		     const struct probe_futex_key *b)
{
	return a->kind != PROBE_FUTEX_KEY_NONE && a->kind == b->kind &&
	       a->a == b->a && a->b == b->b && a->c == b->c;
}

/*
 * A wakeup is a futex edge when it ended a futex wait (returned 0) and
 * came from a futex syscall on that wait's word, or from the exit of a
 * thread (the wake of its CLONE_CHILD_CLEARTID word).  Other wakeups (a
 * timer ending a wait, seen as the interrupted task's) are not edges.
 */
/* Whether one of the requeues moved waiters of word a to word b. */
static bool requeued(const struct hb *g, const size_t *requeues, size_t n,
		     const struct probe_futex_key *a,
		     const struct probe_futex_key *b)
{
	for (size_t i = 0; i < n; i++)
		if (same_key(&g->nodes[requeues[i]].key, a) &&
		    same_key(&g->nodes[requeues[i]].key2, b))
			return true;
	return false;
}

static void futex_edges(struct hb *g)
{
	size_t *requeues = NULL, nrequeues = 0, cap = 0;

	for (size_t i = 0; i < g->n; i++) {
		if (!g->nodes[i].futex_requeue)
			continue;
		requeues = xgrow(requeues, &cap, nrequeues + 1,
				 sizeof(*requeues));
		requeues[nrequeues++] = i;
	}
	for (size_t i = 0; i < g->nwakes; i++) {
		const struct wake *w = &g->wakes[i];
		const struct node *from, *to;

		if (w->from < 0 || w->to < 0)
			continue;
		from = &g->nodes[w->from];
		to = &g->nodes[w->to];
		if (to->type != PROBE_REC_FUTEX || !to->futex_wait_woken)
			continue;
		/* futex_waitv's words are in an array: no key to match */
		if (from->type == PROBE_REC_EXIT ||
		    (from->type == PROBE_REC_FUTEX &&
		     (to->nr == SYS_futex_waitv ||
		      same_key(&from->key, &to->key) ||
		      same_key(&from->key2, &to->key) ||
		      same_key(&from->key, &to->key2) ||
		      requeued(g, requeues, nrequeues, &to->key,
			       &from->key))))
			edge(g, w->from, w->to, HB_FUTEX);
	}
	free(requeues);
}

/*
 * Pipes, FIFOs and connected unix sockets: a first read that returned
 * data can have consumed what any earlier first write into that channel
 * put there (a socket's reads come from its peer's writes).  Later writes
 * follow their thread's first write in program order, so the edge holds
 * for them too.  A read with no write before it in the log read from a
 * write still in its syscall (the reader woke before the writer's record
 * was made): the channel's next first write.
 */
static void pipe_edges(struct hb *g)
{
	/* each channel's first writes, in log order: a list through next[] */
	struct idmap head = { 0 }, tail = { 0 };
	size_t *next = xmalloc((g->n + 1) * sizeof(*next));

	for (size_t i = 0; i < g->n; i++) {
		const struct node *n = &g->nodes[i];
		size_t last;

		if (n->type != PROBE_REC_USE || !n->channel ||
		    n->access != PROBE_USE_WRITE)
			continue;
		next[i] = IDMAP_NONE;
		last = idmap_get(&tail, n->dev, n->ino);
		if (last == IDMAP_NONE)
			idmap_set(&head, n->dev, n->ino, i);
		else
			next[last] = i;
		idmap_set(&tail, n->dev, n->ino, i);
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct node *n = &g->nodes[i];

		if (n->type != PROBE_REC_USE || !n->channel ||
		    n->access != PROBE_USE_READ || n->ret <= 0)
			continue;
		for (size_t w = idmap_get(&head, n->dev, n->ino);
		     w != IDMAP_NONE; w = next[w]) {
			/* past the read: only if none came before it (the
			 * one write still in its syscall) */
			if (w > i && w != idmap_get(&head, n->dev, n->ino))
				break;
			edge(g, w, i, HB_PIPE);
			if (w > i)
				break;
		}
	}
	idmap_free(&head);
	idmap_free(&tail);
	free(next);
}

/* Whether the syscall at n sent signal sig to the task of pid/tid. */
static bool sent(const struct node *n, int sig, __u32 pid, __u32 tid)
{
	__s64 target;
	__u64 s;

	if (n->type != PROBE_REC_SYSCALL || n->ret < 0)
		return false;
	switch (n->nr) {
	case SYS_kill:
	case SYS_rt_sigqueueinfo:
		target = (int)n->args[0];
		s = n->args[1];
		/* <= 0: a process group, or every process */
		return (int)s == sig && (target <= 0 || target == pid);
	case SYS_tkill:
		return (int)n->args[1] == sig && (int)n->args[0] == (int)tid;
	case SYS_tgkill:
	case SYS_rt_tgsigqueueinfo:
		return (int)n->args[2] == sig && (int)n->args[1] == (int)tid;
	case SYS_pidfd_send_signal:
		return (int)n->args[1] == sig;
	}
	return false;
}

/*
 * A signal op names its sender: a kill-family syscall of that process
 * sent it (the nearest one before; the sender's record can come after
 * the delivery, when the target took it first), or, for SIGCHLD, the
 * child's exit.
 */
static void signal_edges(struct hb *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct node *n = &g->nodes[i];
		long long found = -1;

		if (n->type != PROBE_REC_SIGNAL || !n->sender_pid)
			continue;
		if (n->code > 0 && n->sig == SIGCHLD) { /* CLD_EXITED... */
			for (size_t k = i; k-- > 0 && found < 0;)
				if (g->nodes[k].type == PROBE_REC_EXIT &&
				    g->nodes[k].group_exit &&
				    g->nodes[k].pid == n->sender_pid)
					found = k;
		} else if (n->code == SI_USER || n->code == SI_TKILL ||
			   n->code == SI_QUEUE) {
			for (size_t k = i; k-- > 0 && found < 0;)
				if (g->nodes[k].pid == n->sender_pid &&
				    sent(&g->nodes[k], n->sig, n->pid, n->tid))
					found = k;
			for (size_t k = i + 1; k < g->n && found < 0; k++)
				if (g->nodes[k].pid == n->sender_pid &&
				    sent(&g->nodes[k], n->sig, n->pid, n->tid))
					found = k;
		}
		if (found >= 0)
			edge(g, found, i, HB_SIGNAL);
	}
}

/* The edges by source, and by target (they are sorted by it), for walks. */
static void index_successors(struct hb *g)
{
	free(g->succ_at);
	free(g->succ);
	free(g->pred_at);
	free(g->mark);
	free(g->stack);
	g->pred_at = xmalloc((g->n + 1) * sizeof(*g->pred_at));
	for (size_t v = 0, k = 0; v <= g->n; v++) {
		while (k < g->nedges && g->edges[k].to < v)
			k++;
		g->pred_at[v] = k;
	}
	g->succ_at = xmalloc((g->n + 2) * sizeof(*g->succ_at));
	g->succ = xmalloc((g->nedges + 1) * sizeof(*g->succ));
	g->mark = xmalloc((g->n + 1) * sizeof(*g->mark));
	g->stack = xmalloc((g->n + 1) * sizeof(*g->stack));
	memset(g->succ_at, 0, (g->n + 2) * sizeof(*g->succ_at));
	memset(g->mark, 0, (g->n + 1) * sizeof(*g->mark));
	g->stamp = 0;
	g->backward = false;
	for (size_t i = 0; i < g->nedges; i++) {
		g->succ_at[g->edges[i].from + 2]++;
		g->backward |= g->edges[i].to < g->edges[i].from;
	}
	for (size_t v = 0; v < g->n; v++)
		g->succ_at[v + 2] += g->succ_at[v + 1];
	for (size_t i = 0; i < g->nedges; i++)
		g->succ[g->succ_at[g->edges[i].from + 1]++] = g->edges[i].to;
}

static int by_to_from(const void *a, const void *b)
{
	const struct hb_edge *x = a, *y = b;

	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static size_t build(struct hb *g)
{
	size_t unmatched, out = 0;

	g->nedges = 0;
	thread_edges(g, &unmatched);
	futex_edges(g);
	pipe_edges(g);
	signal_edges(g);
	if (g->nedges) /* g->edges is NULL until the first */
		qsort(g->edges, g->nedges, sizeof(*g->edges), by_to_from);
	/* one edge per pair: the first kind in hb_kind order */
	for (size_t i = 0; i < g->nedges; i++)
		if (!out || g->edges[out - 1].from != g->edges[i].from ||
		    g->edges[out - 1].to != g->edges[i].to)
			g->edges[out++] = g->edges[i];
	g->nedges = out;
	g->built = true;
	index_successors(g);
	return unmatched;
}

__u64 hb_op_ts(const struct hb *g, size_t id)
{
	return id < g->n ? g->nodes[id].ts : 0;
}

bool hb_reaches(struct hb *g, size_t from, size_t to)
{
	size_t top = 0;

	if (!g->built)
		build(g);
	if (from == to)
		return true;
	/* one thread's ops: program order alone decides */
	if (g->nodes[from].chain == g->nodes[to].chain)
		return from < to;
	/* edges go forward in log order but for a signal sent by a syscall
	 * whose record came after the delivery: without such edges, nothing
	 * after to can lead back to it */
	if (!g->backward && from > to)
		return false;
	if (++g->stamp == 0) {
		memset(g->mark, 0, (g->n + 1) * sizeof(*g->mark));
		g->stamp = 1;
	}
	g->stack[top++] = from;
	g->mark[from] = g->stamp;
	while (top) {
		size_t v = g->stack[--top];

		for (size_t k = g->succ_at[v]; k < g->succ_at[v + 1]; k++) {
			size_t w = g->succ[k];

			if (w == to)
				return true;
			if (g->mark[w] == g->stamp || (!g->backward && w > to))
				continue;
			g->mark[w] = g->stamp;
			g->stack[top++] = w;
		}
	}
	return false;
}

size_t hb_ops(const struct hb *g)
{
	return g->n;
}

void hb_reach_all(struct hb *g, size_t from, bool backward, size_t bound,
		  unsigned *marks, unsigned stamp)
{
	size_t top = 0;

	if (!g->built)
		build(g);
	if (from >= g->n)
		return;
	g->stack[top++] = from;
	marks[from] = stamp;
	while (top) {
		size_t v = g->stack[--top];
		size_t k = backward ? g->pred_at[v] : g->succ_at[v];
		size_t end = backward ? g->pred_at[v + 1] : g->succ_at[v + 1];

		for (; k < end; k++) {
			size_t w = backward ? g->edges[k].from : g->succ[k];

			if (marks[w] == stamp ||
			    (!g->backward && (backward ? w < bound : w > bound)))
				continue;
			marks[w] = stamp;
			g->stack[top++] = w;
		}
	}
}

const struct hb_edge *hb_edges(struct hb *g, size_t *n)
{
	if (!g->built)
		build(g);
	*n = g->nedges;
	return g->edges;
}

bool hb_check(struct hb *g, enum probe_scope scope, struct hb_check *out)
{
	size_t unmatched = build(g);
	size_t *indeg = xmalloc((g->n + 1) * sizeof(*indeg));
	size_t *queue = xmalloc((g->n + 1) * sizeof(*queue));
	size_t head = 0, tail = 0, done = 0;

	memset(out, 0, sizeof(*out));
	out->unmatched_clones = unmatched;
	out->lost = g->lost;
	memset(indeg, 0, (g->n + 1) * sizeof(*indeg));
	for (size_t i = 0; i < g->nedges; i++)
		indeg[g->edges[i].to]++;
	for (size_t i = 0; i < g->n; i++) {
		if (g->nodes[i].type == PROBE_REC_LOST)
			continue;
		out->ops++;
		if (indeg[i])
			continue;
		out->sources++;
		if (g->nodes[i].type == PROBE_REC_SNAPSHOT)
			out->snapshot_sources++;
		else if (g->nodes[i].tid != g->nodes[i].pid)
			out->thread_sources++;
		queue[tail++] = i;
	}
	/* Kahn: what no order reaches lies on a cycle */
	while (head < tail) {
		size_t v = queue[head++];

		done++;
		for (size_t k = g->succ_at[v]; k < g->succ_at[v + 1]; k++)
			if (--indeg[g->succ[k]] == 0)
				queue[tail++] = g->succ[k];
	}
	out->in_cycles = out->ops - done;
	free(indeg);
	free(queue);
	return out->in_cycles == 0 && out->unmatched_clones == 0 &&
	       out->thread_sources == 0 &&
	       (scope == PROBE_SCOPE_CGROUP ||
		out->sources - out->snapshot_sources <= 1);
}

bool hb_warn(struct hb *g, enum probe_scope scope)
{
	struct hb_check c;
	bool ok = hb_check(g, scope, &c);

	if (c.in_cycles)
		errorf("warning: happens-before graph: %zu ops lie on cycles",
		       c.in_cycles);
	if (c.unmatched_clones)
		errorf("warning: happens-before graph: %zu clones have no op "
		       "of their child",
		       c.unmatched_clones);
	if (c.thread_sources)
		errorf("warning: happens-before graph: %zu threads have no "
		       "clone before their first op",
		       c.thread_sources);
	if (scope == PROBE_SCOPE_COMMAND &&
	    c.sources - c.snapshot_sources > 1)
		errorf("warning: happens-before graph: %zu ops have no "
		       "predecessor, the recording's first op only should",
		       c.sources - c.snapshot_sources);
	if (c.lost)
		errorf("warning: happens-before graph: %llu records were lost, "
		       "so edges may be missing",
		       (unsigned long long)c.lost);
	return ok;
}
