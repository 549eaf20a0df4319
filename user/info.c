/*
 * probe-bpf info LOG: what a log holds, in a few lines; with --files the
 * run's inputs, outputs and temporaries (user/summary.h), system files
 * folded; with --json all of it as one JSON object.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "cli.h"
#include "dataflow.h"
#include "export.h"
#include "filter.h"
#include "info.h"
#include "json.h"
#include "log.h"
#include "model.h"
#include "names.h"
#include "records.h"
#include "strset.h"
#include "summary.h"
#include "syscalls.h"
#include "text.h"
#include "util.h"

/* What one pass over the records counts. */
struct counts {
	__u64 by_type[PROBE_REC_TRAILER + 1];
	__u64 execs, exec_failures, threads, lost;
	__u64 first_ts, last_ts;
	struct strset processes; /* "pid@start_ns" */
	struct strset read, written; /* opened for */
	struct strset data_read, data_written; /* first uses */
	bool root_exited;
	int root_status;
	struct model *model;
};

struct info {
	const char *path;
	struct log_reader *log;
	struct counts c;
	struct summary s;
	const struct filter *filter;
};

static void add_process(struct counts *s, __u32 pid, __u64 start_ns)
{
	char key[48];
	int n = snprintf(key, sizeof(key), "%u@%llu", pid,
			 (unsigned long long)start_ns);

	strset_add(&s->processes, key, n);
}

static void count(struct counts *s, const struct probe_hdr *h, __u32 root)
{
	if (h->type == PROBE_REC_HASH)
		return; /* the recorder's, after the recording */
	model_apply(s->model, h);
	if (h->type <= PROBE_REC_TRAILER)
		s->by_type[h->type]++;
	if (!s->first_ts || h->ts_ns < s->first_ts)
		s->first_ts = h->ts_ns;
	if (h->ts_ns > s->last_ts)
		s->last_ts = h->ts_ns;

	switch (h->type) {
	case PROBE_REC_EXEC: {
		const struct probe_exec *r = (const void *)h;

		if (r->ret < 0) {
			s->exec_failures++;
			break;
		}
		s->execs++;
		add_process(s, h->pid, r->start_ns);
		break;
	}
	case PROBE_REC_CLONE: {
		const struct probe_clone *r = (const void *)h;

		if (r->share & PROBE_SHARE_THREAD)
			s->threads++;
		else
			add_process(s, r->child_pid, r->child_start_ns);
		break;
	}
	case PROBE_REC_EXIT: {
		const struct probe_exit *r = (const void *)h;

		add_process(s, h->pid, r->start_ns);
		if (r->group_dead && h->pid == root) {
			s->root_exited = true;
			s->root_status = r->status;
		}
		break;
	}
	case PROBE_REC_OPEN: {
		const struct probe_open *r = (const void *)h;
		struct bytes path = open_abs_path(r);
		const char *access = open_access(r->flags);

		if (r->ret < 0 || !r->abs_len || (r->flags & 010000000))
			break; /* failed, or O_PATH: no data can flow */
		if (access[0] == 'r')
			strset_add(&s->read, path.p, path.len);
		if (strchr(access, 'w'))
			strset_add(&s->written, path.p, path.len);
		break;
	}
	case PROBE_REC_USE: {
		const struct probe_use *r = (const void *)h;
		struct bytes path = use_path(r);

		strset_add(r->access == PROBE_USE_WRITE ? &s->data_written :
							  &s->data_read,
			   path.p, path.len);
		break;
	}
	case PROBE_REC_SYSCALL: {
		const struct probe_syscall *r = (const void *)h;
		size_t len;
		char *path;

		if (!syscall_writes_data(r))
			break;
		path = path_join(syscall_path(r), syscall_base(r),
				 model_root(s->model, h->tid), &len);
		strset_add(&s->data_written, path, len);
		free(path);
		break;
	}
	case PROBE_REC_LOST:
		s->lost += ((const struct probe_lost *)h)->count;
		break;
	}
}

/* The ops by record type: as the text says them, and as JSON keys. */
static const char *const type_names[][2] = {
	[PROBE_REC_EXEC] = { "exec", "exec" },
	[PROBE_REC_CLONE] = { "clone", "clone" },
	[PROBE_REC_EXIT] = { "exit", "exit" },
	[PROBE_REC_OPEN] = { "open", "open" },
	[PROBE_REC_CLOSE] = { "close", "close" },
	[PROBE_REC_USE] = { "first use", "first_use" },
	[PROBE_REC_FDOP] = { "fd op", "fd_op" },
	[PROBE_REC_SYSCALL] = { "other syscall", "other_syscall" },
	[PROBE_REC_SNAPSHOT] = { "snapshot", "snapshot" },
	[PROBE_REC_SIGNAL] = { "signal", "signal" },
	[PROBE_REC_FUTEX] = { "futex", "futex" },
	[PROBE_REC_FD_ARRIVAL] = { "fd arrival", "fd_arrival" },
};
#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

static void print_time(const char *label, __u64 realtime_ns)
{
	time_t t = realtime_ns / 1000000000ULL;
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("%-11s%s\n", label, buf);
}

/* The lost, ring-full, skipped and faulted records a trailer counts. */
struct losses {
	__u64 lost, drops, misses, faults, late, nested;
};

static void sum_losses(const struct probe_trailer *t, struct losses *l)
{
	memset(l, 0, sizeof(*l));
	for (__u32 i = 0; i < t->ncpus; i++) {
		l->drops += t->cpu[i].drops;
		l->faults += t->cpu[i].read_faults;
		l->nested += t->cpu[i].nested;
	}
	l->lost = t->lost;
	l->misses = t->misses;
	l->late = t->late;
}

static void print_losses(const struct log_reader *log, __u64 lost)
{
	const struct probe_trailer *t = log_trailer(log);
	struct losses l;

	if (!t) {
		printf("%-11s%" PRIu64 " records in sequence gaps (counters "
		       "unknown: no trailer)\n",
		       "lost", (uint64_t)lost);
		return;
	}
	sum_losses(t, &l);
	if (!l.lost && !l.drops && !l.misses)
		printf("%-11snone\n", "lost");
	else
		printf("%-11s%" PRIu64 " records (%" PRIu64
		       " with the ring full, %" PRIu64
		       " runs skipped by the kernel, %" PRIu64
		       " inside another program on their CPU)\n",
		       "lost", (uint64_t)(l.lost + l.misses),
		       (uint64_t)l.drops, (uint64_t)l.misses,
		       (uint64_t)l.nested);
	if (l.faults || l.late)
		printf("%-11s%" PRIu64 " failed reads of user memory, %" PRIu64
		       " records out of order\n",
		       "degraded", (uint64_t)l.faults, (uint64_t)l.late);
}

/* The end of the recording, boot time: the trailer's, else the last
 * record's. */
static __u64 end_ns(const struct info *in)
{
	const struct probe_trailer *t = log_trailer(in->log);

	return t ? t->end_boottime_ns : in->c.last_ts;
}

static __u64 duration_ns(const struct info *in)
{
	__u64 start = log_header(in->log)->start_boottime_ns;

	return end_ns(in) > start ? end_ns(in) - start : 0;
}

/* ---- the run's files ---- */

/* How many files of a role are shown one by one and how many folded, and
 * how many of them the recorder hashed. */
struct role_count {
	size_t files, folded, dirs, hashed, ends;
};

static void count_role(const struct info *in, enum summary_role role,
		       struct role_count *rc)
{
	size_t n;
	struct summary_entry *v = summary_entries(&in->s, role, in->filter,
						  &n);

	memset(rc, 0, sizeof(*rc));
	for (size_t i = 0; i < n; i++) {
		if (!v[i].file) {
			rc->dirs++;
			rc->folded += v[i].files;
			continue;
		}
		rc->files++;
		rc->hashed += summary_sha256(v[i].file) != NULL;
		rc->ends += v[i].file->file->end != NULL;
	}
	summary_entries_free(v, n);
}

static void print_role_counts(const struct info *in)
{
	static const char *const what[SUMMARY_NROLES] = {
		"read and never written",
		"written and there at the end",
		"written and removed",
	};
	static const char *const label[SUMMARY_NROLES] = {
		"inputs", "outputs", "temporary",
	};

	for (int r = 0; r < SUMMARY_NROLES; r++) {
		struct role_count rc;

		count_role(in, r, &rc);
		printf("%-11s%zu file%s %s", label[r], rc.files,
		       rc.files == 1 ? "" : "s", what[r]);
		if (rc.folded)
			printf(", %zu more in %zu folded director%s",
			       rc.folded, rc.dirs, rc.dirs == 1 ? "y" : "ies");
		if (r == SUMMARY_OUTPUT && rc.files && !rc.ends)
			fputs(" (none hashed: recorded with --no-hash, or "
			      "not to its end)",
			      stdout);
		else if (r != SUMMARY_TEMPORARY && rc.files)
			printf(" (%zu hashed at the end)", rc.hashed);
		putchar('\n');
	}
}

static void print_entry(const struct summary_entry *e, enum summary_role role)
{
	const struct summary_file *f = e->file;
	const __u8 *sha = f ? summary_sha256(f) : NULL;
	const struct probe_hash *end = f ? f->file->end : NULL;
	char hex[65];

	fputs("  ", stdout);
	if (!f) {
		shell_quote(stdout, e->dir, strlen(e->dir));
		printf("/ (%zu file%s)\n", e->files, e->files == 1 ? "" : "s");
		return;
	}
	shell_quote(stdout, f->path, strlen(f->path));
	if (role == SUMMARY_OUTPUT && end && end->status != PROBE_HASH_GONE &&
	    end->status != PROBE_HASH_UNREADABLE)
		printf("  %" PRIu64 " bytes", (uint64_t)end->inode.size);
	if (sha) {
		summary_sha256_hex(sha, hex);
		printf("  sha256 %s", hex);
	} else if (end && role != SUMMARY_TEMPORARY) {
		printf("  (%s)", summary_end_phrase(end));
	}
	putchar('\n');
}

static void print_files(const struct info *in)
{
	static const char *const title[SUMMARY_NROLES] = {
		"inputs (read, never written)",
		"outputs (written, there at the end)",
		"temporaries (written, then removed)",
	};

	for (int r = 0; r < SUMMARY_NROLES; r++) {
		size_t n;
		struct summary_entry *v =
			summary_entries(&in->s, r, in->filter, &n);

		printf("\n%s:\n", title[r]);
		for (size_t i = 0; i < n; i++)
			print_entry(&v[i], r);
		summary_entries_free(v, n);
	}
}

/* ---- text ---- */

/* Whether the log holds all the recording saw, and if not, why. */
static const char *completeness(const struct log_reader *log)
{
	const struct probe_trailer *t = log_trailer(log);

	if (log_complete(log))
		return "complete";
	if (t && (t->ended & PROBE_END_LEFT_RUNNING))
		return "INCOMPLETE: a second signal stopped its recorder while "
		       "the command still ran";
	return "INCOMPLETE: its recorder stopped before the end";
}

/* A string of the header, which a crafted log may leave without its NUL. */
static void print_header_string(const char *s, size_t size)
{
	shell_quote(stdout, s, strnlen(s, size));
}

/* The command's argv, each word quoted, or the cgroup's directory. */
static void print_target(const struct probe_log_header *h)
{
	for (__u32 i = 0; i < h->target_len;) {
		size_t n = strnlen(h->target + i, h->target_len - i);

		if (i)
			putchar(' ');
		shell_quote(stdout, h->target + i, n);
		i += n + 1;
	}
}

static void print_text(const struct info *in, bool files)
{
	const struct probe_log_header *h = log_header(in->log);
	const struct counts *s = &in->c;
	const struct model_stats *ms = model_stats(s->model);
	bool first = true;

	printf("%-11s%s (%s)\n", "log", in->path, completeness(in->log));
	printf("%-11s", h->scope == PROBE_SCOPE_CGROUP ? "cgroup" : "command");
	print_target(h);
	/* a crafted log's strings may lack their NUL */
	printf("\n%-11s", "host");
	print_header_string(h->hostname, sizeof(h->hostname));
	fputs(", Linux ", stdout);
	print_header_string(h->release, sizeof(h->release));
	fputs(", boot ", stdout);
	print_header_string(h->boot_id, sizeof(h->boot_id));
	putchar('\n');
	print_time("started", h->start_realtime_ns);
	printf("%-11s%.3f s\n", "duration", duration_ns(in) / 1e9);
	printf("%-11s%zu (%" PRIu64 " execs, %" PRIu64
	       " failed exec attempts), %" PRIu64 " threads\n",
	       "processes", s->processes.count, (uint64_t)s->execs,
	       (uint64_t)s->exec_failures, (uint64_t)s->threads);
	if (s->root_exited) {
		if (WIFSIGNALED(s->root_status)) {
			const char *sig = signal_name(WTERMSIG(s->root_status));

			printf("%-11skilled by %s\n", "exit",
			       sig ? sig : "a signal");
		} else {
			printf("%-11sstatus %d\n", "exit",
			       WEXITSTATUS(s->root_status));
		}
	}
	printf("%-11s", "ops");
	for (size_t i = 0; i < NTYPES; i++) {
		if (!type_names[i][0])
			continue;
		printf("%s%s %" PRIu64, first ? "" : ", ", type_names[i][0],
		       (uint64_t)s->by_type[i]);
		first = false;
	}
	putchar('\n');
	/* records that are parts of ops and of the happens-before graph */
	printf("%-11s%" PRIu64 " inodes touched by path-named changes, %" PRIu64
	       " wakeups\n",
	       "also", (uint64_t)s->by_type[PROBE_REC_TOUCH],
	       (uint64_t)s->by_type[PROBE_REC_WAKE]);
	printf("%-11s%zu opened for reading, %zu for writing; %zu read, %zu "
	       "written\n",
	       "files", s->read.count, s->written.count, s->data_read.count,
	       s->data_written.count);
	print_role_counts(in);
	printf("%-11s%llu uses of fds checked: %llu agree, %llu "
	       "disagree, %llu of fds opened before the recording\n",
	       "fd model", (unsigned long long)ms->uses,
	       (unsigned long long)ms->agree,
	       (unsigned long long)ms->disagree,
	       (unsigned long long)ms->unknown);
	printf("%-11s%llu opens and creations checked against the "
	       "cwd, root and umask (%llu of absolute paths): %llu "
	       "agree, %llu disagree\n",
	       "fs model", (unsigned long long)ms->fs_checked,
	       (unsigned long long)ms->fs_root_checked,
	       (unsigned long long)ms->fs_agree,
	       (unsigned long long)ms->fs_disagree);
	print_losses(in->log, s->lost);
	if (!log_complete(in->log) && log_torn_bytes(in->log))
		printf("%-11s%" PRIu64 " bytes of a last record cut short\n",
		       "torn", (uint64_t)log_torn_bytes(in->log));
	if (files)
		print_files(in);
}

/* ---- JSON ---- */

static void json_entry(FILE *out, const struct summary_entry *e,
		       enum summary_role role)
{
	const struct summary_file *f = e->file;
	const struct probe_hash *end = f ? f->file->end : NULL;
	const __u8 *sha = f ? summary_sha256(f) : NULL;
	struct json j;

	json_begin(&j, out);
	if (!f) {
		json_name(&j, "folded", e->dir, -1);
		json_u64(&j, "files", e->files);
		json_close(&j);
		return;
	}
	json_name(&j, "path", f->path, -1);
	json_u64(&j, "dev", dev_kernel_to_user(f->file->dev));
	json_u64(&j, "ino", f->file->ino);
	if (role == SUMMARY_INPUT) {
		json_bool(&j, "executed", f->file->executed);
		if (f->seen) { /* as the recording read it */
			json_u64(&j, "size", f->seen->size);
			json_i64(&j, "mtime_ns", f->seen->mtime_ns);
		}
	} else if (role == SUMMARY_OUTPUT && end &&
		   end->status != PROBE_HASH_GONE &&
		   end->status != PROBE_HASH_UNREADABLE) {
		json_u64(&j, "size", end->inode.size); /* at the end */
		json_i64(&j, "mtime_ns", end->inode.mtime_ns);
	}
	if (sha) {
		char hex[65];

		summary_sha256_hex(sha, hex);
		json_str(&j, "sha256", hex, 64);
	}
	if (end)
		json_str(&j, "at_end", summary_end_name(end), -1);
	json_close(&j);
}

static void json_files(struct json *j, const struct info *in)
{
	for (int r = 0; r < SUMMARY_NROLES; r++) {
		size_t n;
		struct summary_entry *v =
			summary_entries(&in->s, r, in->filter, &n);
		bool first;

		json_list_begin(j, summary_role_names[r], &first);
		for (size_t i = 0; i < n; i++) {
			json_sep(j->f, &first);
			json_entry(j->f, &v[i], r);
		}
		fputc(']', j->f);
		summary_entries_free(v, n);
	}
}

static void json_counters(struct json *j, const struct info *in)
{
	const struct counts *s = &in->c;
	const struct model_stats *ms = model_stats(s->model);
	const struct probe_trailer *t = log_trailer(in->log);
	struct json o;

	json_u64(j, "processes", s->processes.count);
	json_u64(j, "execs", s->execs);
	json_u64(j, "exec_failures", s->exec_failures);
	json_u64(j, "threads", s->threads);
	if (s->root_exited && WIFSIGNALED(s->root_status)) {
		const char *sig = signal_name(WTERMSIG(s->root_status));

		if (sig)
			json_str(j, "exit_signal", sig, -1);
		else
			json_u64(j, "exit_signal", WTERMSIG(s->root_status));
	} else if (s->root_exited) {
		json_u64(j, "exit_status", WEXITSTATUS(s->root_status));
	}
	json_key(j, "ops");
	json_begin(&o, j->f);
	for (size_t i = 0; i < NTYPES; i++)
		if (type_names[i][1])
			json_u64(&o, type_names[i][1], s->by_type[i]);
	json_close(&o);
	json_u64(j, "touches", s->by_type[PROBE_REC_TOUCH]);
	json_u64(j, "wakeups", s->by_type[PROBE_REC_WAKE]);
	json_u64(j, "opened_for_reading", s->read.count);
	json_u64(j, "opened_for_writing", s->written.count);
	json_u64(j, "read", s->data_read.count);
	json_u64(j, "written", s->data_written.count);
	json_key(j, "fd_model");
	json_begin(&o, j->f);
	json_u64(&o, "uses", ms->uses);
	json_u64(&o, "agree", ms->agree);
	json_u64(&o, "disagree", ms->disagree);
	json_u64(&o, "unknown", ms->unknown);
	json_close(&o);
	json_key(j, "fs_model");
	json_begin(&o, j->f);
	json_u64(&o, "checked", ms->fs_checked);
	json_u64(&o, "absolute", ms->fs_root_checked);
	json_u64(&o, "agree", ms->fs_agree);
	json_u64(&o, "disagree", ms->fs_disagree);
	json_close(&o);
	json_key(j, "lost");
	json_begin(&o, j->f);
	if (t) {
		struct losses l;

		sum_losses(t, &l);
		json_u64(&o, "records", l.lost + l.misses);
		json_u64(&o, "ring_full", l.drops);
		json_u64(&o, "skipped_by_kernel", l.misses);
		json_u64(&o, "nested", l.nested);
		json_u64(&o, "read_faults", l.faults);
		json_u64(&o, "late", l.late);
	} else { /* the counters are the trailer's */
		json_u64(&o, "in_sequence_gaps", s->lost);
	}
	json_close(&o);
}

static void print_json(const struct info *in)
{
	const struct probe_log_header *h = log_header(in->log);
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "log", in->path, -1);
	json_bool(&j, "complete", log_complete(in->log));
	if (!log_complete(in->log))
		json_u64(&j, "torn_bytes", log_torn_bytes(in->log));
	if (log_trailer(in->log))
		json_bool(&j, "command_left_running",
			  log_trailer(in->log)->ended & PROBE_END_LEFT_RUNNING);
	json_str(&j, "scope",
		 h->scope == PROBE_SCOPE_CGROUP ? "cgroup" : "command", -1);
	if (h->scope == PROBE_SCOPE_CGROUP)
		json_name(&j, "cgroup", log_target(in->log), -1);
	else
		json_namev(&j, "command", h->target, h->target_len);
	json_str(&j, "hostname", h->hostname, strnlen(h->hostname, 65));
	json_str(&j, "release", h->release, strnlen(h->release, 65));
	json_str(&j, "boot_id", h->boot_id, strnlen(h->boot_id, 37));
	json_u64(&j, "start_realtime_ns", h->start_realtime_ns);
	json_u64(&j, "duration_ns", duration_ns(in));
	json_counters(&j, in);
	json_files(&j, in);
	json_end(&j);
}

/* ---- the command ---- */

static void usage(FILE *f)
{
	fputs("usage: probe-bpf info [--files] [--json] [filter options] "
	      "LOG\n"
	      "\n"
	      "Summarise a log: what was recorded, for how long, processes,\n"
	      "operations by type, losses, and the run's files:\n"
	      "  inputs       read (or executed) and never written by the "
	      "run\n"
	      "  outputs      written by the run and there at the end, with "
	      "their size and\n"
	      "               the SHA-256 the recorder took when recording "
	      "ended\n"
	      "  temporaries  written by the run and removed (or gone at the "
	      "end)\n"
	      "Regular files only: no pipes, sockets, devices or "
	      "directories.\n"
	      "\n"
	      "options:\n"
	      "  -f, --files  list the inputs, outputs and temporaries\n"
	      "  -j, --json   all of it (the lists too) as one JSON object\n",
	      f);
	filter_usage(f);
	fputs("  -h, --help   show this help\n", f);
}

/* The run's files: the log read again, through the dataflow graph; NULL
 * with the error said. */
static struct dataflow *run_files(struct info *in)
{
	char err[PROBE_ERR_MAX];
	struct log_reader *log = log_open(in->path, err, sizeof(err));
	struct dataflow *g;

	if (!log) {
		errorf("%s", err);
		return NULL;
	}
	g = dataflow_build_files(log, err, sizeof(err));
	log_close(log);
	if (!g) {
		errorf("%s: %s", in->path, err);
		return NULL;
	}
	summary_build(&in->s, g);
	return g;
}

int info_write(const char *path, const struct info_opts *o)
{
	const struct probe_hdr *rec;
	struct info in = { .path = path, .filter = o->filter };
	struct dataflow *g = NULL;
	enum log_next n;
	char err[PROBE_ERR_MAX];
	int ret = -1;

	in.log = log_open(path, err, sizeof(err));
	if (!in.log) {
		errorf("%s", err);
		return -1;
	}
	in.c.model = model_new();
	while ((n = log_next(in.log, &rec)) == LOG_RECORD)
		count(&in.c, rec, log_header(in.log)->root_pid);
	if (n == LOG_ERROR)
		errorf("%s: %s", path, log_error(in.log));
	else if ((g = run_files(&in))) {
		if (o->json)
			print_json(&in);
		else
			print_text(&in, o->files);
		summary_free(&in.s);
		ret = 0;
	}
	dataflow_free(g);
	strset_free(&in.c.processes);
	strset_free(&in.c.read);
	strset_free(&in.c.written);
	strset_free(&in.c.data_read);
	strset_free(&in.c.data_written);
	model_free(in.c.model);
	log_close(in.log);
	return ret;
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "files", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct filter filter = { 0 };
	struct info_opts o = { .filter = &filter };
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fjh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.files = true;
			break;
		case 'j':
			o.json = true;
			break;
		default:
			if (!filter_option(&filter, c, optarg))
				return cli_other_option(c, argv, "info", usage);
		}
	}
	if (argc - optind != 1)
		die(EXIT_USAGE, "info needs one LOG (see 'probe-bpf info "
				"--help')");
	ret = info_write(argv[optind], &o);
	filter_free(&filter);
	if (ret)
		return EXIT_USAGE;
	if (fflush(stdout) || ferror(stdout))
		die(EXIT_USAGE, "cannot write the summary: %s",
		    strerror(errno));
	return 0;
}
