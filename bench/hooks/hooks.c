/*
 * hooks VARIANT [PID]: load and attach one way of hooking syscalls from
 * hooks.bpf.c, mark PID traced in its bitmap, print "ready" and hold the
 * programs attached until stdin closes (or SIGINT/SIGTERM).  Then detach
 * and print how many open/close/exec exits the traced task was counted
 * for, which tells a caller that the filter really let PID through.
 *
 * `hooks --list` prints the variants' names.
 *
 * Before "ready" it prints one "prog ID NAME" line per program, so that a
 * caller can read the programs' run counts with `bpftool prog show id`,
 * and "links N", the attachments made.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe_abi.h"
#include "hooks.h"
#include "hooks.skel.h"

#define EXIT_USAGE     2
#define SYSCALL_EVENTS "/sys/kernel/tracing/events/syscalls"
#define MAX_LINKS      128
#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))

/* What probe-bpf records today. */
static const char *const recorded_syscalls[] = {
	"open", "openat", "openat2", "creat", "close", "execve", "execveat",
	NULL,
};

/*
 * The file syscalls the next issue adds.  The names are the tracepoints'
 * (the kernel entry points'), not libc's: on x86_64 stat, lstat and fstat
 * enter as sys_newstat & co. and sendfile as sys_sendfile64.
 */
static const char *const file_syscalls[] = {
	"read", "write", "pread64", "pwrite64", "readv", "writev",
	"newfstatat", "statx", "newfstat", "newlstat", "newstat",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat",
	"getdents64", "mmap", "dup", "dup2", "dup3", "fcntl", "close_range",
	"rename", "renameat", "renameat2", "unlink", "unlinkat",
	"mkdir", "mkdirat", "rmdir", "link", "linkat", "symlink", "symlinkat",
	"chdir", "fchdir", "truncate", "ftruncate",
	"chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat",
	"utimensat", "pipe", "pipe2", "socket", "accept4", "sendfile64",
	"splice", "copy_file_range",
	NULL,
};

/* For the control that only puts syscalls on the slow path: the loop
 * never calls sync(2). */
static const char *const unused_syscalls[] = { "sync", NULL };

struct variant {
	const char *name;
	const char *progs[2]; /* the programs it loads */
	/* NULL: attach the programs at their SEC() hooks; else attach
	 * the one program to syscalls:sys_exit_<name> for these names */
	const char *const *syscall_sets[2];
};

static const struct variant variants[] = {
	{ "tp_btf", { "tp_btf_exit" }, { NULL } },
	{ "raw_tp", { "raw_tp_exit" }, { NULL } },
	{ "raw_tp_pair", { "pair_enter", "pair_exit" }, { NULL } },
	{ "tp_recorded", { "tp_syscall_exit" }, { recorded_syscalls } },
	{ "tp_file", { "tp_syscall_exit" },
	  { recorded_syscalls, file_syscalls } },
	{ "tp_btf_nop", { "tp_btf_nop" }, { NULL } },
	{ "tp_unused", { "tp_syscall_exit" }, { unused_syscalls } },
};

static struct bpf_link *links[MAX_LINKS];
static int nr_links;
static volatile sig_atomic_t stopping;

static void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("hooks: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void usage(void)
{
	fputs("usage: hooks VARIANT [PID] | hooks --list\nvariants:", stderr);
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++)
		fprintf(stderr, " %s", variants[i].name);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static const struct variant *find_variant(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++)
		if (!strcmp(variants[i].name, name))
			return &variants[i];
	return NULL;
}

static bool variant_has_prog(const struct variant *v, const char *prog)
{
	for (size_t i = 0; i < ARRAY_SIZE(v->progs) && v->progs[i]; i++)
		if (!strcmp(v->progs[i], prog))
			return true;
	return false;
}

/* Load only the variant's programs: bpftool then shows just what is
 * measured, and the others cost no verifier time. */
static void select_progs(struct hooks_bpf *skel, const struct variant *v)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(
			prog, variant_has_prog(v, bpf_program__name(prog)));
}

static void add_link(struct bpf_link *link, const char *what)
{
	if (!link)
		die(EXIT_USAGE, "cannot attach %s: %s", what, strerror(errno));
	if (nr_links == MAX_LINKS)
		die(EXIT_USAGE, "more than %d links: raise MAX_LINKS",
		    MAX_LINKS);
	links[nr_links++] = link;
}

static bool syscall_event_exists(const char *event)
{
	char path[256];

	snprintf(path, sizeof(path), SYSCALL_EVENTS "/%s", event);
	return access(path, F_OK) == 0;
}

/* perf-event tracepoints are found by their tracefs id: libbpf needs
 * tracefs mounted, which this kernel does not do by itself. */
static void attach_syscall_events(struct bpf_program *prog,
				  const char *const *names)
{
	if (access(SYSCALL_EVENTS, F_OK))
		die(EXIT_USAGE,
		    "no %s: mount tracefs (mount -t tracefs nodev "
		    "/sys/kernel/tracing) on a kernel with syscall events",
		    SYSCALL_EVENTS);
	for (; *names; names++) {
		char event[64];

		snprintf(event, sizeof(event), "sys_exit_%s", *names);
		if (!syscall_event_exists(event)) {
			fprintf(stderr,
				"hooks: note: no syscalls:%s on this kernel, "
				"skipped\n",
				event);
			continue;
		}
		add_link(bpf_program__attach_tracepoint(prog, "syscalls",
							event),
			 event);
	}
}

static void attach_variant(struct hooks_bpf *skel, const struct variant *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(v->progs) && v->progs[i]; i++) {
		struct bpf_program *prog =
			bpf_object__find_program_by_name(skel->obj, v->progs[i]);

		if (!v->syscall_sets[0]) {
			add_link(bpf_program__attach(prog), v->progs[i]);
			continue;
		}
		for (size_t s = 0;
		     s < ARRAY_SIZE(v->syscall_sets) && v->syscall_sets[s]; s++)
			attach_syscall_events(prog, v->syscall_sets[s]);
	}
}

static void print_progs(struct hooks_bpf *skel)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(prog))
			continue;
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			die(EXIT_USAGE, "cannot read %s's id: %s",
			    bpf_program__name(prog), strerror(errno));
		printf("prog %u %s\n", info.id, bpf_program__name(prog));
	}
	printf("links %d\n", nr_links);
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* No SA_RESTART: the signal must break the read() that waits for EOF. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void wait_for_eof(void)
{
	char buf[64];

	while (!stopping) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno != EINTR))
			return;
	}
}

static void detach_all(void)
{
	while (nr_links > 0)
		bpf_link__destroy(links[--nr_links]);
}

/* The per-CPU counters summed over all possible CPUs. */
static void print_counters(struct hooks_bpf *skel)
{
	static const char *const names[NR_HOOK_COUNTERS] = { "open", "close",
							     "exec" };
	int ncpus = libbpf_num_possible_cpus();

	printf("counted");
	for (__u32 key = 0; key < NR_HOOK_COUNTERS; key++) {
		__u64 vals[ncpus > 0 ? ncpus : 1], sum = 0;

		if (ncpus <= 0 ||
		    bpf_map__lookup_elem(skel->maps.counters, &key, sizeof(key),
					 vals, sizeof(vals), 0))
			die(EXIT_USAGE, "cannot read the counters");
		for (int c = 0; c < ncpus; c++)
			sum += vals[c];
		printf(" %s=%llu", names[key], (unsigned long long)sum);
	}
	putchar('\n');
}

static void mark_traced(struct hooks_bpf *skel, const char *arg)
{
	char *end;
	long pid = strtol(arg, &end, 10);

	if (*end || pid <= 0 || pid >= PROBE_PID_LIMIT)
		die(EXIT_USAGE, "not a pid: %s", arg);
	skel->bss->traced_bits[pid / 64] |= 1ULL << (pid % 64);
}

int main(int argc, char **argv)
{
	const struct variant *v;
	struct hooks_bpf *skel;

	if (argc < 2 || argc > 3)
		usage();
	if (!strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < ARRAY_SIZE(variants); i++)
			puts(variants[i].name);
		return 0;
	}
	v = find_variant(argv[1]);
	if (!v)
		usage();
	catch_signals();
	skel = hooks_bpf__open();
	if (!skel)
		die(EXIT_USAGE, "cannot open the BPF object: %s",
		    strerror(errno));
	select_progs(skel, v);
	if (hooks_bpf__load(skel))
		die(EXIT_USAGE, "cannot load the %s programs (as root?): %s",
		    v->name, strerror(errno));
	/* Before attaching, so that the very first event sees the bit. */
	if (argc == 3)
		mark_traced(skel, argv[2]);
	attach_variant(skel, v);
	print_progs(skel);
	printf("ready\n");
	fflush(stdout);
	wait_for_eof();
	detach_all();
	print_counters(skel);
	hooks_bpf__destroy(skel);
	return 0;
}
