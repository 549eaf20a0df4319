/*
 * mprotect (and pkey_mprotect) that makes a shared mapping of a file
 * writable: from then on every store through it writes the file, as
 * after an mmap of it shared and writable, and the kernel sees none of
 * them.  So it is a write use of the mapping's file (fd -1: no fd names
 * it), found at sys_exit from the mappings of the range, which the
 * kernel has just changed.  Included by probe.bpf.c, after on_file_use().
 */
#ifndef PROBE_BPF_MAPPINGS_H
#define PROBE_BPF_MAPPINGS_H

/* The mappings an mprotect range can span that are looked at. */
#define MPROTECT_MAPPINGS 4

/* A mapping of the range: where it ends, and its file if it is shared
 * and writable. */
struct range_mapping {
	__u64 end;
	__u64 file;
};

static long writable_shared_file(struct task_struct *task,
				 struct vm_area_struct *vma, void *data)
{
	struct range_mapping *m = data;
	struct vm_area_struct *v = kernel_ptr(vma, struct vm_area_struct);

	m->end = v->vm_end;
	m->file = (v->vm_flags & (VM_SHARED | VM_WRITE)) ==
				  (VM_SHARED | VM_WRITE) ?
			  (__u64)v->vm_file :
			  0;
	return 0;
}

/* A global function, verified once on its own. */
__noinline int record_mprotect(__u32 nr, __u64 addr, __u64 len, __u32 prot,
			   __s64 ret)
{
	__u64 end = addr + len;

	if (ret != 0 || !(prot & PROT_WRITE))
		return 0;
	for (int i = 0; i < MPROTECT_MAPPINGS && addr < end; i++) {
		struct range_mapping m = {};

		if (bpf_find_vma(bpf_get_current_task_btf(), addr,
				 writable_shared_file, &m, 0))
			break;
		if (m.file)
			on_file_use(kernel_ptr((void *)m.file, struct file),
				    nr, -1, ret, PROBE_USE_WRITE, prot, 0);
		addr = m.end;
	}
	return 0;
}

#endif
