/*
 * io_uring: the requests that move data or make and close fds, recorded
 * as the opens, uses and closes they are (struct probe_async in
 * schemas/probe_abi.h), and the threads the kernel makes for a ring.
 *
 * A request passes two tracepoints:
 *   io_uring_submit_req, in the task that submits it (in io_uring_enter,
 *     or the SQPOLL thread), once io_init_req() has prepared it: who
 *     submitted it, and the fd or fixed-file index it names (req->cqe.fd,
 *     which the result's flags overwrite: struct io_cqe's union);
 *   io_uring_complete, where its CQE is filled: inline in the submitter,
 *     in its task work, or in an io worker (IOSQE_ASYNC, or a read that
 *     would block): its result, with its struct file still held
 *     (io_put_file() comes after the CQE).
 * The record is made at completion, for the submitter.
 *
 * io threads (create_io_thread(): io-wq workers, the SQPOLL thread) are
 * made by copy_process() outside kernel_clone(), so sched_process_fork
 * never sees them: task_newtask does.
 *
 * Included at the end of probe.bpf.c.
 */
#ifndef PROBE_BPF_IO_URING_H
#define PROBE_BPF_IO_URING_H

/* include/linux/sched.h, include/uapi/linux/io_uring.h, fcntl.h */
#define PF_IO_WORKER 0x00000010
#define IORING_FILE_INDEX_ALLOC (~0U)
#define SPLICE_F_FD_IN_FIXED (1U << 31)
#define O_ACCMODE 03
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000
/* io_uring/filetable.h: flags in the low bits of a fixed file's pointer */
#define FFS_MASK (~3UL)

/* What a request is to the recording. */
enum uring_kind {
	URING_NONE, /* not recorded: no data, no fd (nop, poll, timeout...) */
	URING_READ,
	URING_WRITE,
	URING_SPLICE, /* splice, tee: reads its input, writes req->file */
	URING_OPEN, /* makes an fd or a fixed file */
	URING_CLOSE,
};

static __always_inline enum uring_kind uring_kind(__u8 opcode)
{
	switch (opcode) {
	case IORING_OP_READV:
	case IORING_OP_READ_FIXED:
	case IORING_OP_READ:
	case IORING_OP_READ_MULTISHOT:
	case IORING_OP_READV_FIXED:
	case IORING_OP_RECV:
	case IORING_OP_RECVMSG:
		return URING_READ;
	case IORING_OP_WRITEV:
	case IORING_OP_WRITE_FIXED:
	case IORING_OP_WRITE:
	case IORING_OP_WRITEV_FIXED:
	case IORING_OP_SEND:
	case IORING_OP_SENDMSG:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG_ZC:
		return URING_WRITE;
	case IORING_OP_SPLICE:
	case IORING_OP_TEE:
		return URING_SPLICE;
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
	case IORING_OP_ACCEPT:
	case IORING_OP_SOCKET:
	case IORING_OP_FIXED_FD_INSTALL:
	case IORING_OP_PIPE:
		return URING_OPEN;
	case IORING_OP_CLOSE:
		return URING_CLOSE;
	}
	return URING_NONE;
}

/* What io_uring_submit_req saw of a request that its completion needs. */
struct uring_submit {
	__u64 id; /* the submitter's bpf_get_current_pid_tgid() */
	__s32 fd; /* the fd or fixed-file index it names */
	__u32 fixed; /* REQ_F_FIXED_FILE */
};

/*
 * By struct io_kiocb.  A request whose completion is never seen (no CQE)
 * leaves its entry to the LRU; a struct io_kiocb reused for another
 * request gets a new entry at its submission.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct uring_submit);
} uring_submits SEC(".maps");

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(io_uring_submit_req, struct io_kiocb *trusted_req)
{
	__u64 id = bpf_get_current_pid_tgid(), key = (__u64)trusted_req;
	struct uring_submit sub;
	struct io_kiocb *req;

	if (!is_traced(id >> 32) || id >> 32 == pending_tgid)
		return 0;
	req = kernel_ptr(trusted_req, struct io_kiocb); /* see current_task() */
	if (uring_kind(req->opcode) == URING_NONE)
		return 0;
	sub.id = id;
	sub.fd = req->cqe.fd;
	sub.fixed = (req->flags & REQ_F_FIXED_FILE) != 0;
	bpf_map_update_elem(&uring_submits, &key, &sub, BPF_ANY);
	return 0;
}

/* The file in slot of the ring's registered files, or NULL
 * (io_slot_file()). */
static __always_inline struct file *uring_fixed_file(struct io_ring_ctx *ctx,
						     __u32 slot)
{
	struct io_rsrc_node *node = NULL;

	if (slot >= ctx->file_table.data.nr)
		return NULL;
	bpf_probe_read_kernel(&node, sizeof(node),
			      &ctx->file_table.data.nodes[slot]);
	if (!node)
		return NULL;
	return kernel_ptr((void *)(kernel_ptr(node, struct io_rsrc_node)
					   ->file_ptr &
				   FFS_MASK),
			  struct file);
}

/* The file an fd or a fixed-file index names, for the task completing. */
static __always_inline struct file *uring_file(struct io_ring_ctx *ctx,
					       __s32 fd, bool fixed)
{
	return fixed ? uring_fixed_file(ctx, fd) : fd_file(fd);
}

/* A use of file by the request, if the first of its kind (use_is_new()). */
static __always_inline void uring_use(struct file *file, __s32 fd, bool fixed,
				      __s32 res, __u32 access,
				      struct async_src *src)
{
	if (!file || (!res && access == PROBE_USE_READ && is_channel(file)) ||
	    !use_is_new(file, access))
		return;
	src->async.flags = fixed ? PROBE_ASYNC_FIXED : 0;
	emit_use(file, PROBE_NR_IO_URING, fd, res, access, 0, 0, src);
}

/* A new fd or fixed file a request made. */
struct uring_new_file {
	__s64 ret; /* the fd, or the slot; or -errno */
	bool fixed;
	__s32 dirfd;
	__u64 flags, mode;
};

static __always_inline void uring_open_record(struct io_ring_ctx *ctx,
					      const struct async_src *src,
					      const struct uring_new_file *nf)
{
	struct rec_place place;
	struct probe_open *rec;
	struct scratch *s;
	struct file *file;

	rec = rec_start(SLOT_SYSCALL, PROBE_REC_OPEN, &s, &place);
	if (!rec)
		return;
	hdr_async(&rec->hdr, src);
	rec->ret = nf->ret;
	rec->nr = PROBE_NR_IO_URING;
	rec->dirfd = nf->dirfd;
	rec->flags = nf->flags;
	rec->mode = nf->mode;
	rec->f_flags = 0;
	rec->f_mode = 0;
	rec->rflags = src->rflags;
	rec->path_len = 0; /* putname()d before the completion */
	rec->abs_len = 0;
	__builtin_memset(&rec->inode, 0, sizeof(rec->inode));
	rec->async = src->async;
	rec->async.flags = nf->fixed ? PROBE_ASYNC_FIXED : 0;
	if (nf->ret >= 0) {
		file = uring_file(ctx, nf->ret, nf->fixed);
		open_file(s, place, rec, file, 0);
		/* an fd that no open flags made: as it is now */
		if (file && src->async.opcode != IORING_OP_OPENAT &&
		    src->async.opcode != IORING_OP_OPENAT2)
			rec->flags |= file->f_flags & (O_ACCMODE | O_NONBLOCK);
	}
	emit(place, sizeof(*rec) + (rec->abs_len & (2 * PROBE_PATH_MAX - 1)));
}

/*
 * The fd or fixed file a request made: file_slot is 0 for an fd, the slot
 * + 1, or IORING_FILE_INDEX_ALLOC for a slot the kernel chose (the
 * result).
 */
static __always_inline void uring_new_slot(struct uring_new_file *nf,
					   __s32 res, __u32 file_slot)
{
	nf->ret = res;
	nf->fixed = file_slot != 0;
	if (res >= 0 && file_slot && file_slot != IORING_FILE_INDEX_ALLOC)
		nf->ret = file_slot - 1;
}

static __always_inline void uring_open(struct io_ring_ctx *ctx,
				       struct io_kiocb *req,
				       const struct async_src *src, __s32 res)
{
	struct uring_new_file nf = { .dirfd = AT_FDCWD };

	switch (req->opcode) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2: {
		struct io_open *open = kernel_ptr(req, struct io_open);

		nf.dirfd = open->dfd;
		nf.flags = open->how.flags;
		nf.mode = open->how.mode;
		uring_new_slot(&nf, res, open->file_slot);
		break;
	}
	case IORING_OP_ACCEPT: {
		struct io_accept *accept = kernel_ptr(req, struct io_accept);

		nf.flags = accept->flags & O_CLOEXEC; /* SOCK_CLOEXEC */
		uring_new_slot(&nf, res, accept->file_slot);
		break;
	}
	case IORING_OP_SOCKET: {
		struct io_socket *sock = kernel_ptr(req, struct io_socket);

		nf.flags = sock->flags & O_CLOEXEC;
		uring_new_slot(&nf, res, sock->file_slot);
		break;
	}
	case IORING_OP_FIXED_FD_INSTALL: /* a fixed file made an fd */
		nf.flags = kernel_ptr(req, struct io_fixed_install)->o_flags &
			   O_CLOEXEC;
		nf.ret = res;
		break;
	case IORING_OP_PIPE: {
		/* two fds or slots, written back to the user's array */
		struct io_pipe *pipe = kernel_ptr(req, struct io_pipe);
		int fds[2] = { -1, -1 };

		nf.flags = pipe->flags & O_CLOEXEC;
		nf.fixed = pipe->file_slot != 0;
		if (res < 0) {
			nf.ret = res;
			break;
		}
		if (bpf_probe_read_user(fds, sizeof(fds), pipe->fds)) {
			count_read_fault();
			return;
		}
		nf.ret = fds[0];
		uring_open_record(ctx, src, &nf);
		nf.ret = fds[1];
		break;
	}
	}
	uring_open_record(ctx, src, &nf);
}

static __always_inline void uring_close(struct io_kiocb *req,
					const struct async_src *src, __s32 res)
{
	struct io_close *close = kernel_ptr(req, struct io_close);
	struct rec_place place;
	struct probe_close *rec;
	struct scratch *s;

	rec = rec_start(SLOT_SYSCALL, PROBE_REC_CLOSE, &s, &place);
	if (!rec)
		return;
	hdr_async(&rec->hdr, src);
	rec->ret = res;
	rec->nr = PROBE_NR_IO_URING;
	rec->async = src->async;
	rec->async.flags = close->file_slot ? PROBE_ASYNC_FIXED : 0;
	rec->fd = close->file_slot ? close->file_slot - 1 : close->fd;
	emit(place, sizeof(*rec));
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(io_uring_complete, struct io_ring_ctx *trusted_ctx, void *req_ptr,
	     struct io_uring_cqe *trusted_cqe)
{
	__u64 id = bpf_get_current_pid_tgid(), key = (__u64)req_ptr;
	struct async_src src = {};
	struct uring_submit sub, *seen;
	struct io_ring_ctx *ring;
	struct io_kiocb *req;
	enum uring_kind kind;
	struct file *file;
	__s32 res;

	/* req is NULL for a CQE that no request of its own posts (a
	 * multishot request's, msg_ring's) */
	if (!req_ptr || !is_traced(id >> 32) || id >> 32 == pending_tgid)
		return 0;
	req = kernel_ptr(req_ptr, struct io_kiocb);
	kind = uring_kind(req->opcode);
	if (kind == URING_NONE)
		return 0;
	ring = kernel_ptr(trusted_ctx, struct io_ring_ctx);
	res = kernel_ptr(trusted_cqe, struct io_uring_cqe)->res;
	seen = bpf_map_lookup_elem(&uring_submits, &key);
	if (seen) {
		sub = *seen;
		bpf_map_delete_elem(&uring_submits, &key);
	} else { /* its submission was not seen: who and which fd unknown */
		sub.id = id;
		sub.fd = -1;
		sub.fixed = 0;
		src.rflags = PROBE_RF_UNSEEN_SUBMIT;
	}
	src.id = sub.id;
	src.async.ring = (__u64)ring;
	src.async.opcode = req->opcode;
	if ((__u32)id != (__u32)sub.id)
		src.async.worker_tid = (__u32)id;

	switch (kind) {
	case URING_READ:
	case URING_WRITE:
		if (res < 0)
			break;
		file = kernel_ptr(req->file, struct file);
		uring_use(file, sub.fd, sub.fixed, res,
			  kind == URING_READ ? PROBE_USE_READ : PROBE_USE_WRITE,
			  &src);
		break;
	case URING_SPLICE: {
		struct io_splice *sp = kernel_ptr(req, struct io_splice);
		bool in_fixed = sp->flags & SPLICE_F_FD_IN_FIXED;
		__s32 in_fd = sp->splice_fd_in;

		if (res < 0)
			break;
		uring_use(uring_file(ring, in_fd, in_fixed), in_fd, in_fixed,
			  res, PROBE_USE_READ, &src);
		uring_use(kernel_ptr(req->file, struct file), sub.fd, sub.fixed,
			  res, PROBE_USE_WRITE, &src);
		break;
	}
	case URING_OPEN:
		uring_open(ring, req, &src, res);
		break;
	case URING_CLOSE:
		uring_close(req, &src, res);
		break;
	case URING_NONE:
		break;
	}
	return 0;
}

/*
 * An io thread made for a traced process: a clone record of the task
 * that made it (the submitter whose io-wq needed a worker, or the
 * ring's creator for its SQPOLL thread), so that the thread's ops have a
 * clone before them.  Every other task comes through sched_process_fork.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(task_newtask, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *parent;
	struct probe_clone *rec;
	struct rec_place place;
	struct scratch *s;

	if (!is_traced(bpf_get_current_pid_tgid() >> 32) ||
	    !(BPF_CORE_READ(task, flags) & PF_IO_WORKER))
		return 0;
	parent = bpf_get_current_task_btf();
	rec = rec_start(SLOT_TASK, PROBE_REC_CLONE, &s, &place);
	if (!rec)
		return 0;
	rec->rflags = 0;
	rec->io_thread = 1;
	rec->nr = 0;
	rec->flags = clone_flags;
	clone_emit(place, rec, parent, task);
	return 0;
}

#endif
