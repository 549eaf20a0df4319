/*
 * probe-bpf kernel side: filter traced tasks, describe their file and
 * process operations from the kernel's own objects, and hand fixed-layout
 * records (schemas/probe_abi.h) to userspace through per-CPU ring buffers.
 *
 * Hooks: one tp_btf/sys_exit program dispatching on the syscall number (the
 * arguments are still in pt_regs at exit, and user memory has been faulted
 * in by the syscall itself), and tp_btf/sched_process_{fork,exec,exit}.
 * tp_btf attaches through BPF_RAW_TRACEPOINT_OPEN: no tracefs needed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "probe_abi.h"
#include "syscalls.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Load-time settings; the verifier prunes what they turn off. */
const volatile __u32 scope = PROBE_SCOPE_COMMAND;
const volatile __u32 collector_tgid;
const volatile __u64 cgroup_id; /* kernfs id of the --cgroup directory */
const volatile bool capture_env;
/* How to read each syscall that struct probe_syscall records. */
const volatile struct probe_sc_layout sc_layout[PROBE_NR_SYSCALLS];

/*
 * One bit per tgid: traced or not.  A plain .bss bitmap (512 KiB) makes
 * the test for untraced tasks a bounds check and one load, with no map
 * lookup.  Userspace seeds it through the mmapped .bss.
 */
__u64 traced_bits[PROBE_PID_LIMIT / 64];
/* The recorded command before its exec: only exec attempts count. */
__u32 pending_tgid;
/* Traced thread groups still alive: command mode ends when this is 0. */
__s64 live_processes;

struct probe_cpu_state cpu_state[PROBE_MAX_CPUS];

/*
 * One ring per CPU (struct probe_ring_ctl, then the data): a plain
 * mmappable array rather than BPF ring buffers, whose reserve and commit
 * take a spinlock with interrupts off and cost about 150 ns a record on
 * these VMs.  The loader sets the value size to fit ring_mask + 1 bytes.
 */
const volatile __u64 ring_mask = 4095;
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PROBE_MAX_CPUS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct probe_ring_ctl) + 4096 + PROBE_REC_MAX);
} rings SEC(".maps");

/*
 * Per-CPU scratch where a record is built, to be copied into the ring once
 * its size is known.  A plain array indexed by CPU: a percpu array caps
 * values at 32 KiB.  Each hook has its own slot, so that a hook running
 * inside another on the same CPU (were the kernel ever to allow it) could
 * not overwrite its record.
 */
/* sched_process_exec runs inside the exec syscall, and builds its record
 * in the syscall slot: the path walk (walk_path()) works there. */
enum scratch_slot { SLOT_SYSCALL, SLOT_TASK, NR_SLOTS };
/* Read by the loader, which sizes the map to CPUs x slots. */
const volatile __u32 scratch_slots = NR_SLOTS;
/* The state of one absolute-path walk (see path_resolve). */
struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 depth; /* dentries collected in walk[], leaf first */
	__u32 pos; /* bytes of the path written */
	bool done; /* the walk reached a root */
	bool anon; /* a file with no path: see PROBE_RF_ANON */
	bool in_ring; /* where the record is: see walk_out() */
	__u64 ring_off;
	__u32 rec_off;
};
struct scratch {
	__u8 rec[PROBE_REC_MAX];
	struct dentry *walk[PROBE_PATH_DEPTH];
	struct path_walk w;
	__u64 args[6]; /* a generic syscall's arguments: see on_syscall() */
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PROBE_MAX_CPUS * NR_SLOTS);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * The word of traced_bits that holds tgid.  tgids stay below
 * PROBE_PID_LIMIT (PID_MAX_LIMIT), so the mask changes nothing; it is there
 * because the verifier needs the index bounded in the very register that
 * indexes the array.
 */
static __always_inline __u64 *traced_word(__u32 tgid)
{
	return &traced_bits[(tgid / 64) & (PROBE_PID_LIMIT / 64 - 1)];
}

/*
 * Which uses of an open file description were recorded: the first read
 * and the first write by one exec epoch of one process.  The address
 * space names the exec epoch (exec gives the process a new mm).  An entry
 * that the LRU evicts only costs a repeated record, never a missing one.
 * A struct file freed and reallocated at the same address is forgotten at
 * the open that made it (forget_uses()); for files made by syscalls not
 * hooked yet (pipes, sockets...) the inode tells them apart.
 */
struct use_key {
	__u64 file;
	__u64 mm;
	__u32 tgid;
	__u32 pad;
};
struct use_seen {
	__u64 inode; /* a reused struct file of another inode is new */
	__u64 read_stamp; /* the process's read stamp at the last write
			     recorded (see read_stamps) */
	__s64 read_ctime; /* the file's ctime at the last read recorded */
	__u32 access; /* enum probe_use_access bits recorded */
	__u32 pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 65536);
	__type(key, struct use_key);
	__type(value, struct use_seen);
} uses SEC(".maps");

/*
 * The inode of each unix socket a traced process used, by its struct
 * sock, for the end that reads what it wrote after it closed (see
 * unix_peer_ino()).  A sock's address is not reused while a peer holds
 * it, so the entry its last use left is its own.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} sock_inodes SEC(".maps");

/*
 * Per process (tgid): a stamp that changes at each first read recorded,
 * unique across CPUs (the CPU in the top bits, its read_clock below).  A
 * write is recorded again when the stamp moved since the last write
 * recorded on that open file description: what the process read since
 * can be in what it writes now.  A process without an entry (it read
 * nothing yet, or the LRU evicted it) gets a fresh stamp, so an eviction
 * costs a repeated write record, never a missing one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} read_stamps SEC(".maps");

/*
 * The credentials a traced task held when an exec began installing new
 * ones: begin_new_exec() renames the task (__set_task_comm(), the
 * task_rename tracepoint) before commit_creds(), and sched_process_exec
 * runs after.  exec_id is task->self_exec_id at the rename, which
 * begin_new_exec() increments in between: an entry that a rename by
 * prctl(PR_SET_NAME) or /proc/PID/comm left is not that exec's.  Task
 * storage: it goes with the task.
 */
struct exec_creds {
	struct probe_cred cred;
	__u64 exec_id;
};
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct exec_creds);
} exec_creds SEC(".maps");

static __always_inline bool is_traced(__u32 tgid)
{
	return *traced_word(tgid) & (1ULL << (tgid & 63));
}

/* Returns whether the bit was clear before. */
static __always_inline bool set_traced(__u32 tgid)
{
	__u64 bit = 1ULL << (tgid & 63);

	if (tgid >= PROBE_PID_LIMIT || tgid == collector_tgid)
		return false;
	return !(__sync_fetch_and_or(traced_word(tgid), bit) & bit);
}

/* Returns whether the bit was set before. */
static __always_inline bool clear_traced(__u32 tgid)
{
	__u64 bit = 1ULL << (tgid & 63);

	return __sync_fetch_and_and(traced_word(tgid), ~bit) & bit;
}

static __always_inline struct probe_cpu_state *this_cpu_state(void)
{
	return &cpu_state[bpf_get_smp_processor_id() & (PROBE_MAX_CPUS - 1)];
}

static __always_inline void count_read_fault(void)
{
	__sync_fetch_and_add(&this_cpu_state()->read_faults, 1);
}

static __always_inline void *scratch_get(enum scratch_slot slot)
{
	__u32 key = (bpf_get_smp_processor_id() & (PROBE_MAX_CPUS - 1)) *
			    NR_SLOTS +
		    slot;

	return bpf_map_lookup_elem(&scratch, &key);
}

static __always_inline void hdr_init(struct probe_hdr *hdr, __u16 type)
{
	__u64 id = bpf_get_current_pid_tgid();

	hdr->type = type;
	hdr->pid = id >> 32;
	hdr->tid = (__u32)id;
}

/*
 * Where a record is built: in place in this CPU's ring when the ring has
 * room for the largest record (the reader sees nothing of it before emit()
 * moves head), else in the hook's scratch slot, copied at emit() if it
 * fits.  Building in place saves a copy that costs about 140 ns a record.
 */
struct rec_place {
	void *rec;
	struct probe_ring_ctl *ctl; /* the ring it is in, or NULL */
	__u64 ring_off; /* where in the ring's data */
};

static __always_inline struct probe_ring_ctl *this_cpu_ring(void)
{
	__u32 cpu = bpf_get_smp_processor_id() & (PROBE_MAX_CPUS - 1);

	return bpf_map_lookup_elem(&rings, &cpu);
}

static __always_inline __u64 ring_used(struct probe_ring_ctl *ctl)
{
	return ctl->head - *(volatile __u64 *)&ctl->tail;
}

/*
 * An empty ring starts over at its first byte (see struct probe_ring_ctl),
 * so a ring drained often stays in the cache instead of cycling through
 * all its pages: with 8 MiB rings that costs about 100 ns a record.
 */
static __always_inline void ring_rewind(struct probe_ring_ctl *ctl)
{
	__u64 head = ctl->head, start;

	if (!(head & ring_mask) || ring_used(ctl))
		return;
	start = (head | ring_mask) + 1;
	ctl->tail = start;
	ctl->head = start;
}

static __always_inline struct rec_place rec_begin(struct scratch *s)
{
	struct probe_ring_ctl *ctl = this_cpu_ring();
	struct rec_place p = { .rec = s->rec, .ctl = NULL, .ring_off = 0 };

	if (ctl)
		ring_rewind(ctl);
	if (ctl && ring_used(ctl) + PROBE_REC_MAX <= ring_mask + 1) {
		p.ring_off = ctl->head & ring_mask;
		p.rec = (void *)(ctl + 1) + p.ring_off;
		p.ctl = ctl;
	}
	return p;
}

/*
 * Start a record of type for the hook that owns slot: where it is built
 * (*place), with its header's type, pid and tid set.  NULL if no scratch
 * could be had, or if another program on this CPU is building a record:
 * this one runs inside it (an interrupt's hook inside a syscall's), and
 * writing at the ring's head, or publishing, would tear the record that
 * one is writing there.  Such a record is counted (nested) and its
 * sequence number left a gap, so that the loss is located.  Every start
 * that returns a record ends in emit().
 */
static __always_inline void *rec_start(enum scratch_slot slot, __u16 type,
				       struct scratch **sp,
				       struct rec_place *place)
{
	struct probe_cpu_state *st = this_cpu_state();
	struct scratch *s = scratch_get(slot);

	*sp = s;
	if (!s)
		return NULL;
	if (__sync_lock_test_and_set(&st->building, 1)) {
		__sync_fetch_and_add(&st->seq, 1);
		__sync_fetch_and_add(&st->nested, 1);
		return NULL;
	}
	*place = rec_begin(s);
	hdr_init(place->rec, type);
	return place->rec;
}

/*
 * Stamp the record with its CPU, sequence number and time, and publish it
 * in this CPU's ring without waking the reader: userspace drains on a
 * timer.  A record that does not fit is counted, and its sequence number
 * stays a gap.
 */
static __always_inline void emit(struct rec_place p, __u32 size)
{
	struct probe_hdr *hdr = p.rec;
	__u32 cpu = bpf_get_smp_processor_id() & (PROBE_MAX_CPUS - 1);
	struct probe_cpu_state *st = &cpu_state[cpu];
	struct probe_ring_ctl *ctl = p.ctl;

	size = (size + 7) & ~7U;
	if (size > PROBE_REC_MAX)
		size = PROBE_REC_MAX;
	hdr->size = size;
	hdr->cpu = cpu;
	hdr->seq = __sync_fetch_and_add(&st->seq, 1);
	hdr->ts_ns = bpf_ktime_get_boot_ns();
	if (!ctl) {
		ctl = this_cpu_ring();
		if (!ctl || ring_used(ctl) + size > ring_mask + 1 ||
		    bpf_probe_read_kernel((void *)(ctl + 1) +
						  (ctl->head & ring_mask),
					  size, p.rec)) {
			__sync_fetch_and_add(&st->drops, 1);
			st->building = 0;
			return;
		}
	}
	/* Publish.  x86 keeps stores in order, so the reader, which loads
	 * head with acquire, never sees it before the record's bytes. */
	ctl->head += size;
	st->building = 0;
}

/* ---- files: identity and absolute path from the kernel's objects ---- */

/*
 * A pointer the verifier has lost the type of (read from memory, kept in a
 * map) made a typed, read-only kernel pointer again.  Field loads through
 * it are plain loads that the JIT guards against faults: far cheaper than
 * a bpf_probe_read_kernel() call per field, which BPF_CORE_READ makes.
 * The verifier turns this kfunc into a move.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define kernel_ptr(ptr, type)                                                  \
	((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))

/*
 * The current task, for typed loads.  Through bpf_get_current_task_btf()'s
 * trusted pointer, each load would cost the verifier a search of the
 * kernel's BTF by name (btf_nested_type_is_trusted): about 20 ms of
 * start-up for this program.  The same pointer made read-only loads just
 * as fast at run time, and is verified at once.
 */
static __always_inline struct task_struct *current_task(void)
{
	return kernel_ptr(bpf_get_current_task_btf(), struct task_struct);
}

/* The inode timestamps moved from timespec64 fields to sec/nsec pairs. */
struct inode___timespec {
	struct timespec64 i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

#define NSEC_MASK ((1U << 30) - 1)

/* The inode's ctime in ns: it moves with every change of the file's data
 * (and metadata), and no one can set it back. */
static __always_inline __s64 inode_ctime_ns(const struct inode *ip)
{
	struct inode *inode = kernel_ptr(ip, struct inode);

	/* Multigrain timestamps keep a flag in i_ctime_nsec's bit 31
	 * (I_CTIME_QUERIED); nanoseconds need only 30 bits. */
	if (bpf_core_field_exists(inode->i_ctime_sec))
		return inode->i_ctime_sec * 1000000000LL +
		       (inode->i_ctime_nsec & NSEC_MASK);
	return kernel_ptr(ip, struct inode___timespec)->__i_ctime.tv_sec *
		       1000000000LL +
	       kernel_ptr(ip, struct inode___timespec)->__i_ctime.tv_nsec;
}

static __always_inline void inode_fill(struct probe_inode *out,
				       const struct inode *ip)
{
	struct inode *inode = kernel_ptr(ip, struct inode);

	out->dev = inode->i_sb->s_dev;
	out->ino = inode->i_ino;
	out->size = inode->i_size;
	out->mode = inode->i_mode;
	out->gen = inode->i_generation;
	out->ctime_ns = inode_ctime_ns(ip);
	if (bpf_core_field_exists(inode->i_mtime_sec))
		out->mtime_ns = inode->i_mtime_sec * 1000000000LL +
				(inode->i_mtime_nsec & NSEC_MASK);
	else
		out->mtime_ns =
			kernel_ptr(ip, struct inode___timespec)->i_mtime.tv_sec *
				1000000000LL +
			kernel_ptr(ip, struct inode___timespec)->i_mtime.tv_nsec;
}

static __always_inline struct mount *real_mount(struct vfsmount *mnt)
{
	return (void *)mnt - bpf_core_field_offset(struct mount, mnt);
}

/*
 * Where the walk writes the path: straight into the record being built,
 * at rec_off, whether that is in this CPU's ring or in scratch (see
 * rec_begin()), so that the path is never copied.  The masks bound each
 * part for the verifier; none of them changes a value.
 */
static __always_inline char *walk_out(struct scratch *s, struct path_walk *w)
{
	__u32 rec_off = w->rec_off & (8 * PROBE_PATH_MAX - 1);
	struct probe_ring_ctl *ctl;

	if (!w->in_ring)
		return (char *)s->rec + rec_off;
	ctl = this_cpu_ring();
	if (!ctl)
		return NULL;
	return (char *)(ctl + 1) + (w->ring_off & ring_mask) + rec_off;
}

/*
 * The dentry walk's state lives in the scratch map, not on the stack:
 * values loaded from a map are unknown to the verifier, so each bpf_loop()
 * step verifies once, instead of once per length the path so far can have.
 */
static long walk_up(__u32 i, void *ctx)
{
	struct scratch *s = *(struct scratch **)ctx;
	struct path_walk *w = &s->w;
	struct dentry *dentry = kernel_ptr(w->dentry, struct dentry), *parent;
	struct vfsmount *vfsmnt = kernel_ptr(w->vfsmnt, struct vfsmount);
	struct mount *mnt = kernel_ptr(w->mnt, struct mount);

	if (dentry == vfsmnt->mnt_root) {
		struct mount *up = mnt->mnt_parent;

		if (up == mnt) /* the namespace's root mount */
			goto done;
		w->dentry = mnt->mnt_mountpoint;
		w->mnt = up;
		w->vfsmnt = (void *)up + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	parent = dentry->d_parent;
	if (parent == dentry) { /* the top of a detached tree */
		/* A pseudo file (pipe, socket) is its own parent. */
		w->anon = w->depth == 0 && dentry != vfsmnt->mnt_root;
		goto done;
	}
	if (w->depth >= PROBE_PATH_DEPTH)
		return 1;
	s->walk[w->depth & (PROBE_PATH_DEPTH - 1)] = dentry;
	w->depth++;
	w->dentry = parent;
	return 0;
done:
	w->done = true;
	return 1;
}

/* Append "/name" for the j-th dentry from the root. */
static long walk_write(__u32 j, void *ctx)
{
	struct scratch *s = *(struct scratch **)ctx;
	struct path_walk *w = &s->w;
	struct dentry *dentry;
	__u32 pos = w->pos;
	char *out;
	long n;

	if (j >= w->depth)
		return 1;
	if (pos >= PROBE_PATH_MAX - 1) {
		w->done = false;
		return 1;
	}
	out = walk_out(s, w);
	if (!out)
		return 1;
	dentry = kernel_ptr(s->walk[(w->depth - 1 - j) & (PROBE_PATH_DEPTH - 1)],
			    struct dentry);
	out[pos & (PROBE_PATH_MAX - 1)] = '/';
	pos++;
	n = bpf_probe_read_kernel_str(&out[pos & (PROBE_PATH_MAX - 1)],
				      NAME_MAX + 1, dentry->d_name.name);
	if (n > 1)
		pos += n - 1;
	w->pos = pos;
	return 0;
}

#define WALK_TRUNC (1U << 16)
#define WALK_ANON (1U << 17)

/*
 * The absolute path of (dentry, mnt) from the root of its mount
 * namespace: collect the dentries up to the namespace's root mount
 * (crossing mounts through mnt_mountpoint), then write their names root
 * first where s->w says (see walk_out()), starting from s->w.dentry and
 * s->w.vfsmnt.  Not from the task's root, as d_path() would: a file keeps
 * one path whether a chrooted task or another names it (the model knows
 * each task's root, for the paths programs pass).  Returns the
 * length with the NUL, or'ed with WALK_TRUNC when the walk hit a bound and
 * WALK_ANON for a file with no path.
 *
 * A global function, so that the verifier checks it once: inlined at each
 * of its callers it cost the verifier seconds.  Hence no arguments (a
 * global function takes scalars only): the syscall hooks' scratch slot
 * holds its input.
 */
__noinline __u32 walk_path(void)
{
	struct scratch *s = scratch_get(SLOT_SYSCALL);
	struct path_walk *w;
	__u32 pos, ret = 0;
	char *out;

	if (!s)
		return 0;
	w = &s->w;
	w->mnt = real_mount(w->vfsmnt);
	w->depth = 0;
	w->pos = 0;
	w->done = false;
	w->anon = false;
	/* Each mount crossed costs a step that collects no dentry. */
	bpf_loop(2 * PROBE_PATH_DEPTH, walk_up, &s, 0);
	if (w->done)
		bpf_loop(PROBE_PATH_DEPTH, walk_write, &s, 0);
	if (!w->done)
		ret |= WALK_TRUNC;
	if (w->anon)
		return ret | WALK_ANON;
	out = walk_out(s, w);
	if (!out)
		return ret;
	pos = w->pos;
	if (pos == 0)
		out[pos++] = '/';
	if (pos > PROBE_PATH_MAX - 1) {
		ret |= WALK_TRUNC;
		pos = PROBE_PATH_MAX - 1;
	}
	out[pos & (PROBE_PATH_MAX - 1)] = 0;
	return ret | (pos + 1);
}

/*
 * The absolute path of path, written at rec_off of the record being built
 * at place (s is the syscall hooks' scratch).  Returns its length with the
 * NUL; sets PROBE_RF_ABS_TRUNC or PROBE_RF_ANON in *rflags.
 */
static __always_inline __u32 path_resolve(struct scratch *s,
					  const struct path *path,
					  struct rec_place place, __u32 rec_off,
					  __u16 *rflags)
{
	__u32 ret;

	s->w.in_ring = place.ctl != NULL;
	s->w.ring_off = place.ring_off;
	s->w.rec_off = rec_off;
	s->w.dentry = path->dentry;
	s->w.vfsmnt = path->mnt;
	ret = walk_path();
	if (ret & WALK_TRUNC)
		*rflags |= PROBE_RF_ABS_TRUNC;
	if (ret & WALK_ANON)
		*rflags |= PROBE_RF_ANON;
	return ret & 0xffff;
}

/* The file behind the current task's fd, as files->fdt->fd[fd]. */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *task = current_task();
	struct fdtable *fdt = task->files->fdt;
	struct file **fds = fdt->fd;
	struct file *file = NULL;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return kernel_ptr(file, struct file);
}

/* A user string into dst; returns its length with the NUL, 0 on a fault. */
static __always_inline __u32 user_path(char *dst, const char *src,
				       __u16 *rflags)
{
	long n = bpf_probe_read_user_str(dst, PROBE_PATH_MAX, src);

	if (n <= 0) {
		*rflags |= PROBE_RF_PATH_FAULT;
		count_read_fault();
		return 0;
	}
	if (n == PROBE_PATH_MAX)
		*rflags |= PROBE_RF_PATH_TRUNC;
	return n;
}

/* ---- syscalls ---- */

/* This process's uses map key for an open file description. */
static __always_inline struct use_key use_key_of(struct file *file)
{
	struct task_struct *task = current_task();
	struct use_key key = {
		.file = (__u64)file,
		.mm = (__u64)task->mm,
		.tgid = task->tgid,
	};

	return key;
}

/*
 * A new open file description may sit at the address of one that was
 * closed and freed: forget what this process did with the old one, or its
 * first read of the new one would look like a repeat.
 */
static __always_inline void forget_uses(struct file *file)
{
	struct use_key key = use_key_of(file);

	bpf_map_delete_elem(&uses, &key);
}

static __always_inline void forget_fd_uses(long fd)
{
	struct file *file = fd_file(fd);

	if (file)
		forget_uses(file);
}



/*
 * The open file description an open made (NULL: none found) into its
 * record: its flags, inode and absolute path (at off in the variable
 * part).  A new open file description may sit at the address of a freed
 * one: forget_uses().
 */
static __always_inline void open_file(struct scratch *s, struct rec_place place,
				      struct probe_open *rec, struct file *file,
				      __u32 off)
{
	if (!file) {
		rec->rflags |= PROBE_RF_NO_FILE;
		return;
	}
	forget_uses(file);
	rec->f_flags = file->f_flags;
	rec->f_mode = file->f_mode;
	inode_fill(&rec->inode, file->f_inode);
	rec->abs_len = path_resolve(s, &file->f_path, place, sizeof(*rec) + off,
				    &rec->rflags);
}

static __always_inline int on_open(struct pt_regs *regs, long nr, long ret)
{
	struct scratch *s;
	struct rec_place place;
	struct probe_open *rec;
	const char *upath;
	__u32 off;

	rec = rec_start(SLOT_SYSCALL, PROBE_REC_OPEN, &s, &place);
	if (!rec)
		return 0;
	rec->ret = ret;
	rec->nr = nr;
	rec->rflags = 0;
	rec->f_flags = 0;
	rec->f_mode = 0;
	__builtin_memset(&rec->inode, 0, sizeof(rec->inode));
	__builtin_memset(&rec->async, 0, sizeof(rec->async));

	switch (nr) {
	case NR_open:
		rec->dirfd = AT_FDCWD;
		upath = (void *)regs->di;
		rec->flags = regs->si;
		rec->mode = regs->dx;
		break;
	case NR_creat:
		rec->dirfd = AT_FDCWD;
		upath = (void *)regs->di;
		rec->flags = O_CREAT | O_WRONLY | O_TRUNC;
		rec->mode = regs->si;
		break;
	case NR_openat2: {
		struct open_how how = {};

		rec->dirfd = regs->di;
		upath = (void *)regs->si;
		if (bpf_probe_read_user(&how, sizeof(how), (void *)regs->dx)) {
			rec->rflags |= PROBE_RF_ARGS_FAULT;
			count_read_fault();
		}
		rec->flags = how.flags;
		rec->mode = how.mode;
		break;
	}
	default: /* openat */
		rec->dirfd = regs->di;
		upath = (void *)regs->si;
		rec->flags = regs->dx;
		rec->mode = regs->r10;
		break;
	}

	rec->path_len = user_path(rec->data, upath, &rec->rflags);
	rec->abs_len = 0;
	off = rec->path_len & (2 * PROBE_PATH_MAX - 1);
	if (ret >= 0)
		open_file(s, place, rec, fd_file(ret), off);
	emit(place, sizeof(*rec) + off +
			  (rec->abs_len & (2 * PROBE_PATH_MAX - 1)));
	return 0;
}

static __always_inline int on_close(struct pt_regs *regs, long nr, long ret)
{
	struct scratch *s;
	struct rec_place place;
	struct probe_close *rec;

	rec = rec_start(SLOT_SYSCALL, PROBE_REC_CLOSE, &s, &place);
	if (!rec)
		return 0;
	rec->ret = ret;
	rec->nr = nr;
	rec->fd = regs->di;
	__builtin_memset(&rec->async, 0, sizeof(rec->async));
	emit(place, sizeof(*rec));
	return 0;
}

/*
 * A read or write use of fd: recorded the first time this process's exec
 * epoch uses the open file description that way (see the uses map).
 */
/*
 * A connected unix socket's peer, by inode: what one end writes the other
 * reads (socketpair, or connect and accept).  0 for other files.
 */
static __always_inline __u64 unix_peer_ino(struct file *file)
{
	struct inode *inode = kernel_ptr(file->f_inode, struct inode);
	struct socket *sock, *peer_sock;
	struct sock *sk, *peer;
	__u64 key, ino;

	if ((inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	sock = kernel_ptr(file->private_data, struct socket);
	sk = sock ? kernel_ptr(sock->sk, struct sock) : NULL;
	if (!sk || sk->__sk_common.skc_family != AF_UNIX)
		return 0;
	key = (__u64)sk;
	ino = inode->i_ino;
	bpf_map_update_elem(&sock_inodes, &key, &ino, BPF_ANY);
	peer = kernel_ptr(kernel_ptr(sk, struct unix_sock)->peer, struct sock);
	if (!peer)
		return 0;
	peer_sock = kernel_ptr(peer->sk_socket, struct socket);
	if (!peer_sock) {
		/* the peer closed (its process may have exited before this
		 * end read what it wrote): sock_orphan() let go of its
		 * socket, but the sock stays while this end holds it */
		__u64 *peer_ino;

		key = (__u64)peer;
		peer_ino = bpf_map_lookup_elem(&sock_inodes, &key);
		/* a helper, not a load: clang would merge a load here with
		 * the one below, and the verifier refuses one instruction
		 * for two kinds of pointer */
		if (!peer_ino ||
		    bpf_probe_read_kernel(&ino, sizeof(ino), peer_ino))
			return 0;
		return ino;
	}
	/* sock_alloc() puts the inode right after the socket */
	return kernel_ptr((void *)peer_sock -
				  bpf_core_field_offset(struct socket_alloc,
							socket),
			  struct socket_alloc)
		->vfs_inode.i_ino;
}

/* Whether file is a pipe, a FIFO or a socket: a read of it that returned
 * nothing (the end of the stream) carried no data and is not a use. */
static __always_inline bool is_channel(struct file *file)
{
	__u32 type = kernel_ptr(file->f_inode, struct inode)->i_mode & S_IFMT;

	return type == S_IFIFO || type == S_IFSOCK;
}

/* A new read stamp for process tgid (see read_stamps). */
static __always_inline __u64 new_read_stamp(__u32 tgid)
{
	__u32 cpu = bpf_get_smp_processor_id() & (PROBE_MAX_CPUS - 1);
	__u64 stamp = (__u64)(cpu + 1) << 48 | ++cpu_state[cpu].read_clock;

	bpf_map_update_elem(&read_stamps, &tgid, &stamp, BPF_ANY);
	return stamp;
}

static __always_inline __u64 read_stamp(__u32 tgid)
{
	__u64 *stamp = bpf_map_lookup_elem(&read_stamps, &tgid);

	return stamp ? *stamp : new_read_stamp(tgid);
}

/*
 * Whether this use of file is one to record, and remember it: the first
 * read or write of the open file description by this exec epoch; a write
 * after the process recorded a read it had not when it last wrote; a
 * read of a file whose content changed since the last read recorded
 * (its ctime moved: another process wrote it in between).  Per process,
 * not per thread: the read recorded is the earliest, so a repeat by
 * another thread came after it and can hold nothing that an earlier
 * write holds.  Not inlined: its stack would add to that of sys_exit's
 * deepest path.
 */
static __noinline bool use_is_new(struct file *file, __u32 access)
{
	struct use_key key = use_key_of(file);
	struct use_seen *seen, first = { .access = access };

	first.inode = (__u64)file->f_inode;
	if (access == PROBE_USE_WRITE)
		first.read_stamp = read_stamp(key.tgid);
	else
		first.read_ctime = inode_ctime_ns(file->f_inode);
	seen = bpf_map_lookup_elem(&uses, &key);
	if (seen && seen->inode == first.inode) {
		if ((seen->access & access) &&
		    (access == PROBE_USE_READ ?
			     seen->read_ctime == first.read_ctime :
			     seen->read_stamp == first.read_stamp))
			return false;
		__sync_fetch_and_or(&seen->access, access);
		if (access == PROBE_USE_WRITE)
			seen->read_stamp = first.read_stamp;
		else
			seen->read_ctime = first.read_ctime;
	} else {
		bpf_map_update_elem(&uses, &key, &first, BPF_ANY);
	}
	if (access == PROBE_USE_READ)
		new_read_stamp(key.tgid);
	return true;
}

/* An io_uring request or AIO iocb (struct probe_async), and the task
 * that submitted it: its bpf_get_current_pid_tgid(). */
struct async_src {
	struct probe_async async;
	__u64 id;
	__u16 rflags; /* what the record could not capture */
};

/* The header of src's record names the task that submitted it. */
static __always_inline void hdr_async(struct probe_hdr *hdr,
				      const struct async_src *src)
{
	hdr->pid = src->id >> 32;
	hdr->tid = (__u32)src->id;
}

/*
 * The record of a use of file that use_is_new() let through.  src: the
 * io_uring request or AIO iocb that made it, NULL for a syscall's.
 */
static __always_inline void emit_use(struct file *file, long nr, long fd,
				     long ret, __u32 access, __u32 prot,
				     __u32 map_flags,
				     const struct async_src *src)
{
	struct rec_place place;
	struct probe_use *rec;
	struct scratch *s;

	rec = rec_start(SLOT_SYSCALL, PROBE_REC_USE, &s, &place);
	if (!rec)
		return;
	rec->ret = ret;
	rec->nr = nr;
	rec->fd = fd;
	rec->access = access;
	rec->prot = prot;
	rec->map_flags = map_flags;
	rec->rflags = 0;
	inode_fill(&rec->inode, file->f_inode);
	rec->peer_ino = unix_peer_ino(file);
	if (src) {
		hdr_async(&rec->hdr, src);
		rec->async = src->async;
		rec->rflags = src->rflags;
	} else {
		__builtin_memset(&rec->async, 0, sizeof(rec->async));
	}
	rec->abs_len = path_resolve(s, &file->f_path, place, sizeof(*rec),
				    &rec->rflags);
	emit(place, sizeof(*rec) + (rec->abs_len & (2 * PROBE_PATH_MAX - 1)));
}

/* A use of file by a syscall, made through fd (-1: none, a mapping's
 * file): recorded if it is new. */
static __always_inline void on_file_use(struct file *file, long nr, long fd,
					long ret, __u32 access, __u32 prot,
					__u32 map_flags)
{
	if (!file || (!ret && access == PROBE_USE_READ && is_channel(file)) ||
	    !use_is_new(file, access))
		return;
	emit_use(file, nr, fd, ret, access, prot, map_flags, NULL);
}

static __always_inline void on_use(long nr, long fd, long ret, __u32 access,
				   __u32 prot, __u32 map_flags)
{
	on_file_use(fd_file(fd), nr, fd, ret, access, prot, map_flags);
}

/* The data syscalls: which fds they read and wrote. */
static __always_inline int on_data(struct pt_regs *regs, long nr, long ret)
{
	if (ret < 0)
		return 0;
	switch (nr) {
	case NR_read:
	case NR_pread64:
	case NR_readv:
	case NR_preadv:
	case NR_preadv2:
		on_use(nr, regs->di, ret, PROBE_USE_READ, 0, 0);
		break;
	case NR_write:
	case NR_pwrite64:
	case NR_writev:
	case NR_pwritev:
	case NR_pwritev2:
		on_use(nr, regs->di, ret, PROBE_USE_WRITE, 0, 0);
		break;
	case NR_sendfile: /* sendfile(out_fd, in_fd, ...) */
		on_use(nr, regs->si, ret, PROBE_USE_READ, 0, 0);
		on_use(nr, regs->di, ret, PROBE_USE_WRITE, 0, 0);
		break;
	case NR_splice: /* splice(fd_in, off_in, fd_out, ...) */
	case NR_copy_file_range:
		on_use(nr, regs->di, ret, PROBE_USE_READ, 0, 0);
		on_use(nr, regs->dx, ret, PROBE_USE_WRITE, 0, 0);
		break;
	case NR_mmap: { /* mmap(addr, len, prot, flags, fd, off) */
		__u32 prot = regs->dx, flags = regs->r10;

		if (flags & MAP_ANONYMOUS)
			break;
		on_use(nr, regs->r8, ret, PROBE_USE_READ, prot, flags);
		/* Only a shared writable mapping writes the file. */
		if ((prot & PROT_WRITE) && (flags & MAP_SHARED))
			on_use(nr, regs->r8, ret, PROBE_USE_WRITE, prot,
			       flags);
		break;
	}
	}
	return 0;
}

/*
 * An fd-table operation.  pipe, pipe2 and socketpair return their two fds
 * through user memory; their new files forget any earlier use of their
 * addresses.
 */
static __always_inline int on_fdop(struct pt_regs *regs, long nr, long ret)
{
	struct rec_place place;
	struct probe_fdop *rec;
	struct scratch *s;

	rec = rec_start(SLOT_SYSCALL, PROBE_REC_FDOP, &s, &place);
	if (!rec)
		return 0;
	rec->ret = ret;
	rec->nr = nr;
	rec->fd = regs->di;
	rec->arg1 = regs->si;
	rec->arg2 = regs->dx;
	rec->fds[0] = rec->fds[1] = -1;
	rec->rflags = 0;
	if ((nr == NR_pipe || nr == NR_pipe2 || nr == NR_socketpair) &&
	    ret == 0) {
		/* socketpair(domain, type, protocol, sv) */
		void *ufds = (void *)(nr == NR_socketpair ? regs->r10 : regs->di);
		int fds[2] = { -1, -1 };

		rec->fd = -1;
		if (bpf_probe_read_user(fds, sizeof(fds), ufds)) {
			rec->rflags |= PROBE_RF_ARGS_FAULT;
			count_read_fault();
		}
		rec->fds[0] = fds[0];
		rec->fds[1] = fds[1];
		forget_fd_uses(fds[0]);
		forget_fd_uses(fds[1]);
	}
	emit(place, sizeof(*rec));
	return 0;
}

/* The i-th raw argument (0..5) of a generic syscall record. */
static __always_inline __u64 sc_arg(const struct probe_syscall *rec, int i)
{
	if (i < 0 || i > 5)
		return 0;
	return rec->args[i];
}

/* The absolute path of the directory a relative path starts from. */
static __always_inline __u32 sc_base(struct scratch *s, struct rec_place place,
				     __u32 rec_off, int dirfd_arg,
				     const struct probe_syscall *rec,
				     __u16 *rflags)
{
	struct file *dir;

	if (dirfd_arg < 0 || (int)sc_arg(rec, dirfd_arg) == AT_FDCWD)
		return path_resolve(s, &current_task()->fs->pwd, place,
				    rec_off, rflags);
	dir = fd_file((int)sc_arg(rec, dirfd_arg));
	if (!dir)
		return 0;
	return path_resolve(s, &dir->f_path, place, rec_off, rflags);
}

/* A path argument into the record at off; NULL is no path, not a fault. */
static __always_inline __u32 sc_path(struct probe_syscall *rec, __u32 off,
				     int arg)
{
	const char *upath = (const char *)sc_arg(rec, arg);

	if (arg < 0 || !upath)
		return 0;
	return user_path(&rec->data[off & (8 * PROBE_PATH_MAX - 1)], upath,
			 &rec->rflags);
}

/* The file stat the kernel wrote to user memory, as struct probe_inode. */
static __always_inline void sc_stat(struct probe_syscall *rec, __u8 kind,
				    const void *buf)
{
	struct probe_inode *ino = &rec->inode;

	if (kind == PROBE_STAT_STAT) {
		/* x86_64 struct stat; st_dev in the layout new_encode_dev()
		 * gives it, made the kernel's dev_t like every inode's */
		__u64 st[15];
		__u64 dev, major, minor;

		if (bpf_probe_read_user(st, sizeof(st), buf))
			goto fault;
		dev = st[0];
		major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffULL);
		minor = (dev & 0xff) | ((dev >> 12) & ~0xffULL);
		ino->dev = major << 20 | minor;
		ino->ino = st[1];
		ino->mode = (__u32)st[3];
		ino->size = st[6];
		ino->mtime_ns = st[11] * 1000000000LL + st[12];
		ino->ctime_ns = st[13] * 1000000000LL + st[14];
	} else {
		struct statx stx;

		if (bpf_probe_read_user(&stx, sizeof(stx), buf))
			goto fault;
		ino->dev = (__u64)stx.stx_dev_major << 20 | stx.stx_dev_minor;
		ino->ino = stx.stx_ino;
		ino->mode = stx.stx_mode;
		ino->size = stx.stx_size;
		ino->mtime_ns = stx.stx_mtime.tv_sec * 1000000000LL +
				stx.stx_mtime.tv_nsec;
		ino->ctime_ns = stx.stx_ctime.tv_sec * 1000000000LL +
				stx.stx_ctime.tv_nsec;
	}
	rec->has_inode = 1;
	return;
fault:
	rec->rflags |= PROBE_RF_ARGS_FAULT;
	count_read_fault();
}

/* The file an fd argument or a new fd names: its inode and its path. */
static __always_inline __u32 sc_file(struct scratch *s, struct rec_place place,
				     __u32 rec_off, struct probe_syscall *rec,
				     long fd, bool new_fd)
{
	struct file *file = fd_file(fd);

	if (!file)
		return 0;
	if (new_fd)
		forget_uses(file);
	inode_fill(&rec->inode, file->f_inode);
	rec->has_inode = 1;
	return path_resolve(s, &file->f_path, place, rec_off, &rec->rflags);
}

/*
 * Every syscall that the layout table marks: metadata reads and changes,
 * process state, the makers of new fds.  The table, not a case per
 * syscall, says where the paths, fds and stat buffers are, so that this
 * code is verified once for all of them: a global function, which the
 * verifier checks on its own, with the arguments in s->args.
 */
__noinline int record_syscall(__u32 nr, __s64 ret)
{
	const volatile struct probe_sc_layout *l;
	struct rec_place place;
	struct probe_syscall *rec;
	struct scratch *s;
	__u32 off;

	l = &sc_layout[nr & (PROBE_NR_SYSCALLS - 1)];
	rec = rec_start(SLOT_SYSCALL, PROBE_REC_SYSCALL, &s, &place);
	if (!rec)
		return 0;
	rec->ret = ret;
	rec->nr = nr;
	rec->rflags = 0;
	rec->has_inode = 0;
	for (int i = 0; i < 6; i++)
		rec->args[i] = s->args[i];
	__builtin_memset(&rec->inode, 0, sizeof(rec->inode));

	rec->path_len = sc_path(rec, 0, l->path);
	off = rec->path_len & (2 * PROBE_PATH_MAX - 1);
	rec->base_len = 0;
	/* A relative path, or an empty or NULL one (AT_EMPTY_PATH,
	 * utimensat(fd, NULL): the dirfd's own file), needs the directory's
	 * absolute path. */
	if ((l->flags & PROBE_SC_BASE_ROOT) && ret == 0)
		rec->base_len = path_resolve(s, &current_task()->fs->root,
					     place, sizeof(*rec) + off,
					     &rec->rflags);
	else if ((rec->path_len > 1 &&
		  (rec->data[0] != '/' || (l->flags & PROBE_SC_BASE_ALWAYS))) ||
	    (rec->path_len <= 1 && l->dirfd >= 0 &&
	     !(rec->rflags & PROBE_RF_PATH_FAULT)))
		rec->base_len = sc_base(s, place, sizeof(*rec) + off, l->dirfd,
					rec, &rec->rflags);
	else if (l->fd >= 0)
		rec->base_len = sc_file(s, place, sizeof(*rec) + off, rec,
					(int)sc_arg(rec, l->fd), false);
	else if ((l->flags & PROBE_SC_NEW_FD) && ret >= 0)
		rec->base_len = sc_file(s, place, sizeof(*rec) + off, rec, ret,
					true);
	off += rec->base_len & (2 * PROBE_PATH_MAX - 1);

	rec->path2_len = sc_path(rec, off, l->path2);
	rec->base2_len = 0;
	if (rec->path2_len > 1 && !(l->flags & PROBE_SC_LITERAL2) &&
	    rec->data[off & (8 * PROBE_PATH_MAX - 1)] != '/')
		rec->base2_len =
			sc_base(s, place,
				sizeof(*rec) +
					(off + (rec->path2_len &
						(2 * PROBE_PATH_MAX - 1))),
				l->dirfd2, rec, &rec->rflags);
	off += (rec->path2_len & (2 * PROBE_PATH_MAX - 1)) +
	       (rec->base2_len & (2 * PROBE_PATH_MAX - 1));

	if (l->stat_kind && ret == 0)
		sc_stat(rec, l->stat_kind, (const void *)sc_arg(rec, l->statbuf));
	emit(place, sizeof(*rec) + off);
	return 0;
}


/* The syscall's arguments into the syscall hooks' scratch, for the
 * global functions that record it; false if there is no scratch. */
static __always_inline bool args_to_scratch(struct pt_regs *regs)
{
	struct scratch *s = scratch_get(SLOT_SYSCALL);

	if (!s)
		return false;
	s->args[0] = regs->di;
	s->args[1] = regs->si;
	s->args[2] = regs->dx;
	s->args[3] = regs->r10;
	s->args[4] = regs->r8;
	s->args[5] = regs->r9;
	return true;
}

/* Hand a syscall the layout table marks to record_syscall(). */
static __always_inline int on_syscall(struct pt_regs *regs, long nr, long ret)
{
	if (nr < 0 || nr >= PROBE_NR_SYSCALLS ||
	    !(sc_layout[nr & (PROBE_NR_SYSCALLS - 1)].flags & PROBE_SC_RECORD))
		return 0;
	if (!args_to_scratch(regs))
		return 0;
	return record_syscall(nr, ret);
}

/* ---- synchronisation: futexes ---- */

struct futex_vma {
	__u64 uaddr;
	struct probe_futex_key key;
};

/* The key of the futex word at ctx->uaddr, from the mapping holding it. */
static long futex_vma_key(struct task_struct *task, struct vm_area_struct *vma,
			  void *data)
{
	struct futex_vma *ctx = data;
	struct vm_area_struct *v = kernel_ptr(vma, struct vm_area_struct);
	struct file *file = v->vm_file;

	if (file && (v->vm_flags & VM_SHARED)) {
		struct inode *inode = kernel_ptr(file->f_inode, struct inode);

		ctx->key.kind = PROBE_FUTEX_KEY_INODE;
		ctx->key.a = inode->i_sb->s_dev;
		ctx->key.b = inode->i_ino;
		ctx->key.c = (v->vm_pgoff << PAGE_SHIFT) +
			     (ctx->uaddr - v->vm_start);
	} else {
		ctx->key.kind = PROBE_FUTEX_KEY_MM;
		ctx->key.a = (__u64)v->vm_mm;
		ctx->key.b = ctx->uaddr;
	}
	return 0;
}

/*
 * The kernel's key of a futex word: (mm, address) for a private futex
 * (no lookup needed), else by the mapping: a shared mapping of a file or
 * of shared memory keys by (inode, offset), anything else by (mm,
 * address).  (The kernel keys a word in a private file mapping by inode
 * until the page is written; such futexes are not shared in practice.)
 */
static __always_inline void futex_key(struct probe_futex_key *key,
				      __u64 uaddr, bool private)
{
	struct futex_vma ctx = { .uaddr = uaddr };

	if (!uaddr)
		return;
	if (private) {
		key->kind = PROBE_FUTEX_KEY_MM;
		key->a = (__u64)current_task()->mm;
		key->b = uaddr;
		return;
	}
	if (bpf_find_vma(bpf_get_current_task_btf(), uaddr, futex_vma_key, &ctx,
			 0))
		return;
	*key = ctx.key;
}

/*
 * A global function, verified once on its own (inlined, the key lookups
 * would add milliseconds to sys_exit's verification): its arguments are
 * in the syscall hooks' scratch, as for record_syscall().
 */
__noinline int record_futex(__u32 nr, __s64 ret)
{
	struct probe_futex *rec;
	struct rec_place place;
	struct scratch *s;
	__u32 cmd;

	rec = rec_start(SLOT_SYSCALL, PROBE_REC_FUTEX, &s, &place);
	if (!rec)
		return 0;
	rec->ret = ret;
	rec->nr = nr;
	for (int i = 0; i < 6; i++)
		rec->args[i] = s->args[i];
	__builtin_memset(&rec->key, 0, sizeof(rec->key));
	__builtin_memset(&rec->key2, 0, sizeof(rec->key2));
	if (nr == NR_futex) {
		cmd = rec->args[1] & FUTEX_CMD_MASK;
		futex_key(&rec->key, rec->args[0],
			  rec->args[1] & FUTEX_PRIVATE_FLAG);
		if (cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE ||
		    cmd == FUTEX_WAKE_OP || cmd == FUTEX_WAIT_REQUEUE_PI ||
		    cmd == FUTEX_CMP_REQUEUE_PI)
			futex_key(&rec->key2, rec->args[4],
				  rec->args[1] & FUTEX_PRIVATE_FLAG);
	} else if (nr == NR_futex_wake || nr == NR_futex_wait) {
		/* futex_wake(uaddr, mask, nr, flags),
		 * futex_wait(uaddr, val, mask, flags, timeout, clockid) */
		futex_key(&rec->key, rec->args[0],
			  rec->args[3] & FUTEX_PRIVATE_FLAG);
	}
	emit(place, sizeof(*rec));
	return 0;
}

/* Start an exec record with every field empty. */
static __always_inline struct probe_exec *exec_rec_start(enum scratch_slot slot,
							 struct scratch **sp,
							 struct rec_place *place)
{
	struct probe_exec *rec = rec_start(slot, PROBE_REC_EXEC, sp, place);

	if (!rec)
		return NULL;
	rec->ret = 0;
	rec->nr = 0;
	rec->old_tid = 0;
	rec->rflags = 0;
	rec->argc = 0;
	rec->filename_len = 0;
	rec->interp_len = 0;
	rec->argv_len = 0;
	rec->env_len = 0;
	rec->exe_path_len = 0;
	rec->cred_known = 0;
	rec->pad = 0;
	__builtin_memset(&rec->exe, 0, sizeof(rec->exe));
	__builtin_memset(&rec->cred_before, 0, sizeof(rec->cred_before));
	__builtin_memset(&rec->cred_after, 0, sizeof(rec->cred_after));
	return rec;
}

/* A successful exec never returns to sys_exit: sched_process_exec has it. */
static __always_inline int on_exec_failed(struct pt_regs *regs, long nr,
					  long ret)
{
	struct rec_place place;
	struct probe_exec *rec;
	struct task_struct *task;
	struct scratch *s;

	rec = exec_rec_start(SLOT_SYSCALL, &s, &place);
	if (!rec)
		return 0;
	rec->ret = ret;
	rec->nr = nr;
	task = (void *)bpf_get_current_task();
	rec->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	rec->filename_len =
		user_path(rec->data,
			  (void *)(nr == NR_execveat ? regs->si : regs->di),
			  &rec->rflags);
	emit(place, sizeof(*rec) +
			  (rec->filename_len & (2 * PROBE_PATH_MAX - 1)));
	return 0;
}

#include "sockets.h"
#include "mappings.h"
#include "aio.h"

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *trusted_regs, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct pt_regs *regs;
	long nr;

	if (!is_traced(tgid))
		return 0;
	regs = kernel_ptr(trusted_regs, struct pt_regs); /* see current_task() */
	nr = regs->orig_ax;
	if (tgid == pending_tgid) {
		if ((nr == NR_execve || nr == NR_execveat) && ret < 0)
			return on_exec_failed(regs, nr, ret);
		return 0;
	}
	switch (nr) {
	case NR_open:
	case NR_openat:
	case NR_openat2:
	case NR_creat:
		return on_open(regs, nr, ret);
	case NR_close:
		return on_close(regs, nr, ret);
	case NR_dup:
	case NR_dup2:
	case NR_dup3:
	case NR_fcntl:
	case NR_close_range:
	case NR_pipe:
	case NR_pipe2:
	case NR_socketpair:
		return on_fdop(regs, nr, ret);
	case NR_read:
	case NR_write:
	case NR_pread64:
	case NR_pwrite64:
	case NR_readv:
	case NR_writev:
	case NR_preadv:
	case NR_pwritev:
	case NR_preadv2:
	case NR_pwritev2:
	case NR_sendfile:
	case NR_splice:
	case NR_copy_file_range:
	case NR_mmap:
		return on_data(regs, nr, ret);
	case NR_sendto:
	case NR_recvfrom:
	case NR_sendmsg:
	case NR_recvmsg:
	case NR_sendmmsg:
	case NR_recvmmsg:
		if (!args_to_scratch(regs))
			return 0;
		return record_socket_use(nr, ret);
	case NR_mprotect:
	case NR_pkey_mprotect:
		return record_mprotect(nr, regs->di, regs->si, regs->dx, ret);
	case NR_execve:
	case NR_execveat:
		if (ret < 0)
			return on_exec_failed(regs, nr, ret);
		return 0;
	case NR_io_submit:
		return on_io_submit(regs, ret);
	case NR_futex:
	case NR_futex_wake:
	case NR_futex_wait:
	case NR_futex_requeue:
	case NR_futex_waitv:
		if (!args_to_scratch(regs))
			return 0;
		return record_futex(nr, ret);
	}
	return on_syscall(regs, nr, ret);
}

/* ---- inodes that path-naming changes touch ---- */

/*
 * chmod, unlink, rename and the like name their files by path, and at
 * sys_exit nothing says which inodes the paths were: the kernel has let go
 * of them (an unlinked one may be gone).  Each such change stamps the
 * ctime of the inodes it changes, through inode_set_ctime_current(), whose
 * tracepoints name the inode: ctime_ns_xchg (a new stamp) and
 * ctime_xchg_skip (the same stamp again) on filesystems with multigrain
 * timestamps (ext4, xfs, btrfs, tmpfs), inode_set_ctime_to_ts on the
 * others.  A stamp lost to a concurrent one on the same inode passes none
 * of them.  Each stamp that a syscall marked PROBE_SC_TOUCH makes in a
 * traced task becomes a probe_touch record; stamps from other syscalls
 * (a write's) cost only the test of the syscall number.
 */
static __always_inline int on_touch(const struct inode *ip)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct probe_touch *rec;
	struct rec_place place;
	struct scratch *s;
	struct inode *inode;
	struct dentry *alias, *parent;
	struct hlist_node *first;
	struct pt_regs *regs;
	long nr, n;

	if (!is_traced(tgid) || tgid == pending_tgid)
		return 0;
	regs = kernel_ptr((void *)bpf_task_pt_regs(bpf_get_current_task_btf()),
			  struct pt_regs);
	nr = regs->orig_ax;
	if (nr < 0 || nr >= PROBE_NR_SYSCALLS ||
	    !(sc_layout[nr & (PROBE_NR_SYSCALLS - 1)].flags & PROBE_SC_TOUCH))
		return 0;
	/* The sched hooks' slot: those never run inside a syscall's
	 * filesystem work, nor it inside them. */
	rec = rec_start(SLOT_TASK, PROBE_REC_TOUCH, &s, &place);
	if (!rec)
		return 0;
	inode = kernel_ptr(ip, struct inode);
	rec->nr = nr;
	rec->nlink = inode->i_nlink;
	rec->rflags = 0;
	rec->parent_ino = 0;
	rec->name_len = 0;
	inode_fill(&rec->inode, ip);
	first = inode->i_dentry.first;
	if (first) {
		alias = kernel_ptr(
		    (void *)first - bpf_core_field_offset(struct dentry, d_u),
		    struct dentry);
		n = bpf_probe_read_kernel_str(rec->data, NAME_MAX + 1,
					      alias->d_name.name);
		if (n > 0)
			rec->name_len = n;
		else
			count_read_fault();
		parent = alias->d_parent;
		if (parent && parent != alias && parent->d_inode)
			rec->parent_ino = parent->d_inode->i_ino;
	}
	emit(place, sizeof(*rec) + rec->name_len);
	return 0;
}

SEC("tp_btf/ctime_ns_xchg")
int BPF_PROG(ctime_ns_xchg, struct inode *inode)
{
	return on_touch(inode);
}

SEC("tp_btf/ctime_xchg_skip")
int BPF_PROG(ctime_xchg_skip, struct inode *inode)
{
	return on_touch(inode);
}

SEC("tp_btf/inode_set_ctime_to_ts")
int BPF_PROG(inode_set_ctime_to_ts, struct inode *inode)
{
	return on_touch(inode);
}

/* ---- processes ---- */

/* Whether a cgroup v2 is the --cgroup directory or below it. */
static __always_inline bool cgroup_in_scope(struct cgroup *cgrp)
{
	int level = BPF_CORE_READ(cgrp, level);

	for (int i = 0; i < 64; i++) {
		struct cgroup *anc = NULL;

		if (i > level)
			break;
		bpf_core_read(&anc, sizeof(anc), &cgrp->ancestors[i]);
		if (anc && BPF_CORE_READ(anc, kn, id) == cgroup_id)
			return true;
	}
	return false;
}

/* The clone flags as the syscall passed them, from the parent's pt_regs. */
static __always_inline __u64 clone_flags(struct pt_regs *regs, __u32 nr,
					 __u16 *rflags)
{
	__u64 flags = 0;

	switch (nr) {
	case NR_clone:
		return BPF_CORE_READ(regs, di);
	case NR_clone3:
		/* struct clone_args starts with its __u64 flags */
		if (bpf_probe_read_user(&flags, sizeof(flags),
					(void *)BPF_CORE_READ(regs, di))) {
			*rflags |= PROBE_RF_ARGS_FAULT;
			count_read_fault();
		}
		return flags;
	case NR_fork:
		return SIGCHLD;
	case NR_vfork:
		return CLONE_VM | CLONE_VFORK | SIGCHLD;
	}
	return 0; /* a kernel-made task (io_uring worker, ...) */
}

/*
 * The rest of a clone record whose header, nr, flags and rflags are set:
 * what child is and shares with parent, from the kernel's own pointers;
 * then emit it.  Probe reads, not typed loads: see sched_process_fork.
 */
static __always_inline void clone_emit(struct rec_place place,
				       struct probe_clone *rec,
				       struct task_struct *parent,
				       struct task_struct *child)
{
	bool thread = BPF_CORE_READ(parent, tgid) == BPF_CORE_READ(child, tgid);

	rec->child_pid = BPF_CORE_READ(child, tgid);
	rec->child_tid = BPF_CORE_READ(child, pid);
	rec->child_start_ns = BPF_CORE_READ(child, group_leader, start_boottime);
	rec->parent_start_ns =
		BPF_CORE_READ(parent, group_leader, start_boottime);
	rec->share =
		(BPF_CORE_READ(child, files) == BPF_CORE_READ(parent, files) ?
			 PROBE_SHARE_FILES :
			 0) |
		(BPF_CORE_READ(child, fs) == BPF_CORE_READ(parent, fs) ?
			 PROBE_SHARE_FS :
			 0) |
		(BPF_CORE_READ(child, mm) == BPF_CORE_READ(parent, mm) ?
			 PROBE_SHARE_VM :
			 0) |
		(BPF_CORE_READ(child, sighand) ==
				 BPF_CORE_READ(parent, sighand) ?
			 PROBE_SHARE_SIGHAND :
			 0) |
		(thread ? PROBE_SHARE_THREAD : 0);
	emit(place, sizeof(*rec));
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	/* Probe reads, not typed loads: each typed load through a trusted
	 * pointer costs the verifier a search of the kernel's BTF by name
	 * (btf_nested_type_is_trusted), milliseconds of start-up, and this
	 * hook runs too rarely for its run time to matter. */
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	bool thread = ptgid == ctgid;
	struct probe_clone *rec;
	struct pt_regs *regs;
	struct scratch *s;
	struct rec_place place;

	if (!thread) {
		bool follow = scope == PROBE_SCOPE_CGROUP ?
				      cgroup_in_scope(BPF_CORE_READ(
					      child, cgroups, dfl_cgrp)) :
				      is_traced(ptgid);

		if (follow && set_traced(ctgid))
			__sync_fetch_and_add(&live_processes, 1);
	}
	if (!is_traced(ptgid))
		return 0;

	rec = rec_start(SLOT_TASK, PROBE_REC_CLONE, &s, &place);
	if (!rec)
		return 0;
	rec->rflags = 0;
	rec->io_thread = 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(parent);
	rec->nr = BPF_CORE_READ(regs, orig_ax);
	rec->flags = clone_flags(regs, rec->nr, &rec->rflags);
	clone_emit(place, rec, parent, child);
	return 0;
}

/* A user memory range [start, end) of the new image into dst. */
static __always_inline __u32 read_user_range(char *dst, unsigned long start,
					     unsigned long end, __u16 *rflags,
					     __u16 fault, __u16 trunc)
{
	unsigned long len = end > start ? end - start : 0;

	if (len > PROBE_ARGV_MAX) {
		len = PROBE_ARGV_MAX;
		*rflags |= trunc;
	}
	len &= 2 * PROBE_ARGV_MAX - 1;
	if (len && bpf_probe_read_user(dst, len, (void *)start)) {
		*rflags |= fault;
		count_read_fault();
		return 0;
	}
	if (len && (*rflags & trunc))
		dst[(len - 1) & (2 * PROBE_ARGV_MAX - 1)] = 0;
	return len;
}

static __always_inline void cred_fill(struct probe_cred *out,
				      const struct cred *c)
{
	const struct cred *cred = kernel_ptr(c, struct cred);

	out->uid = cred->uid.val;
	out->euid = cred->euid.val;
	out->gid = cred->gid.val;
	out->egid = cred->egid.val;
	out->cap_effective = cred->cap_effective.val;
	out->cap_permitted = cred->cap_permitted.val;
}

/* Keep the credentials an exec is about to replace: see exec_creds. */
SEC("tp_btf/task_rename")
int BPF_PROG(task_rename, struct task_struct *task, const char *comm)
{
	struct exec_creds *c;

	if (!is_traced(task->tgid))
		return 0;
	c = bpf_task_storage_get(&exec_creds, task, NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 0;
	cred_fill(&c->cred, task->real_cred);
	c->exec_id = task->self_exec_id;
	return 0;
}

/* The credentials before the exec (if its rename kept them) and after. */
static __always_inline void exec_creds_fill(struct task_struct *task,
					    struct probe_exec *rec)
{
	struct exec_creds *before;

	before = bpf_task_storage_get(&exec_creds, task, NULL, 0);
	if (before && before->exec_id + 1 == task->self_exec_id) {
		rec->cred_before = before->cred;
		rec->cred_known |= PROBE_EXEC_CRED_BEFORE;
	}
	cred_fill(&rec->cred_after, task->real_cred);
	rec->cred_known |= PROBE_EXEC_CRED_AFTER;
}

/*
 * The absolute path of the file an exec ran, written at out, the start of
 * the exec record's variable part at place; a file with no path (a memfd)
 * by its dentry's name, "memfd:NAME".  Returns the length with the NUL.
 */
static __always_inline __u32 exe_path(struct scratch *s, struct file *file,
				      struct rec_place place, char *out,
				      __u16 *rflags)
{
	__u16 walked = 0;
	__u32 len;
	long n;

	len = path_resolve(s, &file->f_path, place, sizeof(struct probe_exec),
			   &walked);
	*rflags |= walked & PROBE_RF_ABS_TRUNC;
	if (!(walked & PROBE_RF_ANON))
		return len;
	n = bpf_probe_read_kernel_str(out, PROBE_PATH_MAX,
				      file->f_path.dentry->d_name.name);
	return n > 0 ? n : 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *task, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	struct probe_exec *rec;
	struct scratch *s;
	struct rec_place place;
	struct mm_struct *mm;
	const char *filename, *interp;
	__u32 off;
	long n;

	if (!is_traced(tgid))
		return 0;
	if (tgid == pending_tgid)
		pending_tgid = 0;

	rec = exec_rec_start(SLOT_SYSCALL, &s, &place);
	if (!rec)
		return 0;
	rec->old_tid = old_pid != task->pid ? old_pid : 0;
	rec->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	rec->argc = bprm->argc;
	inode_fill(&rec->exe, BPF_CORE_READ(bprm, file, f_inode));
	exec_creds_fill(task, rec);

	filename = BPF_CORE_READ(bprm, filename);
	interp = BPF_CORE_READ(bprm, interp);
	/* named through an fd ("/dev/fd/N..."), and no script in between */
	if (BPF_CORE_READ(bprm, fdpath) && interp == filename)
		rec->exe_path_len =
			exe_path(s, kernel_ptr(bprm->file, struct file), place,
				 rec->data, &rec->rflags);
	off = rec->exe_path_len & (2 * PROBE_PATH_MAX - 1);
	n = bpf_probe_read_kernel_str(&rec->data[off], PROBE_PATH_MAX,
				      filename);
	rec->filename_len = n > 0 ? n : 0;
	off += rec->filename_len & (2 * PROBE_PATH_MAX - 1);
	if (interp != filename) {
		n = bpf_probe_read_kernel_str(&rec->data[off], PROBE_PATH_MAX,
					      interp);
		rec->interp_len = n > 0 ? n : 0;
		off += rec->interp_len & (2 * PROBE_PATH_MAX - 1);
	}

	mm = BPF_CORE_READ(task, mm);
	rec->argv_len = read_user_range(&rec->data[off],
					BPF_CORE_READ(mm, arg_start),
					BPF_CORE_READ(mm, arg_end),
					&rec->rflags, PROBE_RF_ARGV_FAULT,
					PROBE_RF_ARGV_TRUNC);
	off += rec->argv_len & (2 * PROBE_ARGV_MAX - 1);
	if (capture_env) {
		rec->env_len = read_user_range(&rec->data[off],
					       BPF_CORE_READ(mm, env_start),
					       BPF_CORE_READ(mm, env_end),
					       &rec->rflags, PROBE_RF_ENV_FAULT,
					       PROBE_RF_ENV_TRUNC);
		off += rec->env_len & (2 * PROBE_ARGV_MAX - 1);
	}
	emit(place, sizeof(*rec) + off);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid;
	struct signal_struct *sig = task->signal;
	struct probe_exit *rec;
	struct scratch *s;
	struct rec_place place;

	if (!is_traced(tgid))
		return 0;
	rec = rec_start(SLOT_TASK, PROBE_REC_EXIT, &s, &place);
	if (!rec)
		return 0;
	rec->exit_code = task->exit_code;
	/* As wait_task_zombie() reports it. */
	rec->status = (sig->flags & SIGNAL_GROUP_EXIT) ? sig->group_exit_code :
							   task->exit_code;
	rec->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	/* do_exit() decremented signal->live before this tracepoint. */
	rec->group_dead = sig->live.counter == 0;
	emit(place, sizeof(*rec));
	if (rec->group_dead) {
		bpf_map_delete_elem(&read_stamps, &tgid);
		if (clear_traced(tgid))
			__sync_fetch_and_sub(&live_processes, 1);
	}
	return 0;
}

/*
 * A signal a traced task takes, and the state of the syscall it came in:
 * signal_deliver runs in get_signal(), before the architecture's signal
 * code turns a -ERESTART* return into EINTR or a restart.
 */
SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *trusted_info,
	     struct k_sigaction *trusted_ka)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kernel_siginfo *info;
	struct k_sigaction *ka;
	struct probe_signal *rec;
	struct rec_place place;
	struct pt_regs *regs;
	struct scratch *s;

	if (!is_traced(tgid) || tgid == pending_tgid)
		return 0;
	/* read-only casts: see current_task() */
	info = kernel_ptr(trusted_info, struct kernel_siginfo);
	ka = kernel_ptr(trusted_ka, struct k_sigaction);
	regs = kernel_ptr((void *)bpf_task_pt_regs(bpf_get_current_task_btf()),
			  struct pt_regs);
	rec = rec_start(SLOT_TASK, PROBE_REC_SIGNAL, &s, &place);
	if (!rec)
		return 0;
	rec->sig = sig;
	rec->code = info->si_code;
	rec->sender_pid = info->_sifields._kill._pid;
	rec->sa_flags = ka->sa.sa_flags;
	rec->handler = (__u64)ka->sa.sa_handler;
	rec->syscall_nr = (long)regs->orig_ax;
	rec->syscall_ret = rec->syscall_nr >= 0 ? (long)regs->ax : 0;
	emit(place, sizeof(*rec));
	return 0;
}

/*
 * Who woke whom: a traced task that, in a futex syscall or on its way
 * out (the futex wake of its CLONE_CHILD_CLEARTID word), wakes another
 * traced task.  This hook runs for every wakeup on the machine, so it
 * tests the waker first.  An interrupt that wakes a task (a timer ending
 * a futex wait) is seen as the doing of the task it interrupted: the
 * user side takes a wakeup only for a wait that returned 0, on the key
 * the waker's syscall named.
 */

SEC("tp_btf/sched_waking")
int BPF_PROG(sched_waking, struct task_struct *trusted_p)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *p;
	struct probe_wake *rec;
	struct rec_place place;
	struct pt_regs *regs;
	struct scratch *s;
	long nr;

	/* A program that writes a record runs with preemption off, and
	 * none of ours runs inside another but from an interrupt: a wakeup
	 * seen while a record is being written on this CPU is an
	 * interrupt's (a timer ending a sleep), nobody's doing, and no loss
	 * (rec_start() would count it as one). */
	if (!is_traced(tgid) || this_cpu_state()->building)
		return 0;
	p = kernel_ptr(trusted_p, struct task_struct);
	if (!is_traced(p->tgid))
		return 0;
	regs = kernel_ptr((void *)bpf_task_pt_regs(bpf_get_current_task_btf()),
			  struct pt_regs);
	nr = regs->orig_ax;
	if (nr != NR_futex && nr != NR_futex_wake && nr != NR_futex_requeue &&
	    nr != NR_exit && nr != NR_exit_group)
		return 0;
	rec = rec_start(SLOT_TASK, PROBE_REC_WAKE, &s, &place);
	if (!rec)
		return 0;
	rec->nr = nr;
	rec->wakee_pid = p->tgid;
	rec->wakee_tid = p->pid;
	emit(place, sizeof(*rec));
	return 0;
}

/* --cgroup: tasks that move into the subtree start being traced, and
 * tasks that leave it stop. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(cgroup_attach_task, struct cgroup *dst, const char *path,
	     struct task_struct *task, bool threadgroup)
{
	__u32 tgid = task->tgid;
	bool inside = cgroup_in_scope(dst);

	if (inside) {
		if (set_traced(tgid))
			__sync_fetch_and_add(&live_processes, 1);
	} else if (clear_traced(tgid)) {
		__sync_fetch_and_sub(&live_processes, 1);
	}
	return 0;
}

#include "io_uring.h"
