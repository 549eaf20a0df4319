/*
 * The send and receive family: sendto and recvfrom (the C library's send
 * and recv too), sendmsg, recvmsg, sendmmsg, recvmmsg.  Each is a use of
 * its socket, as write and read are (on_use()): the first of each kind
 * per open file description and read stamp is recorded, and a connected
 * unix socket names its peer's inode, where what it sends is received.
 * Included by probe.bpf.c, after on_use().
 */
#ifndef PROBE_BPF_SOCKETS_H
#define PROBE_BPF_SOCKETS_H

/*
 * A global function, verified once on its own rather than inlined into
 * sys_exit at each of its callers.  fd is the socket: the first argument
 * of every syscall of the family.
 */
__noinline int record_socket_use(__u32 nr, __s32 fd, __s64 ret)
{
	bool sends = nr == NR_sendto || nr == NR_sendmsg || nr == NR_sendmmsg;

	if (ret < 0)
		return 0;
	on_use(nr, fd, ret, sends ? PROBE_USE_WRITE : PROBE_USE_READ, 0, 0);
	return 0;
}

#endif
