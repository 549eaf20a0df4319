/*
 * Linux AIO: the reads and writes that io_submit(2) hands to the kernel,
 * recorded at its sys_exit as the uses they are (struct probe_async: the
 * AIO context and the iocb's opcode), deduplicated like every use.  The
 * iocbs are read back from user memory: io_submit(ctx_id, nr, iocbpp)
 * took the first ret of the nr, each by a pointer in iocbpp.  A buffered
 * read or write is done by the time io_submit returns; one the kernel
 * queued (O_DIRECT) completes later, and is recorded at its submission.
 * Included by probe.bpf.c before its sys_exit program.
 */
#ifndef PROBE_BPF_AIO_H
#define PROBE_BPF_AIO_H

#define NR_io_submit 209
/* iocbs looked at per io_submit: ample for the nr a program passes (the
 * kernel caps a context's requests at aio-max-nr, 65536 by default) */
#define AIO_MAX_IOCBS 4096

struct aio_submit {
	struct iocb **iocbpp;
	__u64 ctx_id;
	long ret;
};

/* The i-th iocb io_submit took: a use of its fd, if it reads or writes. */
static long aio_iocb(__u32 i, void *data)
{
	struct aio_submit *sub = data;
	struct async_src src = {};
	struct iocb *ucb = NULL;
	struct file *file;
	struct iocb cb;
	__u32 access;

	if (bpf_probe_read_user(&ucb, sizeof(ucb), &sub->iocbpp[i]) ||
	    bpf_probe_read_user(&cb, sizeof(cb), ucb)) {
		count_read_fault();
		return 0;
	}
	switch (cb.aio_lio_opcode) {
	case IOCB_CMD_PREAD:
	case IOCB_CMD_PREADV:
		access = PROBE_USE_READ;
		break;
	case IOCB_CMD_PWRITE:
	case IOCB_CMD_PWRITEV:
		access = PROBE_USE_WRITE;
		break;
	default: /* fsync, fdatasync, poll, noop: no data */
		return 0;
	}
	file = fd_file(cb.aio_fildes);
	if (!file || !use_is_new(file, access))
		return 0;
	src.async.ring = sub->ctx_id;
	src.async.opcode = cb.aio_lio_opcode;
	src.id = bpf_get_current_pid_tgid();
	emit_use(file, NR_io_submit, cb.aio_fildes, sub->ret, access, 0, 0,
		 &src);
	return 0;
}

static __always_inline int on_io_submit(struct pt_regs *regs, long ret)
{
	struct aio_submit sub = {
		.iocbpp = (void *)regs->dx,
		.ctx_id = regs->di,
		.ret = ret,
	};

	if (ret > 0)
		bpf_loop(ret < AIO_MAX_IOCBS ? ret : AIO_MAX_IOCBS, aio_iocb,
			 &sub, 0);
	return 0;
}

#endif
