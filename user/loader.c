#include "loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.skel.h"
#include "util.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"

struct loader {
	struct probe *skel;
	unsigned ncpus;
	int *ring_fds;
	struct ring_buffer *rb;
	struct merge *merge; /* where the ring callback puts records */
};

/* libbpf's messages: kept to explain a failure, printed with --verbose. */
static struct {
	bool verbose;
	char *text;
	size_t len, cap;
} libbpf_log;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *line;
	int n;

	if (level == LIBBPF_DEBUG && !libbpf_log.verbose)
		return 0;
	n = vasprintf(&line, fmt, ap);
	if (n < 0)
		return 0;
	if (libbpf_log.verbose)
		fputs(line, stderr);
	if (libbpf_log.len + n + 1 > libbpf_log.cap) {
		libbpf_log.cap = (libbpf_log.len + n + 1) * 2;
		libbpf_log.text = xrealloc(libbpf_log.text, libbpf_log.cap);
	}
	memcpy(libbpf_log.text + libbpf_log.len, line, n + 1);
	libbpf_log.len += n;
	free(line);
	return n;
}

/* The program libbpf names in "prog 'NAME': ... failed", if any. */
static bool failed_program(char *name, size_t len)
{
	const char *p = libbpf_log.text;

	while (p && (p = strstr(p, "prog '"))) {
		const char *start = p + 6, *end = strchr(start, '\'');
		const char *eol = strchr(start, '\n');

		p = start;
		if (!end || (eol && eol < end) ||
		    !strstr(end, "failed") || (eol && strstr(end, "failed") > eol))
			continue;
		snprintf(name, len, "%.*s", (int)(end - start), start);
		return true;
	}
	return false;
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

/* Loading BPF needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN). */
static void check_privileges(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		die(EXIT_USAGE, "cannot read this process's capabilities: %s",
		    strerror(errno));
	if (has_cap(d, CAP_SYS_ADMIN) ||
	    (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON)))
		return;
	die(EXIT_USAGE, "recording needs root (or CAP_BPF and CAP_PERFMON): "
			"run it with sudo");
}

static void check_btf(void)
{
	if (access(BTF_PATH, R_OK))
		die(EXIT_USAGE,
		    "this kernel has no BTF (%s: %s): probe-bpf needs a kernel "
		    "built with CONFIG_DEBUG_INFO_BTF=y",
		    BTF_PATH, strerror(errno));
}

static void load_fail(const char *what, int err)
{
	char prog[128];

	if (failed_program(prog, sizeof(prog)))
		die(EXIT_USAGE,
		    "the kernel's verifier rejected BPF program '%s' (%s)%s",
		    prog, strerror(-err),
		    libbpf_log.verbose ? "" : "; --verbose shows its log");
	die(EXIT_USAGE, "cannot %s the BPF programs: %s%s", what,
	    strerror(-err),
	    libbpf_log.verbose ? "" : "; --verbose shows libbpf's log");
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct loader *l = ctx;

	merge_push(l->merge, data, size);
	return 0;
}

/* One ring per possible CPU.  The first also serves as the template of
 * the rings map's values, which must exist before the programs load. */
static void create_rings(struct loader *l, __u64 size)
{
	l->ring_fds = xmalloc(l->ncpus * sizeof(int));
	for (unsigned cpu = 0; cpu < l->ncpus; cpu++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "probe_ring", 0, 0,
					size, NULL);

		if (fd < 0)
			die(EXIT_USAGE,
			    "cannot create a %llu-byte ring buffer for CPU "
			    "%u: %s",
			    (unsigned long long)size, cpu, strerror(errno));
		l->ring_fds[cpu] = fd;
	}
}

/* Give each CPU's ring to the programs, and to one reader. */
static void install_rings(struct loader *l)
{
	int outer = bpf_map__fd(l->skel->maps.rings);

	for (unsigned cpu = 0; cpu < l->ncpus; cpu++) {
		int fd = l->ring_fds[cpu];

		if (bpf_map_update_elem(outer, &cpu, &fd, BPF_ANY))
			die(EXIT_USAGE, "cannot install the ring of CPU %u: %s",
			    cpu, strerror(errno));
		if (cpu == 0)
			l->rb = ring_buffer__new(fd, on_record, l, NULL);
		else if (l->rb && ring_buffer__add(l->rb, fd, on_record, l))
			die(EXIT_USAGE, "cannot read the ring of CPU %u", cpu);
		if (!l->rb)
			die(EXIT_USAGE, "cannot map the ring buffers: %s",
			    strerror(errno));
	}
}

struct loader *loader_open(const struct loader_opts *o)
{
	struct loader *l = xmalloc(sizeof(*l));
	struct probe *skel;
	int ncpus, err;

	check_privileges();
	check_btf();
	libbpf_log.verbose = o->verbose;
	libbpf_set_print(libbpf_print);

	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || ncpus > PROBE_MAX_CPUS)
		die(EXIT_USAGE, "unsupported number of possible CPUs: %d",
		    ncpus);
	memset(l, 0, sizeof(*l));
	l->ncpus = ncpus;

	skel = probe__open();
	if (!skel)
		load_fail("open", -errno);
	l->skel = skel;
	skel->rodata->scope = o->scope;
	skel->rodata->collector_tgid = o->collector_tgid;
	skel->rodata->cgroup_id = o->cgroup_id;
	skel->rodata->capture_env = o->capture_env;
	bpf_map__set_max_entries(skel->maps.rings, ncpus);
	create_rings(l, o->buffer_size);
	bpf_map__set_inner_map_fd(skel->maps.rings, l->ring_fds[0]);
	bpf_map__set_max_entries(skel->maps.scratch,
				 ncpus * skel->rodata->scratch_slots);
	if (o->scope != PROBE_SCOPE_CGROUP)
		bpf_program__set_autoload(skel->progs.cgroup_attach_task,
					  false);

	err = probe__load(skel);
	if (err)
		load_fail("load", err);
	install_rings(l);
	return l;
}

void loader_attach(struct loader *l)
{
	int err = probe__attach(l->skel);

	if (err)
		die(EXIT_USAGE, "cannot attach the BPF programs: %s%s",
		    strerror(-err),
		    libbpf_log.verbose ? "" : "; --verbose shows libbpf's log");
}

void loader_detach(struct loader *l)
{
	probe__detach(l->skel);
}

void loader_close(struct loader *l)
{
	if (!l)
		return;
	ring_buffer__free(l->rb);
	for (unsigned cpu = 0; l->ring_fds && cpu < l->ncpus; cpu++)
		close(l->ring_fds[cpu]);
	free(l->ring_fds);
	probe__destroy(l->skel);
	free(l);
}

unsigned loader_ncpus(const struct loader *l)
{
	return l->ncpus;
}

void loader_trace(struct loader *l, __u32 tgid, bool pending)
{
	__u64 *word = &l->skel->bss->traced_bits[tgid / 64];
	__u64 bit = 1ULL << (tgid % 64);

	if (tgid >= PROBE_PID_LIMIT)
		return;
	if (pending)
		__atomic_store_n(&l->skel->bss->pending_tgid, tgid,
				 __ATOMIC_SEQ_CST);
	if (!(__atomic_fetch_or(word, bit, __ATOMIC_SEQ_CST) & bit))
		__atomic_fetch_add(&l->skel->bss->live_processes, 1,
				   __ATOMIC_SEQ_CST);
}

__s64 loader_live(const struct loader *l)
{
	return __atomic_load_n(&l->skel->bss->live_processes, __ATOMIC_SEQ_CST);
}

int loader_drain(struct loader *l, struct merge *m)
{
	int n;

	l->merge = m;
	n = ring_buffer__consume(l->rb);
	return n < 0 ? n : 0;
}

void loader_counts(const struct loader *l, struct probe_cpu_count *cpu)
{
	for (unsigned i = 0; i < l->ncpus; i++) {
		const struct probe_cpu_state *s = &l->skel->bss->cpu_state[i];

		cpu[i].records = __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST);
		cpu[i].drops = __atomic_load_n(&s->drops, __ATOMIC_SEQ_CST);
		cpu[i].read_faults =
			__atomic_load_n(&s->read_faults, __ATOMIC_SEQ_CST);
	}
}

__u64 loader_misses(const struct loader *l)
{
	struct bpf_program *prog;
	__u64 misses = 0;

	bpf_object__for_each_program(prog, l->skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			misses += info.recursion_misses;
	}
	return misses;
}
