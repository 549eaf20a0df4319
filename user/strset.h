/* A set of byte strings (paths), for counting distinct ones. */
#ifndef PROBE_STRSET_H
#define PROBE_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **slots; /* NUL-terminated copies; NULL where empty */
	size_t cap, count;
};

/* Returns true if s (len bytes) was not in the set yet. */
bool strset_add(struct strset *set, const char *s, size_t len);
/* The members, sorted; the caller frees the array (not the strings). */
const char **strset_sorted(const struct strset *set);
void strset_free(struct strset *set);

#endif
