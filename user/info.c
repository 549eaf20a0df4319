/* probe-bpf info LOG: what a log holds, in a few lines. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "cli.h"
#include "log.h"
#include "model.h"
#include "names.h"
#include "records.h"
#include "strset.h"
#include "util.h"

struct summary {
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

static void add_process(struct summary *s, __u32 pid, __u64 start_ns)
{
	char key[48];
	int n = snprintf(key, sizeof(key), "%u@%llu", pid,
			 (unsigned long long)start_ns);

	strset_add(&s->processes, key, n);
}

static void count(struct summary *s, const struct probe_hdr *h, __u32 root)
{
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
	case PROBE_REC_LOST:
		s->lost += ((const struct probe_lost *)h)->count;
		break;
	}
}

static const char *const type_names[] = {
	[PROBE_REC_EXEC] = "exec",   [PROBE_REC_CLONE] = "clone",
	[PROBE_REC_EXIT] = "exit",   [PROBE_REC_OPEN] = "open",
	[PROBE_REC_CLOSE] = "close", [PROBE_REC_USE] = "first use",
	[PROBE_REC_FDOP] = "fd op", [PROBE_REC_SYSCALL] = "other syscall",
	[PROBE_REC_SNAPSHOT] = "snapshot", [PROBE_REC_SIGNAL] = "signal",
	[PROBE_REC_FUTEX] = "futex",
	[PROBE_REC_LOST] = "lost",
};

static void print_time(const char *label, __u64 realtime_ns)
{
	time_t t = realtime_ns / 1000000000ULL;
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("%-11s%s\n", label, buf);
}

static void print_files(const char *label, const struct strset *set)
{
	const char **paths = strset_sorted(set);

	printf("\n%s:\n", label);
	for (const char **p = paths; *p; p++)
		printf("  %s\n", *p);
	free(paths);
}

static void print_losses(const struct log_reader *log, __u64 lost)
{
	const struct probe_trailer *t = log_trailer(log);
	__u64 drops = 0, faults = 0;

	if (!t) {
		printf("%-11s%" PRIu64 " records in sequence gaps (counters "
		       "unknown: no trailer)\n",
		       "lost", (uint64_t)lost);
		return;
	}
	for (__u32 i = 0; i < t->ncpus; i++) {
		drops += t->cpu[i].drops;
		faults += t->cpu[i].read_faults;
	}
	if (!t->lost && !drops && !t->misses)
		printf("%-11snone\n", "lost");
	else
		printf("%-11s%" PRIu64 " records (%" PRIu64
		       " with the ring full, %" PRIu64
		       " runs skipped by the kernel)\n",
		       "lost", (uint64_t)(t->lost + t->misses),
		       (uint64_t)drops, (uint64_t)t->misses);
	if (faults || t->late)
		printf("%-11s%" PRIu64 " failed reads of user memory, %" PRIu64
		       " records out of order\n",
		       "degraded", (uint64_t)faults, (uint64_t)t->late);
}

static void print_summary(const char *path, const struct log_reader *log,
			  struct summary *s, bool files)
{
	const struct probe_log_header *h = log_header(log);
	const struct probe_trailer *t = log_trailer(log);
	__u64 end = t ? t->end_boottime_ns : s->last_ts;
	bool first = true;

	printf("%-11s%s (%s)\n", "log", path,
	       t ? "complete" :
		   "INCOMPLETE: its recorder stopped before the end");
	printf("%-11s%s\n", h->scope == PROBE_SCOPE_CGROUP ? "cgroup" :
							      "command",
	       log_target(log));
	printf("%-11s%s, Linux %s, boot %s\n", "host", h->hostname, h->release,
	       h->boot_id);
	print_time("started", h->start_realtime_ns);
	printf("%-11s%.3f s\n", "duration",
	       end > h->start_boottime_ns ?
		       (end - h->start_boottime_ns) / 1e9 :
		       0.0);
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
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]);
	     i++) {
		if (!type_names[i] || i == PROBE_REC_LOST)
			continue;
		printf("%s%s %" PRIu64, first ? "" : ", ", type_names[i],
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
	{
		const struct model_stats *ms = model_stats(s->model);

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
	}
	print_losses(log, s->lost);
	if (!t && log_torn_bytes(log))
		printf("%-11s%" PRIu64 " bytes of a last record cut short\n",
		       "torn", (uint64_t)log_torn_bytes(log));
	if (files) {
		print_files("opened for reading", &s->read);
		print_files("opened for writing", &s->written);
		print_files("read", &s->data_read);
		print_files("written", &s->data_written);
	}
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "files", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct probe_hdr *rec;
	struct log_reader *log;
	struct summary s;
	enum log_next n;
	bool files = false;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			files = true;
			break;
		case 'h':
			fputs("usage: probe-bpf info [--files] LOG\n"
			      "\n"
			      "Summarise a log: what was recorded, for how "
			      "long, processes,\n"
			      "operations by type, files read and written, and "
			      "any records lost.\n"
			      "\n"
			      "options:\n"
			      "  -f, --files  also list the files opened for "
			      "reading and for writing\n"
			      "  -h, --help   show this help\n",
			      stdout);
			cli_print_footer(stdout);
			return 0;
		default:
			die(EXIT_USAGE, "see 'probe-bpf info --help'");
		}
	}
	if (argc - optind != 1)
		die(EXIT_USAGE, "info needs one LOG (see 'probe-bpf info "
				"--help')");
	log = log_open(argv[optind], err, sizeof(err));
	if (!log)
		die(EXIT_USAGE, "%s", err);
	memset(&s, 0, sizeof(s));
	s.model = model_new();
	while ((n = log_next(log, &rec)) == LOG_RECORD)
		count(&s, rec, log_header(log)->root_pid);
	if (n == LOG_ERROR)
		die(EXIT_USAGE, "%s: %s", argv[optind], log_error(log));
	print_summary(argv[optind], log, &s, files);
	strset_free(&s.processes);
	strset_free(&s.read);
	strset_free(&s.written);
	strset_free(&s.data_read);
	strset_free(&s.data_written);
	model_free(s.model);
	log_close(log);
	return 0;
}
