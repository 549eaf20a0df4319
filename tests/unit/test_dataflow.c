/*
 * The dataflow graph (user/dataflow.h) of synthetic logs: versions made by
 * writers, the versions each read used by the happens-before graph (where
 * one schedule would be wrong), processes by exec epoch, pipes.
 */
#include "helpers.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "dataflow.h"

#define SH 400 /* the shell */
#define A 401 /* its children */
#define B 402
#define X 9001 /* files */
#define Y 9002
#define PIPE 9003

static void exec_of(struct recs *s, __u32 pid, const char *name)
{
	char *argv[] = { (char *)name, NULL };

	push(s, make_exec(name, NULL, argv, 0, 0, 0, pid));
}

static void forked(struct recs *s, __u32 parent, __u32 child)
{
	push(s, fork_of(parent, 0, child, 0));
}

static void use(struct recs *s, __u32 pid, __u32 access, __u64 ino,
		const char *path)
{
	struct probe_use *r = make_use(access == PROBE_USE_READ ? SYS_read :
								  SYS_write,
				       3, access, path, 0, 0, 0, pid);

	r->ret = 1;
	r->inode.dev = 1;
	r->inode.ino = ino;
	r->inode.mode = (ino == PIPE ? S_IFIFO : S_IFREG) | 0644;
	if (ino == PIPE)
		r->rflags = PROBE_RF_ANON;
	push(s, r);
}

static void exit_of(struct recs *s, __u32 pid)
{
	push(s, make_exit(0, true, 0, 0, 0, pid));
}

static void wait_for(struct recs *s, __u32 pid, __u32 child)
{
	push(s, make_syscall(SYS_wait4, child, pid));
}

/* The graph of the stream, through a log file. */
static struct dataflow *build(struct recs *s)
{
	struct tmp_dir dir;
	char path[PATH_MAX], err[256] = "";
	char *argv[] = { "sh", NULL };
	struct log_reader *r;
	struct dataflow *g;

	tmp_dir_make(&dir);
	tmp_path(&dir, "df.probe", path);
	test_log_write(path, 1, argv, (const struct probe_hdr *const *)s->v,
		       s->n, true);
	r = log_open(path, err, sizeof(err));
	if (!r)
		fail_msg("log_open: %s", err);
	g = dataflow_build(r, err, sizeof(err));
	if (!g)
		fail_msg("dataflow_build: %s", err);
	log_close(r);
	unlink(path);
	tmp_dir_remove(&dir);
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	return g;
}

static long long process_of(struct dataflow *g, __u32 pid, __u32 epoch)
{
	size_t n;
	const struct df_process *p = df_processes(g, &n);

	for (size_t i = 0; i < n; i++)
		if (p[i].pid == pid && p[i].epoch == epoch)
			return i;
	fail_msg("no process %u epoch %u", pid, epoch);
	return -1;
}

static long long version_of(struct dataflow *g, __u64 ino, __u32 version)
{
	size_t n;
	const struct df_entity *e = df_entities(g, &n);

	for (size_t i = 0; i < n; i++)
		if (e[i].ino == ino && e[i].version == version)
			return i;
	return -1;
}

static bool has_edge(struct dataflow *g, enum df_relation rel,
		     long long from, long long to)
{
	size_t n;
	const struct df_edge *e = df_edges(g, &n);

	if (from < 0 || to < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (e[i].rel == rel && (long long)e[i].from == from &&
		    (long long)e[i].to == to)
			return true;
	return false;
}

/*
 * A reads x then writes y; B reads y then writes x; the two are not
 * ordered.  In the log A's read comes first, then B's read, then both
 * writes: that one schedule would say A read the old x and B the old y.
 * Without an order, each read may have seen the other's write too: it
 * used the newest version, which derives from the old one and so stands
 * for it (no edge of its own to the old one).
 */
static void test_dataflow_concurrent_reads_see_every_unordered_write(
	void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;
	long long a, b, x0, x1, y0, y1;

	(void)state;
	exec_of(&s, SH, "sh");
	forked(&s, SH, A);
	forked(&s, SH, B);
	use(&s, A, PROBE_USE_READ, X, "/x");
	use(&s, B, PROBE_USE_READ, Y, "/y");
	use(&s, A, PROBE_USE_WRITE, Y, "/y");
	use(&s, B, PROBE_USE_WRITE, X, "/x");
	g = build(&s);
	a = process_of(g, A, 0);
	b = process_of(g, B, 0);
	x0 = version_of(g, X, 0);
	x1 = version_of(g, X, 1);
	y0 = version_of(g, Y, 0);
	y1 = version_of(g, Y, 1);
	assert_true(has_edge(g, DF_GENERATED, b, x1));
	assert_true(has_edge(g, DF_GENERATED, a, y1));
	assert_true(has_edge(g, DF_USED, x1, a));
	assert_false(has_edge(g, DF_USED, x0, a));
	assert_true(has_edge(g, DF_USED, y1, b));
	assert_false(has_edge(g, DF_USED, y0, b));
	assert_true(has_edge(g, DF_DERIVED, x0, x1));
	assert_true(has_edge(g, DF_DERIVED, y0, y1));
	dataflow_free(g);
}

/*
 * Writes ordered around a read: B then C write x, each reaped before the
 * next fork, then A reads it (C's version only: B's was overwritten by a
 * write ordered between), writes it, and after A is reaped D writes it
 * (ordered after A's read: not seen).
 */
#define C 403
#define D 404

static void test_dataflow_ordered_read_sees_the_last_write(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;
	long long a, x0, x1, x2, x3, x4;

	(void)state;
	exec_of(&s, SH, "sh");
	use(&s, SH, PROBE_USE_READ, X, "/x"); /* the shell read x first */
	forked(&s, SH, B);
	use(&s, B, PROBE_USE_WRITE, X, "/x");
	exit_of(&s, B);
	wait_for(&s, SH, B);
	forked(&s, SH, C);
	use(&s, C, PROBE_USE_WRITE, X, "/x");
	exit_of(&s, C);
	wait_for(&s, SH, C);
	forked(&s, SH, A);
	exec_of(&s, A, "cat");
	use(&s, A, PROBE_USE_READ, X, "/x");
	use(&s, A, PROBE_USE_WRITE, X, "/x");
	exit_of(&s, A);
	wait_for(&s, SH, A);
	forked(&s, SH, D);
	use(&s, D, PROBE_USE_WRITE, X, "/x");
	g = build(&s);
	a = process_of(g, A, 1);
	x0 = version_of(g, X, 0);
	x1 = version_of(g, X, 1);
	x2 = version_of(g, X, 2);
	x3 = version_of(g, X, 3);
	x4 = version_of(g, X, 4);
	assert_true(has_edge(g, DF_USED, x0, process_of(g, SH, 1)));
	assert_true(has_edge(g, DF_USED, x2, a));
	assert_false(has_edge(g, DF_USED, x1, a)); /* overwritten */
	assert_false(has_edge(g, DF_USED, x0, a));
	assert_false(has_edge(g, DF_USED, x3, a)); /* its own */
	assert_false(has_edge(g, DF_USED, x4, a)); /* written after */
	assert_true(has_edge(g, DF_GENERATED, a, x3));
	assert_true(has_edge(g, DF_GENERATED, process_of(g, D, 0), x4));
	assert_true(has_edge(g, DF_DERIVED, x2, x3));
	/* the epochs: A before and after its exec, the fork, the exec */
	assert_true(has_edge(g, DF_INFORMED, process_of(g, SH, 1),
			     process_of(g, A, 0)));
	assert_true(has_edge(g, DF_INFORMED, process_of(g, A, 0), a));
	assert_int_equal(df_find_path(g, "/x"), x4);
	/* an exit ends its process, and makes no other */
	{
		size_t n;
		const struct df_process *p = df_processes(g, &n);

		for (size_t i = 0; i < n; i++)
			assert_true(p[i].pid == SH || p[i].parent >= 0);
		assert_true(p[process_of(g, B, 0)].exited);
		assert_true(p[process_of(g, B, 0)].end_ns >
			    p[process_of(g, B, 0)].begin_ns);
	}
	assert_int_equal(df_find_path(g, "/nowhere"), -1);
	dataflow_free(g);
}

/* sh -c 'a | b': a -> pipe -> b */
static void test_dataflow_pipe_between_processes(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;
	long long a, b, p1;

	(void)state;
	exec_of(&s, SH, "sh");
	forked(&s, SH, A);
	forked(&s, SH, B);
	use(&s, A, PROBE_USE_WRITE, PIPE, "");
	use(&s, B, PROBE_USE_READ, PIPE, "");
	g = build(&s);
	a = process_of(g, A, 0);
	b = process_of(g, B, 0);
	p1 = version_of(g, PIPE, 1);
	assert_true(has_edge(g, DF_GENERATED, a, p1));
	assert_true(has_edge(g, DF_USED, p1, b));
	assert_true(df_entities(g, &(size_t){ 0 })[p1].anonymous);
	assert_string_equal(df_entities(g, &(size_t){ 0 })[p1].path,
			    "pipe:[9003]");
	dataflow_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_dataflow_concurrent_reads_see_every_unordered_write),
		cmocka_unit_test(test_dataflow_ordered_read_sees_the_last_write),
		cmocka_unit_test(test_dataflow_pipe_between_processes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
