/*
 * A run's inputs, outputs and temporaries (user/summary.c) and diff of
 * two runs (user/diff_files.c), fed synthetic logs of a compiler run: it
 * reads a.c and system files, writes a temporary under a name of its
 * own, reads it back and removes it, removes an old file, writes a.o,
 * writes and reads /dev/null, writes a named pipe and talks through an
 * anonymous one; the recorder's hashes follow.
 */
#include "helpers.h"

#include <sys/stat.h>

#include "dataflow.h"
#include "diff.h"
#include "summary.h"

#define CC 100

/* What one run of the build saw; zero fields are left out. */
struct run {
	const char *tmp; /* the temporary's name */
	__u64 a_o_ino, a_o_mtime; /* a new file each time */
	__s64 a_c_mtime; /* a.c as it was read */
	char a_c_sha, a_o_sha; /* a hash of 32 such bytes; 0: none */
	bool new_h; /* it also read new.h */
	bool log_appended; /* it appended to build.log, there before */
	bool stamp; /* it made the file stamp, wrote nothing, read it */
	__u32 a_o_end; /* the status of a.o at the end, if not done */
};

static const struct run clean = {
	.tmp = "/tmp/ccAAAA.s",
	.a_o_ino = 40,
	.a_o_mtime = 400,
	.a_c_mtime = 100,
	.a_c_sha = 'c',
	.a_o_sha = 'o',
};

static struct probe_inode inode_at(__u64 ino, __u64 size, __s64 mtime)
{
	struct probe_inode in = file_inode(ino, (__u32)ino * 7);

	in.size = size;
	in.mtime_ns = mtime;
	in.ctime_ns = mtime;
	return in;
}

static void read_of(struct recs *rs, const char *path,
		    const struct probe_inode *in)
{
	push(rs, use_of_inode(CC, PROBE_USE_READ, path, in));
}

static void write_of(struct recs *rs, const char *path,
		     const struct probe_inode *in)
{
	push(rs, use_of_inode(CC, PROBE_USE_WRITE, path, in));
}

/* What the recorder found at the end: a hash of 32 bytes sha. */
static void hash_of(struct recs *rs, const char *path,
		    const struct probe_inode *in, __u32 status, char sha)
{
	char bytes[32];

	memset(bytes, sha, sizeof(bytes));
	push(rs, make_hash(in, path, status, status == PROBE_HASH_DONE ? bytes :
								      NULL,
			   0));
}

static void write_run(const char *log, const struct run *run)
{
	static char *const argv[] = { "cc", "-c", "a.c", NULL };
	struct probe_inode a_c = inode_at(10, 5, run->a_c_mtime);
	struct probe_inode new_h = inode_at(11, 3, 110);
	struct probe_inode stdio = inode_at(20, 900, 20);
	struct probe_inode libc = inode_at(21, 2000, 21);
	struct probe_inode maps = inode_at(22, 0, 22);
	struct probe_inode tmp = inode_at(30, 0, 300);
	struct probe_inode a_o = inode_at(run->a_o_ino, 0, run->a_o_mtime);
	struct probe_inode build_log = inode_at(50, 10, 50);
	struct probe_inode null = inode_at(60, 0, 0);
	struct probe_inode pipe = inode_at(70, 0, 0);
	struct probe_inode stale = inode_at(80, 0, 0);
	struct probe_inode fifo = inode_at(90, 0, 0);
	struct probe_inode stamp = inode_at(91, 0, 0);
	struct probe_open *made;
	struct probe_exec *cc;
	struct probe_use *p;
	struct recs rs = { 0 };

	null.mode = S_IFCHR | 0666;
	pipe.mode = S_IFIFO | 0600;
	fifo.mode = S_IFIFO | 0644;
	cc = make_exec("/usr/bin/cc", NULL, argv, 0, 0, 0, CC);
	cc->exe = inode_at(5, 1000, 5);
	push(&rs, cc);
	read_of(&rs, "/src/a.c", &a_c);
	if (run->new_h)
		read_of(&rs, "/src/new.h", &new_h);
	read_of(&rs, "/usr/include/stdio.h", &stdio);
	read_of(&rs, "/usr/lib/x86_64-linux-gnu/libc.so.6", &libc);
	read_of(&rs, "/proc/self/maps", &maps);
	push(&rs, creat_of(CC, run->tmp, &tmp));
	write_of(&rs, run->tmp, &tmp);
	read_of(&rs, run->tmp, &tmp);
	push_unlink(&rs, CC, run->tmp, &tmp);
	push_unlink(&rs, CC, "/src/stale.o", &stale); /* only removed */
	push(&rs, creat_of(CC, "/src/a.o", &a_o));
	write_of(&rs, "/src/a.o", &a_o);
	if (run->log_appended)
		write_of(&rs, "/src/build.log", &build_log);
	write_of(&rs, "/dev/null", &null);
	read_of(&rs, "/dev/null", &null);
	write_of(&rs, "/src/fifo", &fifo);
	if (run->stamp) { /* touch stamp; cat stamp */
		made = make_open("/src/stamp", "/src/stamp", 0, 0, 0, CC);
		made->flags = O_WRONLY | O_CREAT;
		made->inode = stamp;
		push(&rs, made);
		read_of(&rs, "/src/stamp", &stamp);
	}
	p = use_of_inode(CC, PROBE_USE_WRITE, "", &pipe);
	p->abs_len = 0;
	p->rflags = PROBE_RF_ANON;
	push(&rs, p);
	push(&rs, make_exit(0, true, 0, 0, 0, CC));
	if (run->a_c_sha)
		hash_of(&rs, "/src/a.c", &a_c, PROBE_HASH_DONE, run->a_c_sha);
	if (run->a_o_sha)
		hash_of(&rs, "/src/a.o", &a_o,
			run->a_o_end ? run->a_o_end : PROBE_HASH_DONE,
			run->a_o_sha);
	test_log_write(log, 1, argv, (const struct probe_hdr *const *)rs.v,
		       rs.n, true);
	for (size_t i = 0; i < rs.n; i++)
		free(rs.v[i]);
}

/* ---- the summary ---- */

struct built {
	struct tmp_dir dir;
	struct dataflow *g;
	struct summary s;
};

static void build(struct built *b, const struct run *run)
{
	char log[PATH_MAX], err[256];
	struct log_reader *r;

	tmp_dir_make(&b->dir);
	tmp_path(&b->dir, "run.probe", log);
	write_run(log, run);
	r = log_open(log, err, sizeof(err));
	if (!r)
		fail_msg("log_open: %s", err);
	b->g = dataflow_build(r, err, sizeof(err));
	if (!b->g)
		fail_msg("dataflow_build: %s", err);
	log_close(r);
	summary_build(&b->s, b->g);
}

static void unbuild(struct built *b)
{
	summary_free(&b->s);
	dataflow_free(b->g);
	tmp_dir_remove(&b->dir);
}

/* The paths of a role, one a line. */
static char *role_paths(const struct summary *s, enum summary_role role)
{
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	for (size_t i = 0; i < s->count[role]; i++)
		fprintf(f, "%s\n", s->files[s->at[role] + i].path);
	fclose(f);
	return text;
}

static void assert_role(const struct summary *s, enum summary_role role,
			const char *want)
{
	char *got = role_paths(s, role);

	if (strcmp(got, want))
		fail_msg("%s: want\n%sgot\n%s", summary_role_names[role], want,
			 got);
	free(got);
}

static void test_summary_inputs_outputs_and_temporaries(void **state)
{
	struct run run = clean;
	struct built b;

	(void)state;
	run.log_appended = true;
	run.stamp = true;
	build(&b, &run);
	/* a file read or executed, and not written, by path; a pseudo-file
	 * is one */
	assert_role(&b.s, SUMMARY_INPUT,
		    "/proc/self/maps\n/src/a.c\n/usr/bin/cc\n"
		    "/usr/include/stdio.h\n"
		    "/usr/lib/x86_64-linux-gnu/libc.so.6\n");
	/* written, whether made or there before, or made empty (and read:
	 * no input); a device or a named pipe is no file */
	assert_role(&b.s, SUMMARY_OUTPUT,
		    "/src/a.o\n/src/build.log\n/src/stamp\n");
	/* written, read back and removed: a temporary, not an input */
	assert_role(&b.s, SUMMARY_TEMPORARY, "/tmp/ccAAAA.s\n");
	assert_int_equal(b.s.n, 9);
	unbuild(&b);
}

static void test_summary_leaves_out_pipes_and_devices(void **state)
{
	struct built b;

	(void)state;
	build(&b, &clean);
	for (size_t i = 0; i < b.s.n; i++) {
		assert_false(b.s.files[i].file->anonymous);
		assert_true(S_ISREG(b.s.files[i].file->mode));
		assert_string_not_equal(b.s.files[i].path, "/dev/null");
	}
	unbuild(&b);
}

static void test_summary_output_gone_at_the_end_is_a_temporary(void **state)
{
	struct run run = clean;
	struct built b;

	(void)state;
	run.a_o_end = PROBE_HASH_GONE;
	build(&b, &run);
	assert_role(&b.s, SUMMARY_OUTPUT, "");
	assert_role(&b.s, SUMMARY_TEMPORARY, "/src/a.o\n/tmp/ccAAAA.s\n");
	unbuild(&b);
}

static void test_summary_hash_only_when_taken(void **state)
{
	struct run run = clean;
	struct built b;
	const struct summary_file *a_o;
	char hex[65];

	(void)state;
	build(&b, &run);
	a_o = &b.s.files[b.s.at[SUMMARY_OUTPUT]];
	assert_non_null(summary_sha256(a_o));
	summary_sha256_hex(summary_sha256(a_o), hex);
	assert_string_equal(hex, "6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f"
				 "6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f");
	assert_string_equal(summary_end_name(a_o->file->end), "hashed");
	/* stdio.h: no record at all */
	assert_string_equal(b.s.files[b.s.at[SUMMARY_INPUT] + 3].path,
			    "/usr/include/stdio.h");
	assert_null(summary_sha256(&b.s.files[b.s.at[SUMMARY_INPUT] + 3]));
	unbuild(&b);
	run.a_o_end = PROBE_HASH_CHANGED;
	build(&b, &run);
	a_o = &b.s.files[b.s.at[SUMMARY_OUTPUT]];
	assert_string_equal(a_o->path, "/src/a.o");
	assert_null(summary_sha256(a_o));
	assert_string_equal(summary_end_name(a_o->file->end), "changed");
	unbuild(&b);
}

/* The entries of a role through filter f, one a line: a path, or a
 * folded directory and its count. */
static char *entries(const struct summary *s, enum summary_role role,
		     const struct filter *f)
{
	size_t n, len;
	struct summary_entry *v = summary_entries(s, role, f, &n);
	char *text;
	FILE *out = open_memstream(&text, &len);

	for (size_t i = 0; i < n; i++)
		if (v[i].file)
			fprintf(out, "%s\n", v[i].file->path);
		else
			fprintf(out, "%s/ (%zu)\n", v[i].dir, v[i].files);
	fclose(out);
	summary_entries_free(v, n);
	return text;
}

static void assert_entries(const struct summary *s, enum summary_role role,
			   const struct filter *f, const char *want)
{
	char *got = entries(s, role, f);

	if (strcmp(got, want))
		fail_msg("want\n%sgot\n%s", want, got);
	free(got);
}

static void test_summary_folds_system_files(void **state)
{
	char *usr[] = { "/usr" }, *src[] = { "/src" };
	struct filter none = { 0 }, no_fold = { .no_fold = true };
	struct filter only = { .only = src, .nonly = 1 };
	struct filter exclude = { .exclude = usr, .nexclude = 1 };
	struct filter fold = { .fold = src, .nfold = 1 };
	struct built b;

	(void)state;
	build(&b, &clean);
	assert_entries(&b.s, SUMMARY_INPUT, &none,
		       "/proc/ (1)\n/src/a.c\n/usr/bin/ (1)\n"
		       "/usr/include/ (1)\n/usr/lib/x86_64-linux-gnu/ (1)\n");
	assert_entries(&b.s, SUMMARY_INPUT, &no_fold,
		       "/proc/self/maps\n/src/a.c\n/usr/bin/cc\n"
		       "/usr/include/stdio.h\n"
		       "/usr/lib/x86_64-linux-gnu/libc.so.6\n");
	assert_entries(&b.s, SUMMARY_INPUT, &only, "/src/a.c\n");
	assert_entries(&b.s, SUMMARY_INPUT, &exclude, "/proc/ (1)\n/src/a.c\n");
	assert_entries(&b.s, SUMMARY_INPUT, &fold,
		       "/proc/ (1)\n/src/ (1)\n/usr/bin/ (1)\n"
		       "/usr/include/ (1)\n/usr/lib/x86_64-linux-gnu/ (1)\n");
	assert_entries(&b.s, SUMMARY_OUTPUT, &none, "/src/a.o\n");
	unbuild(&b);
}

/* ---- diff ---- */

struct diffed {
	size_t n; /* differences */
	char *text;
	char dir[PATH_MAX]; /* where the logs were */
	size_t unhashed[2];
};

static void diff_runs(const struct run *one, const struct run *two,
		      const struct diff_opts *o, struct diffed *out)
{
	struct tmp_dir dir;
	char log1[PATH_MAX], log2[PATH_MAX], err[512];
	struct diff_run *r1, *r2;
	size_t len;
	FILE *f = open_memstream(&out->text, &len);

	tmp_dir_make(&dir);
	tmp_path(&dir, "one.probe", log1);
	tmp_path(&dir, "two.probe", log2);
	write_run(log1, one);
	write_run(log2, two);
	r1 = diff_load(log1, err, sizeof(err));
	if (!r1)
		fail_msg("diff_load: %s", err);
	r2 = diff_load(log2, err, sizeof(err));
	if (!r2)
		fail_msg("diff_load: %s", err);
	assert_true(diff_run_complete(r1));
	assert_int_equal(diff_run_lost(r1), 0);
	out->unhashed[0] = diff_run_unhashed(r1);
	out->unhashed[1] = diff_run_unhashed(r2);
	out->n = diff_write(r1, r2, o, f);
	assert_int_equal(fclose(f), 0);
	diff_run_free(r1);
	diff_run_free(r2);
	tmp_dir_remove(&dir);
	snprintf(out->dir, sizeof(out->dir), "%s", dir.path);
}

/* The text report's lines, with the logs' directory cut out. */
static void assert_report(const struct run *one, const struct run *two,
			  const struct diff_opts *o, size_t n,
			  const char *want)
{
	struct diffed d;
	char *at;

	diff_runs(one, two, o, &d);
	while ((at = strstr(d.text, d.dir)))
		memmove(at, at + strlen(d.dir),
			strlen(at + strlen(d.dir)) + 1);
	if (d.n != n || strcmp(d.text, want))
		fail_msg("want %zu differences\n%sgot %zu\n%s", n, want, d.n,
			 d.text);
	free(d.text);
}

static const struct diff_opts text = { 0 };

static void test_diff_of_two_clean_builds_is_empty(void **state)
{
	struct run two = clean;

	(void)state;
	/* another temporary's name; a.o a new file, the same content */
	two.tmp = "/tmp/ccBBBB.s";
	two.a_o_ino = 41;
	two.a_o_mtime = 401;
	assert_report(&clean, &two, &text, 0, "");
	/* a.c touched: the same content */
	two.a_c_mtime = 150;
	assert_report(&clean, &two, &text, 0, "");
}

static void test_diff_names_the_changed_input_then_its_outputs(void **state)
{
	struct run two = clean;

	(void)state;
	two.tmp = "/tmp/ccBBBB.s";
	two.a_c_sha = 'C';
	two.a_o_sha = 'O';
	assert_report(&clean, &two, &text, 2,
		      "inputs:\n"
		      "  /src/a.c  content 636363636363 -> 434343434343\n"
		      "outputs:\n"
		      "  /src/a.o  content 6f6f6f6f6f6f -> 4f4f4f4f4f4f  "
		      "(from /src/a.c)\n");
	/* an output that changed though no input did */
	two.a_c_sha = 'c';
	assert_report(&clean, &two, &text, 1,
		      "outputs:\n"
		      "  /src/a.o  content 6f6f6f6f6f6f -> 4f4f4f4f4f4f  "
		      "(no differing input in its lineage)\n");
}

static void test_diff_by_identity_without_a_hash(void **state)
{
	struct run one = clean, two = clean;

	(void)state;
	one.a_c_sha = 0;
	two.a_c_mtime = 150;
	assert_report(&one, &two, &text, 1,
		      "inputs:\n"
		      "  /src/a.c  mtime 1970-01-01 00:00:00.000000100 -> "
		      "1970-01-01 00:00:00.000000150\n");
}

static void test_diff_of_a_file_only_one_run_read(void **state)
{
	struct run two = clean;

	(void)state;
	two.new_h = true;
	assert_report(&clean, &two, &text, 1,
		      "inputs:\n  /src/new.h  only in /two.probe\n");
}

static void test_diff_ignores_what_the_patterns_match(void **state)
{
	char *c_files[] = { "/src/*.c" }, *objects[] = { "*.o", "*.h" };
	struct diff_opts no_c = { .ignore = c_files, .nignore = 1 };
	struct diff_opts no_o = { .ignore = objects, .nignore = 2 };
	struct run two = clean;

	(void)state;
	two.a_c_sha = 'C';
	two.a_o_sha = 'O';
	two.new_h = true;
	assert_report(&clean, &two, &no_c, 2,
		      "inputs:\n  /src/new.h  only in /two.probe\n"
		      "outputs:\n"
		      "  /src/a.o  content 6f6f6f6f6f6f -> 4f4f4f4f4f4f  "
		      "(from /src/new.h)\n");
	assert_report(&clean, &two, &no_o, 1,
		      "inputs:\n"
		      "  /src/a.c  content 636363636363 -> 434343434343\n");
}

static void test_diff_without_hashes_compares_outputs_by_name(void **state)
{
	struct run two = clean;
	struct diffed d;

	(void)state;
	two.a_o_sha = 0;
	two.a_o_ino = 41;
	diff_runs(&clean, &two, &text, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.unhashed[0], 0);
	assert_int_equal(d.unhashed[1], 1);
	free(d.text);
}

static void test_diff_json(void **state)
{
	struct diff_opts json = { .json = true };
	struct run two = clean;
	struct diffed d;
	FILE *py;

	(void)state;
	two.a_c_sha = 'C';
	two.a_o_sha = 'O';
	diff_runs(&clean, &two, &json, &d);
	assert_int_equal(d.n, 2);
	assert_non_null(strstr(
		d.text,
		"\"differences\":2,\"inputs\":[{\"path\":\"/src/a.c\","
		"\"kind\":\"changed\",\"compared\":\"sha256\",\"changed\":["
		"\"content\"],\"log1\":{\"dev\":2049,\"ino\":10,\"size\":5,"
		"\"mtime_ns\":100,\"sha256\":\"6363"));
	assert_non_null(strstr(d.text, "],\"outputs\":[{\"path\":\"/src/a.o\","
				       "\"kind\":\"changed\",\"compared\":"
				       "\"sha256\""));
	assert_non_null(strstr(d.text, "\"causes\":[\"/src/a.c\"]}]}\n"));
	py = popen("/usr/bin/python3 -c 'import json, sys; "
		   "json.load(sys.stdin)'",
		   "w");
	assert_non_null(py);
	fputs(d.text, py);
	assert_int_equal(pclose(py), 0);
	free(d.text);
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_inputs_outputs_and_temporaries),
		cmocka_unit_test(test_summary_leaves_out_pipes_and_devices),
		cmocka_unit_test(
			test_summary_output_gone_at_the_end_is_a_temporary),
		cmocka_unit_test(test_summary_hash_only_when_taken),
		cmocka_unit_test(test_summary_folds_system_files),
		cmocka_unit_test(test_diff_of_two_clean_builds_is_empty),
		cmocka_unit_test(
			test_diff_names_the_changed_input_then_its_outputs),
		cmocka_unit_test(test_diff_by_identity_without_a_hash),
		cmocka_unit_test(test_diff_of_a_file_only_one_run_read),
		cmocka_unit_test(test_diff_ignores_what_the_patterns_match),
		cmocka_unit_test(
			test_diff_without_hashes_compares_outputs_by_name),
		cmocka_unit_test(test_diff_json),
		cmocka_unit_test(test_diff_refuses_a_bad_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
