#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define OUTPUT_MODE 0600

static int refuse(char *err, size_t errlen, const char *path, int e)
{
	if (e == ELOOP)
		format_message(err, errlen,
			       "%s is a symbolic link: not following it (give "
			       "the file it points to, or - for standard "
			       "output)",
			       path);
	else
		format_message(err, errlen, "cannot create %s: %s", path,
			       strerror(e));
	return -1;
}

/* Open the existing path for writing, never through a symlink; a
 * regular file is truncated when truncate says so. */
static int open_existing(const char *path, bool truncate)
{
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) ||
	    (S_ISREG(st.st_mode) && truncate && ftruncate(fd, 0))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int output_create(struct output *out, const char *path, bool overwrite,
		  char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->path = xstrdup(path);
	for (;;) {
		out->fd = open(path,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC,
			       OUTPUT_MODE);
		if (out->fd >= 0) {
			out->created = true;
			return 0;
		}
		if (errno != EEXIST)
			break;
		if (!overwrite) {
			format_message(err, errlen,
				       "%s already exists: choose another -o "
				       "or pass --overwrite",
				       path);
			return -1;
		}
		/* O_EXCL fails on a symlink too: O_NOFOLLOW says ELOOP */
		out->fd = open_existing(path, true);
		if (out->fd >= 0)
			return 0;
		if (errno != ENOENT)
			break; /* ENOENT: removed meanwhile, create it */
	}
	return refuse(err, errlen, path, errno);
}

/* The temporary for path: in its directory (a rename stays on one file
 * system), hidden, a template for mkostemp(). */
static char *temporary_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	char *tmp = xmalloc(strlen(path) + 16);

	sprintf(tmp, "%.*s.%s.tmp.XXXXXX", (int)dir_len, path, path + dir_len);
	return tmp;
}

int output_replace(struct output *out, const char *path, char *err,
		   size_t errlen)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	out->path = xstrdup(path);
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		/* a device or a FIFO (-o /dev/null): a rename would put a
		 * regular file in its place; a symlink: O_NOFOLLOW refuses */
		out->fd = open_existing(path, false);
		return out->fd < 0 ? refuse(err, errlen, path, errno) : 0;
	}
	out->tmp = temporary_name(path);
	/* mkostemp: O_CREAT | O_EXCL, mode 0600, a random name */
	out->fd = mkostemp(out->tmp, O_CLOEXEC);
	if (out->fd < 0) {
		refuse(err, errlen, out->tmp, errno);
		free(out->tmp);
		out->tmp = NULL;
		return -1;
	}
	out->created = true;
	return 0;
}

int output_give_to_sudo_user(const struct output *out)
{
	const char *uid = getenv("SUDO_UID"), *gid = getenv("SUDO_GID");
	uint64_t u, g;

	if (!out->created || geteuid() != 0 || !uid || !gid)
		return 0;
	if (!parse_uint(uid, UINT32_MAX - 1, &u) ||
	    !parse_uint(gid, UINT32_MAX - 1, &g)) {
		errno = EINVAL;
		return -1;
	}
	return fchown(out->fd, (uid_t)u, (gid_t)g);
}

int output_commit(struct output *out)
{
	if (!out->tmp)
		return 0;
	if (rename(out->tmp, out->path)) {
		int e = errno;

		output_abort(out);
		errno = e;
		return -1;
	}
	free(out->tmp);
	out->tmp = NULL;
	return 0;
}

void output_abort(struct output *out)
{
	if (out->tmp)
		unlink(out->tmp);
	free(out->tmp);
	out->tmp = NULL;
}

void output_free(struct output *out)
{
	free(out->path);
	free(out->tmp);
	out->path = out->tmp = NULL;
}
