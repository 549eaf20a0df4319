/*
 * The report of probe-bpf who, from the dataflow graph's accesses
 * (df_accesses()): a file is (dev, ino, generation), so a name that
 * another file took later (a rename over it, an inode number reused after
 * an unlink) names a second file, listed on its own.  Each access of a
 * file is listed, also those made while it had another name.
 */
#include "who.h"

#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "json.h"
#include "text.h"
#include "util.h"
#include "view.h"

#define LABEL_MAX 120 /* bytes of argv a process shows */

/* By enum df_access_kind: JSON's name of an access, and the text's. */
static const char *const kind_names[] = {
	[DF_READ] = "read",	    [DF_EXECUTE] = "execute",
	[DF_WRITE] = "write",	    [DF_TRUNCATE] = "truncate",
	[DF_RENAME] = "rename",	    [DF_REMOVE] = "remove",
};
static const char *const kind_done[] = {
	[DF_READ] = "read",	      [DF_EXECUTE] = "executed",
	[DF_WRITE] = "wrote",	      [DF_TRUNCATE] = "truncated",
	[DF_RENAME] = "renamed",      [DF_REMOVE] = "removed",
};

struct who {
	const struct dataflow *g;
	const struct df_access *acc;
	const struct df_file *files;
	const struct df_process *procs;
	size_t nacc, nfiles, nprocs;
	const char *path;
	__u64 start_ns;
	FILE *out;
};

/* The files w->path named, in the order it first named them; *n. */
static size_t *files_named(const struct who *w, size_t *n)
{
	bool *seen = xmalloc(w->nfiles + 1);
	size_t *files = xmalloc((w->nfiles + 1) * sizeof(*files));

	memset(seen, 0, w->nfiles + 1);
	*n = 0;
	for (size_t i = 0; i < w->nacc; i++) {
		const struct df_access *a = &w->acc[i];

		if (!a->path || strcmp(a->path, w->path) || seen[a->file])
			continue;
		seen[a->file] = true;
		files[(*n)++] = a->file;
	}
	free(seen);
	return files;
}

/* Seconds from the recording's start to ts_ns (boot time). */
static double seconds(const struct who *w, __u64 ts_ns)
{
	return ((double)ts_ns - (double)w->start_ns) / 1e9;
}

static void print_path(FILE *out, const char *path)
{
	shell_quote(out, path, strlen(path));
}

static void text_access(const struct who *w, const struct df_access *a)
{
	char label[LABEL_MAX + 64];

	view_process_label(w->g, a->process, label, sizeof(label), LABEL_MAX);
	fprintf(w->out, "  %10.6f %8lld  %-9s %5u  %s", seconds(w, a->ts_ns),
		a->op, kind_done[a->kind], w->procs[a->process].epoch, label);
	/* the name it had, if not the one asked about; a rename's new one */
	if (a->kind == DF_RENAME && a->path) {
		fputs(", to ", w->out);
		print_path(w->out, a->path);
	} else if (a->path && strcmp(a->path, w->path)) {
		fputs(", as ", w->out);
		print_path(w->out, a->path);
	}
	fputc('\n', w->out);
}

static void text_file(const struct who *w, size_t file, size_t nth,
		      size_t n)
{
	const struct df_file *f = &w->files[file];

	/* the kernel's dev_t: MAJOR << 20 | MINOR */
	fprintf(w->out, "\nfile %zu of %zu: inode %llu on %llu:%llu", nth, n,
		(unsigned long long)f->ino, (unsigned long long)(f->dev >> 20),
		(unsigned long long)(f->dev & 0xfffff));
	if (f->gen)
		fprintf(w->out, ", generation %u", f->gen);
	if (f->removed)
		fputs(", removed", w->out);
	fputs("\n     seconds       op  what      epoch  process\n", w->out);
	for (size_t i = 0; i < w->nacc; i++)
		if (w->acc[i].file == file)
			text_access(w, &w->acc[i]);
}

static void json_access(const struct who *w, const struct df_access *a)
{
	struct json j;

	json_begin(&j, w->out);
	json_str(&j, "kind", kind_names[a->kind], -1);
	view_process_json(&j, w->g, a->process);
	json_u64(&j, "ts_ns", a->ts_ns);
	json_i64(&j, "op", a->op);
	if (a->path)
		json_name(&j, "path", a->path, -1);
	json_close(&j);
}

static void json_file(const struct who *w, size_t file)
{
	const struct df_file *f = &w->files[file];
	bool first = true;
	struct json j;

	json_begin(&j, w->out);
	json_u64(&j, "dev", dev_kernel_to_user(f->dev));
	json_u64(&j, "ino", f->ino);
	json_u64(&j, "gen", f->gen);
	json_bool(&j, "removed", f->removed);
	json_key(&j, "accesses");
	fputc('[', w->out);
	for (size_t i = 0; i < w->nacc; i++) {
		if (w->acc[i].file != file)
			continue;
		if (!first)
			fputc(',', w->out);
		first = false;
		json_access(w, &w->acc[i]);
	}
	fputc(']', w->out);
	json_close(&j);
}

size_t who_write(const struct dataflow *g, const char *path, __u64 start_ns,
		 bool json, FILE *out)
{
	struct who w = { .g = g, .path = path, .start_ns = start_ns,
			 .out = out };
	size_t *files, n;
	struct json j;

	w.acc = df_accesses(g, &w.nacc);
	w.files = df_files(g, &w.nfiles);
	w.procs = df_processes(g, &w.nprocs);
	files = files_named(&w, &n);
	if (n && json) {
		json_begin(&j, out);
		json_name(&j, "path", path, -1);
		json_u64(&j, "start_ns", start_ns);
		json_key(&j, "files");
		fputc('[', out);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputc(',', out);
			json_file(&w, files[i]);
		}
		fputc(']', out);
		json_end(&j);
	} else if (n) {
		print_path(out, path);
		fprintf(out, ": %zu file%s\n", n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			text_file(&w, files[i], i + 1, n);
	}
	free(files);
	return n;
}
