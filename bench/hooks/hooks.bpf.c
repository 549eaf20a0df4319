/*
 * The ways to hook syscalls that probe-bpf could use, each reduced to the
 * part every syscall of every task pays: the filter of bpf/probe.bpf.c
 * (is the current tgid's bit set in traced_bits?), and, for a traced task,
 * a switch on the syscall number that bumps a per-CPU counter in place of
 * the real record.  The loader (hooks.c) loads and attaches one variant:
 *
 *   tp_btf_exit              A: tp_btf/sys_exit, what probe-bpf uses
 *   raw_tp_exit              B: raw_tp/sys_exit
 *   pair_enter + pair_exit   C: raw_tp/sys_enter + raw_tp/sys_exit
 *   tp_syscall_exit          D, E: one program that the loader attaches to
 *                            each syscalls:sys_exit_<name> tracepoint
 *   tp_btf_nop               control: A without the filter, to tell the
 *                            kernel's share of a hook from the program's
 *
 * and the control tp_unused, tp_syscall_exit on sync(2), which the loop
 * never makes: any probe on sys_enter/sys_exit, perf's per-syscall events
 * included, puts every syscall of every task on the slow path
 * (syscall_regfunc() sets SYSCALL_WORK_SYSCALL_TRACEPOINT on all threads),
 * and this is what that alone costs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "probe_abi.h"
#include "syscalls.h"
#include "hooks.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The same bitmap as probe-bpf's, seeded by the loader through .bss. */
__u64 traced_bits[PROBE_PID_LIMIT / 64];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_HOOK_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/*
 * bpf/probe.bpf.c's is_traced(), restated because that one is static in
 * probe.bpf.c: one masked load and a bit test.  The mask keeps the
 * verifier sure of the index; tgids are below PROBE_PID_LIMIT anyway.
 */
static __always_inline bool current_is_traced(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return traced_bits[(tgid / 64) & (PROBE_PID_LIMIT / 64 - 1)] &
	       (1ULL << (tgid & 63));
}

/* The stand-in for probe-bpf's per-syscall handlers. */
static __always_inline void count_syscall(long nr)
{
	__u32 key;
	__u64 *n;

	switch (nr) {
	case NR_open:
	case NR_openat:
	case NR_openat2:
	case NR_creat:
		key = HOOK_OPEN;
		break;
	case NR_close:
		key = HOOK_CLOSE;
		break;
	case NR_execve:
	case NR_execveat:
		key = HOOK_EXEC;
		break;
	default:
		return;
	}
	n = bpf_map_lookup_elem(&counters, &key);
	if (n)
		(*n)++;
}

/* A: BTF-typed arguments, so regs->orig_ax is a plain load. */
SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_exit, struct pt_regs *regs, long ret)
{
	if (!current_is_traced())
		return 0;
	count_syscall(regs->orig_ax);
	return 0;
}

/* The control: what any sys_exit hook costs before the program does a thing. */
SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_nop)
{
	return 0;
}

/* B and C's exit half: untyped arguments, so pt_regs needs a probe read. */
static __always_inline int raw_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];

	if (!current_is_traced())
		return 0;
	count_syscall(BPF_CORE_READ(regs, orig_ax));
	return 0;
}

SEC("raw_tp/sys_exit")
int raw_tp_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return raw_exit(ctx);
}

/*
 * C: the pair that tools which need the arguments before the syscall
 * changes them attach.  sys_enter has the number as its second argument.
 * A real pair would also stash the arguments per thread at entry and look
 * them up at exit; that map traffic is left out, so C is a lower bound.
 */
SEC("raw_tp/sys_enter")
int pair_enter(struct bpf_raw_tracepoint_args *ctx)
{
	if (!current_is_traced())
		return 0;
	count_syscall(ctx->args[1]);
	return 0;
}

SEC("raw_tp/sys_exit")
int pair_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return raw_exit(ctx);
}

/*
 * D and E: every syscalls:sys_exit_<name> event has the same record
 * (struct syscall_trace_exit, see the events' format files), so one
 * program serves them all; the loader attaches it once per name.
 */
SEC("tp")
int tp_syscall_exit(struct syscall_trace_exit *ctx)
{
	if (!current_is_traced())
		return 0;
	count_syscall(ctx->nr);
	return 0;
}
