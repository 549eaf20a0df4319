/*
 * The happens-before graph (user/hb.h) on synthetic streams: program
 * order and its end at an exit, clone, exec, wait, futex wakeups (and the
 * wakeups that are not edges), pipes, signals sent before or after their
 * delivery, and the check of the graph.
 */
#include "helpers.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "hb.h"

#define P 300 /* a process */
#define C 310 /* its child */
#define T 301 /* a thread of P */

struct stream {
	struct hb *g;
	long long last; /* id of the last op added */
};

static void add(struct stream *s, void *rec)
{
	long long id = hb_add(s->g, rec);

	if (id >= 0)
		s->last = id;
	free(rec);
}

/* An op of no interest to the edges: a close by tid of pid. */
static long long op(struct stream *s, __u32 pid, __u32 tid)
{
	struct probe_close *r = rec_new(PROBE_REC_CLOSE, sizeof(*r), 0, 0, 0,
					0, pid);

	r->hdr.tid = tid;
	add(s, r);
	return s->last;
}

static long long exec_op(struct stream *s, __u32 pid, __u32 old_tid)
{
	struct probe_exec *r = make_exec("/bin/true", NULL, NULL, 0, 0, 0, pid);

	r->old_tid = old_tid;
	add(s, r);
	return s->last;
}

static long long clone_op(struct stream *s, __u32 pid, __u32 tid,
			  __u32 child_pid, __u32 child_tid)
{
	struct probe_clone *r = make_clone(SYS_clone, 0, child_pid, 0, 0, 0,
					   pid);

	r->hdr.tid = tid;
	r->child_tid = child_tid;
	add(s, r);
	return s->last;
}

static long long exit_op(struct stream *s, __u32 pid, __u32 tid,
			 bool group_dead)
{
	struct probe_exit *r = make_exit(0, group_dead, 0, 0, 0, pid);

	r->hdr.tid = tid;
	add(s, r);
	return s->last;
}

static long long syscall_op(struct stream *s, __u32 pid, __u32 nr, long ret,
			    __u64 a0, __u64 a1, __u64 a2)
{
	struct probe_syscall *r = make_syscall(nr, ret, pid);

	r->args[0] = a0;
	r->args[1] = a1;
	r->args[2] = a2;
	add(s, r);
	return s->last;
}

/* futex(uaddr, op) by tid, with a private key in address space 1. */
static long long futex_op(struct stream *s, __u32 pid, __u32 tid, int cmd,
			  __u64 uaddr, long ret)
{
	struct probe_futex *r = rec_new(PROBE_REC_FUTEX, sizeof(*r), 0, 0, 0,
					0, pid);

	r->hdr.tid = tid;
	r->nr = SYS_futex;
	r->ret = ret;
	r->args[0] = uaddr;
	r->args[1] = cmd | 128; /* FUTEX_PRIVATE_FLAG */
	r->key.kind = PROBE_FUTEX_KEY_MM;
	r->key.a = 1;
	r->key.b = uaddr;
	add(s, r);
	return s->last;
}

/* FUTEX_CMP_REQUEUE of the waiters of from to to, by pid. */
static long long futex_requeue(struct stream *s, __u32 pid, __u64 from,
			       __u64 to)
{
	struct probe_futex *r = rec_new(PROBE_REC_FUTEX, sizeof(*r), 0, 0, 0,
					0, pid);

	r->nr = SYS_futex;
	r->args[0] = from;
	r->args[1] = 4 | 128; /* FUTEX_CMP_REQUEUE_PRIVATE */
	r->args[4] = to;
	r->key = (struct probe_futex_key){ 1, from, 0, PROBE_FUTEX_KEY_MM, 0 };
	r->key2 = (struct probe_futex_key){ 1, to, 0, PROBE_FUTEX_KEY_MM, 0 };
	add(s, r);
	return s->last;
}

static void wake(struct stream *s, __u32 pid, __u32 tid, long nr,
		 __u32 wakee_pid, __u32 wakee_tid)
{
	struct probe_wake *r = rec_new(PROBE_REC_WAKE, sizeof(*r), 0, 0, 0, 0,
				       pid);

	r->hdr.tid = tid;
	r->nr = nr;
	r->wakee_pid = wakee_pid;
	r->wakee_tid = wakee_tid;
	assert_int_equal(hb_add(s->g, &r->hdr), -1);
	free(r);
}

static long long socket_use(struct stream *s, __u32 pid, __u32 access,
			    __u64 ino, __u64 peer_ino)
{
	struct probe_use *r = make_use(access == PROBE_USE_READ ? SYS_read :
								  SYS_write,
				       4, access, "", 0, 0, 0, pid);

	r->inode.mode = S_IFSOCK | 0777;
	r->inode.ino = ino;
	r->peer_ino = peer_ino;
	r->ret = 1;
	add(s, r);
	return s->last;
}

static long long pipe_use(struct stream *s, __u32 pid, __u32 access,
			  __u64 ino, long ret)
{
	struct probe_use *r = make_use(access == PROBE_USE_READ ? SYS_read :
								  SYS_write,
				       3, access, "", 0, 0, 0, pid);

	r->inode.mode = S_IFIFO | 0600;
	r->inode.ino = ino;
	r->ret = ret;
	add(s, r);
	return s->last;
}

static long long signal_op(struct stream *s, __u32 pid, int sig, int code,
			   __u32 sender)
{
	struct probe_signal *r = rec_new(PROBE_REC_SIGNAL, sizeof(*r), 0, 0,
					 0, 0, pid);

	r->sig = sig;
	r->code = code;
	r->sender_pid = sender;
	r->syscall_nr = -1;
	add(s, r);
	return s->last;
}

/* The kind of the edge from -> to, or -1 if there is none. */
static int kind_of(struct stream *s, long long from, long long to)
{
	const struct hb_edge *e;
	size_t n;

	e = hb_edges(s->g, &n);
	for (size_t i = 0; i < n; i++)
		if ((long long)e[i].from == from && (long long)e[i].to == to)
			return e[i].kind;
	return -1;
}

static size_t edges_into(struct stream *s, long long to)
{
	const struct hb_edge *e;
	size_t n, count = 0;

	e = hb_edges(s->g, &n);
	for (size_t i = 0; i < n; i++)
		count += (long long)e[i].to == to;
	return count;
}

static void test_hb_threads_clone_exec_wait(void **state)
{
	struct stream s = { hb_new(), -1 };
	long long start, a, cl, t1, fork, c1, cexec, c2, cexit, texit, reap,
		after;
	struct hb_check check;

	(void)state;
	start = exec_op(&s, P, 0);
	a = op(&s, P, P);
	cl = clone_op(&s, P, P, P, T); /* a thread */
	t1 = op(&s, P, T);
	fork = clone_op(&s, P, P, C, C);
	c1 = op(&s, C, C);
	cexec = exec_op(&s, C, 0);
	c2 = op(&s, C, C);
	cexit = exit_op(&s, C, C, true);
	texit = exit_op(&s, P, T, false);
	reap = syscall_op(&s, P, SYS_wait4, C, -1, 0, 0);
	after = op(&s, P, T); /* a new task that reuses T's tid */

	assert_int_equal(kind_of(&s, start, a), HB_EXEC);
	assert_int_equal(kind_of(&s, a, cl), HB_PROGRAM_ORDER);
	assert_int_equal(kind_of(&s, cl, t1), HB_CLONE);
	assert_int_equal(kind_of(&s, fork, c1), HB_CLONE);
	assert_int_equal(kind_of(&s, c1, cexec), HB_PROGRAM_ORDER);
	assert_int_equal(kind_of(&s, cexec, c2), HB_EXEC);
	assert_int_equal(kind_of(&s, cexit, reap), HB_WAIT);
	assert_int_equal(kind_of(&s, t1, texit), HB_PROGRAM_ORDER);
	/* T's chain ended at its exit */
	assert_int_equal(edges_into(&s, after), 0);
	assert_false(hb_check(s.g, PROBE_SCOPE_COMMAND, &check));
	assert_int_equal(check.sources, 2);
	assert_int_equal(check.thread_sources, 1);
	assert_int_equal(check.in_cycles, 0);
	hb_free(s.g);
}

/* An exec that failed (execvp trying each $PATH entry) starts no new
 * image: what follows it is program order, not exec. */
static void test_hb_failed_exec_is_program_order(void **state)
{
	struct stream s = { hb_new(), -1 };
	struct probe_exec *r = make_exec("/usr/local/bin/cc", NULL, NULL, 0, 0,
					 0, P);
	long long failed, next, ok, first;

	(void)state;
	exec_op(&s, P, 0);
	r->ret = -2; /* ENOENT */
	add(&s, r);
	failed = s.last;
	next = op(&s, P, P);
	ok = exec_op(&s, P, 0);
	first = op(&s, P, P);
	assert_int_equal(kind_of(&s, failed, next), HB_PROGRAM_ORDER);
	assert_int_equal(kind_of(&s, ok, first), HB_EXEC);
	hb_free(s.g);
}

static void test_hb_exec_by_a_thread(void **state)
{
	struct stream s = { hb_new(), -1 };
	long long before, ex, next;

	(void)state;
	exec_op(&s, P, 0);
	clone_op(&s, P, P, P, T);
	before = op(&s, P, T);
	exit_op(&s, P, P, false); /* de_thread() ends the leader */
	ex = exec_op(&s, P, T);
	next = op(&s, P, P);
	assert_int_equal(kind_of(&s, before, ex), HB_EXEC);
	assert_int_equal(kind_of(&s, ex, next), HB_EXEC);
	hb_free(s.g);
}

static void test_hb_futex_wakeups(void **state)
{
	struct stream s = { hb_new(), -1 };
	long long unlock, woken, timer_woken, other, exit_t, join;
	long long requeue, wait_40, wake_50, woken_40;
	struct hb_check check;

	(void)state;
	exec_op(&s, P, 0);
	clone_op(&s, P, P, P, T);
	/* T waits on 0x10; P's wake of 0x10 wakes it */
	wake(&s, P, P, SYS_futex, P, T);
	unlock = futex_op(&s, P, P, 1, 0x10, 1);
	woken = futex_op(&s, P, T, 0, 0x10, 0);
	/* a wakeup seen while P was in a futex syscall on another word: an
	 * interrupt's doing, not a wake of T's word */
	wake(&s, P, P, SYS_futex, P, T);
	other = futex_op(&s, P, P, 1, 0x20, 0);
	timer_woken = futex_op(&s, P, T, 0, 0x10, 0);
	/* T waits on 0x40; P requeues its waiters to 0x50, then wakes 0x50 */
	requeue = futex_requeue(&s, P, 0x40, 0x50);
	wait_40 = futex_op(&s, P, T, 0, 0x40, 0);
	wake(&s, P, P, SYS_futex, P, T);
	wake_50 = futex_op(&s, P, P, 1, 0x50, 1);
	woken_40 = futex_op(&s, P, T, 0, 0x40, 0);
	/* T's exit wakes P's join (the CLEARTID word), after its exit */
	exit_t = exit_op(&s, P, T, false);
	wake(&s, P, T, SYS_exit, P, P);
	join = futex_op(&s, P, P, 9, 0x30, 0);

	assert_int_equal(kind_of(&s, unlock, woken), HB_FUTEX);
	assert_int_equal(kind_of(&s, other, timer_woken), -1);
	assert_int_equal(kind_of(&s, exit_t, join), HB_FUTEX);
	assert_int_equal(kind_of(&s, wake_50, woken_40), HB_FUTEX);
	assert_int_equal(kind_of(&s, requeue, wait_40), -1);
	assert_true(hb_check(s.g, PROBE_SCOPE_COMMAND, &check));
	hb_free(s.g);
}

static void test_hb_futex_wait_that_was_not_woken(void **state)
{
	struct stream s = { hb_new(), -1 };
	long long w, timed_out;

	(void)state;
	exec_op(&s, P, 0);
	clone_op(&s, P, P, P, T);
	wake(&s, P, P, SYS_futex, P, T);
	w = futex_op(&s, P, P, 1, 0x10, 1);
	timed_out = futex_op(&s, P, T, 0, 0x10, -110); /* ETIMEDOUT */
	assert_int_equal(kind_of(&s, w, timed_out), -1);
	hb_free(s.g);
}

static void test_hb_pipes(void **state)
{
	struct stream s = { hb_new(), -1 };
	long long w1, r_before, w2, w3, r, eof, other, sw;

	(void)state;
	exec_op(&s, P, 0);
	clone_op(&s, P, P, C, C);
	/* a read whose writer's record came after it: the writer was still
	 * in its syscall */
	r_before = pipe_use(&s, C, PROBE_USE_READ, 77, 5);
	w1 = pipe_use(&s, P, PROBE_USE_WRITE, 77, 5);
	w2 = pipe_use(&s, P, PROBE_USE_WRITE, 78, 5);
	r = pipe_use(&s, C, PROBE_USE_READ, 77, 5);
	eof = pipe_use(&s, C, PROBE_USE_READ, 78, 0);
	other = pipe_use(&s, C, PROBE_USE_READ, 79, 5);
	w3 = pipe_use(&s, P, PROBE_USE_WRITE, 77, 5); /* after both reads */

	assert_int_equal(kind_of(&s, w1, r), HB_PIPE);
	assert_int_equal(kind_of(&s, w3, r), -1);
	assert_int_equal(kind_of(&s, w3, r_before), -1);
	assert_int_equal(kind_of(&s, w1, r_before), HB_PIPE);
	assert_int_equal(kind_of(&s, w2, eof), -1); /* read nothing */
	assert_int_equal(kind_of(&s, w2, r), -1); /* another pipe */
	assert_int_equal(edges_into(&s, other), 1); /* program order only */
	/* reachability: along pipe, program order and clone edges; the
	 * edge into a read from a write logged after it goes backward */
	assert_true(hb_reaches(s.g, w1, r_before));
	assert_false(hb_reaches(s.g, r_before, w1));
	/* sockets: a read takes what its peer wrote */
	sw = socket_use(&s, P, PROBE_USE_WRITE, 80, 0);
	r = socket_use(&s, C, PROBE_USE_READ, 81, 80);
	other = socket_use(&s, C, PROBE_USE_READ, 82, 83);
	assert_int_equal(kind_of(&s, sw, r), HB_PIPE);
	assert_int_equal(edges_into(&s, other), 1);
	assert_true(hb_reaches(s.g, sw, other));
	assert_true(hb_reaches(s.g, 0, other));
	assert_false(hb_reaches(s.g, r, sw));
	assert_false(hb_reaches(s.g, other, sw));
	hb_free(s.g);
}

static void test_hb_signals(void **state)
{
	struct stream s = { hb_new(), -1 };
	long long early, kill_after, sent, chld, cexit;

	(void)state;
	exec_op(&s, P, 0);
	clone_op(&s, P, P, C, C);
	op(&s, C, C);
	/* P takes SIGUSR1 before C's kill record arrives */
	early = signal_op(&s, P, SIGUSR1, SI_USER, C);
	kill_after = syscall_op(&s, C, SYS_kill, 0, P, SIGUSR1, 0);
	/* C's tgkill of P, then P takes it */
	sent = syscall_op(&s, C, SYS_tgkill, 0, P, P, SIGUSR2);
	signal_op(&s, P, SIGUSR2, SI_TKILL, C);
	cexit = exit_op(&s, C, C, true);
	chld = signal_op(&s, P, SIGCHLD, 1 /* CLD_EXITED */, C);

	assert_int_equal(kind_of(&s, kill_after, early), HB_SIGNAL);
	assert_int_equal(kind_of(&s, sent, s.last - 2), HB_SIGNAL);
	assert_int_equal(kind_of(&s, cexit, chld), HB_SIGNAL);
	hb_free(s.g);
}

static void test_hb_check_counts_what_is_wrong(void **state)
{
	struct stream s = { hb_new(), -1 };
	struct hb_check check;

	(void)state;
	exec_op(&s, P, 0);
	clone_op(&s, P, P, C, C); /* no op of C ever */
	op(&s, C + 1, C + 1); /* a process from nowhere */
	assert_false(hb_check(s.g, PROBE_SCOPE_COMMAND, &check));
	assert_int_equal(check.unmatched_clones, 1);
	assert_int_equal(check.sources, 2);
	assert_int_equal(check.thread_sources, 0);
	/* with --cgroup, a process may join: only the clone is wrong */
	assert_false(hb_check(s.g, PROBE_SCOPE_CGROUP, &check));
	assert_int_equal(check.unmatched_clones, 1);
	hb_free(s.g);

	s.g = hb_new();
	exec_op(&s, P, 0);
	op(&s, C + 1, C + 1);
	assert_true(hb_check(s.g, PROBE_SCOPE_CGROUP, &check));
	assert_false(hb_check(s.g, PROBE_SCOPE_COMMAND, &check));
	hb_free(s.g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hb_threads_clone_exec_wait),
		cmocka_unit_test(test_hb_failed_exec_is_program_order),
		cmocka_unit_test(test_hb_exec_by_a_thread),
		cmocka_unit_test(test_hb_futex_wakeups),
		cmocka_unit_test(test_hb_futex_wait_that_was_not_woken),
		cmocka_unit_test(test_hb_pipes),
		cmocka_unit_test(test_hb_signals),
		cmocka_unit_test(test_hb_check_counts_what_is_wrong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
