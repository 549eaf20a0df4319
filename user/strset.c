#include "strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* FNV-1a */
static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static char **find(char **slots, size_t cap, const char *s, size_t len)
{
	size_t i = hash(s, len) & (cap - 1);

	while (slots[i] && (strncmp(slots[i], s, len) || slots[i][len]))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void grow(struct strset *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64;
	char **slots = xmalloc(cap * sizeof(*slots));

	memset(slots, 0, cap * sizeof(*slots));
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i])
			*find(slots, cap, set->slots[i],
			      strlen(set->slots[i])) = set->slots[i];
	free(set->slots);
	set->slots = slots;
	set->cap = cap;
}

bool strset_add(struct strset *set, const char *s, size_t len)
{
	char **slot;

	if ((set->count + 1) * 4 > set->cap * 3)
		grow(set);
	slot = find(set->slots, set->cap, s, len);
	if (*slot)
		return false;
	*slot = xstrndup(s, len);
	set->count++;
	return true;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **strset_sorted(const struct strset *set)
{
	const char **out = xmalloc((set->count + 1) * sizeof(*out));
	size_t n = 0;

	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i])
			out[n++] = set->slots[i];
	qsort(out, n, sizeof(*out), cmp);
	out[n] = NULL;
	return out;
}

void strset_free(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}
