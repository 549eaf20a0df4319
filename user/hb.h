/*
 * The happens-before graph of a log: its nodes are the ops an export
 * writes (ids from 0, in log order), its edges what ordered them:
 *   program_order  one thread's consecutive ops (a tid's chain ends at its
 *                  exit: a later task with the same tid is another);
 *   clone          a clone, fork or vfork -> the child's first op;
 *   exec           a successful exec -> the next op of its thread (the
 *                  new image's first), and the op before it in a
 *                  non-leader thread that called it -> the exec (after
 *                  a failed exec: program order);
 *   wait           a process's exit -> the wait4/waitid that reaped it;
 *   futex          a futex syscall that woke a task, or a thread's exit
 *                  (the kernel's wake of its CLONE_CHILD_CLEARTID word,
 *                  pthread_join's) -> the futex wait it ended;
 *   pipe           the first write of a pipe or FIFO by a thread -> each
 *                  later first read of it that returned data;
 *   signal         kill and the like (or the exit that sent SIGCHLD) ->
 *                  the signal op of the task that took it.
 * Uncontended locks make no syscall: the graph does not order what they
 * protect.
 */
#ifndef PROBE_HB_H
#define PROBE_HB_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "probe_abi.h"

enum hb_kind {
	HB_PROGRAM_ORDER,
	HB_CLONE,
	HB_EXEC,
	HB_WAIT,
	HB_FUTEX,
	HB_PIPE,
	HB_SIGNAL,
	HB_NKINDS,
};

/* "program_order", "clone", ... */
extern const char *const hb_kind_names[HB_NKINDS];

struct hb_edge {
	__u64 from, to; /* op ids */
	enum hb_kind kind;
};

/* What the check of a graph found (see hb_check()). */
struct hb_check {
	size_t ops; /* nodes (lost records excluded) */
	size_t sources; /* nodes without an incoming edge */
	size_t snapshot_sources; /* of those: processes from before the
				    recording (--cgroup) */
	size_t thread_sources; /* of those: threads (their clone missed) */
	size_t in_cycles; /* nodes that no topological order reaches */
	size_t unmatched_clones; /* clones with no op of the child */
	__u64 lost; /* records lost: edges may be missing */
};

struct hb;

struct hb *hb_new(void);
void hb_free(struct hb *g);

/*
 * Feed every record of a log, in order.  An op gets the next id, which is
 * returned; a record that is no op (a touch, a wakeup, a hash) returns -1.
 */
long long hb_add(struct hb *g, const struct probe_hdr *rec);

/* The edges, once every record is in; sorted by (to, from). */
const struct hb_edge *hb_edges(struct hb *g, size_t *n);

/* Whether op to is reachable from op from (an op reaches itself). */
bool hb_reaches(struct hb *g, size_t from, size_t to);

/* The ops of the graph: their ids are 0..hb_ops() - 1. */
size_t hb_ops(const struct hb *g);

/*
 * Mark every op reachable from op from (forward), or from which it is
 * reachable (backward), from itself included: marks[id] = stamp.  Ops
 * beyond bound (forward: after it; backward: before it) are not walked,
 * unless some edge goes back in log order.  marks has hb_ops() entries
 * and is the caller's: one walk answers many questions about one op.
 */
void hb_reach_all(struct hb *g, size_t from, bool backward, size_t bound,
		  unsigned *marks, unsigned stamp);

/* The time of an op (boot time), 0 for no such op. */
__u64 hb_op_ts(const struct hb *g, size_t id);

/*
 * Whether the graph is what it must be: a DAG with one source (the
 * recording's first op; with --cgroup, one per process that was there
 * before or joined the cgroup, and only processes), and every clone
 * followed by an op of its child.  Returns whether it is.
 */
bool hb_check(struct hb *g, enum probe_scope scope, struct hb_check *out);

/* hb_check(), and a warning line on stderr for each thing wrong, and for
 * lost records.  Returns whether the graph is sound. */
bool hb_warn(struct hb *g, enum probe_scope scope);

#endif
