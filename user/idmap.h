/*
 * A map from a key of two numbers (a tid; a dev and an inode) to an index,
 * by open addressing.  Entries are never removed: an entry set to
 * IDMAP_NONE reads as absent.
 */
#ifndef PROBE_IDMAP_H
#define PROBE_IDMAP_H

#include <linux/types.h>
#include <stddef.h>

#define IDMAP_NONE ((size_t)-1)

struct idmap {
	struct idmap_slot {
		__u64 a, b;
		size_t val;
		int used;
	} *slot;
	size_t cap, used;
};

/* The value of (a, b), or IDMAP_NONE. */
size_t idmap_get(const struct idmap *m, __u64 a, __u64 b);
void idmap_set(struct idmap *m, __u64 a, __u64 b, size_t val);
void idmap_free(struct idmap *m);

#endif
