/*
 * A run's inputs, outputs and temporaries (user/summary.c), fed
 * synthetic logs of a compiler run: it
 * reads a.c and system files, writes a temporary under a name of its
 * own, reads it back and removes it, removes an old file, writes a.o,
 * and talks through a pipe; the recorder's hashes follow.
 */
#include "helpers.h"

#include <sys/stat.h>

#include "dataflow.h"
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
	struct probe_exec *cc;
	struct probe_use *p;
	struct recs rs = { 0 };

	null.mode = S_IFCHR | 0666;
	pipe.mode = S_IFIFO | 0600;
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
	build(&b, &run);
	/* a file read or executed, and not written, by path; a pseudo-file
	 * is one */
	assert_role(&b.s, SUMMARY_INPUT,
		    "/proc/self/maps\n/src/a.c\n/usr/bin/cc\n"
		    "/usr/include/stdio.h\n"
		    "/usr/lib/x86_64-linux-gnu/libc.so.6\n");
	/* written, whether made or there before; a device is no file */
	assert_role(&b.s, SUMMARY_OUTPUT, "/src/a.o\n/src/build.log\n");
	/* written, read back and removed: a temporary, not an input */
	assert_role(&b.s, SUMMARY_TEMPORARY, "/tmp/ccAAAA.s\n");
	assert_int_equal(b.s.n, 8);
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
	assert_entries(&b.s, SUMMARY_OUTPUT, &none, "/src/a.o\n");
	unbuild(&b);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
