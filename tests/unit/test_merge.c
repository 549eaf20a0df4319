/*
 * The merge of per-CPU record streams (user/merge.h): records come out in
 * (ts, cpu, seq) order once the watermark passes them, late ones are
 * counted and still released, a gap in a CPU's seq becomes one LOST record
 * in its place, and malformed pushes are refused.
 */
#include "helpers.h"

#include "merge.h"
#include "records.h"

#define PID 100
#define NCPUS 3

/* One record as the merge released it. */
struct released {
	struct probe_hdr hdr;
	__u64 lost_count; /* of a PROBE_REC_LOST */
	bool body_ok; /* an open's path still names its cpu and seq */
};

struct sink {
	struct released *recs;
	size_t n, cap;
	size_t stop_at; /* refuse the record number stop_at + 1 (0: never) */
};

/* What the merge should release: type, cpu, seq, ts (and a loss's count). */
struct want {
	__u16 type;
	__u16 cpu;
	__u64 seq;
	__u64 ts;
	__u64 count;
};

/* Each test's merge of NCPUS streams, and what it released. */
struct fixture {
	struct sink sink;
	struct merge *m;
	const struct merge_stats *st;
};

/* The path of the open pushed as (cpu, seq): its length varies with seq,
 * so the records' sizes do too. */
static void path_for(unsigned cpu, __u64 seq, char *out, size_t len)
{
	snprintf(out, len, "/cpu%u/seq%llu/%.*s", cpu, (unsigned long long)seq,
		 (int)(seq % 37), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
}

static bool open_body_ok(const struct probe_open *r)
{
	struct bytes abs = open_abs_path(r);
	char want[64];

	path_for(r->hdr.cpu, r->hdr.seq, want, sizeof(want));
	return abs.len == strlen(want) && !memcmp(abs.p, want, abs.len);
}

static int sink_out(void *ctx, const struct probe_hdr *rec)
{
	struct sink *s = ctx;
	struct released *r;

	if (s->stop_at && s->n == s->stop_at)
		return -5;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->recs = realloc(s->recs, s->cap * sizeof(*s->recs));
		assert_non_null(s->recs);
	}
	r = &s->recs[s->n++];
	r->hdr = *rec;
	r->lost_count = 0;
	r->body_ok = true;
	if (rec->type == PROBE_REC_LOST)
		r->lost_count = ((const struct probe_lost *)rec)->count;
	else if (rec->type == PROBE_REC_OPEN)
		r->body_ok = open_body_ok((const void *)rec);
	return 0;
}

static int fixture_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->m = merge_new(NCPUS, sink_out, &fx->sink);
	fx->st = merge_stats(fx->m);
	*state = fx;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *fx = *state;

	merge_free(fx->m);
	free(fx->sink.recs);
	free(fx);
	return 0;
}

static void push_open(struct merge *m, unsigned cpu, __u64 seq, __u64 ts)
{
	char path[64];
	struct probe_open *r;

	path_for(cpu, seq, path, sizeof(path));
	r = make_open(path, path, cpu, seq, ts, PID);
	assert_int_equal(merge_push(m, r, r->hdr.size), 0);
	free(r);
}

/* The records released since from are exactly want[0..n). */
static void assert_released(const struct sink *s, size_t from,
			    const struct want *want, size_t n)
{
	assert_int_equal(s->n, from + n);
	for (size_t i = 0; i < n; i++) {
		const struct released *r = &s->recs[from + i];

		assert_int_equal(r->hdr.type, want[i].type);
		assert_int_equal(r->hdr.cpu, want[i].cpu);
		assert_int_equal(r->hdr.seq, want[i].seq);
		assert_int_equal(r->hdr.ts_ns, want[i].ts);
		assert_int_equal(r->lost_count, want[i].count);
		assert_true(r->body_ok);
	}
}

static size_t count_lost_records(const struct sink *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->recs[i].hdr.type == PROBE_REC_LOST;
	return n;
}

static void test_merge_orders_records_across_cpus(void **state)
{
	static const struct want want[] = {
		{ PROBE_REC_OPEN, 0, 0, 10, 0 },
		{ PROBE_REC_OPEN, 1, 0, 20, 0 },
		{ PROBE_REC_OPEN, 2, 0, 25, 0 },
		{ PROBE_REC_OPEN, 0, 1, 30, 0 },
		{ PROBE_REC_OPEN, 1, 1, 40, 0 },
		{ PROBE_REC_OPEN, 0, 2, 50, 0 },
		{ PROBE_REC_OPEN, 2, 1, 55, 0 },
		{ PROBE_REC_OPEN, 1, 2, 60, 0 },
	};
	struct fixture *fx = *state;

	/* Each CPU's stream in its own order, the CPUs one after another. */
	push_open(fx->m, 2, 0, 25);
	push_open(fx->m, 2, 1, 55);
	push_open(fx->m, 1, 0, 20);
	push_open(fx->m, 1, 1, 40);
	push_open(fx->m, 1, 2, 60);
	push_open(fx->m, 0, 0, 10);
	push_open(fx->m, 0, 1, 30);
	push_open(fx->m, 0, 2, 50);
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), 0);

	assert_released(&fx->sink, 0, want, 8);
	assert_int_equal(fx->st->records, 8);
	assert_int_equal(fx->st->released, 8);
	assert_int_equal(fx->st->late, 0);
	assert_int_equal(fx->st->lost, 0);
}

static void test_merge_breaks_timestamp_ties_by_cpu(void **state)
{
	static const struct want want[] = {
		{ PROBE_REC_OPEN, 0, 0, 100, 0 },
		{ PROBE_REC_OPEN, 0, 1, 100, 0 },
		{ PROBE_REC_OPEN, 1, 0, 100, 0 },
		{ PROBE_REC_OPEN, 1, 1, 100, 0 },
	};
	struct fixture *fx = *state;

	push_open(fx->m, 1, 0, 100);
	push_open(fx->m, 1, 1, 100);
	push_open(fx->m, 0, 0, 100);
	push_open(fx->m, 0, 1, 100);
	assert_int_equal(merge_flush(fx->m, 100), 0);

	assert_released(&fx->sink, 0, want, 4);
}

static void test_merge_holds_records_above_watermark(void **state)
{
	static const struct want first[] = {
		{ PROBE_REC_OPEN, 0, 0, 10, 0 },
		{ PROBE_REC_OPEN, 1, 0, 20, 0 },
		{ PROBE_REC_OPEN, 0, 1, 30, 0 }, /* at the watermark: out */
	};
	static const struct want second[] = {
		{ PROBE_REC_OPEN, 1, 1, 40, 0 },
	};
	static const struct want last[] = {
		{ PROBE_REC_OPEN, 0, 2, 50, 0 },
		{ PROBE_REC_OPEN, 1, 2, 60, 0 },
	};
	struct fixture *fx = *state;

	push_open(fx->m, 0, 0, 10);
	push_open(fx->m, 0, 1, 30);
	push_open(fx->m, 0, 2, 50);
	push_open(fx->m, 1, 0, 20);
	push_open(fx->m, 1, 1, 40);

	assert_int_equal(merge_flush(fx->m, 30), 0);
	assert_released(&fx->sink, 0, first, 3);
	assert_int_equal(fx->st->released, 3);

	assert_int_equal(merge_flush(fx->m, 45), 0);
	assert_released(&fx->sink, 3, second, 1);

	assert_int_equal(merge_flush(fx->m, 45), 0); /* nothing new below it */
	assert_int_equal(fx->sink.n, 4);

	push_open(fx->m, 1, 2, 60);
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), 0);
	assert_released(&fx->sink, 4, last, 2);
	assert_int_equal(fx->st->released, 6);
	assert_int_equal(fx->st->late, 0);
}

static void test_merge_counts_and_releases_late_record(void **state)
{
	static const struct want first[] = {
		{ PROBE_REC_OPEN, 0, 0, 100, 0 },
	};
	static const struct want later[] = {
		{ PROBE_REC_OPEN, 1, 0, 90, 0 }, /* late, yet not lost */
		{ PROBE_REC_OPEN, 1, 1, 120, 0 },
	};
	struct fixture *fx = *state;

	push_open(fx->m, 0, 0, 100);
	assert_int_equal(merge_flush(fx->m, 150), 0);
	assert_released(&fx->sink, 0, first, 1);

	push_open(fx->m, 1, 0, 90); /* below the released ts 100 */
	assert_int_equal(fx->st->late, 1);
	push_open(fx->m, 1, 1, 120); /* above it: in order */
	assert_int_equal(fx->st->late, 1);

	assert_int_equal(merge_flush(fx->m, 200), 0);
	assert_released(&fx->sink, 1, later, 2);
	assert_int_equal(fx->st->released, 3);
	assert_int_equal(fx->st->lost, 0);
}

static void test_merge_locates_seq_gap_with_lost_record(void **state)
{
	static const struct want want[] = {
		{ PROBE_REC_OPEN, 0, 0, 10, 0 },
		{ PROBE_REC_OPEN, 0, 1, 20, 0 },
		{ PROBE_REC_OPEN, 1, 0, 30, 0 },
		/* seqs 2, 3 and 4 of CPU 0, found missing at seq 5 */
		{ PROBE_REC_LOST, 0, 2, 50, 3 },
		{ PROBE_REC_OPEN, 0, 5, 50, 0 },
		{ PROBE_REC_OPEN, 1, 1, 60, 0 },
	};
	struct fixture *fx = *state;

	push_open(fx->m, 0, 0, 10);
	push_open(fx->m, 0, 1, 20);
	push_open(fx->m, 1, 0, 30);
	push_open(fx->m, 0, 5, 50);
	push_open(fx->m, 1, 1, 60);
	assert_int_equal(merge_next_seq(fx->m, 0), 6);
	assert_int_equal(merge_next_seq(fx->m, 1), 2);
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), 0);

	assert_released(&fx->sink, 0, want, 6);
	assert_int_equal(count_lost_records(&fx->sink), 1);
	assert_int_equal(fx->st->lost, 3);
	assert_int_equal(fx->st->records, 5);
	assert_int_equal(fx->st->released, 6);
}

static void test_merge_close_cpu_reports_trailing_loss(void **state)
{
	static const struct want want[] = {
		{ PROBE_REC_OPEN, 0, 0, 10, 0 },
		{ PROBE_REC_OPEN, 1, 0, 15, 0 },
		{ PROBE_REC_OPEN, 0, 1, 20, 0 },
		/* CPU 0 attempted 4 records: 2 and 3 never came */
		{ PROBE_REC_LOST, 0, 2, 100, 2 },
	};
	struct fixture *fx = *state;

	push_open(fx->m, 0, 0, 10);
	push_open(fx->m, 0, 1, 20);
	push_open(fx->m, 1, 0, 15);
	merge_close_cpu(fx->m, 0, 4, 100);
	merge_close_cpu(fx->m, 1, 1, 100); /* all there */
	merge_close_cpu(fx->m, 1, 0, 100); /* fewer than seen: nothing lost */
	merge_close_cpu(fx->m, 7, 9, 100); /* no such CPU */
	assert_int_equal(merge_next_seq(fx->m, 0), 4);
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), 0);

	assert_released(&fx->sink, 0, want, 4);
	assert_int_equal(fx->st->lost, 2);
}

/* Push a copy of rec changed by its caller; expect a refusal. */
static void assert_push_refused(struct merge *m, const void *rec, size_t size)
{
	assert_int_equal(merge_push(m, rec, size), -1);
}

static void test_merge_refuses_malformed_pushes(void **state)
{
	struct fixture *fx = *state;
	struct probe_close *good = make_close(3, 1, 0, 10, PID);
	struct probe_close bad;
	size_t huge_size = PROBE_REC_SIZE_MAX + 8;
	struct probe_hdr *huge = calloc(1, huge_size);

	assert_non_null(huge);
	/* Shorter than a header. */
	assert_push_refused(fx->m, good, sizeof(struct probe_hdr) - 8);
	/* hdr.size below a header, or not a multiple of 8. */
	bad = *good;
	bad.hdr.size = 16;
	assert_push_refused(fx->m, &bad, sizeof(bad));
	bad.hdr.size = sizeof(bad) - 4;
	assert_push_refused(fx->m, &bad, sizeof(bad));
	/* A CPU the merge does not have. */
	bad = *good;
	bad.hdr.cpu = NCPUS;
	assert_push_refused(fx->m, &bad, sizeof(bad));
	/* hdr.size beyond what the ring gave. */
	bad = *good;
	bad.hdr.size = sizeof(bad) + 8;
	assert_push_refused(fx->m, &bad, sizeof(bad));
	/* Larger than any record can be. */
	*huge = good->hdr;
	huge->size = huge_size;
	assert_push_refused(fx->m, huge, huge_size);

	assert_int_equal(fx->st->malformed, 6);
	assert_int_equal(fx->st->records, 0);
	assert_int_equal(merge_next_seq(fx->m, 1), 0);
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), 0);
	assert_int_equal(fx->sink.n, 0);

	/* The same record, whole, goes through. */
	assert_int_equal(merge_push(fx->m, good, good->hdr.size), 0);
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), 0);
	assert_int_equal(fx->sink.n, 1);
	assert_int_equal(fx->sink.recs[0].hdr.type, PROBE_REC_CLOSE);
	assert_int_equal(fx->st->malformed, 6);
	free(huge);
	free(good);
}

static void test_merge_flush_stops_when_output_fails(void **state)
{
	static const struct want first[] = {
		{ PROBE_REC_OPEN, 0, 0, 10, 0 },
		{ PROBE_REC_OPEN, 1, 0, 20, 0 },
	};
	static const struct want rest[] = {
		{ PROBE_REC_OPEN, 0, 1, 30, 0 },
		{ PROBE_REC_OPEN, 1, 1, 40, 0 },
	};
	struct fixture *fx = *state;

	push_open(fx->m, 0, 0, 10);
	push_open(fx->m, 0, 1, 30);
	push_open(fx->m, 1, 0, 20);
	push_open(fx->m, 1, 1, 40);
	fx->sink.stop_at = 2;
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), -5);
	assert_released(&fx->sink, 0, first, 2);
	assert_int_equal(fx->st->released, 2);

	/* What was refused is still held, once. */
	fx->sink.stop_at = 0;
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), 0);
	assert_released(&fx->sink, 2, rest, 2);
	assert_int_equal(fx->st->released, 4);
}

/* A small deterministic generator: the same "random" run every time. */
static unsigned next_rand(unsigned *state)
{
	*state = *state * 1103515245 + 12345;
	return *state >> 16;
}

static int key_cmp(const struct probe_hdr *a, const struct probe_hdr *b)
{
	if (a->ts_ns != b->ts_ns)
		return a->ts_ns < b->ts_ns ? -1 : 1;
	if (a->cpu != b->cpu)
		return a->cpu < b->cpu ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

#define MANY_PER_CPU 5000

static void assert_many_complete_and_ordered(const struct sink *s)
{
	__u64 next[2] = { 0, 0 };

	assert_int_equal(s->n, 2 * MANY_PER_CPU);
	for (size_t i = 0; i < s->n; i++) {
		const struct released *r = &s->recs[i];

		assert_int_equal(r->hdr.type, PROBE_REC_OPEN);
		assert_true(r->body_ok);
		assert_int_equal(r->hdr.seq, next[r->hdr.cpu]++);
		if (i)
			assert_true(key_cmp(&s->recs[i - 1].hdr, &r->hdr) < 0);
	}
}

static void test_merge_keeps_many_records_in_order(void **state)
{
	struct fixture *fx = *state;
	const struct merge_stats *st = fx->st;
	__u64 seq[2] = { 0, 0 }, ts[2] = { 0, 0 }, before, watermark;
	unsigned rnd = 1, partial_flushes = 0;

	while (seq[0] < MANY_PER_CPU || seq[1] < MANY_PER_CPU) {
		unsigned cpu = next_rand(&rnd) & 1;
		unsigned chunk = 1 + next_rand(&rnd) % 64;

		for (; chunk && seq[cpu] < MANY_PER_CPU; chunk--) {
			ts[cpu] += 1 + next_rand(&rnd) % 100;
			push_open(fx->m, cpu, seq[cpu]++, ts[cpu]);
		}
		if (next_rand(&rnd) % 4)
			continue;
		/* Both CPUs' later records are above the lower of their
		 * last timestamps: flushing to it keeps the order. */
		watermark = ts[0] < ts[1] ? ts[0] : ts[1];
		before = st->released;
		assert_int_equal(merge_flush(fx->m, watermark), 0);
		if (st->released > before && st->released < st->records)
			partial_flushes++; /* released a part, kept the rest */
	}
	assert_int_equal(merge_flush(fx->m, UINT64_MAX), 0);

	assert_true(partial_flushes > 10); /* the arena was compacted */
	assert_many_complete_and_ordered(&fx->sink);
	assert_int_equal(st->records, 2 * MANY_PER_CPU);
	assert_int_equal(st->released, 2 * MANY_PER_CPU);
	assert_int_equal(st->late, 0);
	assert_int_equal(st->lost, 0);
}

#define FIXTURE_TEST(f) \
	cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_merge_orders_records_across_cpus),
		FIXTURE_TEST(test_merge_breaks_timestamp_ties_by_cpu),
		FIXTURE_TEST(test_merge_holds_records_above_watermark),
		FIXTURE_TEST(test_merge_counts_and_releases_late_record),
		FIXTURE_TEST(test_merge_locates_seq_gap_with_lost_record),
		FIXTURE_TEST(test_merge_close_cpu_reports_trailing_loss),
		FIXTURE_TEST(test_merge_refuses_malformed_pushes),
		FIXTURE_TEST(test_merge_flush_stops_when_output_fails),
		FIXTURE_TEST(test_merge_keeps_many_records_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
