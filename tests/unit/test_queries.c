/*
 * The queries on a log: export process-tree (user/export_tree.c), fed
 * synthetic logs.  diff is in test_summary.c.
 */
#include "helpers.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "export.h"

/* ---- building logs ---- */

static void write_recs(const char *path, struct recs *rs)
{
	static char *const command[] = { "sh", "-c", "build", NULL };

	test_log_write(path, 1, command,
		       (const struct probe_hdr *const *)rs->v, rs->n, true);
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i]);
	rs->n = 0;
}

/* A successful exec of argv[0] by pid, started at start_ns. */
static struct probe_exec *exec_of(__u32 pid, __u64 start_ns,
				  char *const argv[])
{
	struct probe_exec *r = make_exec(argv[0], NULL, argv, 0, 0, 0, pid);

	r->start_ns = start_ns;
	return r;
}

static struct probe_exit *exit_of(__u32 pid, __u64 start_ns, int status)
{
	struct probe_exit *r = make_exit(status, true, 0, 0, 0, pid);

	r->start_ns = start_ns;
	return r;
}

/* ---- process-tree ---- */

static char *tree_text;

/*
 * sh -c 'cat f | wc -l' (100) forks cat (101) and wc (102); a thread of
 * it (103) forks 107, which execs echo; a subshell (104) that never
 * execs forks true (105); 106 runs sh -c 'exec cat x', killed before
 * its exit was recorded; after cat exits, its pid 101 is reused by a
 * fork that runs sleep.
 */
static void write_tree_log(const char *path)
{
	static char *const sh[] = { "sh", "-c", "cat f | wc -l", NULL };
	static char *const cat[] = { "cat", "f", NULL };
	static char *const wc[] = { "wc", "-l", NULL };
	static char *const echo[] = { "echo", "it's", NULL };
	static char *const t[] = { "true", NULL };
	static char *const sh2[] = { "sh", "-c", "exec cat x", NULL };
	static char *const cat2[] = { "cat", "x", NULL };
	static char *const sleep[] = { "sleep", "1", NULL };
	struct probe_clone *thread;
	struct probe_exit *thread_exit;
	struct recs rs = { 0 };

	push(&rs, exec_of(100, 10, sh));
	push(&rs, fork_of(100, 10, 101, 11));
	push(&rs, exec_of(101, 11, cat));
	push(&rs, fork_of(100, 10, 102, 12));
	push(&rs, exec_of(102, 12, wc));
	thread = fork_of(100, 10, 100, 10);
	thread->child_tid = 103;
	thread->share = PROBE_SHARE_FILES | PROBE_SHARE_FS | PROBE_SHARE_VM |
			PROBE_SHARE_SIGHAND | PROBE_SHARE_THREAD;
	thread->flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			CLONE_THREAD;
	push(&rs, thread);
	push(&rs, fork_of(100, 10, 107, 17));
	rs.v[rs.n - 1]->tid = 103;
	push(&rs, exec_of(107, 17, echo));
	thread_exit = exit_of(100, 10, 0);
	thread_exit->hdr.tid = 103;
	thread_exit->group_dead = false;
	push(&rs, thread_exit);
	push(&rs, fork_of(100, 10, 104, 14));
	push(&rs, fork_of(104, 14, 105, 15));
	push(&rs, exec_of(105, 15, t));
	push(&rs, fork_of(100, 10, 106, 16));
	push(&rs, exec_of(106, 16, sh2));
	push(&rs, exec_of(106, 16, cat2));
	push(&rs, exit_of(101, 11, 0));
	push(&rs, exit_of(102, 12, 1 << 8));
	push(&rs, exit_of(105, 15, 0));
	push(&rs, exit_of(104, 14, SIGTERM));
	push(&rs, exit_of(107, 17, SIGSEGV | 0x80)); /* core dumped */
	push(&rs, fork_of(100, 10, 101, 21));
	push(&rs, exec_of(101, 21, sleep));
	push(&rs, exit_of(101, 21, 0));
	push(&rs, exit_of(100, 10, 0));
	write_recs(path, &rs);
}

static int tree_setup(void **state)
{
	struct tmp_dir dir;
	char log[PATH_MAX], err[512];
	struct log_reader *r;
	size_t len;
	FILE *f = open_memstream(&tree_text, &len);

	(void)state;
	tmp_dir_make(&dir);
	tmp_path(&dir, "tree.probe", log);
	write_tree_log(log);
	r = log_open(log, err, sizeof(err));
	if (!r)
		fail_msg("log_open: %s", err);
	assert_int_equal(export_process_tree(r, f, &(struct export_opts){ 0 }), 0);
	assert_int_equal(fclose(f), 0);
	log_close(r);
	tmp_dir_remove(&dir);
	return 0;
}

static int tree_teardown(void **state)
{
	(void)state;
	free(tree_text);
	return 0;
}

/* The export holds these whole lines, one after the other. */
static void assert_lines(const char *text, const char *lines)
{
	const char *at = strstr(text, lines);

	if (!at || (at != text && at[-1] != '\n'))
		fail_msg("want the lines\n%s\nin\n%s", lines, text);
}

static void test_tree_lists_children_under_their_parent(void **state)
{
	(void)state;
	assert_lines(tree_text, "100 sh -c 'cat f | wc -l'  (exit 0)\n"
				"  101 cat f  (exit 0)\n"
				"  102 wc -l  (exit 1)\n");
	/* one root: every other line is indented */
	assert_int_equal(strncmp(tree_text, "100 ", 4), 0);
	for (const char *nl = strchr(tree_text, '\n'); nl[1];
	     nl = strchr(nl + 1, '\n'))
		assert_int_equal(nl[1], ' ');
}

static void test_tree_leaves_threads_out(void **state)
{
	(void)state;
	assert_null(strstr(tree_text, "103"));
	/* what a thread forks is its process's child */
	assert_lines(tree_text, "  107 echo 'it'\\''s'  (killed by SIGSEGV, "
				"core dumped)\n");
	assert_null(strstr(tree_text, "100 then"));
	assert_null(strstr(tree_text, "  100"));
}

static void test_tree_brackets_a_process_without_exec(void **state)
{
	(void)state;
	assert_lines(tree_text,
		     "  104 [sh -c 'cat f | wc -l']  (killed by SIGTERM)\n"
		     "    105 true  (exit 0)\n");
	/* a fork that then execs is shown by its exec alone */
	assert_null(strstr(tree_text, "101 ["));
}

static void test_tree_shows_successive_execs_in_order(void **state)
{
	(void)state;
	assert_lines(tree_text, "  106 sh -c 'exec cat x'\n"
				"  106 then cat x  (no exit recorded)\n");
}

static void test_tree_ends_with_the_exit_status(void **state)
{
	static const char *const ends[] = {
		"100 sh -c 'cat f | wc -l'  (exit 0)\n",
		"  102 wc -l  (exit 1)\n",
		"  104 [sh -c 'cat f | wc -l']  (killed by SIGTERM)\n",
		"  107 echo 'it'\\''s'  (killed by SIGSEGV, core dumped)\n",
		"  106 sh -c 'exec cat x'\n",
		"  106 then cat x  (no exit recorded)\n",
		NULL,
	};

	(void)state;
	for (int i = 0; ends[i]; i++)
		assert_lines(tree_text, ends[i]);
}

static void test_tree_tells_a_reused_pid_apart(void **state)
{
	(void)state;
	assert_lines(tree_text, "  106 then cat x  (no exit recorded)\n"
				"  101 sleep 1  (exit 0)\n");
}

static void test_tree_of_a_corrupt_log_fails(void **state)
{
	static char *const sh[] = { "sh", NULL };
	struct tmp_dir dir;
	char log[PATH_MAX], err[512];
	struct recs rs = { 0 };
	struct log_reader *r;
	__u32 bad_size = 0xfff1, first_size;
	char *text;
	size_t len;
	FILE *f;

	(void)state;
	tmp_dir_make(&dir);
	tmp_path(&dir, "bad.probe", log);
	push(&rs, exec_of(100, 10, sh));
	push(&rs, exit_of(100, 10, 0));
	first_size = rs.v[0]->size;
	write_recs(log, &rs);
	r = log_open(log, err, sizeof(err));
	assert_non_null(r);
	/* the second record's size: the first one was whole */
	file_patch(log, log_header(r)->header_size + first_size, &bad_size,
		   sizeof(bad_size));
	log_close(r);
	r = log_open(log, err, sizeof(err));
	assert_non_null(r);
	f = open_memstream(&text, &len);
	assert_int_equal(export_process_tree(r, f, &(struct export_opts){ 0 }), -1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, 0);
	free(text);
	log_close(r);
	tmp_dir_remove(&dir);
}

int main(void)
{
	const struct CMUnitTest tree_tests[] = {
		cmocka_unit_test(test_tree_lists_children_under_their_parent),
		cmocka_unit_test(test_tree_leaves_threads_out),
		cmocka_unit_test(test_tree_brackets_a_process_without_exec),
		cmocka_unit_test(test_tree_shows_successive_execs_in_order),
		cmocka_unit_test(test_tree_ends_with_the_exit_status),
		cmocka_unit_test(test_tree_tells_a_reused_pid_apart),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_of_a_corrupt_log_fails),
	};

	return cmocka_run_group_tests(tree_tests, tree_setup, tree_teardown) |
	       cmocka_run_group_tests(tests, NULL, NULL);
}
