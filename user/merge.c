#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/*
 * Each CPU's records wait in their own queue, kept in timestamp order:
 * a CPU writes its records one after the other (the BPF programs run with
 * preemption off), so appending is the rule and an insertion the rare
 * exception.  A flush merges the queues' fronts through a binary heap:
 * no sorting of everything held, no copying of what stays held.
 */

/* A held record: its sort key and where its bytes are in its queue. */
struct held {
	__u64 ts;
	__u64 seq;
	size_t off;
	__u32 size;
};

struct cpu_queue {
	struct held *e; /* e[front..n) are held, in (ts, seq) order */
	size_t front, n, cap;
	char *bytes; /* the records' bytes */
	size_t len, cap_bytes, live; /* used, allocated, still held */
	__u64 next_seq;
};

struct merge {
	unsigned ncpus;
	merge_out_fn out;
	void *ctx;
	struct cpu_queue *q;
	unsigned *heap; /* CPUs with records held, by their front's key */
	__u64 released_ts; /* highest timestamp released so far */
	struct merge_stats stats;
};

struct merge *merge_new(unsigned ncpus, merge_out_fn out, void *ctx)
{
	struct merge *m = xmalloc(sizeof(*m));

	memset(m, 0, sizeof(*m));
	m->ncpus = ncpus;
	m->out = out;
	m->ctx = ctx;
	m->q = xmalloc(ncpus * sizeof(m->q[0]));
	memset(m->q, 0, ncpus * sizeof(m->q[0]));
	m->heap = xmalloc(ncpus * sizeof(m->heap[0]));
	return m;
}

void merge_free(struct merge *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->ncpus; i++) {
		free(m->q[i].e);
		free(m->q[i].bytes);
	}
	free(m->q);
	free(m->heap);
	free(m);
}

/* Drop the bytes of released records once they outweigh the held ones. */
static void compact(struct cpu_queue *q)
{
	char *bytes;
	size_t len = 0;

	if (q->len < 65536 || q->len - q->live < q->live)
		return;
	bytes = xmalloc(q->cap_bytes);
	for (size_t i = q->front; i < q->n; i++) {
		memcpy(bytes + len, q->bytes + q->e[i].off, q->e[i].size);
		q->e[i].off = len;
		len += q->e[i].size;
	}
	memmove(q->e, q->e + q->front, (q->n - q->front) * sizeof(q->e[0]));
	q->n -= q->front;
	q->front = 0;
	free(q->bytes);
	q->bytes = bytes;
	q->len = len;
}

static void hold(struct merge *m, const void *rec, __u32 size)
{
	const struct probe_hdr *h = rec;
	struct cpu_queue *q = &m->q[h->cpu];
	size_t at;

	if (q->front == q->n) { /* empty: start over */
		q->front = q->n = 0;
		q->len = 0;
	}
	if (q->len + size > q->cap_bytes) {
		q->cap_bytes = (q->len + size) * 2;
		q->bytes = xrealloc(q->bytes, q->cap_bytes);
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		q->e = xrealloc(q->e, q->cap * sizeof(q->e[0]));
	}
	/* Find its place from the back: almost always the very end. */
	at = q->n;
	while (at > q->front &&
	       (q->e[at - 1].ts > h->ts_ns ||
		(q->e[at - 1].ts == h->ts_ns && q->e[at - 1].seq > h->seq)))
		at--;
	memmove(q->e + at + 1, q->e + at, (q->n - at) * sizeof(q->e[0]));
	q->e[at] = (struct held){ h->ts_ns, h->seq, q->len, size };
	q->n++;
	memcpy(q->bytes + q->len, rec, size);
	q->len += size;
	q->live += size;
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
	struct cpu_queue *q;

	if (size < sizeof(*h) || h->size < sizeof(*h) || h->size > size ||
	    h->size % 8 || h->size > PROBE_REC_SIZE_MAX || h->cpu >= m->ncpus) {
		m->stats.malformed++;
		return -1;
	}
	q = &m->q[h->cpu];
	m->stats.records++;
	if (h->seq > q->next_seq)
		hold_lost(m, h->cpu, q->next_seq, h->seq - q->next_seq,
			  h->ts_ns);
	if (h->seq >= q->next_seq)
		q->next_seq = h->seq + 1;
	hold(m, rec, h->size);
	return 0;
}

void merge_close_cpu(struct merge *m, unsigned cpu, __u64 next_seq,
		     __u64 at_ns)
{
	if (cpu >= m->ncpus || next_seq <= m->q[cpu].next_seq)
		return;
	hold_lost(m, cpu, m->q[cpu].next_seq, next_seq - m->q[cpu].next_seq,
		  at_ns);
	m->q[cpu].next_seq = next_seq;
}

__u64 merge_next_seq(const struct merge *m, unsigned cpu)
{
	return cpu < m->ncpus ? m->q[cpu].next_seq : 0;
}

/* ---- the heap of CPUs, ordered by their front record ---- */

static const struct held *front(const struct merge *m, unsigned cpu)
{
	const struct cpu_queue *q = &m->q[cpu];

	return &q->e[q->front];
}

static bool before(const struct merge *m, unsigned a, unsigned b)
{
	const struct held *x = front(m, a), *y = front(m, b);

	if (x->ts != y->ts)
		return x->ts < y->ts;
	if (a != b)
		return a < b;
	return x->seq < y->seq;
}

static void sift_down(struct merge *m, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;
		unsigned t;

		if (l < n && before(m, m->heap[l], m->heap[min]))
			min = l;
		if (r < n && before(m, m->heap[r], m->heap[min]))
			min = r;
		if (min == i)
			return;
		t = m->heap[i];
		m->heap[i] = m->heap[min];
		m->heap[min] = t;
		i = min;
	}
}

int merge_flush(struct merge *m, __u64 watermark_ns)
{
	size_t n = 0;
	int ret = 0;

	for (unsigned cpu = 0; cpu < m->ncpus; cpu++)
		if (m->q[cpu].front < m->q[cpu].n)
			m->heap[n++] = cpu;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(m, n, i);

	while (n) {
		unsigned cpu = m->heap[0];
		struct cpu_queue *q = &m->q[cpu];
		const struct held *e = front(m, cpu);
		const struct probe_hdr *h = (void *)(q->bytes + e->off);

		if (e->ts > watermark_ns)
			break; /* the smallest held is above it: all are */
		ret = m->out(m->ctx, h);
		if (ret)
			break;
		if (h->ts_ns > m->released_ts)
			m->released_ts = h->ts_ns;
		m->stats.released++;
		q->live -= e->size;
		q->front++;
		if (q->front == q->n)
			m->heap[0] = m->heap[--n];
		sift_down(m, n, 0);
	}
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++)
		compact(&m->q[cpu]);
	return ret;
}

const struct merge_stats *merge_stats(const struct merge *m)
{
	return &m->stats;
}
