/*
 * The send and receive family: sendto and recvfrom (the C library's send
 * and recv too), sendmsg, recvmsg, sendmmsg, recvmmsg.  Each is a use of
 * its socket, as write and read are (on_use()): the first of each kind
 * per open file description and read stamp is recorded, and a connected
 * unix socket names its peer's inode, where what it sends is received.
 *
 * recvmsg and recvmmsg also bring fds, in SCM_RIGHTS control messages:
 * at sys_exit the kernel has installed them and written their numbers
 * into the control buffer, so each one's file is read from the fd table,
 * as the kernel's own object, and recorded (struct probe_fd_arrival).
 * A program could rewrite its buffer before sys_exit reads it: then an
 * fd it already had is named, with the file it has.
 *
 * Included by probe.bpf.c, after on_use().
 */
#ifndef PROBE_BPF_SOCKETS_H
#define PROBE_BPF_SOCKETS_H

#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define SCM_MAX_FD 253 /* include/net/scm.h: fds one message can carry */
#define MSG_CMSG_CLOEXEC 0x40000000
/* Bounds of what one receive is searched for: the control messages of a
 * message, and the messages of a recvmmsg. */
#define SCM_CMSGS 4
#define RECVMMSG_MSGS 8

/*
 * One fd that a receive installed: the file behind it.  A global
 * function, verified once.
 */
__noinline int record_fd_arrival(__u32 nr, __s32 fd, __s32 sock_fd,
				 __u32 cloexec, __s64 ret)
{
	struct file *file = fd_file(fd);
	struct probe_fd_arrival *rec;
	struct rec_place place;
	struct scratch *s;

	if (!file)
		return 0;
	/* a new open file description for this process: see forget_uses() */
	forget_uses(file);
	rec = rec_start(SLOT_SYSCALL, PROBE_REC_FD_ARRIVAL, &s, &place);
	if (!rec)
		return 0;
	rec->ret = ret;
	rec->nr = nr;
	rec->fd = fd;
	rec->sock_fd = sock_fd;
	rec->cloexec = cloexec;
	rec->rflags = 0;
	rec->pad = 0;
	inode_fill(&rec->inode, file->f_inode);
	rec->abs_len = path_resolve(s, &file->f_path, place, sizeof(*rec),
				    &rec->rflags);
	emit(place, sizeof(*rec) + (rec->abs_len & (2 * PROBE_PATH_MAX - 1)));
	return 0;
}

/* The fds of one SCM_RIGHTS message, for bpf_loop(). */
struct scm_fds {
	__u64 fds; /* user address of the int array */
	__u32 n;
	__u32 nr;
	__s32 sock_fd;
	__u32 cloexec;
	__s64 ret;
};

static long scm_fd(__u32 i, void *ctx)
{
	struct scm_fds *m = ctx;
	int fd;

	if (i >= m->n)
		return 1;
	if (bpf_probe_read_user(&fd, sizeof(fd), (void *)(m->fds + 4 * i))) {
		count_read_fault();
		return 1;
	}
	record_fd_arrival(m->nr, fd, m->sock_fd, m->cloexec, m->ret);
	return 0;
}

/*
 * The fds in the control messages of the struct user_msghdr at umsg,
 * whose msg_controllen the kernel set to what it wrote.  A global
 * function, verified on its own: inside record_socket_use(), the
 * verifier's precision tracking back out of scm_fd() failed ("verifier
 * bug: backtracking call unexpected regs") on this 6.18 kernel.
 */
__noinline int record_scm_rights(__u64 umsg, __u32 nr, __s32 sock_fd,
				 __u32 cloexec, __s64 ret)
{
	struct scm_fds m = {
		.nr = nr, .sock_fd = sock_fd, .cloexec = cloexec, .ret = ret
	};
	struct user_msghdr msg;
	struct cmsghdr c;
	__u64 off = 0;

	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)umsg)) {
		count_read_fault();
		return 0;
	}
	for (int i = 0; i < SCM_CMSGS; i++) {
		if (off + sizeof(c) > msg.msg_controllen ||
		    bpf_probe_read_user(&c, sizeof(c), msg.msg_control + off))
			return 0;
		if (c.cmsg_len < sizeof(c) || off + c.cmsg_len > msg.msg_controllen)
			return 0;
		if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_RIGHTS) {
			m.fds = (__u64)msg.msg_control + off + sizeof(c);
			m.n = (c.cmsg_len - sizeof(c)) / sizeof(int);
			bpf_loop(SCM_MAX_FD, scm_fd, &m, 0);
		}
		off += (c.cmsg_len + 7) & ~7ULL; /* CMSG_ALIGN */
	}
	return 0;
}

/*
 * A global function, verified once on its own rather than inlined into
 * sys_exit; the syscall's arguments are in the syscall hooks' scratch.
 * Every syscall of the family takes its socket first.
 */
__noinline int record_socket_use(__u32 nr, __s64 ret)
{
	bool sends = nr == NR_sendto || nr == NR_sendmsg || nr == NR_sendmmsg;
	struct scratch *s = scratch_get(SLOT_SYSCALL);
	__u32 cloexec;
	__s32 sock_fd;

	if (!s || ret < 0)
		return 0;
	sock_fd = s->args[0];
	on_use(nr, sock_fd, ret, sends ? PROBE_USE_WRITE : PROBE_USE_READ, 0,
	       0);
	if (nr == NR_recvmsg) { /* recvmsg(fd, msg, flags) */
		cloexec = !!(s->args[2] & MSG_CMSG_CLOEXEC);
		record_scm_rights(s->args[1], nr, sock_fd, cloexec, ret);
	} else if (nr == NR_recvmmsg) { /* recvmmsg(fd, msgvec, vlen, flags,
					   timeout): ret messages */
		cloexec = !!(s->args[3] & MSG_CMSG_CLOEXEC);
		for (int i = 0; i < RECVMMSG_MSGS && i < ret; i++)
			record_scm_rights(s->args[1] +
						  i * sizeof(struct mmsghdr),
					  nr, sock_fd, cloexec, ret);
	}
	return 0;
}

#endif
