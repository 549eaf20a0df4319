/*
 * Merge the per-CPU record streams into one stream ordered by timestamp.
 *
 * Records arrive per CPU in the order that CPU wrote them, and are held
 * until the watermark passes them: a record is released once no record
 * still to come can carry an earlier timestamp.  The caller sets the
 * watermark from the clock at the start of a drain (every record written
 * before then is in a ring) minus a slack for records being written at
 * that moment.  A record that arrives below a watermark already released
 * is late: it is released at once, out of order, and counted.
 *
 * Each CPU's sequence numbers must follow one another; a gap means records
 * were lost (the ring was full), and the merge emits a PROBE_REC_LOST
 * record in their place so that the loss is located in the stream.
 */
#ifndef PROBE_MERGE_H
#define PROBE_MERGE_H

#include <linux/types.h>
#include <stddef.h>

#include "probe_abi.h"

/* Receives each record in merged order; non-zero stops the flush. */
typedef int (*merge_out_fn)(void *ctx, const struct probe_hdr *rec);

struct merge_stats {
	__u64 records; /* pushed */
	__u64 released;
	__u64 lost; /* records missing from gaps */
	__u64 late;
	__u64 malformed; /* pushes refused: bad size or cpu */
};

struct merge;

struct merge *merge_new(unsigned ncpus, merge_out_fn out, void *ctx);
void merge_free(struct merge *m);

/* Copy one record in (size is what the ring said).  Returns 0, or -1 for
 * a malformed record, which is counted and dropped. */
int merge_push(struct merge *m, const void *rec, size_t size);

/* Release, in timestamp order, every held record at or below watermark.
 * Returns what out returned if it stopped the flush, else 0. */
int merge_flush(struct merge *m, __u64 watermark_ns);

/* At the end: records each CPU attempted (its next seq); a shortfall is a
 * loss at the end of that CPU's stream, stamped at_ns. */
void merge_close_cpu(struct merge *m, unsigned cpu, __u64 next_seq,
		     __u64 at_ns);

/* The next seq expected from cpu (records seen or lost so far). */
__u64 merge_next_seq(const struct merge *m, unsigned cpu);

const struct merge_stats *merge_stats(const struct merge *m);

#endif
