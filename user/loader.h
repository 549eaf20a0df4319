/*
 * Load the BPF side, give it its per-CPU rings, attach it, and drain it:
 * everything that touches libbpf.
 */
#ifndef PROBE_LOADER_H
#define PROBE_LOADER_H

#include <linux/types.h>
#include <stdbool.h>

#include "merge.h"
#include "probe_abi.h"

struct loader_opts {
	enum probe_scope scope;
	int cgroup_fd; /* with PROBE_SCOPE_CGROUP: its directory, open */
	__u64 cgroup_id; /* and its id */
	__u32 collector_tgid;
	bool capture_env;
	__u64 buffer_size; /* bytes per CPU ring */
	bool verbose; /* print libbpf's and the verifier's messages */
};

struct loader;

/* Check the environment (privileges, BTF), load and verify the programs
 * and create the rings.  Any failure prints one line and exits with
 * status 2: nothing is attached yet. */
struct loader *loader_open(const struct loader_opts *opts);
/* Attach every program; exits with status 2 on failure. */
void loader_attach(struct loader *l);
/* Stop recording: detach every program (the rings stay readable). */
void loader_detach(struct loader *l);
void loader_close(struct loader *l);

unsigned loader_ncpus(const struct loader *l);

/* Start tracing tgid (and its future children).  pending: until its exec,
 * record only its exec attempts. */
void loader_trace(struct loader *l, __u32 tgid, bool pending);
/* Traced thread groups alive now. */
__s64 loader_live(const struct loader *l);

/* Move every record out of the rings into the merge. */
int loader_drain(struct loader *l, struct merge *m);
/* Per-CPU counters kept by the BPF side, and the kernel's count of runs
 * it skipped because a program was already running on that CPU. */
void loader_counts(const struct loader *l, struct probe_cpu_count *cpu);
__u64 loader_misses(const struct loader *l);

#endif
