/*
 * The dataflow graph (user/dataflow.h) of synthetic logs: versions made by
 * writers, the versions each read used by the happens-before graph (where
 * one schedule would be wrong), processes by exec epoch, pipes; and the
 * report of probe-bpf who built on it (user/who.h).
 */
#include "helpers.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "dataflow.h"
#include "records.h"
#include "who.h"

#define SH 400 /* the shell */
#define A 401 /* its children */
#define B 402
#define X 9001 /* files */
#define Y 9002
#define PIPE 9003
#define Z 9004
#define T 9005
#define DIR 2 /* their directory */

static void exec_of(struct recs *s, __u32 pid, const char *name)
{
	char *argv[] = { (char *)name, NULL };

	push(s, make_exec(name, NULL, argv, 0, 0, 0, pid));
}

static void forked(struct recs *s, __u32 parent, __u32 child)
{
	push(s, fork_of(parent, 0, child, 0));
}

/* The first read or write of file ino (generation gen) by thread tid of
 * process pid. */
static void use_by(struct recs *s, __u32 pid, __u32 tid, __u32 access,
		   __u64 ino, __u32 gen, const char *path)
{
	struct probe_use *r = make_use(access == PROBE_USE_READ ? SYS_read :
								  SYS_write,
				       3, access, path, 0, 0, 0, pid);

	r->hdr.tid = tid;
	r->ret = 1;
	r->inode.dev = 1;
	r->inode.ino = ino;
	r->inode.gen = gen;
	r->inode.mode = (ino == PIPE ? S_IFIFO : S_IFREG) | 0644;
	if (ino == PIPE)
		r->rflags = PROBE_RF_ANON;
	push(s, r);
}

static void use(struct recs *s, __u32 pid, __u32 access, __u64 ino,
		const char *path)
{
	use_by(s, pid, pid, access, ino, 0, path);
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

/* ---- versions: truncation, generations, renames, appends ---- */

/* A successful open of path by pid with flags, of file ino (generation
 * gen) that had size bytes. */
static void opened(struct recs *s, __u32 pid, const char *path, int flags,
		   __u64 ino, __u32 gen, __u64 size)
{
	struct probe_open *r = make_open(path, path, 0, 0, 0, pid);

	r->flags = flags;
	r->inode.dev = 1;
	r->inode.ino = ino;
	r->inode.gen = gen;
	r->inode.mode = S_IFREG | 0644;
	r->inode.size = size;
	push(s, r);
}

#define TRUNC (O_WRONLY | O_CREAT | O_TRUNC) /* '>' */
#define APPEND (O_WRONLY | O_CREAT | O_APPEND) /* '>>' */

/* ftruncate(fd, length) of file ino by pid. */
static void ftruncated(struct recs *s, __u32 pid, __u64 ino, __u64 length)
{
	struct probe_syscall *r = make_syscall(SYS_ftruncate, 0, pid);

	r->has_inode = 1;
	r->inode.dev = 1;
	r->inode.ino = ino;
	r->inode.mode = S_IFREG | 0644;
	r->args[0] = 3;
	r->args[1] = length;
	push(s, r);
}

/* A file's inode as a touch of syscall nr saw it: links left, name. */
static void touched(struct recs *s, __u32 pid, __u32 nr, __u64 ino,
		    __u32 gen, __u32 nlink, const char *name)
{
	struct probe_touch *t = make_touch(pid, nr, ino, DIR, name);

	t->inode.gen = gen;
	t->inode.mode = S_IFREG | 0644;
	t->nlink = nlink;
	push(s, t);
}

/* pid's child runs name: forked, exec'd; the caller ends it with
 * reaped(). */
static void child(struct recs *s, __u32 parent, __u32 pid, const char *name)
{
	forked(s, parent, pid);
	exec_of(s, pid, name);
}

static void reaped(struct recs *s, __u32 parent, __u32 pid)
{
	exit_of(s, pid);
	wait_for(s, parent, pid);
}

/* cat IN > PATH (flags: TRUNC or APPEND) in a child of the shell, with
 * file ino of size bytes. */
static void cat_into(struct recs *s, __u32 pid, __u64 in, const char *path,
		     int flags, __u64 ino, __u32 gen, __u64 size)
{
	child(s, SH, pid, "cat");
	use(s, pid, PROBE_USE_READ, in, in == X ? "/x" : "/z");
	opened(s, pid, path, flags, ino, gen, size);
	use_by(s, pid, pid, PROBE_USE_WRITE, ino, gen, path);
	reaped(s, SH, pid);
}

static long long version_gen(struct dataflow *g, __u64 ino, __u32 gen,
			     __u32 version)
{
	size_t n;
	const struct df_entity *e = df_entities(g, &n);

	for (size_t i = 0; i < n; i++)
		if (e[i].ino == ino && e[i].gen == gen &&
		    e[i].version == version)
			return i;
	return -1;
}

/* Whether the lineage of entity root (df_walk() up) holds entity e. */
static bool in_lineage(struct dataflow *g, long long root, long long e)
{
	struct df_walk w;
	bool found = false;

	assert_true(root >= 0);
	if (e < 0)
		return false;
	df_walk(g, root, false, -1, &w);
	for (size_t i = 0; i < w.nnodes; i++)
		found |= !w.nodes[i].process && (long long)w.nodes[i].i == e;
	df_walk_free(&w);
	return found;
}

/* Which of x and z, as they were before the recording, the lineage of
 * entity root holds: "xz", "x", "z" or "". */
static void assert_made_of(struct dataflow *g, long long root,
			   const char *inputs)
{
	assert_int_equal(in_lineage(g, root, version_of(g, X, 0)),
			 strchr(inputs, 'x') != NULL);
	assert_int_equal(in_lineage(g, root, version_of(g, Z, 0)),
			 strchr(inputs, 'z') != NULL);
}

/* pid opens path (file ino) with '>' and writes it. */
static void wrote(struct recs *s, __u32 pid, const char *path, __u64 ino)
{
	opened(s, pid, path, TRUNC, ino, 0, 0);
	use(s, pid, PROBE_USE_WRITE, ino, path);
}

/* sh -c 'cat x > y; cat z > y; cat y > t': the second '>' leaves nothing
 * of x, in y or in what read y after it */
static void test_dataflow_truncation_begins_a_version_of_its_own(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;
	long long y1, y2;

	(void)state;
	exec_of(&s, SH, "sh");
	cat_into(&s, A, X, "/y", TRUNC, Y, 0, 0);
	cat_into(&s, B, Z, "/y", TRUNC, Y, 0, 6);
	child(&s, SH, C, "cat");
	use(&s, C, PROBE_USE_READ, Y, "/y");
	wrote(&s, C, "/t", T);
	reaped(&s, SH, C);
	g = build(&s);
	y1 = version_of(g, Y, 1);
	y2 = version_of(g, Y, 2);
	assert_int_equal(df_find_path(g, "/y"), y2);
	assert_true(df_entities(g, &(size_t){ 0 })[y2].truncated);
	assert_false(has_edge(g, DF_DERIVED, y1, y2));
	/* created empty: the read used no version 0 */
	assert_int_equal(version_of(g, Y, 0), -1);
	assert_made_of(g, y1, "x");
	assert_made_of(g, y2, "z");
	assert_made_of(g, df_find_path(g, "/t"), "z");
	assert_true(has_edge(g, DF_USED, y2, process_of(g, C, 1)));
	assert_false(has_edge(g, DF_USED, y1, process_of(g, C, 1)));
	dataflow_free(g);
}

/* cat x > y; cat x > t; ftruncate y to 0 and t to 1; cat z >> y and >> t:
 * y holds z alone, t a byte of x and z */
static void test_dataflow_ftruncate_to_zero_truncates(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;
	long long y, t;

	(void)state;
	exec_of(&s, SH, "sh");
	cat_into(&s, A, X, "/y", TRUNC, Y, 0, 0);
	cat_into(&s, C, X, "/t", TRUNC, T, 0, 0);
	child(&s, SH, B, "truncate");
	ftruncated(&s, B, Y, 0);
	ftruncated(&s, B, T, 1);
	reaped(&s, SH, B);
	cat_into(&s, D, Z, "/y", APPEND, Y, 0, 0);
	cat_into(&s, D + 1, Z, "/t", APPEND, T, 0, 1);
	g = build(&s);
	y = df_find_path(g, "/y");
	t = df_find_path(g, "/t");
	/* each cat's open and write make one version: y's 2 and t's 2
	 * are the truncate's */
	assert_int_equal(df_entities(g, &(size_t){ 0 })[y].version, 3);
	assert_true(df_entities(g, &(size_t){ 0 })[version_of(g, Y, 2)]
			    .truncated);
	assert_false(df_entities(g, &(size_t){ 0 })[version_of(g, T, 2)]
			     .truncated);
	assert_true(has_edge(g, DF_DERIVED, version_of(g, T, 1),
			     version_of(g, T, 2)));
	assert_false(has_edge(g, DF_DERIVED, version_of(g, Y, 1),
			      version_of(g, Y, 2)));
	assert_made_of(g, y, "z");
	assert_made_of(g, t, "xz");
	dataflow_free(g);
}

/*
 * cat x >> t; rm t; cat z >> t: the second t has the first one's inode
 * number (freed by rm) and another generation: another file, made empty,
 * nothing of x in it although nothing truncated it.
 */
static void test_dataflow_reused_inode_number_is_another_file(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;
	long long first, second;
	const struct df_file *f;
	size_t nfiles, n = 0;

	(void)state;
	exec_of(&s, SH, "sh");
	cat_into(&s, A, X, "/t", APPEND, T, 1, 0);
	touched(&s, SH, SYS_unlink, T, 1, 0, "t");
	push(&s, make_change(SH, SYS_unlink, "/t", NULL));
	cat_into(&s, B, Z, "/t", APPEND, T, 2, 0);
	g = build(&s);
	first = version_gen(g, T, 1, 1);
	second = version_gen(g, T, 2, 1);
	assert_true(first >= 0 && second >= 0);
	assert_int_equal(df_find_path(g, "/t"), second);
	f = df_files(g, &nfiles);
	for (size_t i = 0; i < nfiles; i++) {
		if (f[i].ino != T)
			continue;
		n++;
		assert_int_equal(f[i].removed, f[i].gen == 1);
		assert_int_equal(f[i].nversions, 1);
	}
	assert_int_equal(n, 2);
	assert_false(has_edge(g, DF_DERIVED, first, second));
	assert_made_of(g, first, "x");
	assert_made_of(g, second, "z");
	dataflow_free(g);
}

/* cat x > out; cat z > tmp; mv tmp out: out is tmp's file, made of z */
static void test_dataflow_rename_over_a_file(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;
	struct probe_syscall *mv;
	const struct df_file *f;
	long long out;
	size_t n;

	(void)state;
	exec_of(&s, SH, "sh");
	cat_into(&s, A, X, "/out", TRUNC, Y, 0, 0);
	cat_into(&s, B, Z, "/tmp", TRUNC, T, 0, 0);
	child(&s, SH, C, "mv");
	touched(&s, C, SYS_rename, T, 0, 1, "tmp");
	touched(&s, C, SYS_rename, Y, 0, 0, "out");
	mv = make_change(C, SYS_rename, "/tmp", "/out");
	push(&s, mv);
	reaped(&s, SH, C);
	g = build(&s);
	out = df_find_path(g, "/out");
	assert_int_equal(out, version_of(g, T, 1));
	assert_made_of(g, out, "z");
	/* the move made no version; the file replaced is gone */
	assert_int_equal(version_of(g, T, 2), -1);
	f = df_files(g, &n);
	assert_string_equal(f[df_entities(g, &n)[out].file].path, "/out");
	assert_false(f[df_entities(g, &n)[out].file].removed);
	assert_true(f[df_entities(g, &n)[version_of(g, Y, 1)].file].removed);
	dataflow_free(g);
}

/* cat x > y; cat z >> y: y holds both */
static void test_dataflow_append_derives(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;
	long long y1, y2;

	(void)state;
	exec_of(&s, SH, "sh");
	cat_into(&s, A, X, "/y", TRUNC, Y, 0, 0);
	cat_into(&s, B, Z, "/y", APPEND, Y, 0, 6);
	g = build(&s);
	y1 = version_of(g, Y, 1);
	y2 = version_of(g, Y, 2);
	assert_int_equal(df_find_path(g, "/y"), y2);
	assert_false(df_entities(g, &(size_t){ 0 })[y2].truncated);
	assert_true(has_edge(g, DF_DERIVED, y1, y2));
	assert_made_of(g, y2, "xz");
	dataflow_free(g);
}

/*
 * cat x >> old (there before, 10 bytes); cat x >> new (made by the open):
 * old's first version holds what old held; new's nothing before.
 */
static void test_dataflow_version_0_only_of_a_file_from_before(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;

	(void)state;
	exec_of(&s, SH, "sh");
	cat_into(&s, A, X, "/old", APPEND, T, 0, 10);
	cat_into(&s, B, X, "/new", APPEND, Y, 0, 0);
	g = build(&s);
	assert_true(version_of(g, T, 0) >= 0);
	assert_true(has_edge(g, DF_DERIVED, version_of(g, T, 0),
			     version_of(g, T, 1)));
	assert_true(in_lineage(g, version_of(g, T, 1), version_of(g, T, 0)));
	assert_int_equal(version_of(g, Y, 0), -1);
	assert_made_of(g, version_of(g, Y, 1), "x");
	dataflow_free(g);
}

/*
 * cat x > y; then, unordered, B runs cat z > y and C cat y > t: C's read
 * can have come before B's truncation or after it, so t can hold x or z.
 */
static void test_dataflow_unordered_truncation_erases_nothing(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;

	(void)state;
	exec_of(&s, SH, "sh");
	cat_into(&s, A, X, "/y", TRUNC, Y, 0, 0);
	child(&s, SH, B, "cat");
	child(&s, SH, C, "cat");
	use(&s, B, PROBE_USE_READ, Z, "/z");
	opened(&s, B, "/y", TRUNC, Y, 0, 6);
	use(&s, B, PROBE_USE_WRITE, Y, "/y");
	use(&s, C, PROBE_USE_READ, Y, "/y");
	wrote(&s, C, "/t", T);
	g = build(&s);
	assert_made_of(g, df_find_path(g, "/y"), "z");
	assert_made_of(g, df_find_path(g, "/t"), "xz");
	dataflow_free(g);
}

/* ---- the walk: which reads count for a write ---- */

/* A reads x, writes y, then reads z and writes t: z is in t, not in y */
static void test_dataflow_walk_stops_at_the_last_write(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;

	(void)state;
	exec_of(&s, A, "prog");
	use(&s, A, PROBE_USE_READ, X, "/x");
	wrote(&s, A, "/y", Y);
	use(&s, A, PROBE_USE_READ, Z, "/z");
	wrote(&s, A, "/t", T);
	g = build(&s);
	assert_made_of(g, df_find_path(g, "/y"), "x");
	assert_made_of(g, df_find_path(g, "/t"), "xz");
	dataflow_free(g);
}

/*
 * The shell reads x, forks A, reads z, forks B; each child writes a file:
 * A's holds x (read before its clone), not z; B's both.
 */
static void test_dataflow_walk_stops_at_the_clone(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;

	(void)state;
	exec_of(&s, SH, "sh");
	use(&s, SH, PROBE_USE_READ, X, "/x");
	forked(&s, SH, A);
	use(&s, SH, PROBE_USE_READ, Z, "/z");
	forked(&s, SH, B);
	wrote(&s, A, "/y", Y);
	wrote(&s, B, "/t", T);
	g = build(&s);
	assert_made_of(g, df_find_path(g, "/y"), "x");
	assert_made_of(g, df_find_path(g, "/t"), "xz");
	dataflow_free(g);
}

/*
 * The shell vforks A, which reads x in the shell's memory, then execs and
 * reads z in its own; then the shell writes y: x can be in y, z not.
 */
static void test_dataflow_walk_vfork_child_reaches_parent(void **state)
{
	struct recs s = { .n = 0 };
	struct probe_clone *vf;
	struct dataflow *g;

	(void)state;
	exec_of(&s, SH, "sh");
	vf = fork_of(SH, 0, A, 0);
	vf->nr = SYS_vfork;
	vf->flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
	vf->share = PROBE_SHARE_VM;
	push(&s, vf);
	use(&s, A, PROBE_USE_READ, X, "/x");
	exec_of(&s, A, "prog");
	use(&s, A, PROBE_USE_READ, Z, "/z");
	wrote(&s, SH, "/y", Y);
	g = build(&s);
	assert_made_of(g, df_find_path(g, "/y"), "x");
	dataflow_free(g);
}

#define THREAD_2 (A + 1000)
#define THREAD_3 (A + 1001)

/* A clones thread tid: same process, its own thread. */
static void thread_of(struct recs *s, __u32 pid, __u32 tid)
{
	struct probe_clone *c = make_clone(
		SYS_clone, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				   CLONE_THREAD,
		pid, 0, 0, 0, pid);

	c->child_tid = tid;
	c->share = PROBE_SHARE_FILES | PROBE_SHARE_FS | PROBE_SHARE_VM |
		   PROBE_SHARE_SIGHAND | PROBE_SHARE_THREAD;
	push(s, c);
}

/*
 * A writes y between two clones of threads; the first thread reads x
 * (after the write in the log, but not ordered with it: it can have come
 * first, and reached y through memory), the second reads z (ordered after
 * the write by its clone): x can be in y, z not.
 */
static void test_dataflow_walk_threads_by_happens_before(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;

	(void)state;
	exec_of(&s, A, "prog");
	thread_of(&s, A, THREAD_2);
	wrote(&s, A, "/y", Y);
	thread_of(&s, A, THREAD_3);
	use_by(&s, A, THREAD_2, PROBE_USE_READ, X, 0, "/x");
	use_by(&s, A, THREAD_3, PROBE_USE_READ, Z, 0, "/z");
	g = build(&s);
	assert_made_of(g, df_find_path(g, "/y"), "x");
	dataflow_free(g);
}

/*
 * The process reads x twice through two opens: first (in the log) in the
 * thread that wrote y, after the write; then in another thread, not
 * ordered with the write.  The second read can have come before the
 * write: x can be in y.
 */
static void test_dataflow_walk_read_in_another_thread_not_ordered(
	void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;

	(void)state;
	exec_of(&s, A, "prog");
	thread_of(&s, A, THREAD_2);
	wrote(&s, A, "/y", Y);
	use(&s, A, PROBE_USE_READ, X, "/x");
	use_by(&s, A, THREAD_2, PROBE_USE_READ, X, 0, "/x");
	g = build(&s);
	assert_made_of(g, df_find_path(g, "/y"), "x");
	dataflow_free(g);
}

/* ---- who: what each process did to the files a path named ---- */

/* who_write()'s report of path in g (start 1000 ns), malloc'ed; its
 * count of files in *n. */
static char *who_report(struct dataflow *g, const char *path, bool json,
			size_t *n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	*n = who_write(g, path, 1000, json, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* cat x > out; cat z > tmp; mv tmp out; rm out */
static struct dataflow *rename_over_then_remove(void)
{
	struct recs s = { .n = 0 };

	exec_of(&s, SH, "sh");
	cat_into(&s, A, X, "/out", TRUNC, Y, 0, 0);
	cat_into(&s, B, Z, "/tmp", TRUNC, T, 0, 0);
	child(&s, SH, C, "mv");
	touched(&s, C, SYS_rename, T, 0, 1, "tmp");
	touched(&s, C, SYS_rename, Y, 0, 0, "out");
	push(&s, make_change(C, SYS_rename, "/tmp", "/out"));
	reaped(&s, SH, C);
	touched(&s, SH, SYS_unlink, T, 0, 0, "out");
	push(&s, make_change(SH, SYS_unlink, "/out", NULL));
	return build(&s);
}

/* Two files were /out: each with what was done to it, and the names it
 * had then */
static void test_who_lists_each_file_a_path_named(void **state)
{
	struct dataflow *g = rename_over_then_remove();
	size_t n;
	char *text = who_report(g, "/out", false, &n);

	(void)state;
	assert_int_equal(n, 2);
	assert_string_equal(
		text,
		"/out: 2 files\n"
		"\n"
		"file 1 of 2: inode 9002 on 0:1, removed\n"
		"     seconds       op  what      epoch  process\n"
		"    0.000001        4  truncated     1  401 cat\n"
		"    0.000001        5  wrote         1  401 cat\n"
		"    0.000001       17  removed       1  403 mv\n"
		"\n"
		"file 2 of 2: inode 9005 on 0:1, removed\n"
		"     seconds       op  what      epoch  process\n"
		"    0.000001       11  truncated     1  402 cat, as /tmp\n"
		"    0.000001       12  wrote         1  402 cat, as /tmp\n"
		"    0.000001       17  renamed       1  403 mv, to /out\n"
		"    0.000001       20  removed       1  400 sh\n");
	free(text);
	/* tmp named one file, which was renamed */
	text = who_report(g, "/tmp", false, &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(text, "renamed       1  403 mv, to /out\n"));
	free(text);
	dataflow_free(g);
}

static void test_who_of_a_path_never_named(void **state)
{
	struct dataflow *g = rename_over_then_remove();
	size_t n;
	char *text;

	(void)state;
	for (int json = 0; json < 2; json++) {
		text = who_report(g, "/nowhere", json, &n);
		assert_int_equal(n, 0);
		assert_string_equal(text, "");
		free(text);
	}
	/* a path is named whole, not by a prefix */
	text = who_report(g, "/ou", false, &n);
	assert_int_equal(n, 0);
	free(text);
	dataflow_free(g);
}

static void test_who_json(void **state)
{
	struct dataflow *g = rename_over_then_remove();
	size_t n;
	char *text = who_report(g, "/x", true, &n);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(
		text, "{\"path\":\"/x\",\"start_ns\":1000,\"files\":[{\"dev\":1,"
		      "\"ino\":9001,\"gen\":0,\"removed\":false,\"accesses\":["
		      "{\"kind\":\"read\",\"pid\":401,\"epoch\":1,\"start_ns\":0,"
		      "\"argv\":[\"cat\"],\"exe\":\"cat\",\"ts_ns\":2030,"
		      "\"op\":3,\"path\":\"/x\"}]}]}\n");
	free(text);
	dataflow_free(g);
}

/* A path and an argv with a newline and an escape: one line each */
static void test_who_escapes_what_goes_to_a_terminal(void **state)
{
	struct recs s = { .n = 0 };
	char *argv[] = { "cat", "\x1b[2J\n", NULL };
	struct dataflow *g;
	char *text;
	size_t n;

	(void)state;
	push(&s, make_exec("/bin/cat", NULL, argv, 0, 0, 0, A));
	use(&s, A, PROBE_USE_READ, X, "/a\nb\x1b");
	g = build(&s);
	text = who_report(g, "/a\nb\x1b", false, &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(text, "$'/a\\x0ab\\x1b': 1 file\n"));
	assert_non_null(strstr(text, " 401 cat $'\\x1b[2J\\x0a'\n"));
	assert_null(strchr(text, '\x1b'));
	free(text);
	dataflow_free(g);
}

/* An exec's path is named as files are: "./prog" from the cwd, without
 * its "." components (path_drop_dots()). */
static void test_path_drop_dots(void **state)
{
	static const char *const cases[][2] = {
		{ "/a/./b//c", "/a/b/c" }, { "/./x", "/x" },   { "/", "/" },
		{ "/a/b/.", "/a/b" },	   { "./w", "w" },     { "//x", "/x" },
		{ "/a/../b/", "/a/../b" }, /* ".." is the filesystem's to say */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		size_t n;

		strcpy(buf, cases[i][0]);
		n = path_drop_dots(buf, strlen(buf));
		assert_string_equal(buf, cases[i][1]);
		assert_int_equal(n, strlen(cases[i][1]));
	}
}

/* ---- losses ---- */

static bool incomplete(struct dataflow *g, __u32 pid, __u32 epoch)
{
	return df_processes(g, &(size_t){ 0 })[process_of(g, pid, epoch)]
		.incomplete;
}

/*
 * A ran and exited before its CPU lost records; B and the shell were alive
 * in the window the loss falls in (after the CPU's record before the gap,
 * up to the record that showed it): only they may lack records.
 */
static void test_dataflow_loss_marks_who_was_alive(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;

	(void)state;
	exec_of(&s, SH, "sh");
	forked(&s, SH, A);
	use(&s, A, PROBE_USE_WRITE, X, "/x");
	exit_of(&s, A);
	forked(&s, SH, B);
	push(&s, make_lost(0, 0, 7, 0));
	use(&s, B, PROBE_USE_READ, X, "/x");
	exit_of(&s, B);
	g = build(&s);
	assert_false(incomplete(g, A, 0));
	assert_true(incomplete(g, B, 0));
	assert_true(incomplete(g, SH, 1));
	assert_true(df_losses(g)->any);
	assert_int_equal(df_losses(g)->lost, 7);
	dataflow_free(g);
}

static void test_dataflow_no_loss_marks_nothing(void **state)
{
	struct recs s = { .n = 0 };
	struct dataflow *g;

	(void)state;
	exec_of(&s, SH, "sh");
	forked(&s, SH, A);
	use(&s, A, PROBE_USE_WRITE, X, "/x");
	g = build(&s);
	assert_false(incomplete(g, A, 0));
	assert_false(incomplete(g, SH, 1));
	assert_false(df_losses(g)->any);
	dataflow_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_drop_dots),
		cmocka_unit_test(
			test_dataflow_concurrent_reads_see_every_unordered_write),
		cmocka_unit_test(test_dataflow_ordered_read_sees_the_last_write),
		cmocka_unit_test(test_dataflow_pipe_between_processes),
		cmocka_unit_test(
			test_dataflow_truncation_begins_a_version_of_its_own),
		cmocka_unit_test(test_dataflow_ftruncate_to_zero_truncates),
		cmocka_unit_test(
			test_dataflow_reused_inode_number_is_another_file),
		cmocka_unit_test(test_dataflow_rename_over_a_file),
		cmocka_unit_test(test_dataflow_append_derives),
		cmocka_unit_test(
			test_dataflow_version_0_only_of_a_file_from_before),
		cmocka_unit_test(
			test_dataflow_unordered_truncation_erases_nothing),
		cmocka_unit_test(test_dataflow_walk_stops_at_the_last_write),
		cmocka_unit_test(test_dataflow_walk_stops_at_the_clone),
		cmocka_unit_test(test_dataflow_walk_vfork_child_reaches_parent),
		cmocka_unit_test(test_dataflow_walk_threads_by_happens_before),
		cmocka_unit_test(
			test_dataflow_walk_read_in_another_thread_not_ordered),
		cmocka_unit_test(test_who_lists_each_file_a_path_named),
		cmocka_unit_test(test_who_of_a_path_never_named),
		cmocka_unit_test(test_who_json),
		cmocka_unit_test(test_who_escapes_what_goes_to_a_terminal),
		cmocka_unit_test(test_dataflow_loss_marks_who_was_alive),
		cmocka_unit_test(test_dataflow_no_loss_marks_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
