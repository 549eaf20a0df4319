#include "records.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "syscalls.h"
#include "util.h"

const char *const rflag_names[] = {
	"path_fault",  "path_truncated", "abs_path_truncated", "no_file",
	"argv_fault",  "argv_truncated", "env_fault",	       "env_truncated",
	"args_fault",  "anonymous",	 "submission_unseen", NULL,
};

/* A string part of len bytes (its NUL included) at data: drop the NUL. */
static struct bytes part(const char *data, __u32 len)
{
	struct bytes b = { data, len };

	if (len && !data[len - 1])
		b.len--;
	return b;
}

static size_t fixed_size(__u16 type)
{
	switch (type) {
	case PROBE_REC_EXEC:
		return sizeof(struct probe_exec);
	case PROBE_REC_CLONE:
		return sizeof(struct probe_clone);
	case PROBE_REC_EXIT:
		return sizeof(struct probe_exit);
	case PROBE_REC_OPEN:
		return sizeof(struct probe_open);
	case PROBE_REC_CLOSE:
		return sizeof(struct probe_close);
	case PROBE_REC_USE:
		return sizeof(struct probe_use);
	case PROBE_REC_FDOP:
		return sizeof(struct probe_fdop);
	case PROBE_REC_SYSCALL:
		return sizeof(struct probe_syscall);
	case PROBE_REC_SNAPSHOT:
		return sizeof(struct probe_snapshot);
	case PROBE_REC_TOUCH:
		return sizeof(struct probe_touch);
	case PROBE_REC_SIGNAL:
		return sizeof(struct probe_signal);
	case PROBE_REC_FUTEX:
		return sizeof(struct probe_futex);
	case PROBE_REC_WAKE:
		return sizeof(struct probe_wake);
	case PROBE_REC_FD_ARRIVAL:
		return sizeof(struct probe_fd_arrival);
	case PROBE_REC_LOST:
		return sizeof(struct probe_lost);
	case PROBE_REC_TRAILER:
		return sizeof(struct probe_trailer);
	case PROBE_REC_HASH:
		return sizeof(struct probe_hash);
	}
	return 0;
}

const char *record_check(const struct probe_hdr *rec)
{
	size_t fixed = fixed_size(rec->type);
	__u64 var = 0;

	if (!fixed)
		return "unknown record type";
	if (rec->size < fixed)
		return "record shorter than its type";
	if (rec->type == PROBE_REC_OPEN) {
		const struct probe_open *r = (const void *)rec;

		var = (__u64)r->path_len + r->abs_len;
	} else if (rec->type == PROBE_REC_EXEC) {
		const struct probe_exec *r = (const void *)rec;

		var = (__u64)r->exe_path_len + r->filename_len + r->interp_len +
		      r->argv_len + r->env_len;
	} else if (rec->type == PROBE_REC_SYSCALL) {
		const struct probe_syscall *r = (const void *)rec;
		const struct syscall_info *info = syscall_info(r->nr);

		/* the stages after read its arguments by its table entry */
		if (!info || !(info->layout.flags & PROBE_SC_RECORD))
			return "syscall record of a syscall the table does not "
			       "record so";
		var = (__u64)r->path_len + r->base_len + r->path2_len +
		      r->base2_len;
	} else if (rec->type == PROBE_REC_SNAPSHOT) {
		const struct probe_snapshot *r = (const void *)rec;

		var = (__u64)r->path_len + r->cwd_len + r->root_len;
	} else if (rec->type == PROBE_REC_TOUCH) {
		var = ((const struct probe_touch *)rec)->name_len;
	} else if (rec->type == PROBE_REC_USE) {
		var = ((const struct probe_use *)rec)->abs_len;
	} else if (rec->type == PROBE_REC_FD_ARRIVAL) {
		var = ((const struct probe_fd_arrival *)rec)->abs_len;
	} else if (rec->type == PROBE_REC_TRAILER) {
		const struct probe_trailer *r = (const void *)rec;

		var = (__u64)r->ncpus * sizeof(r->cpu[0]);
	} else if (rec->type == PROBE_REC_HASH) {
		const struct probe_hash *r = (const void *)rec;

		if (!r->status || r->status > PROBE_HASH_STATUS_MAX)
			return "hash record of an unknown status";
		var = r->path_len;
	}
	if (fixed + var > rec->size)
		return "record's parts overrun its size";
	return NULL;
}

struct bytes open_path_arg(const struct probe_open *r)
{
	return part(r->data, r->path_len);
}

struct bytes open_abs_path(const struct probe_open *r)
{
	return part(r->data + r->path_len, r->abs_len);
}

struct bytes use_path(const struct probe_use *r)
{
	return part(r->data, r->abs_len);
}

struct bytes fd_arrival_path(const struct probe_fd_arrival *r)
{
	return part(r->data, r->abs_len);
}

struct bytes syscall_path(const struct probe_syscall *r)
{
	return part(r->data, r->path_len);
}

struct bytes syscall_base(const struct probe_syscall *r)
{
	return part(r->data + r->path_len, r->base_len);
}

struct bytes syscall_path2(const struct probe_syscall *r)
{
	return part(r->data + r->path_len + r->base_len, r->path2_len);
}

struct bytes syscall_base2(const struct probe_syscall *r)
{
	return part(r->data + r->path_len + r->base_len + r->path2_len,
		    r->base2_len);
}

struct bytes snapshot_path(const struct probe_snapshot *r)
{
	return part(r->data, r->path_len);
}

struct bytes snapshot_cwd(const struct probe_snapshot *r)
{
	return part(r->data + r->path_len, r->cwd_len);
}

struct bytes snapshot_root(const struct probe_snapshot *r)
{
	return part(r->data + r->path_len + r->cwd_len, r->root_len);
}

struct bytes touch_name(const struct probe_touch *r)
{
	return part(r->data, r->name_len);
}

struct bytes hash_path(const struct probe_hash *r)
{
	return part(r->data, r->path_len);
}

struct bytes exec_path(const struct probe_exec *r)
{
	return part(r->data, r->exe_path_len);
}

struct bytes exec_filename(const struct probe_exec *r)
{
	return part(r->data + r->exe_path_len, r->filename_len);
}

struct bytes exec_interp(const struct probe_exec *r)
{
	return part(r->data + r->exe_path_len + r->filename_len,
		    r->interp_len);
}

struct bytes exec_argv(const struct probe_exec *r)
{
	struct bytes b = { r->data + r->exe_path_len + r->filename_len +
				   r->interp_len,
			   r->argv_len };
	return b;
}

struct bytes exec_env(const struct probe_exec *r)
{
	struct bytes b = { r->data + r->exe_path_len + r->filename_len +
				   r->interp_len + r->argv_len,
			   r->env_len };
	return b;
}

struct bytes exec_program(const struct probe_exec *r)
{
	struct bytes b = exec_path(r);

	if (!b.len)
		b = exec_interp(r);
	if (!b.len)
		b = exec_filename(r);
	return b;
}

char *path_join(struct bytes rel, struct bytes base, const char *root,
		size_t *len)
{
	char *abs;

	if (!rel.len) { /* AT_EMPTY_PATH: the dirfd's file */
		rel = base;
		base.len = 0;
	} else if (rel.p[0] == '/') {
		base = (struct bytes){ root, strlen(root) };
		if (base.len == 1) {
			base.len = 0; /* the root "/": the path as it is */
		} else { /* below a chroot's root */
			rel.p++;
			rel.len--;
		}
	}
	abs = xmalloc(base.len + rel.len + 2);
	*len = 0;
	if (base.len) {
		memcpy(abs, base.p, base.len);
		*len = base.len;
		if (base.len > 1)
			abs[(*len)++] = '/';
	}
	memcpy(abs + *len, rel.p, rel.len);
	*len += rel.len;
	abs[*len] = 0;
	return abs;
}

size_t path_drop_dots(char *path, size_t len)
{
	size_t out = len && path[0] == '/';

	for (size_t i = out; i < len;) {
		size_t end = i;

		while (end < len && path[end] != '/')
			end++;
		/* "." and the empty name between two slashes name nothing */
		if ((end - i == 1 && path[i] == '.') || end == i) {
			i = end + 1;
			continue;
		}
		if (out && path[out - 1] != '/')
			path[out++] = '/';
		memmove(path + out, path + i, end - i);
		out += end - i;
		i = end + 1;
	}
	if (out > 1 && path[out - 1] == '/')
		out--;
	path[out] = 0;
	return out;
}

int anon_file_name(const struct probe_inode *ino, char *buf, size_t len)
{
	return snprintf(buf, len, "%s:[%llu]",
			S_ISFIFO(ino->mode) ? "pipe" :
			S_ISSOCK(ino->mode) ? "socket" :
					      "anon_inode",
			(unsigned long long)ino->ino);
}
