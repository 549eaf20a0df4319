#include "summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

const char *const summary_role_names[SUMMARY_NROLES] = {
	"inputs",
	"outputs",
	"temporaries",
};

/* A regular file with a name; a file whose type the log never told
 * (only touches named it) counts as one. */
static bool is_file(const struct df_file *f)
{
	__u32 type = f->mode & S_IFMT;

	return !f->anonymous && f->path && (!type || type == S_IFREG);
}

/* The role of a file, or -1 if the run neither read nor wrote it. */
static int role_of(const struct df_file *f)
{
	bool made = f->nversions || f->created;

	if (!made)
		return f->read ? SUMMARY_INPUT : -1;
	if (f->removed || (f->end && f->end->status == PROBE_HASH_GONE))
		return SUMMARY_TEMPORARY;
	return SUMMARY_OUTPUT;
}

static int by_role_and_path(const void *a, const void *b)
{
	const struct summary_file *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (x->role != y->role)
		return x->role < y->role ? -1 : 1;
	if (c)
		return c;
	/* two files that had one path: in the order the log met them */
	return x->file < y->file ? -1 : x->file > y->file;
}

void summary_build(struct summary *s, const struct dataflow *g)
{
	size_t nfiles, nents;
	const struct df_file *files = df_files(g, &nfiles);
	const struct df_entity *ents = df_entities(g, &nents);

	memset(s, 0, sizeof(*s));
	s->files = xmalloc((nfiles + 1) * sizeof(*s->files));
	for (size_t i = 0; i < nfiles; i++) {
		const struct df_file *f = &files[i];
		int role = is_file(f) ? role_of(f) : -1;
		struct summary_file *sf;

		if (role < 0)
			continue;
		sf = &s->files[s->n++];
		sf->role = role;
		sf->path = f->path;
		sf->file = f;
		sf->seen = role == SUMMARY_INPUT && f->v0 >= 0 ? &ents[f->v0] :
								   NULL;
		s->count[role]++;
	}
	qsort(s->files, s->n, sizeof(*s->files), by_role_and_path);
	for (int r = 1; r < SUMMARY_NROLES; r++)
		s->at[r] = s->at[r - 1] + s->count[r - 1];
}

void summary_free(struct summary *s)
{
	free(s->files);
	memset(s, 0, sizeof(*s));
}

const __u8 *summary_sha256(const struct summary_file *f)
{
	const struct probe_hash *end = f->file->end;

	return end && end->status == PROBE_HASH_DONE ? end->sha256 : NULL;
}

void summary_sha256_hex(const __u8 *sha256, char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[sha256[i] >> 4];
		out[2 * i + 1] = digits[sha256[i] & 15];
	}
	out[64] = 0;
}

/* The log's reader refused any other status (record_check()). */
static const char *const end_names[PROBE_HASH_STATUS_MAX + 1][2] = {
	[PROBE_HASH_DONE] = { "hashed", "hashed" },
	[PROBE_HASH_CHANGED] = { "changed",
				 "changed after the recording saw it: "
				 "not hashed" },
	[PROBE_HASH_GONE] = { "gone", "gone at the end" },
	[PROBE_HASH_TOO_LARGE] = { "too_large",
				   "larger than the recorder's --hash-max: "
				   "not hashed" },
	[PROBE_HASH_UNREADABLE] = { "unreadable",
				    "unreadable at the end: not hashed" },
};

const char *summary_end_name(const struct probe_hash *end)
{
	return end_names[end->status][0];
}

const char *summary_end_phrase(const struct probe_hash *end)
{
	if (end->status == PROBE_HASH_UNREADABLE && end->err == ELOOP)
		return "a symbolic link at its path, not followed: not hashed";
	return end_names[end->status][1];
}

/* The entry of folded directory dir (len bytes) among v[0..n), or n. */
static size_t find_dir(const struct summary_entry *v, size_t n,
		       const char *dir, size_t len)
{
	for (size_t i = n; i-- > 0;)
		if (v[i].dir && strlen(v[i].dir) == len &&
		    !memcmp(v[i].dir, dir, len))
			return i;
	return n;
}

struct summary_entry *summary_entries(const struct summary *s,
				      enum summary_role role,
				      const struct filter *f, size_t *n)
{
	const struct summary_file *files = s->files + s->at[role];
	struct summary_entry *v =
		xmalloc((s->count[role] + 1) * sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < s->count[role]; i++) {
		const char *path = files[i].path;
		size_t dir = filter_group(f, path), k;

		if (!filter_shows(f, path))
			continue;
		if (!dir) {
			v[(*n)++] = (struct summary_entry){ &files[i], NULL,
							    1 };
			continue;
		}
		k = find_dir(v, *n, path, dir);
		if (k == *n)
			v[(*n)++] = (struct summary_entry){
				NULL, xstrndup(path, dir), 0
			};
		v[k].files++;
	}
	return v;
}

void summary_entries_free(struct summary_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].dir);
	free(v);
}
