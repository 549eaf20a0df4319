/*
 * The fd model on synthetic streams: tables shared by CLONE_FILES, copied
 * by fork, unshare and close_range(CLOSE_RANGE_UNSHARE), execve dropping
 * close-on-exec fds, dup2 over an open fd; and the check of every first
 * use against the file the kernel reported; which file a path-naming
 * change acted on, from the inodes it touched.
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

/* A crafted log's dup2 to an fd no table can hold: the model keeps no
 * such fd, and goes on. */
static void test_model_dup2_to_an_impossible_fd(void **state)
{
	struct model *m = model_new();

	(void)state;
	feed(m, opened(PARENT, 3, INODE_A, false));
	feed(m, fdop(PARENT, SYS_dup2, 3, 6029313, 0, 6029313));
	feed(m, fdop(PARENT, SYS_dup, 3, 0, 0, 1L << 40));
	feed(m, used(PARENT, 3, INODE_A));
	expect(m, 1, 0, 0);
	model_free(m);
}

/* A crafted log's tids that no task can have (the model's table marks
 * its empty and freed slots with 0 and ~0): records of them are no
 * task's, and crash nothing. */
static void test_model_tids_no_task_can_have(void **state)
{
	static const __u32 bad[] = { 0, 0xffffffff };
	struct model *m = model_new();
	struct probe_exec *ex;
	struct probe_clone *c;

	(void)state;
	feed(m, opened(PARENT, 3, INODE_A, false));
	feed(m, opened(CHILD, 3, INODE_B, false));
	feed(m, make_exit(0, true, 0, 0, 0, CHILD)); /* a freed slot */
	for (size_t i = 0; i < 2; i++) {
		feed(m, used(bad[i], 3, INODE_A));
		feed(m, opened(bad[i], 4, INODE_A, false));
		c = cloned(PARENT, bad[i], true);
		c->child_tid = bad[i];
		feed(m, c);
		assert_string_equal(model_root(m, bad[i]), "/");
	}
	ex = make_exec("/bin/true", NULL, NULL, 0, 0, 0, PARENT);
	ex->old_tid = 0xffffffff; /* (0 says: the leader's own exec) */
	feed(m, ex);
	feed(m, used(PARENT, 3, INODE_A));
	expect(m, 1, 0, 0);
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

/* The inode model_touched() finds for path (0: none), except one. */
static __u64 touched_ino(struct model *m, struct probe_syscall *r,
			 struct bytes path, __u64 except_ino)
{
	const struct model_touch *except = NULL, *t;

	if (except_ino)
		except = model_touched(m, r, syscall_path(r), NULL);
	if (except)
		assert_int_equal(except->ino, except_ino);
	t = model_touched(m, r, path, except);
	return t ? t->ino : 0;
}

#define DIR_INO 50
#define SUB_INO 51

static void test_model_touches_tell_which_file_a_path_was(void **state)
{
	struct model *m = model_new();
	struct probe_syscall *r;

	(void)state;
	/* chmod: the one inode it stamped, whatever its dentry's name */
	feed(m, make_touch(PARENT, SYS_chmod, INODE_A, DIR_INO, "other-link"));
	r = make_change(PARENT, SYS_chmod, "f", NULL);
	assert_int_equal(touched_ino(m, r, syscall_path(r), 0), INODE_A);
	feed(m, r);

	/* the touches end with the syscall's record */
	r = make_change(PARENT, SYS_chmod, "f", NULL);
	assert_int_equal(touched_ino(m, r, syscall_path(r), 0), 0);
	feed(m, r);

	/* unlink: the file, not its directory, found by its name */
	feed(m, make_touch(PARENT, SYS_unlink, DIR_INO, 2, "d"));
	feed(m, make_touch(PARENT, SYS_unlink, INODE_A, DIR_INO, "f"));
	r = make_change(PARENT, SYS_unlink, "d/f", NULL);
	assert_int_equal(touched_ino(m, r, syscall_path(r), 0), INODE_A);
	feed(m, r);

	/* unlink of a file whose dentry names another hard link: the one
	 * inode that is not the directory of another */
	feed(m, make_touch(PARENT, SYS_unlink, DIR_INO, 2, "d"));
	feed(m, make_touch(PARENT, SYS_unlink, INODE_A, DIR_INO, "g"));
	r = make_change(PARENT, SYS_unlink, "/d/f", NULL);
	assert_int_equal(touched_ino(m, r, syscall_path(r), 0), INODE_A);
	feed(m, r);

	/* mkdir d/d: the new inode has no name yet; its directory's name is
	 * the path's last component */
	feed(m, make_touch(PARENT, SYS_mkdir, INODE_B, 0, NULL));
	feed(m, make_touch(PARENT, SYS_mkdir, DIR_INO, 2, "d"));
	r = make_change(PARENT, SYS_mkdir, "d/d", NULL);
	assert_int_equal(touched_ino(m, r, syscall_path(r), 0), INODE_B);
	feed(m, r);

	/* rmdir d/d stamps the removed directory again once its name is
	 * gone; of the two named d, it is the one inside the other */
	feed(m, make_touch(PARENT, SYS_rmdir, DIR_INO, 2, "d"));
	feed(m, make_touch(PARENT, SYS_rmdir, SUB_INO, DIR_INO, "d"));
	feed(m, make_touch(PARENT, SYS_rmdir, SUB_INO, 0, NULL));
	r = make_change(PARENT, SYS_rmdir, "d/d/", NULL);
	assert_int_equal(touched_ino(m, r, syscall_path(r), 0), SUB_INO);
	feed(m, r);

	/* rename over a file: path's file moved, path2's file replaced */
	feed(m, make_touch(PARENT, SYS_rename, DIR_INO, 2, "d"));
	feed(m, make_touch(PARENT, SYS_rename, INODE_A, DIR_INO, "old"));
	feed(m, make_touch(PARENT, SYS_rename, INODE_B, DIR_INO, "new"));
	feed(m, make_touch(PARENT, SYS_rename, DIR_INO, 2, "d"));
	r = make_change(PARENT, SYS_rename, "old", "new");
	assert_int_equal(touched_ino(m, r, syscall_path(r), 0), INODE_A);
	assert_int_equal(touched_ino(m, r, syscall_path2(r), INODE_A), INODE_B);
	feed(m, r);

	/* rename to a new name: nothing was replaced */
	feed(m, make_touch(PARENT, SYS_rename, DIR_INO, 2, "d"));
	feed(m, make_touch(PARENT, SYS_rename, INODE_A, DIR_INO, "old"));
	r = make_change(PARENT, SYS_rename, "old", "new");
	assert_int_equal(touched_ino(m, r, syscall_path2(r), INODE_A), 0);
	feed(m, r);

	/* another task's touches are its own */
	feed(m, make_touch(CHILD, SYS_chmod, INODE_B, DIR_INO, "f"));
	r = make_change(PARENT, SYS_chmod, "f", NULL);
	assert_int_equal(touched_ino(m, r, syscall_path(r), 0), 0);
	feed(m, r);
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
		cmocka_unit_test(test_model_dup2_to_an_impossible_fd),
		cmocka_unit_test(test_model_tids_no_task_can_have),
		cmocka_unit_test(test_model_knows_what_it_never_saw),
		cmocka_unit_test(
			test_model_threads_from_before_share_the_leaders_table),
		cmocka_unit_test(test_model_touches_tell_which_file_a_path_was),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
