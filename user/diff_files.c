/*
 * What probe-bpf diff compares: the files two recordings read, wrote and
 * executed differently, for "why did these two runs give different
 * results".
 *
 * Each file is named by its absolute path and identified by what the
 * kernel's inode said when the run first read, wrote or executed it:
 * (dev, ino), size and mtime.  A file only one run used is a difference,
 * and so is a file both used whose identity differs.
 *
 *   read      first reads (PROBE_REC_USE, PROBE_USE_READ) and successful
 *             opens for reading
 *   written   first writes (PROBE_USE_WRITE)
 *   executed  successful execs: the file the kernel ran (for a #! script
 *             its interpreter; the interpreter's read of the script is
 *             among the reads), by the name the program gave, inside
 *             the process's root; a relative name stays relative
 *
 * Files with no path (pipes, sockets: PROBE_RF_ANON) and the pseudo-files
 * under /proc, /sys and /dev are left out.
 */
#include "diff.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "log.h"
#include "model.h"
#include "records.h"
#include "strset.h"
#include "util.h"

enum file_role { ROLE_READ, ROLE_WRITTEN, ROLE_EXECUTED, NROLES };

static const char *const role_names[NROLES] = { "read", "written",
						"executed" };

struct file_id {
	__u64 dev, ino, size;
	__s64 mtime_ns;
};

struct file_seen {
	char *path;
	struct file_id id; /* when the run first used it so */
};

/* The files a run used in one role, each once, sorted by path at the end. */
struct file_list {
	struct strset paths;
	struct file_seen *v;
	size_t n, cap;
};

struct diff_run {
	char *log_path;
	struct file_list files[NROLES];
	struct model *model; /* for the root a chrooted exec's path is in */
	bool complete;
	__u64 lost;
};

/* What changed between the two identities of a file (bits). */
enum change {
	CHANGE_INODE = 1 << 0, /* dev or ino: another file now has the path */
	CHANGE_SIZE = 1 << 1,
	CHANGE_MTIME = 1 << 2,
};

/* A file only one run used (a or b NULL), or used with two identities. */
struct difference {
	enum file_role role;
	const char *path;
	const struct file_id *a, *b;
	unsigned changes; /* enum change */
};

static bool under(const char *path, size_t len, const char *dir)
{
	size_t n = strlen(dir);

	return len >= n && !memcmp(path, dir, n) &&
	       (len == n || path[n] == '/');
}

/* A file with a path (not a pipe or socket: PROBE_RF_ANON leaves the
 * path empty), and not a pseudo-file under /proc, /sys or /dev. */
static bool wanted(const char *path, size_t len)
{
	return len && !under(path, len, "/proc") && !under(path, len, "/sys") &&
	       !under(path, len, "/dev");
}

static void add_file(struct file_list *l, const char *path, size_t len,
		     const struct probe_inode *ino)
{
	struct file_seen *f;

	if (!wanted(path, len) || !strset_add(&l->paths, path, len))
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	f = &l->v[l->n++];
	f->path = xstrndup(path, len);
	f->id.dev = ino->dev;
	f->id.ino = ino->ino;
	f->id.size = ino->size;
	f->id.mtime_ns = ino->mtime_ns;
}

/* A successful open for reading (not O_PATH: no data can flow). */
static void add_open(struct diff_run *run, const struct probe_open *r)
{
	struct bytes path = open_abs_path(r);

	if (r->ret < 0 || (r->flags & O_PATH) ||
	    open_access(r->flags)[0] != 'r')
		return;
	add_file(&run->files[ROLE_READ], path.p, path.len, &r->inode);
}

static void add_use(struct diff_run *run, const struct probe_use *r)
{
	struct bytes path = use_path(r);

	add_file(&run->files[r->access == PROBE_USE_WRITE ? ROLE_WRITTEN :
							    ROLE_READ],
		 path.p, path.len, &r->inode);
}

/*
 * The program an exec ran, named as the kernel was asked for it: the #!
 * interpreter if there was one, else the file.  An absolute name is
 * inside the process's root (chroot); a relative one stays as the program
 * passed it (model.h tells no cwd to join it to).
 */
static void add_exec(struct diff_run *run, const struct probe_exec *r)
{
	struct bytes name = r->interp_len ? exec_interp(r) : exec_filename(r);
	const char *root = model_root(run->model, r->hdr.tid);
	size_t rlen = 0;
	char *path;

	if (r->ret < 0 || !name.len)
		return;
	if (name.p[0] == '/' && strcmp(root, "/"))
		rlen = strlen(root);
	path = xmalloc(rlen + name.len);
	memcpy(path, root, rlen);
	memcpy(path + rlen, name.p, name.len);
	add_file(&run->files[ROLE_EXECUTED], path, rlen + name.len, &r->exe);
	free(path);
}

static int by_path(const void *a, const void *b)
{
	const struct file_seen *x = a, *y = b;

	return strcmp(x->path, y->path);
}

struct diff_run *diff_load(const char *log_path, char *err, size_t errlen)
{
	struct diff_run *run = xmalloc(sizeof(*run));
	const struct probe_trailer *t;
	const struct probe_hdr *h;
	struct log_reader *log;
	enum log_next n;

	log = log_open(log_path, err, errlen);
	if (!log) {
		free(run);
		return NULL;
	}
	memset(run, 0, sizeof(*run));
	run->log_path = xstrdup(log_path);
	run->model = model_new();
	while ((n = log_next(log, &h)) == LOG_RECORD) {
		model_apply(run->model, h);
		if (h->type == PROBE_REC_OPEN)
			add_open(run, (const void *)h);
		else if (h->type == PROBE_REC_USE)
			add_use(run, (const void *)h);
		else if (h->type == PROBE_REC_EXEC)
			add_exec(run, (const void *)h);
		else if (h->type == PROBE_REC_LOST)
			run->lost += ((const struct probe_lost *)h)->count;
	}
	if (n == LOG_ERROR) {
		snprintf(err, errlen, "%s: %s", log_path, log_error(log));
		log_close(log);
		diff_run_free(run);
		return NULL;
	}
	run->complete = log_complete(log);
	t = log_trailer(log);
	if (t)
		run->lost = t->lost + t->misses;
	log_close(log);
	for (int role = 0; role < NROLES; role++)
		qsort(run->files[role].v, run->files[role].n,
		      sizeof(struct file_seen), by_path);
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

void diff_run_free(struct diff_run *run)
{
	for (int role = 0; role < NROLES; role++) {
		struct file_list *l = &run->files[role];

		for (size_t i = 0; i < l->n; i++)
			free(l->v[i].path);
		free(l->v);
		strset_free(&l->paths);
	}
	model_free(run->model);
	free(run->log_path);
	free(run);
}

static unsigned changes(const struct file_id *a, const struct file_id *b)
{
	return (a->dev != b->dev || a->ino != b->ino ? CHANGE_INODE : 0) |
	       (a->size != b->size ? CHANGE_SIZE : 0) |
	       (a->mtime_ns != b->mtime_ns ? CHANGE_MTIME : 0);
}

static void add_difference(struct difference **v, size_t *n,
			   enum file_role role, const struct file_seen *a,
			   const struct file_seen *b)
{
	struct difference *d;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	d = &(*v)[(*n)++];
	d->role = role;
	d->path = a ? a->path : b->path;
	d->a = a ? &a->id : NULL;
	d->b = b ? &b->id : NULL;
	d->changes = a && b ? changes(&a->id, &b->id) : 0;
}

/* The differences between the runs, by role then path; their number in
 * *n. */
static struct difference *compare(const struct diff_run *r1,
				  const struct diff_run *r2, size_t *n)
{
	struct difference *v = NULL;

	*n = 0;
	for (int role = 0; role < NROLES; role++) {
		const struct file_list *a = &r1->files[role];
		const struct file_list *b = &r2->files[role];
		size_t i = 0, j = 0;

		while (i < a->n || j < b->n) {
			int c = i == a->n ? 1 :
				j == b->n ? -1 :
					    strcmp(a->v[i].path, b->v[j].path);

			if (c < 0)
				add_difference(&v, n, role, &a->v[i++], NULL);
			else if (c > 0)
				add_difference(&v, n, role, NULL, &b->v[j++]);
			else if (changes(&a->v[i].id, &b->v[j].id))
				add_difference(&v, n, role, &a->v[i++],
					       &b->v[j++]);
			else
				i++, j++;
		}
	}
	return v;
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

static void print_change(FILE *out, const struct difference *d)
{
	const char *sep = "";

	if (d->changes & CHANGE_INODE) {
		bool dev = d->a->dev != d->b->dev;

		fputs("inode ", out);
		print_inode(out, d->a, dev);
		fputs(" -> ", out);
		print_inode(out, d->b, dev);
		sep = ", ";
	}
	if (d->changes & CHANGE_SIZE) {
		fprintf(out, "%ssize %" PRIu64 " -> %" PRIu64, sep,
			(uint64_t)d->a->size, (uint64_t)d->b->size);
		sep = ", ";
	}
	if (d->changes & CHANGE_MTIME) {
		fprintf(out, "%smtime ", sep);
		print_mtime(out, d->a->mtime_ns);
		fputs(" -> ", out);
		print_mtime(out, d->b->mtime_ns);
	}
}

static void print_text(FILE *out, const struct diff_run *r1,
		       const struct diff_run *r2, const struct difference *v,
		       size_t n)
{
	size_t i = 0;

	for (int role = 0; role < NROLES; role++) {
		fprintf(out, "%s:", role_names[role]);
		if (i == n || v[i].role != (enum file_role)role)
			fputs(" no differences", out);
		fputc('\n', out);
		for (; i < n && v[i].role == (enum file_role)role; i++) {
			fprintf(out, "  %s  ", v[i].path);
			if (!v[i].b)
				fprintf(out, "only in %s", r1->log_path);
			else if (!v[i].a)
				fprintf(out, "only in %s", r2->log_path);
			else
				print_change(out, &v[i]);
			fputc('\n', out);
		}
	}
}

/* ---- the JSON document ---- */

static void json_file_id(struct json *j, const char *key,
			 const struct file_id *id)
{
	struct json o;

	json_key(j, key);
	json_begin(&o, j->f);
	json_u64(&o, "dev", dev_kernel_to_user(id->dev));
	json_u64(&o, "ino", id->ino);
	json_u64(&o, "size", id->size);
	json_i64(&o, "mtime_ns", id->mtime_ns);
	json_close(&o);
}

static void json_difference(FILE *f, const struct difference *d)
{
	static const char *const change_names[] = { "inode", "size", "mtime" };
	struct json o;

	json_begin(&o, f);
	json_str(&o, "path", d->path, -1);
	json_str(&o, "kind",
		 !d->b ? "only_in_log1" : !d->a ? "only_in_log2" : "changed",
		 -1);
	if (d->a && d->b) {
		bool first = true;

		json_key(&o, "changed");
		fputc('[', f);
		for (unsigned i = 0; i < 3; i++) {
			if (!(d->changes & 1U << i))
				continue;
			fputs(first ? "" : ",", f);
			json_string(f, change_names[i],
				    strlen(change_names[i]));
			first = false;
		}
		fputc(']', f);
	}
	if (d->a)
		json_file_id(&o, "log1", d->a);
	if (d->b)
		json_file_id(&o, "log2", d->b);
	json_close(&o);
}

static void print_json(FILE *out, const struct diff_run *r1,
		       const struct diff_run *r2, const struct difference *v,
		       size_t n)
{
	struct json j;
	size_t i = 0;

	json_begin(&j, out);
	json_str(&j, "log1", r1->log_path, -1);
	json_str(&j, "log2", r2->log_path, -1);
	json_u64(&j, "differences", n);
	for (int role = 0; role < NROLES; role++) {
		bool first = true;

		json_key(&j, role_names[role]);
		fputc('[', out);
		for (; i < n && v[i].role == (enum file_role)role; i++) {
			fputs(first ? "" : ",", out);
			json_difference(out, &v[i]);
			first = false;
		}
		fputc(']', out);
	}
	json_end(&j);
}


size_t diff_write(const struct diff_run *r1, const struct diff_run *r2,
		  bool json, FILE *out)
{
	size_t n;
	struct difference *v = compare(r1, r2, &n);

	if (json)
		print_json(out, r1, r2, v, n);
	else
		print_text(out, r1, r2, v, n);
	free(v);
	return n;
}
