/*
 * What probe-bpf diff compares: the inputs and the outputs of two
 * recordings (user/summary.h), for "why did these two runs give
 * different results".
 *
 * Files are matched by path.  An input (read, never written) is compared
 * by its content hash where both logs have one (the recorder took it at
 * the end, the file unchanged since it was read), else by its identity as
 * the recording saw it: dev, inode, size and mtime.  An output (written,
 * there at the end) by its hash where both logs have one, else by its size
 * at the end where both know it: a file written again has a new inode and
 * mtime whatever it holds.  A file only one run read or made differs too.
 * Temporaries (written, then removed) are left out whatever their names,
 * and so are pseudo-files (/proc, /sys, /dev) and the paths an ignore
 * pattern matches.
 *
 * The differing inputs are the causes, and come first; each differing
 * output names those in its lineage (df_walk() up from it, in the run
 * that made it).
 */
#include "diff.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataflow.h"
#include "export.h"
#include "filter.h"
#include "json.h"
#include "log.h"
#include "summary.h"
#include "text.h"
#include "util.h"

#define SHORT_HASH 12 /* hex digits of a hash the text shows */
#define CAUSES_SHOWN 5 /* causes the text names for one output */

struct diff_run {
	char *log_path;
	struct dataflow *g;
	struct summary s;
	bool complete;
	__u64 lost;
	size_t unhashed;
};

/* What differs between two files of one path (bits). */
enum change {
	CHANGE_INODE = 1 << 0, /* dev or ino: another file has the path */
	CHANGE_SIZE = 1 << 1,
	CHANGE_MTIME = 1 << 2,
	CHANGE_CONTENT = 1 << 3, /* the hashes differ */
};
static const char *const change_names[] = { "inode", "size", "mtime",
					    "content" };

/* What two files of one path were compared by. */
enum compared { BY_SHA256, BY_IDENTITY, BY_SIZE, BY_NAME };
static const char *const compared_names[] = { "sha256", "identity", "size",
					      "name" };

/* A file as one run knew it: where it lives and, if known, its stat. */
struct file_id {
	__u64 dev, ino, size;
	__s64 mtime_ns;
	bool stat; /* size and mtime known */
};

/* A file only one run read or made (a or b NULL), or two that differ. */
struct difference {
	enum summary_role role; /* SUMMARY_INPUT or SUMMARY_OUTPUT */
	const char *path;
	const struct summary_file *a, *b;
	enum compared by;
	unsigned changes; /* enum change */
	size_t *causes; /* an output's: differing inputs in its lineage,
			   indices into the differences */
	size_t ncauses;
};

struct comparison {
	struct difference *v;
	size_t n, cap;
	size_t ninputs; /* the inputs come first */
};

/* ---- one run ---- */

struct diff_run *diff_load(const char *log_path, char *err, size_t errlen)
{
	struct diff_run *run;
	const struct probe_trailer *t;
	struct log_reader *log;
	char why[PROBE_ERR_MAX];

	log = log_open(log_path, err, errlen);
	if (!log)
		return NULL;
	run = xmalloc(sizeof(*run));
	memset(run, 0, sizeof(*run));
	run->g = dataflow_build_quiet(log, why, sizeof(why));
	if (!run->g) {
		format_message(err, errlen, "%s: %s", log_path, why);
		log_close(log);
		free(run);
		return NULL;
	}
	run->log_path = xstrdup(log_path);
	run->complete = log_complete(log);
	t = log_trailer(log);
	run->lost = t ? t->lost + t->misses : 0;
	log_close(log);
	summary_build(&run->s, run->g);
	for (size_t i = 0; i < run->s.count[SUMMARY_OUTPUT]; i++) {
		const struct summary_file *f =
			&run->s.files[run->s.at[SUMMARY_OUTPUT] + i];

		run->unhashed += !f->file->end && !filter_is_pseudo(f->path);
	}
	return run;
}

bool diff_run_complete(const struct diff_run *run)
{
	return run->complete;
}

__u64 diff_run_lost(const struct diff_run *run)
{
	return run->lost;
}

size_t diff_run_unhashed(const struct diff_run *run)
{
	return run->unhashed;
}

void diff_run_free(struct diff_run *run)
{
	summary_free(&run->s);
	dataflow_free(run->g);
	free(run->log_path);
	free(run);
}

/* ---- comparing ---- */

/* Whether the recorder's look at the end saw the file's stat. */
static bool has_stat(const struct probe_hash *end)
{
	return end && (end->status == PROBE_HASH_DONE ||
		       end->status == PROBE_HASH_CHANGED ||
		       end->status == PROBE_HASH_TOO_LARGE);
}

/* An input as the recording read it; an output as it was at the end. */
static struct file_id identity(const struct summary_file *f)
{
	struct file_id id = { f->file->dev, f->file->ino, 0, 0, false };
	const struct probe_hash *end = f->file->end;

	if (f->role == SUMMARY_INPUT && f->seen) {
		id.size = f->seen->size;
		id.mtime_ns = f->seen->mtime_ns;
		id.stat = true;
	} else if (f->role == SUMMARY_OUTPUT && has_stat(end)) {
		id.size = end->inode.size;
		id.mtime_ns = end->inode.mtime_ns;
		id.stat = true;
	}
	return id;
}

static void compare_files(struct difference *d)
{
	const __u8 *ha = summary_sha256(d->a), *hb = summary_sha256(d->b);
	struct file_id a = identity(d->a), b = identity(d->b);
	bool sizes = a.stat && b.stat && a.size != b.size;

	d->changes = 0;
	if (ha && hb) {
		d->by = BY_SHA256;
		if (memcmp(ha, hb, 32))
			d->changes = CHANGE_CONTENT | (sizes ? CHANGE_SIZE : 0);
	} else if (d->role == SUMMARY_INPUT) {
		d->by = BY_IDENTITY;
		d->changes =
			(a.dev != b.dev || a.ino != b.ino ? CHANGE_INODE : 0) |
			(sizes ? CHANGE_SIZE : 0) |
			(a.stat && b.stat && a.mtime_ns != b.mtime_ns ?
				 CHANGE_MTIME :
				 0);
	} else if (a.stat && b.stat) {
		d->by = BY_SIZE;
		d->changes = sizes ? CHANGE_SIZE : 0;
	} else {
		d->by = BY_NAME;
	}
}

static bool ignored(const struct diff_opts *o, const char *path)
{
	if (filter_is_pseudo(path))
		return true;
	for (size_t i = 0; i < o->nignore; i++)
		if (!fnmatch(o->ignore[i], path, 0))
			return true;
	return false;
}

static void add(struct comparison *c, enum summary_role role,
		const struct summary_file *a, const struct summary_file *b)
{
	struct difference d = { .role = role, .a = a, .b = b };

	d.path = a ? a->path : b->path;
	if (a && b) {
		compare_files(&d);
		if (!d.changes)
			return;
	}
	c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof(*c->v));
	c->v[c->n++] = d;
}

/* The files of a role both runs have, matched by path (both lists are
 * sorted by path); those one run lacks, alone. */
static void compare_role(struct comparison *c, const struct diff_run *r1,
			 const struct diff_run *r2, enum summary_role role,
			 const struct diff_opts *o)
{
	const struct summary_file *a = r1->s.files + r1->s.at[role];
	const struct summary_file *b = r2->s.files + r2->s.at[role];
	size_t na = r1->s.count[role], nb = r2->s.count[role], i = 0, j = 0;

	while (i < na || j < nb) {
		int cmp = i == na ? 1 : j == nb ? -1 :
						 strcmp(a[i].path, b[j].path);

		if (cmp <= 0 && ignored(o, a[i].path))
			i++;
		else if (cmp >= 0 && ignored(o, b[j].path))
			j++;
		else if (cmp < 0)
			add(c, role, &a[i++], NULL);
		else if (cmp > 0)
			add(c, role, NULL, &b[j++]);
		else
			add(c, role, &a[i++], &b[j++]);
	}
}

/* The file's index in its run's df_files(). */
static size_t file_index(const struct diff_run *r, const struct df_file *f)
{
	size_t n;

	return f - df_files(r->g, &n);
}

/* The files in the lineage of output f of run r: a bool by file. */
static bool *lineage_files(struct diff_run *r, const struct df_file *f)
{
	size_t nfiles, nents;
	const struct df_entity *ents = df_entities(r->g, &nents);
	long long root = f->nversions ? (long long)f->versions[f->nversions - 1] :
					f->v0;
	struct df_walk w;
	bool *in;

	df_files(r->g, &nfiles);
	in = xmalloc(nfiles + 1);
	memset(in, 0, nfiles + 1);
	if (root < 0)
		return in;
	df_walk(r->g, root, false, -1, &w);
	for (size_t i = 0; i < w.nnodes; i++)
		if (!w.nodes[i].process)
			in[ents[w.nodes[i].i].file] = true;
	df_walk_free(&w);
	return in;
}

/* Output d's causes: the differing inputs in its lineage, in either run
 * (one that only one run read, in that run's). */
static void find_causes(struct comparison *c, struct diff_run *r1,
			struct diff_run *r2, struct difference *d)
{
	bool *in1 = d->a ? lineage_files(r1, d->a->file) : NULL;
	bool *in2 = d->b ? lineage_files(r2, d->b->file) : NULL;

	d->causes = xmalloc((c->ninputs + 1) * sizeof(*d->causes));
	for (size_t k = 0; k < c->ninputs; k++) {
		const struct difference *input = &c->v[k];

		if ((in1 && input->a && in1[file_index(r1, input->a->file)]) ||
		    (in2 && input->b && in2[file_index(r2, input->b->file)]))
			d->causes[d->ncauses++] = k;
	}
	free(in1);
	free(in2);
}

static void compare(struct comparison *c, struct diff_run *r1,
		    struct diff_run *r2, const struct diff_opts *o)
{
	memset(c, 0, sizeof(*c));
	compare_role(c, r1, r2, SUMMARY_INPUT, o);
	c->ninputs = c->n;
	compare_role(c, r1, r2, SUMMARY_OUTPUT, o);
	for (size_t k = c->ninputs; k < c->n; k++)
		find_causes(c, r1, r2, &c->v[k]);
}

/* ---- the text report ---- */

static void print_mtime(FILE *out, __s64 ns)
{
	time_t t = ns / 1000000000;
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "%s.%09lld", buf, (long long)(ns % 1000000000));
}

static void print_inode(FILE *out, const struct file_id *id, bool with_dev)
{
	fprintf(out, "%" PRIu64, (uint64_t)id->ino);
	if (with_dev)
		fprintf(out, " on %u:%u", (unsigned)(id->dev >> 20),
			(unsigned)(id->dev & 0xfffff));
}

static void print_hash(FILE *out, const __u8 *sha256)
{
	char hex[65];

	summary_sha256_hex(sha256, hex);
	fprintf(out, "%.*s", SHORT_HASH, hex);
}

static void print_change(FILE *out, const struct difference *d)
{
	struct file_id a = identity(d->a), b = identity(d->b);
	const char *sep = "";

	if (d->changes & CHANGE_CONTENT) {
		fputs("content ", out);
		print_hash(out, summary_sha256(d->a));
		fputs(" -> ", out);
		print_hash(out, summary_sha256(d->b));
		sep = ", ";
	}
	if (d->changes & CHANGE_INODE) {
		bool dev = a.dev != b.dev;

		fprintf(out, "%sinode ", sep);
		print_inode(out, &a, dev);
		fputs(" -> ", out);
		print_inode(out, &b, dev);
		sep = ", ";
	}
	if (d->changes & CHANGE_SIZE) {
		fprintf(out, "%ssize %" PRIu64 " -> %" PRIu64, sep,
			(uint64_t)a.size, (uint64_t)b.size);
		sep = ", ";
	}
	if (d->changes & CHANGE_MTIME) {
		fprintf(out, "%smtime ", sep);
		print_mtime(out, a.mtime_ns);
		fputs(" -> ", out);
		print_mtime(out, b.mtime_ns);
	}
	if (d->by == BY_SIZE)
		fputs(" (not hashed)", out);
}

static void print_causes(FILE *out, const struct comparison *c,
			 const struct difference *d)
{
	if (!d->ncauses) {
		fputs("  (no differing input in its lineage)", out);
		return;
	}
	fputs("  (from ", out);
	for (size_t i = 0; i < d->ncauses && i < CAUSES_SHOWN; i++) {
		const char *path = c->v[d->causes[i]].path;

		fputs(i ? ", " : "", out);
		shell_quote(out, path, strlen(path));
	}
	if (d->ncauses > CAUSES_SHOWN)
		fprintf(out, " and %zu more", d->ncauses - CAUSES_SHOWN);
	fputc(')', out);
}

static void print_text(FILE *out, const struct diff_run *r1,
		       const struct diff_run *r2, const struct comparison *c)
{
	for (size_t k = 0; k < c->n; k++) {
		const struct difference *d = &c->v[k];

		if (k == 0 || d->role != c->v[k - 1].role)
			fprintf(out, "%s:\n", summary_role_names[d->role]);
		fputs("  ", out);
		shell_quote(out, d->path, strlen(d->path));
		fputs("  ", out);
		if (!d->b)
			fprintf(out, "only in %s", r1->log_path);
		else if (!d->a)
			fprintf(out, "only in %s", r2->log_path);
		else
			print_change(out, d);
		if (d->role == SUMMARY_OUTPUT)
			print_causes(out, c, d);
		fputc('\n', out);
	}
}

/* ---- the JSON document ---- */

static void json_file(struct json *j, const char *key,
		      const struct summary_file *f)
{
	struct file_id id = identity(f);
	const __u8 *sha = summary_sha256(f);
	struct json o;

	json_key(j, key);
	json_begin(&o, j->f);
	json_u64(&o, "dev", dev_kernel_to_user(id.dev));
	json_u64(&o, "ino", id.ino);
	if (id.stat) {
		json_u64(&o, "size", id.size);
		json_i64(&o, "mtime_ns", id.mtime_ns);
	}
	if (sha) {
		char hex[65];

		summary_sha256_hex(sha, hex);
		json_str(&o, "sha256", hex, 64);
	}
	json_close(&o);
}

static void json_difference(FILE *f, const struct comparison *c,
			    const struct difference *d)
{
	struct json o;
	bool first;

	json_begin(&o, f);
	json_name(&o, "path", d->path, -1);
	json_str(&o, "kind",
		 !d->b ? "only_in_log1" : !d->a ? "only_in_log2" : "changed",
		 -1);
	if (d->a && d->b) {
		json_str(&o, "compared", compared_names[d->by], -1);
		json_list_begin(&o, "changed", &first);
		for (unsigned i = 0; i < 4; i++) {
			if (!(d->changes & 1U << i))
				continue;
			json_sep(f, &first);
			json_string(f, change_names[i],
				    strlen(change_names[i]));
		}
		fputc(']', f);
	}
	if (d->a)
		json_file(&o, "log1", d->a);
	if (d->b)
		json_file(&o, "log2", d->b);
	if (d->role == SUMMARY_OUTPUT) {
		json_list_begin(&o, "causes", &first);
		for (size_t i = 0; i < d->ncauses; i++) {
			const char *path = c->v[d->causes[i]].path;

			json_sep(f, &first);
			json_string(f, path, strlen(path));
		}
		fputc(']', f);
	}
	json_close(&o);
}

static void print_json(FILE *out, const struct diff_run *r1,
		       const struct diff_run *r2, const struct comparison *c)
{
	static const enum summary_role roles[] = { SUMMARY_INPUT,
						   SUMMARY_OUTPUT };
	struct json j;
	size_t k = 0;

	json_begin(&j, out);
	json_str(&j, "log1", r1->log_path, -1);
	json_str(&j, "log2", r2->log_path, -1);
	json_u64(&j, "differences", c->n);
	for (size_t r = 0; r < 2; r++) {
		bool first;

		json_list_begin(&j, summary_role_names[roles[r]], &first);
		for (; k < c->n && c->v[k].role == roles[r]; k++) {
			json_sep(out, &first);
			json_difference(out, c, &c->v[k]);
		}
		fputc(']', out);
	}
	json_end(&j);
}

size_t diff_write(struct diff_run *r1, struct diff_run *r2,
		  const struct diff_opts *o, FILE *out)
{
	struct comparison c;
	size_t n;

	compare(&c, r1, r2, o);
	if (o->json)
		print_json(out, r1, r2, &c);
	else
		print_text(out, r1, r2, &c);
	n = c.n;
	for (size_t k = 0; k < c.n; k++)
		free(c.v[k].causes);
	free(c.v);
	return n;
}
