/*
 * probe-bpf record: run a command (or watch a cgroup) with the BPF side
 * attached, drain the rings on a timer, merge and append to the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hash.h"
#include "loader.h"
#include "log.h"
#include "merge.h"
#include "snapshot.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define DRAIN_MS 10
/* Records written while a drain starts may not be in a ring yet. */
#define WATERMARK_SLACK_NS (5 * 1000000ULL)
#define DEFAULT_OUTPUT "record.probe"
#define DEFAULT_BUFFER_SIZE (8ULL << 20)

static const char usage[] =
	"usage: probe-bpf record [options] [--] COMMAND [ARG...]\n"
	"       probe-bpf record [options] --cgroup DIR\n"
	"\n"
	"Record the file and process operations of COMMAND and all its\n"
	"descendants, or of every process in the cgroup v2 directory DIR and\n"
	"below it (until Ctrl-C, or until the cgroup empties).  Needs root.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE       the log to write (default " DEFAULT_OUTPUT
	")\n"
	"      --overwrite         replace FILE if it exists\n"
	"  -c, --cgroup DIR        record a cgroup instead of a command\n"
	"  -u, --user USER         run COMMAND as USER (default: the user who\n"
	"                          ran sudo, from SUDO_UID/SUDO_GID)\n"
	"      --env               also record each exec's environment (it may\n"
	"                          hold secrets)\n"
	"  -b, --buffer-size SIZE  ring buffer per CPU, a power of two such as\n"
	"                          4M (default 8M)\n"
	"      --no-hash           do not hash the inputs and outputs at the end\n"
	"      --hash-system       hash the inputs under /usr, /etc... too\n"
	"      --hash-max SIZE     hash no file larger than SIZE (default 1G)\n"
	"  -q, --quiet             print nothing but errors\n"
	"  -v, --verbose           print libbpf's and the verifier's messages\n"
	"  -h, --help              show this help\n"
	"\n"
	"When recording ends, the recorder hashes (SHA-256) the files the\n"
	"recording wrote and left (its outputs) and those it read and never\n"
	"wrote (its inputs; system files only with --hash-system), each only\n"
	"if unchanged since the recording saw it, for 'probe-bpf info' and\n"
	"'probe-bpf diff'.  A Ctrl-C while it hashes stops the hashing.\n"
	"\n"
	"Exits with COMMAND's exit status (128+N if signal N killed it), or 2\n"
	"if recording could not start.\n";

struct record_opts {
	const char *output;
	bool overwrite;
	const char *cgroup;
	const char *user;
	bool env;
	uint64_t buffer_size;
	bool quiet;
	bool verbose;
	bool no_hash;
	struct hash_opts hash;
	char **cmd;
};

/* Whom the command runs as. */
struct run_as {
	bool change;
	uid_t uid;
	gid_t gid;
	char *name; /* for initgroups; NULL: no supplementary groups */
};

struct recording {
	struct record_opts *o;
	struct loader *loader;
	struct merge *merge;
	struct log_writer *log;
	int sfd; /* signalfd */
	pid_t child;
	int child_status;
	bool child_done;
	bool stop;
	int interrupts;
	bool hashing_interrupted;
	bool hashing_ran;
	struct hash_stats hashed;
	__u64 hash_ns; /* the time hashing took */
	char cgroup_events[PATH_MAX];
	bool cgroup_was_populated;
	__u64 start_boot_ns;
};

static void parse_args(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "overwrite", no_argument, NULL, 'O' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "env", no_argument, NULL, 'E' },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "no-hash", no_argument, NULL, 'N' },
		{ "hash-system", no_argument, NULL, 'S' },
		{ "hash-max", required_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long page = sysconf(_SC_PAGESIZE);
	int c;

	memset(o, 0, sizeof(*o));
	o->output = DEFAULT_OUTPUT;
	o->buffer_size = DEFAULT_BUFFER_SIZE;
	o->hash.max_size = HASH_MAX_SIZE_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:c:u:b:qvh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'O':
			o->overwrite = true;
			break;
		case 'c':
			o->cgroup = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'E':
			o->env = true;
			break;
		case 'b':
			if (!parse_size(optarg, &o->buffer_size) ||
			    o->buffer_size < (__u64)page ||
			    o->buffer_size > (1ULL << 31) ||
			    (o->buffer_size & (o->buffer_size - 1)))
				die(EXIT_USAGE,
				    "--buffer-size %s: want a power of two "
				    "from %ldK to 2G, such as 8M",
				    optarg, page / 1024);
			break;
		case 'N':
			o->no_hash = true;
			break;
		case 'S':
			o->hash.system = true;
			break;
		case 'M':
			if (!parse_size(optarg, &o->hash.max_size))
				die(EXIT_USAGE,
				    "--hash-max %s: want a size such as 1G, "
				    "64M or 0",
				    optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			cli_print_footer(stdout);
			exit(0);
		default:
			die(EXIT_USAGE, "see 'probe-bpf record --help'");
		}
	}
	if (optind < argc)
		o->cmd = &argv[optind];
	if (!o->cmd && !o->cgroup)
		die(EXIT_USAGE, "record what? give a COMMAND or --cgroup DIR "
				"(see 'probe-bpf record --help')");
	if (o->cmd && o->cgroup)
		die(EXIT_USAGE, "give a COMMAND or --cgroup DIR, not both");
	if (o->cgroup && o->user)
		die(EXIT_USAGE, "--user goes with a COMMAND, not --cgroup");
}

static void resolve_user(const struct record_opts *o, struct run_as *as)
{
	const char *sudo_uid = getenv("SUDO_UID");
	const char *sudo_gid = getenv("SUDO_GID");
	struct passwd *pw;

	memset(as, 0, sizeof(*as));
	if (o->user) {
		char *end;
		unsigned long uid = strtoul(o->user, &end, 10);

		pw = *end || end == o->user ? getpwnam(o->user) :
					      getpwuid((uid_t)uid);
		if (!pw)
			die(EXIT_USAGE, "--user %s: no such user", o->user);
		as->change = true;
		as->uid = pw->pw_uid;
		as->gid = pw->pw_gid;
		as->name = xstrdup(pw->pw_name);
		return;
	}
	if (!sudo_uid || !sudo_gid)
		return;
	as->change = true;
	as->uid = strtoul(sudo_uid, NULL, 10);
	as->gid = strtoul(sudo_gid, NULL, 10);
	pw = getpwuid(as->uid);
	if (pw)
		as->name = xstrdup(pw->pw_name);
}

/* ---- the command's side of the fork ---- */

static void __attribute__((noreturn))
child_run(const char *path, char **cmd, const struct run_as *as, int go,
	  const sigset_t *mask)
{
	char c;

	sigprocmask(SIG_SETMASK, mask, NULL);
	/* Wait until the parent has attached and marked us traced. */
	if (read(go, &c, 1) != 1)
		_exit(127);
	if (as->change) {
		if ((as->name ? initgroups(as->name, as->gid) :
				setgroups(0, NULL)) ||
		    setgid(as->gid) || setuid(as->uid)) {
			fprintf(stderr, "probe-bpf: cannot become uid %u: %s\n",
				as->uid, strerror(errno));
			_exit(126);
		}
	}
	execv(path, cmd);
	if (errno == ENOEXEC) /* no #! line: a shell script, as execvp has it */
		execvp(cmd[0], cmd);
	fprintf(stderr, "probe-bpf: cannot run %s: %s\n", cmd[0],
		strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/*
 * The file COMMAND names, found on PATH as execvp(3) would (or on its
 * default path when PATH is unset).  Done before recording starts, so the
 * log opens with the command's exec, not with the misses of a PATH search.
 */
static char *find_command(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(name, '/'))
		return xstrdup(name);
	if (!path)
		path = "/bin:/usr/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		struct stat st;
		int n = end == p ? snprintf(buf, sizeof(buf), "%s", name) :
				   snprintf(buf, sizeof(buf), "%.*s/%s",
					    (int)(end - p), p, name);

		if (n > 0 && (size_t)n < sizeof(buf) && !stat(buf, &st) &&
		    S_ISREG(st.st_mode) && !access(buf, X_OK))
			return xstrdup(buf);
		if (!*end)
			break;
		p = end;
	}
	die(127, "%s: command not found", name);
}

static pid_t spawn_waiting(const char *path, char **cmd,
			   const struct run_as *as, int *go,
			   const sigset_t *mask)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die(EXIT_USAGE, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die(EXIT_USAGE, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[1]);
		child_run(path, cmd, as, p[0], mask);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

/* ---- cgroups ---- */

static __u64 cgroup_id_of(const char *dir)
{
	union {
		struct file_handle fh;
		char space[sizeof(struct file_handle) + sizeof(__u64)];
	} h;
	__u64 id;
	struct statfs sfs;
	struct stat st;
	int mount_id;

	if (stat(dir, &st))
		die(EXIT_USAGE, "--cgroup %s: %s", dir, strerror(errno));
	if (statfs(dir, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC ||
	    !S_ISDIR(st.st_mode))
		die(EXIT_USAGE,
		    "--cgroup %s is not a cgroup v2 directory (see "
		    "'findmnt -t cgroup2' for where cgroup v2 is mounted)",
		    dir);
	/* A cgroup's id is its kernfs node id: the 8-byte file handle. */
	h.fh.handle_bytes = sizeof(id);
	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mount_id, 0))
		die(EXIT_USAGE, "--cgroup %s: cannot get its id: %s", dir,
		    strerror(errno));
	memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

/* Read "populated N" from DIR/cgroup.events; -1 if unreadable. */
static int cgroup_populated(const char *events)
{
	char buf[256], *p;
	int fd = open(events, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "populated ");
	return p ? atoi(p + 10) : -1;
}

/* The processes a cgroup walk found, for nftw's callback. */
static struct {
	__u32 *pid;
	size_t n, cap;
	bool collector; /* the collector itself is in the cgroup */
} members;

static int list_procs_in(const char *path, const struct stat *st, int type,
			 struct FTW *ftw)
{
	char procs[PATH_MAX];
	FILE *f;
	unsigned pid;

	(void)st;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	f = fopen(procs, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%u", &pid) == 1) {
		if (pid == (unsigned)getpid()) {
			members.collector = true;
			continue;
		}
		if (members.n == members.cap) {
			members.cap = members.cap ? members.cap * 2 : 64;
			members.pid = xrealloc(members.pid,
					       members.cap * sizeof(__u32));
		}
		members.pid[members.n++] = pid;
	}
	fclose(f);
	return 0;
}

/*
 * Processes already in the cgroup when recording starts: traced from now
 * on, and their open fds, exe and cwd written to the log first, so that
 * what they do next resolves.  The programs are attached first, so a
 * process forked meanwhile is caught at fork.
 */
static void trace_cgroup_members(struct recording *r, const char *dir)
{
	members.n = 0;
	nftw(dir, list_procs_in, 16, FTW_PHYS);
	if (members.collector)
		errorf("warning: probe-bpf itself is in %s: it is not recorded, "
		       "but the cgroup cannot empty while it runs; stop it "
		       "with Ctrl-C",
		       dir);
	for (size_t i = 0; i < members.n; i++) {
		loader_trace(r->loader, members.pid[i], false);
		snapshot_process(r->log, members.pid[i], r->start_boot_ns);
	}
	free(members.pid);
	members.pid = NULL;
	members.cap = 0;
}

/* ---- the log ---- */

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = 0;
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

static struct log_writer *open_log(const struct record_opts *o,
				   pid_t root_pid, unsigned ncpus)
{
	struct probe_log_header h;
	struct utsname u;
	char *target;
	size_t len = 0;
	struct log_writer *w;
	char cg[PATH_MAX];

	memset(&h, 0, sizeof(h));
	h.scope = o->cgroup ? PROBE_SCOPE_CGROUP : PROBE_SCOPE_COMMAND;
	h.start_realtime_ns = clock_ns(CLOCK_REALTIME);
	h.start_boottime_ns = clock_ns(CLOCK_BOOTTIME);
	h.ncpus = ncpus;
	h.collector_pid = getpid();
	h.root_pid = root_pid;
	uname(&u);
	snprintf(h.release, sizeof(h.release), "%s", u.release);
	snprintf(h.hostname, sizeof(h.hostname), "%s", u.nodename);
	read_line("/proc/sys/kernel/random/boot_id", h.boot_id,
		  sizeof(h.boot_id));

	if (o->cgroup) {
		if (!realpath(o->cgroup, cg))
			snprintf(cg, sizeof(cg), "%s", o->cgroup);
		target = xstrdup(cg);
		len = strlen(cg) + 1;
	} else {
		for (char **a = o->cmd; *a; a++)
			len += strlen(*a) + 1;
		if (len > 2 * PROBE_ARGV_MAX)
			len = 2 * PROBE_ARGV_MAX;
		target = xmalloc(len);
		size_t off = 0;
		for (char **a = o->cmd; *a && off < len; a++) {
			size_t n = strlen(*a) + 1;

			if (off + n > len)
				n = len - off;
			memcpy(target + off, *a, n);
			off += n;
		}
		target[len - 1] = 0;
	}
	w = log_create(o->output, o->overwrite, &h, target, len);
	free(target);
	return w;
}

static int write_record(void *ctx, const struct probe_hdr *rec)
{
	struct recording *r = ctx;

	if (log_append(r->log, rec))
		die(1, "cannot write %s: %s", r->o->output, strerror(errno));
	return 0;
}

static void drain(struct recording *r, __u64 watermark)
{
	if (loader_drain(r->loader, r->merge))
		errorf("a ring buffer held a corrupt record: skipped to its end");
	merge_flush(r->merge, watermark);
	if (log_flush(r->log))
		die(1, "cannot write %s: %s", r->o->output, strerror(errno));
}

/* Between two files hashed at the end: a Ctrl-C, SIGTERM or SIGHUP
 * ends the hashing, and the log gets its trailer. */
static bool hashing_interrupted(void *ctx)
{
	struct recording *r = ctx;
	struct signalfd_siginfo si;

	while (read(r->sfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			r->hashing_interrupted = true;
	return r->hashing_interrupted;
}

/*
 * The files the log names, as they are at its end (user/hash.h): read
 * back through the writer's own fd, so from the file it writes whatever
 * became of its path, and only if it is a regular file (a log written to
 * a pipe cannot be read back).
 */
static void hash_at_end(struct recording *r, __u64 end_boot)
{
	int fd = fileno(r->log->f);
	struct stat sb;
	char self[64];
	__u64 start = clock_ns(CLOCK_BOOTTIME);

	if (log_flush(r->log))
		die(1, "cannot write %s: %s", r->o->output, strerror(errno));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		errorf("warning: %s is not a regular file: its files are not "
		       "hashed",
		       r->o->output);
		return;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	r->o->hash.interrupted = hashing_interrupted;
	r->o->hash.ctx = r;
	if (hash_files(self, r->log, end_boot, &r->o->hash, &r->hashed))
		return;
	r->hashing_ran = true;
	r->hash_ns = clock_ns(CLOCK_BOOTTIME) - start;
	if (r->hashed.interrupted)
		errorf("warning: hashing interrupted: %zu files hashed",
		       r->hashed.hashed);
}

/* Detach, take the last records, account for every one, hash the files
 * the log names, close the log. */
static int finish(struct recording *r)
{
	unsigned ncpus = loader_ncpus(r->loader);
	size_t tsize = sizeof(struct probe_trailer) +
		       ncpus * sizeof(struct probe_cpu_count);
	struct probe_trailer *t = xmalloc(tsize);
	const struct merge_stats *ms;
	__u64 end_boot;

	loader_detach(r->loader);
	drain(r, UINT64_MAX);
	memset(t, 0, tsize);
	loader_counts(r->loader, t->cpu);
	drain(r, UINT64_MAX); /* anything a CPU wrote while we counted */
	end_boot = clock_ns(CLOCK_BOOTTIME);
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		merge_close_cpu(r->merge, cpu, t->cpu[cpu].records, end_boot);
	merge_flush(r->merge, UINT64_MAX);
	if (!r->o->no_hash)
		hash_at_end(r, end_boot);

	ms = merge_stats(r->merge);
	t->hdr.size = tsize;
	t->hdr.type = PROBE_REC_TRAILER;
	t->hdr.ts_ns = end_boot;
	t->hdr.pid = getpid();
	t->hdr.tid = getpid();
	t->end_realtime_ns = clock_ns(CLOCK_REALTIME);
	t->end_boottime_ns = end_boot;
	t->lost = ms->lost;
	t->late = ms->late;
	t->misses = loader_misses(r->loader);
	t->ncpus = ncpus;
	if (log_finish(r->log, t))
		exit(1);
	if (!r->o->quiet) {
		__u64 drops = 0, nested = 0;

		for (unsigned cpu = 0; cpu < ncpus; cpu++) {
			drops += t->cpu[cpu].drops;
			nested += t->cpu[cpu].nested;
		}
		fprintf(stderr,
			"probe-bpf: %llu records in %.2f s to %s",
			(unsigned long long)ms->released,
			(end_boot - r->start_boot_ns) / 1e9, r->o->output);
		if (ms->lost || drops || t->misses)
			fprintf(stderr,
				" (LOST %llu records: %llu ring full, %llu "
				"skipped by the kernel, %llu inside another "
				"program%s)",
				(unsigned long long)(ms->lost + t->misses),
				(unsigned long long)drops,
				(unsigned long long)t->misses,
				(unsigned long long)nested,
				drops ? "; try a larger --buffer-size" : "");
		if (r->hashing_ran)
			fprintf(stderr,
				"; %zu files hashed (%.1f MB) in %.3f s",
				r->hashed.hashed, r->hashed.bytes / 1e6,
				r->hash_ns / 1e9);
		fputc('\n', stderr);
	}
	free(t);
	return 0;
}

static void on_signal(struct recording *r, int sig)
{
	if (sig == SIGCHLD) {
		int status;

		while (!r->child_done && r->child > 0 &&
		       waitpid(r->child, &status, WNOHANG) == r->child) {
			r->child_done = true;
			r->child_status = status;
		}
		return;
	}
	/* SIGINT, SIGTERM, SIGHUP */
	if (r->o->cgroup || r->child_done || ++r->interrupts > 1) {
		r->stop = true;
		return;
	}
	/* A Ctrl-C at a terminal reaches the command too; a signal sent to
	 * the collector alone is passed on.  A second one stops recording. */
	kill(r->child, sig);
}

static void read_signals(struct recording *r)
{
	struct signalfd_siginfo si;

	while (read(r->sfd, &si, sizeof(si)) == sizeof(si))
		on_signal(r, si.ssi_signo);
}

static bool should_stop(struct recording *r)
{
	if (r->stop)
		return true;
	if (r->o->cgroup) {
		int populated = cgroup_populated(r->cgroup_events);

		if (populated > 0)
			r->cgroup_was_populated = true;
		return populated < 0 || (populated == 0 && r->cgroup_was_populated);
	}
	return r->child_done && loader_live(r->loader) <= 0;
}

static void run_loop(struct recording *r)
{
	bool told = false;
	__u64 done_at = 0;

	for (;;) {
		struct pollfd p = { .fd = r->sfd, .events = POLLIN };
		__u64 now;

		if (poll(&p, 1, DRAIN_MS) > 0)
			read_signals(r);
		now = clock_ns(CLOCK_BOOTTIME);
		drain(r, now - WATERMARK_SLACK_NS);
		if (should_stop(r))
			break;
		if (r->child_done && !done_at)
			done_at = now;
		if (done_at && !told && now - done_at > 1000000000ULL &&
		    !r->o->quiet) {
			errorf("%s exited; still recording %lld processes it "
			       "left running (Ctrl-C to stop)",
			       r->o->cmd[0], (long long)loader_live(r->loader));
			told = true;
		}
	}
}

/*
 * The collector wakes every DRAIN_MS: as SCHED_BATCH it never preempts
 * the recorded work on wakeup (waking a task onto a busy CPU of these VMs
 * cost the syscall-loop benchmark up to 40% when it did), yet keeps its
 * full share of the CPU, so it drains as fast as the work writes.  Set
 * after the command is forked: the command keeps the policy it had.
 */
static void yield_to_workload(void)
{
	struct sched_param p = { .sched_priority = 0 };

	if (sched_setscheduler(0, SCHED_BATCH, &p))
		errorf("warning: cannot become SCHED_BATCH: %s",
		       strerror(errno));
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o;
	struct recording r;
	struct loader_opts lo;
	struct run_as as;
	sigset_t mask, old;
	char *cmd_path = NULL;
	int go = -1;

	parse_args(argc, argv, &o);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	memset(&lo, 0, sizeof(lo));
	lo.scope = o.cgroup ? PROBE_SCOPE_CGROUP : PROBE_SCOPE_COMMAND;
	lo.collector_tgid = getpid();
	lo.capture_env = o.env;
	lo.buffer_size = o.buffer_size;
	lo.verbose = o.verbose;
	if (o.cgroup) {
		lo.cgroup_id = cgroup_id_of(o.cgroup);
		snprintf(r.cgroup_events, sizeof(r.cgroup_events),
			 "%s/cgroup.events", o.cgroup);
	}
	if (!o.overwrite && access(o.output, F_OK) == 0)
		die(EXIT_USAGE,
		    "%s already exists: choose another -o or pass --overwrite",
		    o.output);
	resolve_user(&o, &as);
	if (o.cmd)
		cmd_path = find_command(o.cmd[0]);

	r.loader = loader_open(&lo);

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	r.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r.sfd < 0)
		die(EXIT_USAGE, "signalfd: %s", strerror(errno));

	if (o.cmd)
		r.child = spawn_waiting(cmd_path, o.cmd, &as, &go, &old);
	r.log = open_log(&o, r.child, loader_ncpus(r.loader));
	if (!r.log) {
		if (r.child > 0) {
			kill(r.child, SIGKILL);
			waitpid(r.child, NULL, 0);
		}
		exit(EXIT_USAGE);
	}
	if (as.change && getenv("SUDO_UID") && !o.user)
		if (fchown(fileno(r.log->f), as.uid, as.gid))
			errorf("cannot give %s to uid %u: %s", o.output, as.uid,
			       strerror(errno));
	r.merge = merge_new(loader_ncpus(r.loader), write_record, &r);
	yield_to_workload();

	loader_attach(r.loader);
	r.start_boot_ns = clock_ns(CLOCK_BOOTTIME);
	if (o.cmd) {
		loader_trace(r.loader, r.child, true);
		if (write(go, "g", 1) != 1)
			die(EXIT_USAGE, "cannot start %s: %s", o.cmd[0],
			    strerror(errno));
		close(go);
	} else {
		trace_cgroup_members(&r, o.cgroup);
		if (!o.quiet)
			errorf("recording %s to %s until it empties%s; Ctrl-C "
			       "to stop",
			       o.cgroup, o.output,
			       cgroup_populated(r.cgroup_events) == 0 ?
				       " (it is empty now: waiting for "
				       "processes)" :
				       "");
	}

	run_loop(&r);
	finish(&r);
	merge_free(r.merge);
	loader_close(r.loader);
	free(as.name);
	free(cmd_path);
	if (o.cmd)
		return r.child_done ? exit_status(r.child_status) : 130;
	return 0;
}
