/*
 * The queries on a log: export process-tree (user/export_tree.c) and diff
 * (user/diff_files.c), fed synthetic logs.
 */
#include "helpers.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "diff.h"
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

/* ---- diff ---- */

struct ident {
	__u64 ino, size;
	__s64 mtime;
};

static void set_inode(struct probe_inode *in, struct ident id)
{
	in->dev = 8 << 20 | 1;
	in->ino = id.ino;
	in->size = id.size;
	in->mtime_ns = id.mtime;
	in->mode = S_IFREG | 0644;
}

static struct probe_open *open_for(const char *path, __u64 flags,
				   struct ident id)
{
	struct probe_open *r = make_open(path, path, 0, 0, 0, 100);

	r->flags = flags;
	set_inode(&r->inode, id);
	return r;
}

static struct probe_use *use_of(__u32 access, const char *path,
				struct ident id)
{
	struct probe_use *r = make_use(SYS_read, 3, access, path, 0, 0, 0,
				       100);

	set_inode(&r->inode, id);
	return r;
}

static struct probe_exec *exec_file(const char *filename, const char *interp,
				    struct ident id)
{
	static char *const argv[] = { "prog", NULL };
	struct probe_exec *r = make_exec(filename, interp, argv, 0, 0, 0, 100);

	set_inode(&r->exe, id);
	return r;
}

struct run_files {
	struct ident cc, a_c, b_h, old_h, new_h, a_o, build;
	struct ident tool; /* run inside a chroot */
	struct ident later; /* a.c's later first read */
	struct ident ignored; /* what is not a file's content */
};

/* A successful chroot(dir) by pid. */
static struct probe_syscall *chroot_to(const char *dir, __u32 pid)
{
	size_t len = strlen(dir) + 1, off = 0;
	struct probe_syscall *r = rec_new(PROBE_REC_SYSCALL, sizeof(*r),
					  2 * len, 0, 0, 0, pid);

	r->nr = SYS_chroot;
	r->path_len = put_str(r->data, &off, dir);
	r->base_len = put_str(r->data, &off, dir); /* the new root */
	return r;
}

/*
 * A compiler run: exec of cc (and of a #! script, whose interpreter is
 * sh), reads of a.c, b.h and either old.h or new.h, a write of a.o, a
 * tool run in a chroot; and what the diff must not count.
 */
static void write_run(const char *path, const struct run_files *f)
{
	struct probe_exec *failed;
	struct probe_open *gone;
	struct probe_use *pipe;
	struct recs rs = { 0 };

	push(&rs, exec_file("/usr/bin/cc", NULL, f->cc));
	push(&rs, exec_file("./build.sh", "/bin/sh", f->build));
	/* a first read alone (an fd from before the recording) */
	if (f->old_h.ino)
		push(&rs, use_of(PROBE_USE_READ, "/src/old.h", f->old_h));
	if (f->new_h.ino)
		push(&rs, use_of(PROBE_USE_READ, "/src/new.h", f->new_h));
	push(&rs, open_for("/src/a.c", O_RDONLY, f->a_c));
	push(&rs, use_of(PROBE_USE_READ, "/src/a.c", f->a_c));
	/* opened for reading without a read */
	push(&rs, open_for("/src/b.h", O_RDWR, f->b_h));
	push(&rs, use_of(PROBE_USE_WRITE, "/out/a.o", f->a_o));
	/* another open file description of a.c, after a.c changed */
	push(&rs, use_of(PROBE_USE_READ, "/src/a.c", f->later));
	push(&rs, fork_of(100, 0, 101, 0));
	push(&rs, chroot_to("/jail", 101));
	push(&rs, exec_file("/bin/tool", NULL, f->tool));
	rs.v[rs.n - 1]->pid = rs.v[rs.n - 1]->tid = 101;

	failed = exec_file("/usr/bin/missing", NULL, f->ignored);
	failed->ret = -ENOENT;
	push(&rs, failed);
	gone = open_for("/src/missing.h", O_RDONLY, f->ignored);
	gone->ret = -ENOENT;
	push(&rs, gone);
	push(&rs, open_for("/src/x", O_RDONLY | O_PATH, f->ignored));
	push(&rs, open_for("/out/a.o", O_WRONLY | O_CREAT | O_TRUNC,
			   f->ignored));
	push(&rs, open_for("/dev/null", O_RDONLY, f->ignored));
	push(&rs, use_of(PROBE_USE_READ, "/proc/self/maps", f->ignored));
	push(&rs, use_of(PROBE_USE_WRITE, "/sys/kernel/x", f->ignored));
	pipe = use_of(PROBE_USE_READ, "", f->ignored);
	pipe->abs_len = 0;
	pipe->rflags = PROBE_RF_ANON;
	push(&rs, pipe);
	write_recs(path, &rs);
}

static const struct run_files run1 = {
	.cc = { 500, 1000, 7000 },
	.a_c = { 10, 5, 100 },
	.b_h = { 11, 3, 110 },
	.old_h = { 12, 4, 120 },
	.a_o = { 20, 900, 200 },
	.build = { 600, 2000, 8000 },
	.tool = { 700, 10, 9000 },
	.later = { 14, 1, 1 },
	.ignored = { 99, 1, 1 },
};

/* A new compiler, a.c edited (size and mtime), b.h the same, old.h no
 * longer read but new.h, a.o written again (mtime). */
static const struct run_files run2 = {
	.cc = { 501, 1000, 7000 },
	.a_c = { 10, 6, 150 },
	.b_h = { 11, 3, 110 },
	.new_h = { 13, 4, 130 },
	.a_o = { 20, 900, 300 },
	.build = { 600, 2000, 8000 },
	.tool = { 700, 10, 9000 },
	.later = { 14, 1, 1 },
	.ignored = { 99, 1, 1 },
};

/* The diff of two runs in text or JSON; its count in *n. */
static char *diff_of(const struct run_files *f1, const struct run_files *f2,
		     bool json, size_t *n)
{
	struct tmp_dir dir;
	char log1[PATH_MAX], log2[PATH_MAX], err[512];
	struct diff_run *r1, *r2;
	char *text;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	tmp_dir_make(&dir);
	tmp_path(&dir, "one.probe", log1);
	tmp_path(&dir, "two.probe", log2);
	write_run(log1, f1);
	write_run(log2, f2);
	r1 = diff_load(log1, err, sizeof(err));
	if (!r1)
		fail_msg("diff_load: %s", err);
	r2 = diff_load(log2, err, sizeof(err));
	if (!r2)
		fail_msg("diff_load: %s", err);
	assert_true(diff_run_complete(r1));
	assert_int_equal(diff_run_lost(r1), 0);
	*n = diff_write(r1, r2, json, out);
	assert_int_equal(fclose(out), 0);
	diff_run_free(r1);
	diff_run_free(r2);
	tmp_dir_remove(&dir);
	return text;
}

/* How many files differ between two runs. */
static size_t differences(const struct run_files *f1,
			  const struct run_files *f2)
{
	size_t n;

	free(diff_of(f1, f2, false, &n));
	return n;
}

/* The text report's lines of one role ("read:" up to the next role). */
static char *section(const char *text, const char *role)
{
	static const char *const roles[] = { "read:", "written:", "executed:",
					     NULL };
	const char *start = strstr(text, role), *end = NULL;

	assert_non_null(start);
	for (int i = 0; roles[i]; i++) {
		const char *at = strstr(start + 1, roles[i]);

		if (at && at > start && (!end || at < end) && at[-1] == '\n')
			end = at;
	}
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

static void assert_section(const char *text, const char *role,
			   const char *want)
{
	char *got = section(text, role);

	if (strcmp(got, want))
		fail_msg("want\n%s\ngot\n%s\nin\n%s", want, got, text);
	free(got);
}

#define MTIME(s) "1970-01-01 00:00:00.000000" s

static void test_diff_reads_only_in_one_run(void **state)
{
	size_t n;
	char *text = diff_of(&run1, &run2, false, &n);
	char *read = section(text, "read:");

	(void)state;
	assert_non_null(strstr(read, "\n  /src/new.h  only in "));
	assert_non_null(strstr(read, "two.probe\n"));
	assert_non_null(strstr(read, "\n  /src/old.h  only in "));
	assert_non_null(strstr(read, "one.probe\n"));
	free(read);
	free(text);
}

static void test_diff_names_what_changed(void **state)
{
	size_t n;
	char *text = diff_of(&run1, &run2, false, &n);
	char *read = section(text, "read:");

	(void)state;
	assert_non_null(strstr(read, "\n  /src/a.c  size 5 -> 6, mtime " MTIME(
					     "100") " -> " MTIME("150") "\n"));
	/* b.h is the same file in both */
	assert_null(strstr(read, "b.h"));
	free(read);
	free(text);
}

static void test_diff_sorts_each_role_by_path(void **state)
{
	size_t n;
	char *text = diff_of(&run1, &run2, false, &n);
	char *read = section(text, "read:");
	const char *a = strstr(read, "/src/a.c"), *nw = strstr(read, "new.h"),
		   *old = strstr(read, "old.h");

	(void)state;
	assert_true(a && nw && old && a < nw && nw < old);
	assert_int_equal(n, 5);
	free(read);
	free(text);
}

static void test_diff_writes(void **state)
{
	size_t n;
	char *text = diff_of(&run1, &run2, false, &n);

	(void)state;
	assert_section(text, "written:",
		       "written:\n"
		       "  /out/a.o  mtime " MTIME("200") " -> " MTIME(
			       "300") "\n");
	free(text);
}

static void test_diff_executed_files(void **state)
{
	struct run_files other = run1;
	size_t n;
	char *text = diff_of(&run1, &run2, false, &n);

	(void)state;
	/* the script ran its interpreter: /bin/sh, the same in both */
	assert_section(text, "executed:",
		       "executed:\n"
		       "  /usr/bin/cc  inode 500 -> 501\n");
	free(text);
	other.build.ino = 601;
	text = diff_of(&run1, &other, false, &n);
	assert_section(text, "executed:",
		       "executed:\n"
		       "  /bin/sh  inode 600 -> 601\n");
	free(text);
	/* a chrooted process's /bin/tool is /jail/bin/tool */
	other = run1;
	other.tool.ino = 701;
	text = diff_of(&run1, &other, false, &n);
	assert_section(text, "executed:",
		       "executed:\n"
		       "  /jail/bin/tool  inode 700 -> 701\n");
	free(text);
}

static void test_diff_leaves_out_pipes_and_pseudo_files(void **state)
{
	struct run_files other = run1;

	(void)state;
	other.ignored.ino = 98;
	other.ignored.size = 2;
	other.ignored.mtime = 2;
	assert_int_equal(differences(&run1, &other), 0);
}

static void test_diff_takes_the_first_use_of_a_file(void **state)
{
	struct run_files other = run1;
	size_t n;
	char *text;

	(void)state;
	other.later.mtime = 2;
	assert_int_equal(differences(&run1, &other), 0);
	other = run1;
	other.b_h.mtime = 2; /* an open for reading is a use */
	text = diff_of(&run1, &other, false, &n);
	assert_section(text, "read:",
		       "read:\n  /src/b.h  mtime " MTIME("110") " -> " MTIME(
			       "002") "\n");
	free(text);
}

static void test_diff_of_identical_runs_is_empty(void **state)
{
	size_t n;
	char *text = diff_of(&run1, &run1, false, &n);

	(void)state;
	assert_int_equal(n, 0);
	assert_string_equal(text, "read: no differences\n"
				  "written: no differences\n"
				  "executed: no differences\n");
	free(text);
}

static void test_diff_json(void **state)
{
	size_t n;
	char *text = diff_of(&run1, &run2, true, &n);
	char *empty = diff_of(&run1, &run1, true, &n);
	FILE *py;

	(void)state;
	assert_non_null(strstr(
		text, "\"differences\":5,\"read\":[{\"path\":\"/src/a.c\","
		      "\"kind\":\"changed\",\"changed\":[\"size\",\"mtime\"],"
		      "\"log1\":{\"dev\":2049,\"ino\":10,\"size\":5,"
		      "\"mtime_ns\":100},\"log2\":{\"dev\":2049,\"ino\":10,"
		      "\"size\":6,\"mtime_ns\":150}},"
		      "{\"path\":\"/src/new.h\",\"kind\":\"only_in_log2\","
		      "\"log2\":{"));
	assert_non_null(strstr(text, "\"executed\":[{\"path\":\"/usr/bin/cc\","
				     "\"kind\":\"changed\",\"changed\":["
				     "\"inode\"],"));
	assert_non_null(strstr(empty, "\"differences\":0,\"read\":[],"
				      "\"written\":[],\"executed\":[]}\n"));
	/* one JSON document */
	py = popen("/usr/bin/python3 -c 'import json, sys; "
		   "json.load(sys.stdin)'",
		   "w");
	assert_non_null(py);
	fputs(text, py);
	assert_int_equal(pclose(py), 0);
	free(empty);
	free(text);
}

static void test_diff_refuses_a_bad_log(void **state)
{
	char err[512] = "";

	(void)state;
	assert_null(diff_load("/nonexistent.probe", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent.probe"));
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
		cmocka_unit_test(test_diff_reads_only_in_one_run),
		cmocka_unit_test(test_diff_names_what_changed),
		cmocka_unit_test(test_diff_sorts_each_role_by_path),
		cmocka_unit_test(test_diff_writes),
		cmocka_unit_test(test_diff_executed_files),
		cmocka_unit_test(test_diff_leaves_out_pipes_and_pseudo_files),
		cmocka_unit_test(test_diff_takes_the_first_use_of_a_file),
		cmocka_unit_test(test_diff_of_identical_runs_is_empty),
		cmocka_unit_test(test_diff_json),
		cmocka_unit_test(test_diff_refuses_a_bad_log),
	};

	return cmocka_run_group_tests(tree_tests, tree_setup, tree_teardown) |
	       cmocka_run_group_tests(tests, NULL, NULL);
}
