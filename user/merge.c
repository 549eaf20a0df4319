#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/* A held record: its sort key and where its bytes are in the arena. */
struct held {
	__u64 ts;
	__u64 seq;
	__u32 cpu;
	__u32 size;
	size_t off;
};

struct merge {
	unsigned ncpus;
	merge_out_fn out;
	void *ctx;
	__u64 *next_seq; /* per CPU */
	__u64 released_ts; /* highest timestamp released so far */
	char *arena;
	size_t arena_len, arena_cap;
	struct held *held;
	size_t nheld, held_cap;
	struct merge_stats stats;
};

struct merge *merge_new(unsigned ncpus, merge_out_fn out, void *ctx)
{
	struct merge *m = xmalloc(sizeof(*m));

	memset(m, 0, sizeof(*m));
	m->ncpus = ncpus;
	m->out = out;
	m->ctx = ctx;
	m->next_seq = xmalloc(ncpus * sizeof(m->next_seq[0]));
	memset(m->next_seq, 0, ncpus * sizeof(m->next_seq[0]));
	return m;
}

void merge_free(struct merge *m)
{
	if (!m)
		return;
	free(m->next_seq);
	free(m->arena);
	free(m->held);
	free(m);
}

static void hold(struct merge *m, const void *rec, __u32 size)
{
	const struct probe_hdr *h = rec;
	struct held *e;

	if (m->arena_len + size > m->arena_cap) {
		m->arena_cap = (m->arena_len + size) * 2;
		m->arena = xrealloc(m->arena, m->arena_cap);
	}
	if (m->nheld == m->held_cap) {
		m->held_cap = m->held_cap ? m->held_cap * 2 : 1024;
		m->held = xrealloc(m->held, m->held_cap * sizeof(*m->held));
	}
	memcpy(m->arena + m->arena_len, rec, size);
	e = &m->held[m->nheld++];
	e->ts = h->ts_ns;
	e->seq = h->seq;
	e->cpu = h->cpu;
	e->size = size;
	e->off = m->arena_len;
	m->arena_len += size;
	if (h->ts_ns < m->released_ts)
		m->stats.late++;
}

/* A stand-in for records that never arrived: cpu, first seq, count. */
static void hold_lost(struct merge *m, __u32 cpu, __u64 seq, __u64 count,
		      __u64 ts)
{
	struct probe_lost lost;

	memset(&lost, 0, sizeof(lost));
	lost.hdr.size = sizeof(lost);
	lost.hdr.type = PROBE_REC_LOST;
	lost.hdr.cpu = cpu;
	lost.hdr.seq = seq;
	lost.hdr.ts_ns = ts;
	lost.count = count;
	m->stats.lost += count;
	/* A loss is never "late": it is placed where it is found. */
	if (ts < m->released_ts)
		lost.hdr.ts_ns = m->released_ts;
	hold(m, &lost, sizeof(lost));
}

int merge_push(struct merge *m, const void *rec, size_t size)
{
	const struct probe_hdr *h = rec;

	if (size < sizeof(*h) || h->size < sizeof(*h) || h->size > size ||
	    h->size % 8 || h->size > PROBE_REC_SIZE_MAX || h->cpu >= m->ncpus) {
		m->stats.malformed++;
		return -1;
	}
	m->stats.records++;
	if (h->seq > m->next_seq[h->cpu])
		hold_lost(m, h->cpu, m->next_seq[h->cpu],
			  h->seq - m->next_seq[h->cpu], h->ts_ns);
	if (h->seq >= m->next_seq[h->cpu])
		m->next_seq[h->cpu] = h->seq + 1;
	hold(m, rec, h->size);
	return 0;
}

void merge_close_cpu(struct merge *m, unsigned cpu, __u64 next_seq,
		     __u64 at_ns)
{
	if (cpu >= m->ncpus || next_seq <= m->next_seq[cpu])
		return;
	hold_lost(m, cpu, m->next_seq[cpu], next_seq - m->next_seq[cpu], at_ns);
	m->next_seq[cpu] = next_seq;
}

__u64 merge_next_seq(const struct merge *m, unsigned cpu)
{
	return cpu < m->ncpus ? m->next_seq[cpu] : 0;
}

static int held_cmp(const void *a, const void *b)
{
	const struct held *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int merge_flush(struct merge *m, __u64 watermark_ns)
{
	size_t n = 0, keep_len = 0;
	int ret = 0;

	qsort(m->held, m->nheld, sizeof(*m->held), held_cmp);
	/* Late records sort first: they are below the watermark too. */
	while (n < m->nheld && m->held[n].ts <= watermark_ns) {
		const struct probe_hdr *h = (void *)(m->arena + m->held[n].off);

		ret = m->out(m->ctx, h);
		if (ret)
			break;
		if (h->ts_ns > m->released_ts)
			m->released_ts = h->ts_ns;
		m->stats.released++;
		n++;
	}
	/* Compact what is still held to the front of the arena. */
	if (n == m->nheld) {
		m->nheld = 0;
		m->arena_len = 0;
		return ret;
	}
	if (n) {
		char *arena = xmalloc(m->arena_cap);

		for (size_t i = n; i < m->nheld; i++) {
			struct held *e = &m->held[i - n];

			*e = m->held[i];
			memcpy(arena + keep_len, m->arena + e->off, e->size);
			e->off = keep_len;
			keep_len += e->size;
		}
		free(m->arena);
		m->arena = arena;
		m->arena_len = keep_len;
		m->nheld -= n;
	}
	return ret;
}

const struct merge_stats *merge_stats(const struct merge *m)
{
	return &m->stats;
}
