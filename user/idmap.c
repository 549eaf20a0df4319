#include "idmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t slot_of(const struct idmap *m, __u64 a, __u64 b)
{
	__u64 h = (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL);

	return (h ^ (h >> 29)) & (m->cap - 1);
}

static struct idmap_slot *find(const struct idmap *m, __u64 a, __u64 b)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = slot_of(m, a, b); m->slot[i].used; i = (i + 1) & (m->cap - 1))
		if (m->slot[i].a == a && m->slot[i].b == b)
			return &m->slot[i];
	return &m->slot[i];
}

size_t idmap_get(const struct idmap *m, __u64 a, __u64 b)
{
	struct idmap_slot *s = find(m, a, b);

	return s && s->used ? s->val : IDMAP_NONE;
}

void idmap_set(struct idmap *m, __u64 a, __u64 b, size_t val)
{
	struct idmap_slot *s;

	if ((m->used + 1) * 2 > m->cap) {
		struct idmap old = *m;

		m->cap = old.cap ? old.cap * 2 : 1024;
		m->slot = xmalloc(m->cap * sizeof(*m->slot));
		memset(m->slot, 0, m->cap * sizeof(*m->slot));
		m->used = 0;
		for (size_t k = 0; k < old.cap; k++)
			if (old.slot[k].used)
				idmap_set(m, old.slot[k].a, old.slot[k].b,
					  old.slot[k].val);
		free(old.slot);
	}
	s = find(m, a, b);
	if (!s->used) {
		s->used = 1;
		s->a = a;
		s->b = b;
		m->used++;
	}
	s->val = val;
}

void idmap_free(struct idmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->cap = m->used = 0;
}
