/*
 * The fd model on synthetic streams: tables shared by CLONE_FILES, copied
 * by fork, unshare and close_range(CLOSE_RANGE_UNSHARE), execve dropping
 * close-on-exec fds, dup2 over an open fd; and the check of every first
 * use against the file the kernel reported.
 */
#include "helpers.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "model.h"

#define PARENT 100
#define CHILD 101
#define INODE_A 7001
#define INODE_B 7002

static void feed(struct model *m, void *rec)
{
	model_apply(m, rec);
	free(rec);
}

static void *opened(__u32 tid, int fd, __u64 ino, bool cloexec)
{
	struct probe_open *r = make_open("f", "/f", 0, 0, 0, tid);

	r->ret = fd;
	r->flags = cloexec ? O_CLOEXEC : 0;
	r->inode.dev = 1;
	r->inode.ino = ino;
	return r;
}

static void *used(__u32 tid, int fd, __u64 ino)
{
	struct probe_use *r = make_use(SYS_read, fd, PROBE_USE_READ, "/f", 0,
				       0, 0, tid);

	r->inode.dev = 1;
	r->inode.ino = ino;
	return r;
}

static void *cloned(__u32 parent, __u32 child, bool share_files)
{
	struct probe_clone *r = make_clone(SYS_clone, 0, child, 0, 0, 0,
					   parent);

	r->share = share_files ? PROBE_SHARE_FILES : 0;
	return r;
}

static void *fdop(__u32 tid, __u32 nr, int fd, __u64 arg1, __u64 arg2,
		  long ret)
{
	return make_fdop(nr, fd, arg1, arg2, ret, tid);
}

static void *unshared(__u32 tid, __u64 flags)
{
	struct probe_syscall *r = make_syscall(SYS_unshare, 0, tid);

	r->args[0] = flags;
	return r;
}

static void expect(struct model *m, __u64 agree, __u64 disagree,
		   __u64 unknown)
{
	const struct model_stats *s = model_stats(m);

	assert_int_equal(s->agree, agree);
	assert_int_equal(s->disagree, disagree);
	assert_int_equal(s->unknown, unknown);
	assert_int_equal(s->uses, agree + disagree + unknown);
}

static void test_model_clone_files_shares_the_table(void **state)
{
	struct model *m = model_new();

	(void)state;
	feed(m, cloned(PARENT, CHILD, true));
	feed(m, opened(CHILD, 4, INODE_B, false));
	feed(m, make_exit(0, true, 0, 0, 0, CHILD));
	feed(m, used(PARENT, 4, INODE_B)); /* the child's fd, in our table */
	expect(m, 1, 0, 0);
	model_free(m);
}

static void test_model_fork_copies_the_table(void **state)
{
	struct model *m = model_new();

	(void)state;
	feed(m, opened(PARENT, 3, INODE_A, false));
	feed(m, cloned(PARENT, CHILD, false));
	feed(m, opened(CHILD, 3, INODE_B, false)); /* after its close of 3 */
	feed(m, used(PARENT, 3, INODE_A));
	feed(m, used(CHILD, 3, INODE_B));
	expect(m, 2, 0, 0);
	model_free(m);
}

static void test_model_unshare_and_close_range_copy(void **state)
{
	struct model *m = model_new();

	(void)state;
	feed(m, opened(PARENT, 3, INODE_A, false));
	feed(m, cloned(PARENT, CHILD, true));
	feed(m, unshared(CHILD, CLONE_FILES));
	feed(m, fdop(CHILD, SYS_close_range, 3, 3, 0, 0)); /* closes 3 */
	feed(m, used(PARENT, 3, INODE_A)); /* still ours */
	/* CLOSE_RANGE_UNSHARE: the same, by close_range itself */
	feed(m, cloned(PARENT, CHILD + 1, true));
	feed(m, fdop(CHILD + 1, SYS_close_range, 3, 3, 2 /* UNSHARE */, 0));
	feed(m, opened(PARENT, 5, INODE_B, false));
	feed(m, used(PARENT, 5, INODE_B));
	/* not in its copy, which, like the parent's, began before the
	 * recording: an fd the model cannot know, not one it got wrong */
	feed(m, used(CHILD + 1, 5, INODE_B));
	expect(m, 2, 0, 1);
	model_free(m);
}

static void test_model_exec_drops_cloexec_after_unsharing(void **state)
{
	struct model *m = model_new();
	char *argv[] = { "x", NULL };
	struct probe_exec *ex;

	(void)state;
	feed(m, opened(PARENT, 3, INODE_A, true));
	feed(m, opened(PARENT, 4, INODE_B, false));
	feed(m, cloned(PARENT, CHILD, true));
	ex = make_exec("/x", NULL, argv, 0, 0, 0, CHILD);
	feed(m, ex);
	feed(m, used(CHILD, 3, INODE_A)); /* closed by the exec */
	feed(m, used(CHILD, 4, INODE_B));
	feed(m, used(PARENT, 3, INODE_A)); /* the exec copied first */
	expect(m, 2, 1, 0);
	model_free(m);
}

static void test_model_dup2_replaces_an_open_fd(void **state)
{
	struct model *m = model_new();

	(void)state;
	feed(m, opened(PARENT, 3, INODE_A, false));
	feed(m, opened(PARENT, 4, INODE_B, false));
	feed(m, fdop(PARENT, SYS_dup2, 3, 4, 0, 4));
	feed(m, used(PARENT, 4, INODE_A));
	feed(m, fdop(PARENT, SYS_fcntl, 3, F_DUPFD_CLOEXEC, 10, 10));
	feed(m, used(PARENT, 10, INODE_A));
	expect(m, 2, 0, 0);
	model_free(m);
}

static void test_model_knows_what_it_never_saw(void **state)
{
	struct model *m = model_new();

	(void)state;
	feed(m, used(PARENT, 1, INODE_A)); /* stdout from before: unknown */
	feed(m, opened(PARENT, 3, INODE_A, false));
	feed(m, make_close(3, 0, 0, 0, PARENT));
	feed(m, used(PARENT, 3, INODE_A)); /* closed while recording */
	feed(m, opened(PARENT, 5, INODE_A, false));
	feed(m, used(PARENT, 5, INODE_B)); /* another file than the model's */
	expect(m, 0, 2, 1);
	model_free(m);
}

static void test_model_threads_from_before_share_the_leaders_table(void **state)
{
	struct model *m = model_new();
	struct probe_snapshot *snap;
	struct probe_use *use;

	(void)state;
	/* the leader's fd 3, from the snapshot of a running process */
	snap = rec_new(PROBE_REC_SNAPSHOT, sizeof(*snap), 0, 0, 0, 0, PARENT);
	snap->fd = 3;
	snap->inode.dev = 1;
	snap->inode.ino = INODE_A;
	feed(m, snap);
	/* a thread the recording never saw made reads through it */
	use = used(PARENT, 3, INODE_A);
	use->hdr.tid = PARENT + 7;
	feed(m, use);
	expect(m, 1, 0, 0);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_clone_files_shares_the_table),
		cmocka_unit_test(test_model_fork_copies_the_table),
		cmocka_unit_test(test_model_unshare_and_close_range_copy),
		cmocka_unit_test(test_model_exec_drops_cloexec_after_unsharing),
		cmocka_unit_test(test_model_dup2_replaces_an_open_fd),
		cmocka_unit_test(test_model_knows_what_it_never_saw),
		cmocka_unit_test(
			test_model_threads_from_before_share_the_leaders_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
