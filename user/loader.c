#include "loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.skel.h"
#include "syscalls.h"
#include "util.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"

struct loader {
	struct probe *skel;
	unsigned ncpus;
	void *rings; /* every CPU's ring, mmapped */
	size_t ring_elem; /* bytes of one CPU's ring */
	__u64 ring_size; /* its data bytes, a power of two */
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

/* Bytes of one CPU's ring element: control block, data, slack. */
static size_t ring_elem_size(__u64 size)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (sizeof(struct probe_ring_ctl) + size + PROBE_REC_MAX + page -
		1) / page * page;
}

/* Map every CPU's ring: the rings map is one mmappable array. */
static void map_rings(struct loader *l)
{
	size_t len = l->ring_elem * l->ncpus;

	l->rings = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			bpf_map__fd(l->skel->maps.rings), 0);
	if (l->rings == MAP_FAILED)
		die(EXIT_USAGE, "cannot map the ring buffers: %s",
		    strerror(errno));
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
	syscall_layouts((struct probe_sc_layout *)skel->rodata->sc_layout);
	l->ring_size = o->buffer_size;
	l->ring_elem = ring_elem_size(o->buffer_size);
	skel->rodata->ring_mask = o->buffer_size - 1;
	bpf_map__set_max_entries(skel->maps.rings, ncpus);
	bpf_map__set_value_size(skel->maps.rings, l->ring_elem);
	bpf_map__set_max_entries(skel->maps.scratch,
				 ncpus * skel->rodata->scratch_slots);
	if (o->scope != PROBE_SCOPE_CGROUP)
		bpf_program__set_autoload(skel->progs.cgroup_attach_task,
					  false);

	err = probe__load(skel);
	if (err)
		load_fail("load", err);
	map_rings(l);
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
	if (l->rings)
		munmap(l->rings, l->ring_elem * l->ncpus);
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

/*
 * Take one CPU's records: everything between tail and the head the BPF
 * side published (acquire: the bytes before it are written), then give the
 * space back (release: we are done reading it).  tail is stored only after
 * reading, never when the ring was empty: then the writer may move it.  A record is never split
 * (see struct probe_ring_ctl).  A size that cannot be right means the ring
 * is corrupt: skip to head, and the sequence gap shows what was lost.
 */
static int drain_cpu(struct loader *l, unsigned cpu, struct merge *m)
{
	struct probe_ring_ctl *ctl =
		(void *)((char *)l->rings + cpu * l->ring_elem);
	const char *data = (const char *)(ctl + 1);
	__u64 head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);
	__u64 tail = __atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE);
	int ret = 0;

	if (tail >= head) /* empty, or just rewound by the writer */
		return 0;
	while (tail < head) {
		const struct probe_hdr *h =
			(const void *)(data + (tail & (l->ring_size - 1)));

		if (h->size < sizeof(*h) || h->size % 8 ||
		    h->size > PROBE_REC_MAX || h->size > head - tail) {
			ret = -1;
			tail = head;
			break;
		}
		merge_push(m, h, h->size);
		tail += h->size;
	}
	__atomic_store_n(&ctl->tail, tail, __ATOMIC_RELEASE);
	return ret;
}

int loader_drain(struct loader *l, struct merge *m)
{
	int ret = 0;

	for (unsigned cpu = 0; cpu < l->ncpus; cpu++)
		ret |= drain_cpu(l, cpu, m);
	return ret;
}

void loader_counts(const struct loader *l, struct probe_cpu_count *cpu)
{
	for (unsigned i = 0; i < l->ncpus; i++) {
		const struct probe_cpu_state *s = &l->skel->bss->cpu_state[i];

		cpu[i].records = __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST);
		cpu[i].drops = __atomic_load_n(&s->drops, __ATOMIC_SEQ_CST);
		cpu[i].read_faults =
			__atomic_load_n(&s->read_faults, __ATOMIC_SEQ_CST);
		cpu[i].nested = __atomic_load_n(&s->nested, __ATOMIC_SEQ_CST);
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
