/*
 * The probe log (user/log.h): what log_create/log_append/log_finish write
 * reads back the same; a log cut anywhere reads up to its last whole
 * record and says it is incomplete; a file that is not a log, or a log
 * with a corrupt record, is refused with a message, never a crash.
 */
#include "helpers.h"

#include <sys/stat.h>

#define NCPUS 4
#define NRECS 8

static char *const command[] = { "make", "-j4", "all", NULL };

/* Each test's log: NRECS records of every type, and where each starts. */
struct fixture {
	struct tmp_dir dir;
	char log[PATH_MAX]; /* the whole log, trailer included */
	char copy[PATH_MAX]; /* a damaged copy of it */
	struct probe_hdr *recs[NRECS];
	size_t off[NRECS + 1]; /* off[i]: record i; off[NRECS]: trailer */
	size_t size;
};

static void make_records(struct probe_hdr *recs[NRECS])
{
	static char *const argv[] = { "cc", "-c", "a.c", NULL };
	struct probe_open *failed = make_open("nope", NULL, 1, 0, 1030, 11);
	struct probe_exit *ex = make_exit(0, true, 0, 3, 1070, 11);

	failed->ret = -2;
	ex->start_ns = 1000;
	recs[0] = &make_exec("/usr/bin/cc", NULL, argv, 0, 0, 1010, 11)->hdr;
	recs[1] = &make_clone(SYS_clone, 17, 12, 0, 1, 1020, 11)->hdr;
	recs[2] = &failed->hdr;
	recs[3] = &make_open("a.c", "/src/a.c", 1, 1, 1040, 11)->hdr;
	recs[4] = &make_close(3, 0, 2, 1050, 11)->hdr;
	recs[5] = &make_lost(1, 2, 5, 1060)->hdr;
	recs[6] = &ex->hdr;
	recs[7] = &make_hash(&(struct probe_inode){ .dev = 8 << 20 | 1,
						    .ino = 12,
						    .mode = S_IFREG | 0644 },
			     "/src/a.o", PROBE_HASH_DONE,
			     "0123456789abcdef0123456789abcdef", 1080)
			   ->hdr;
}

static int fixture_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	tmp_dir_make(&fx->dir);
	tmp_path(&fx->dir, "run.probe", fx->log);
	tmp_path(&fx->dir, "copy.probe", fx->copy);
	make_records(fx->recs);
	test_log_write(fx->log, NCPUS, command,
		       (const struct probe_hdr *const *)fx->recs, NRECS, true);
	fx->off[0] = sizeof(struct probe_log_header) +
		     TEST_ALIGN8(argv_size(command));
	for (int i = 0; i < NRECS; i++)
		fx->off[i + 1] = fx->off[i] + fx->recs[i]->size;
	free(file_read(fx->log, &fx->size));
	*state = fx;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *fx = *state;

	for (int i = 0; i < NRECS; i++)
		free(fx->recs[i]);
	tmp_dir_remove(&fx->dir);
	free(fx);
	return 0;
}

static struct log_reader *open_ok(const char *path)
{
	char err[512] = "";
	struct log_reader *r = log_open(path, err, sizeof(err));

	if (!r)
		fail_msg("log_open(%s): %s", path, err);
	return r;
}

/* Read n records, each identical to what was appended. */
static void assert_reads_records(struct log_reader *r,
				 struct probe_hdr *const recs[], size_t n)
{
	const struct probe_hdr *rec;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(log_next(r, &rec), LOG_RECORD);
		assert_int_equal(rec->size, recs[i]->size);
		assert_memory_equal(rec, recs[i], recs[i]->size);
	}
}

/* log_open refuses path with a message holding what. */
static void assert_open_refused(const char *path, const char *what)
{
	char err[512] = "";

	assert_null(log_open(path, err, sizeof(err)));
	if (!strstr(err, what))
		fail_msg("log_open(%s) said \"%s\", not \"%s\"", path, err,
			 what);
}

/* ---- a whole log ---- */

static void assert_header(const struct probe_log_header *h)
{
	assert_memory_equal(h->magic, PROBE_LOG_MAGIC, 8);
	assert_int_equal(h->version, PROBE_LOG_VERSION);
	assert_int_equal(h->abi_version, PROBE_ABI_VERSION);
	assert_int_equal(h->header_size % 8, 0);
	assert_int_equal(h->scope, PROBE_SCOPE_COMMAND);
	assert_int_equal(h->ncpus, NCPUS);
	assert_int_equal(h->root_pid, TEST_ROOT_PID);
	assert_int_equal(h->target_len, sizeof("make\0-j4\0all"));
	assert_string_equal(h->hostname, TEST_HOSTNAME);
	assert_string_equal(h->release, "6.1.0-unit");
	assert_string_equal(h->boot_id, "01234567-89ab-cdef-0123-456789abcdef");
}

static void test_log_reads_back_what_was_written(void **state)
{
	struct fixture *fx = *state;
	struct probe_trailer *t = make_trailer(NCPUS, 2000);
	const struct probe_trailer *got;
	const struct probe_hdr *rec;
	struct log_writer *w;
	struct log_reader *r;

	/* The fixture's log has an empty trailer: write one with counts. */
	assert_int_equal(unlink(fx->log), 0);
	w = test_log_create(fx->log, false, NCPUS, command);
	assert_non_null(w);
	for (int i = 0; i < NRECS; i++)
		assert_int_equal(log_append(w, fx->recs[i]), 0);
	t->lost = 5;
	t->late = 2;
	t->misses = 1;
	t->cpu[3].records = 77;
	t->cpu[3].drops = 5;
	t->cpu[1].read_faults = 9;
	assert_int_equal(log_finish(w, t), 0);

	r = open_ok(fx->log);
	assert_header(log_header(r));
	assert_string_equal(log_target(r), "make -j4 all");
	assert_reads_records(r, fx->recs, NRECS);
	assert_int_equal(log_next(r, &rec), LOG_END);
	assert_true(log_complete(r));
	assert_int_equal(log_torn_bytes(r), 0);
	got = log_trailer(r);
	assert_non_null(got);
	assert_int_equal(got->records, NRECS);
	assert_int_equal(got->lost, 5);
	assert_int_equal(got->late, 2);
	assert_int_equal(got->misses, 1);
	assert_int_equal(got->ncpus, NCPUS);
	assert_int_equal(got->end_boottime_ns, 2000);
	assert_int_equal(got->cpu[3].records, 77);
	assert_int_equal(got->cpu[3].drops, 5);
	assert_int_equal(got->cpu[1].read_faults, 9);
	assert_int_equal(log_next(r, &rec), LOG_END); /* and stays there */
	log_close(r);
	free(t);
}

static void test_log_create_refuses_existing_file(void **state)
{
	struct fixture *fx = *state;
	static char old[100000];
	size_t len;
	char *data;

	memset(old, 'x', sizeof(old));
	file_write(fx->copy, old, sizeof(old));
	assert_null(test_log_create(fx->copy, false, NCPUS, command));
	data = file_read(fx->copy, &len);
	assert_int_equal(len, sizeof(old));
	assert_memory_equal(data, old, sizeof(old));
	free(data);
}

static void test_log_create_overwrite_truncates(void **state)
{
	struct fixture *fx = *state;
	static char old[100000];
	struct probe_trailer *t = make_trailer(NCPUS, 2000);
	const struct probe_hdr *rec;
	struct log_writer *w;
	struct log_reader *r;
	size_t len;

	memset(old, 'x', sizeof(old));
	file_write(fx->copy, old, sizeof(old));
	w = test_log_create(fx->copy, true, NCPUS, command);
	assert_non_null(w);
	assert_int_equal(log_append(w, fx->recs[4]), 0);
	assert_int_equal(log_finish(w, t), 0);

	free(file_read(fx->copy, &len));
	assert_int_equal(len, fx->off[0] + fx->recs[4]->size + t->hdr.size);
	r = open_ok(fx->copy);
	assert_reads_records(r, &fx->recs[4], 1);
	assert_int_equal(log_next(r, &rec), LOG_END);
	assert_true(log_complete(r));
	log_close(r);
	free(t);
}

/* ---- a log cut short ---- */

/* The log cut at byte cut reads its first nrecs records, then ends
 * incomplete with torn bytes left over. */
static void assert_cut_reads(struct fixture *fx, size_t cut, size_t nrecs,
			     __u64 torn)
{
	const struct probe_hdr *rec;
	struct log_reader *r;

	file_copy_cut(fx->log, fx->copy, cut);
	r = open_ok(fx->copy);
	assert_reads_records(r, fx->recs, nrecs);
	assert_int_equal(log_next(r, &rec), LOG_END);
	assert_false(log_complete(r));
	assert_null(log_trailer(r));
	assert_int_equal(log_torn_bytes(r), torn);
	log_close(r);
}

static void test_log_cut_inside_header_is_refused(void **state)
{
	struct fixture *fx = *state;

	/* Up to the whole magic, it is not a log at all. */
	for (size_t cut = 0; cut < 8; cut++) {
		file_copy_cut(fx->log, fx->copy, cut);
		assert_open_refused(fx->copy, "is not a probe-bpf log");
	}
	/* After it, in the fixed part or in the target. */
	for (size_t cut = 8; cut < fx->off[0]; cut++) {
		file_copy_cut(fx->log, fx->copy, cut);
		assert_open_refused(fx->copy, "the log header is cut short");
	}
}

static void test_log_cut_at_record_boundary_reads_records(void **state)
{
	struct fixture *fx = *state;

	/* From no record at all to every record but the trailer. */
	for (size_t k = 0; k <= NRECS; k++)
		assert_cut_reads(fx, fx->off[k], k, 0);
}

static void test_log_cut_inside_record_header_reads_up_to_it(void **state)
{
	struct fixture *fx = *state;

	assert_cut_reads(fx, fx->off[3] + 1, 3, 1);
	assert_cut_reads(fx, fx->off[3] + 10, 3, 10);
	assert_cut_reads(fx, fx->off[3] + sizeof(struct probe_hdr) - 1, 3,
			 sizeof(struct probe_hdr) - 1);
	assert_cut_reads(fx, fx->off[NRECS] + 4, NRECS, 4); /* the trailer */
}

static void test_log_cut_inside_record_body_reads_up_to_it(void **state)
{
	struct fixture *fx = *state;
	size_t hdr = sizeof(struct probe_hdr);

	assert_cut_reads(fx, fx->off[0] + hdr, 0, hdr);
	assert_cut_reads(fx, fx->off[3] + hdr + 8, 3, hdr + 8);
	assert_cut_reads(fx, fx->off[4] - 1, 3, fx->recs[3]->size - 1);
	assert_cut_reads(fx, fx->size - 8, NRECS,
			 fx->size - 8 - fx->off[NRECS]);
}

static void test_log_cut_anywhere_reads_every_whole_record(void **state)
{
	struct fixture *fx = *state;
	size_t k = 0;

	for (size_t cut = fx->off[0]; cut < fx->size; cut++) {
		while (k < NRECS && fx->off[k + 1] <= cut)
			k++;
		assert_cut_reads(fx, cut, k, cut - fx->off[k]);
	}
}

/* ---- a log whose writer was killed ---- */

static void test_log_without_trailer_is_incomplete(void **state)
{
	struct fixture *fx = *state;
	const struct probe_hdr *rec;
	struct log_writer *w;
	struct log_reader *r;

	w = test_log_create(fx->copy, false, NCPUS, command);
	assert_non_null(w);
	for (int i = 0; i < NRECS; i++)
		assert_int_equal(log_append(w, fx->recs[i]), 0);
	assert_int_equal(log_flush(w), 0);
	/* Appended after the last flush: still in the writer's buffer. */
	assert_int_equal(log_append(w, fx->recs[0]), 0);

	/* Read while the writer is alive, as its process dies later. */
	r = open_ok(fx->copy);
	assert_reads_records(r, fx->recs, NRECS);
	assert_int_equal(log_next(r, &rec), LOG_END);
	assert_false(log_complete(r));
	assert_null(log_trailer(r));
	assert_int_equal(log_torn_bytes(r), 0);
	log_close(r);
	/* What the kernel does for a killed writer: close, no flush. */
	close(fileno(w->f));
	fclose(w->f);
	output_free(&w->out);
	free(w);
}

/* ---- files that are not logs ---- */

static void test_log_open_refuses_files_that_are_not_logs(void **state)
{
	struct fixture *fx = *state;
	static const char text[] = "# not a log\nhello world, this is text\n";
	unsigned char noise[4096];
	unsigned rnd = 7;

	assert_open_refused("/nonexistent/run.probe", "cannot open");
	file_write(fx->copy, "", 0);
	assert_open_refused(fx->copy, "is not a probe-bpf log");
	file_write(fx->copy, text, sizeof(text) - 1);
	assert_open_refused(fx->copy, "is not a probe-bpf log");
	for (size_t i = 0; i < sizeof(noise); i++) {
		rnd = rnd * 1103515245 + 12345;
		noise[i] = rnd >> 16;
	}
	file_write(fx->copy, noise, sizeof(noise));
	assert_open_refused(fx->copy, "is not a probe-bpf log");
}

static void patch_header_u32(struct fixture *fx, size_t offset, __u32 v)
{
	file_copy_cut(fx->log, fx->copy, fx->size);
	file_patch(fx->copy, offset, &v, sizeof(v));
}

static void test_log_open_refuses_other_format_version(void **state)
{
	struct fixture *fx = *state;

	char want[128];

	patch_header_u32(fx, offsetof(struct probe_log_header, version), 2);
	snprintf(want, sizeof(want),
		 "log format 2 (records %d), but this probe-bpf reads format 1 "
		 "(records %d)",
		 PROBE_ABI_VERSION, PROBE_ABI_VERSION);
	assert_open_refused(fx->copy, want);
	patch_header_u32(fx, offsetof(struct probe_log_header, abi_version),
			 9);
	assert_open_refused(fx->copy, "log format 1 (records 9)");
}

static void test_log_open_refuses_corrupt_header(void **state)
{
	struct fixture *fx = *state;
	size_t hsize = offsetof(struct probe_log_header, header_size);

	patch_header_u32(fx, offsetof(struct probe_log_header, ncpus), 0);
	assert_open_refused(fx->copy, "corrupt log header");
	patch_header_u32(fx, offsetof(struct probe_log_header, ncpus),
			 PROBE_MAX_CPUS + 1);
	assert_open_refused(fx->copy, "corrupt log header");
	patch_header_u32(fx, hsize, fx->off[0] + 4); /* not 8-aligned */
	assert_open_refused(fx->copy, "corrupt log header");
	/* Too short for its own target. */
	patch_header_u32(fx, hsize, sizeof(struct probe_log_header));
	assert_open_refused(fx->copy, "corrupt log header");
	patch_header_u32(fx, hsize, 0xfffffff8);
	assert_open_refused(fx->copy, "corrupt log header");
	patch_header_u32(fx, offsetof(struct probe_log_header, target_len),
			 0x7fffffff);
	assert_open_refused(fx->copy, "corrupt log header");
}

/* ---- logs with a corrupt record ---- */

/* Record k of the damaged copy is refused with what; those before read. */
static void assert_record_refused(struct fixture *fx, size_t k,
				  const char *what)
{
	const struct probe_hdr *rec;
	struct log_reader *r = open_ok(fx->copy);
	enum log_next got;

	assert_reads_records(r, fx->recs, k);
	got = log_next(r, &rec);
	if (got != LOG_ERROR)
		fail_msg("record %zu: %d, not LOG_ERROR (%s)", k, got, what);
	if (!strstr(log_error(r), what))
		fail_msg("record %zu: \"%s\", not \"%s\"", k, log_error(r),
			 what);
	assert_false(log_complete(r));
	log_close(r);
}

/* A copy of the log with the u32 at offset in record k set to v. */
static void patch_record_u32(struct fixture *fx, size_t k, size_t offset,
			     __u32 v)
{
	file_copy_cut(fx->log, fx->copy, fx->size);
	file_patch(fx->copy, fx->off[k] + offset, &v, sizeof(v));
}

static void test_log_next_refuses_corrupt_record_size(void **state)
{
	static const __u32 sizes[] = { 0, 12, 36, 1001, PROBE_REC_SIZE_MAX + 8,
				       0xfffffff8 };
	struct fixture *fx = *state;
	char what[64];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		patch_record_u32(fx, 2, offsetof(struct probe_hdr, size),
				 sizes[i]);
		snprintf(what, sizeof(what),
			 "corrupt record at byte %zu (size %u)", fx->off[2],
			 sizes[i]);
		assert_record_refused(fx, 2, what);
	}
}

static void test_log_next_refuses_strings_overrunning_record(void **state)
{
	struct fixture *fx = *state;
	const char *what = "record's parts overrun its size";

	patch_record_u32(fx, 3, offsetof(struct probe_open, abs_len), 4096);
	assert_record_refused(fx, 3, what);
	patch_record_u32(fx, 3, offsetof(struct probe_open, path_len),
			 0xffffffff);
	assert_record_refused(fx, 3, what);
	patch_record_u32(fx, 0, offsetof(struct probe_exec, argv_len),
			 0xffffffff);
	assert_record_refused(fx, 0, what);
	patch_record_u32(fx, 0, offsetof(struct probe_exec, env_len), 8);
	assert_record_refused(fx, 0, what);
	patch_record_u32(fx, NRECS, offsetof(struct probe_trailer, ncpus),
			 NCPUS + 1);
	assert_record_refused(fx, NRECS, what);
	patch_record_u32(fx, 7, offsetof(struct probe_hash, path_len), 17);
	assert_record_refused(fx, 7, what);
	patch_record_u32(fx, 7, offsetof(struct probe_hash, path_len),
			 0xffffffff);
	assert_record_refused(fx, 7, what);
}

static void test_log_next_refuses_hash_of_unknown_status(void **state)
{
	struct fixture *fx = *state;
	const char *what = "hash record of an unknown status";

	patch_record_u32(fx, 7, offsetof(struct probe_hash, status), 0);
	assert_record_refused(fx, 7, what);
	patch_record_u32(fx, 7, offsetof(struct probe_hash, status),
			 PROBE_HASH_STATUS_MAX + 1);
	assert_record_refused(fx, 7, what);
	patch_record_u32(fx, 7, offsetof(struct probe_hash, status),
			 PROBE_HASH_STATUS_MAX);
	{
		struct log_reader *r = open_ok(fx->copy);
		const struct probe_hdr *rec;

		for (int i = 0; i < NRECS; i++)
			assert_int_equal(log_next(r, &rec), LOG_RECORD);
		assert_int_equal(log_next(r, &rec), LOG_END);
		assert_true(log_complete(r));
		log_close(r);
	}
}

static void test_log_next_refuses_unknown_or_short_record(void **state)
{
	struct fixture *fx = *state;
	__u16 type = 99;

	file_copy_cut(fx->log, fx->copy, fx->size);
	file_patch(fx->copy, fx->off[4] + offsetof(struct probe_hdr, type),
		   &type, sizeof(type));
	assert_record_refused(fx, 4, "unknown record type");

	/* A close record that says it is an exec is too short for one;
	 * so is an exit that says it is a hash. */
	type = PROBE_REC_HASH;
	file_copy_cut(fx->log, fx->copy, fx->size);
	file_patch(fx->copy, fx->off[6] + offsetof(struct probe_hdr, type),
		   &type, sizeof(type));
	assert_record_refused(fx, 6, "record shorter than its type");

	type = PROBE_REC_EXEC;
	file_copy_cut(fx->log, fx->copy, fx->size);
	file_patch(fx->copy, fx->off[4] + offsetof(struct probe_hdr, type),
		   &type, sizeof(type));
	assert_record_refused(fx, 4, "record shorter than its type");
}

/* The stages after the reader take a syscall record's arguments from
 * the syscall's entry in the table: one the table does not record with
 * struct probe_syscall is refused. */
static void test_log_next_refuses_syscall_of_no_table_entry(void **state)
{
	static const __u32 nrs[] = { PROBE_NR_SYSCALLS + 7, 0xffffffff,
				     SYS_read, 335 /* none on x86_64 */ };
	struct fixture *fx = *state;
	struct probe_syscall *r = make_syscall(SYS_unlink, 0, 11);
	struct log_reader *log;
	const struct probe_hdr *rec;

	for (size_t i = 0; i <= sizeof(nrs) / sizeof(nrs[0]); i++) {
		r->nr = i < sizeof(nrs) / sizeof(nrs[0]) ? nrs[i] : SYS_unlink;
		unlink(fx->copy);
		test_log_write(fx->copy, NCPUS, command,
			       (const struct probe_hdr *const[]){ &r->hdr }, 1,
			       true);
		log = open_ok(fx->copy);
		if (r->nr == SYS_unlink) {
			assert_int_equal(log_next(log, &rec), LOG_RECORD);
		} else {
			assert_int_equal(log_next(log, &rec), LOG_ERROR);
			assert_non_null(strstr(log_error(log),
					       "a syscall the table does not"));
		}
		log_close(log);
	}
	free(r);
}

static void test_log_next_refuses_data_after_trailer(void **state)
{
	struct fixture *fx = *state;
	char what[64];
	FILE *f;

	file_copy_cut(fx->log, fx->copy, fx->size);
	f = fopen(fx->copy, "ab");
	assert_non_null(f);
	fputs("junk", f);
	fclose(f);
	snprintf(what, sizeof(what), "data after the trailer at byte %zu",
		 fx->size);
	assert_record_refused(fx, NRECS, what);
}

#define FIXTURE_TEST(f) \
	cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_log_reads_back_what_was_written),
		FIXTURE_TEST(test_log_create_refuses_existing_file),
		FIXTURE_TEST(test_log_create_overwrite_truncates),
		FIXTURE_TEST(test_log_cut_inside_header_is_refused),
		FIXTURE_TEST(test_log_cut_at_record_boundary_reads_records),
		FIXTURE_TEST(test_log_cut_inside_record_header_reads_up_to_it),
		FIXTURE_TEST(test_log_cut_inside_record_body_reads_up_to_it),
		FIXTURE_TEST(test_log_cut_anywhere_reads_every_whole_record),
		FIXTURE_TEST(test_log_without_trailer_is_incomplete),
		FIXTURE_TEST(test_log_open_refuses_files_that_are_not_logs),
		FIXTURE_TEST(test_log_open_refuses_other_format_version),
		FIXTURE_TEST(test_log_open_refuses_corrupt_header),
		FIXTURE_TEST(test_log_next_refuses_corrupt_record_size),
		FIXTURE_TEST(test_log_next_refuses_strings_overrunning_record),
		FIXTURE_TEST(test_log_next_refuses_unknown_or_short_record),
		FIXTURE_TEST(test_log_next_refuses_hash_of_unknown_status),
		FIXTURE_TEST(test_log_next_refuses_syscall_of_no_table_entry),
		FIXTURE_TEST(test_log_next_refuses_data_after_trailer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
