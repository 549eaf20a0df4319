/*
 * Creating the files probe-bpf writes (logs, exports) so that they cannot
 * be turned against whoever runs it, often root: no symlink is followed
 * (O_NOFOLLOW), a new file is made with O_EXCL and mode 0600 (a log or an
 * export may hold argv, paths and environments), an existing file that is
 * not a regular one (a device, a FIFO) is written as it is and never
 * replaced, and a file is given to the user who ran sudo only if
 * probe-bpf made it.
 */
#ifndef PROBE_OUTPUT_H
#define PROBE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

struct output {
	int fd;
	char *path; /* as given */
	char *tmp; /* the temporary written, renamed to path at the end;
		    * NULL when path itself is written */
	bool created; /* the file written is one probe-bpf made */
};

/*
 * For a log, written in place: create path (O_EXCL), or with overwrite
 * truncate an existing regular file or write a device or FIFO as it is.
 * 0 on success; -1 with a one-line reason in err.
 */
int output_create(struct output *out, const char *path, bool overwrite,
		  char *err, size_t errlen);

/*
 * For an export, whole or absent: a temporary with an unpredictable name
 * in path's directory, renamed over path by output_commit(); a device or
 * FIFO at path is written as it is.  0, or -1 with a reason in err.
 */
int output_replace(struct output *out, const char *path, char *err,
		   size_t errlen);

/* Give a file probe-bpf made to the user who ran sudo (SUDO_UID and
 * SUDO_GID, when root); 0, or -1 with errno set. */
int output_give_to_sudo_user(const struct output *out);

/* Rename the temporary over path (nothing to do without one); 0 or -1
 * with errno set.  Then, or after output_abort(), out->fd is the
 * caller's to close. */
int output_commit(struct output *out);
/* Remove the temporary, if any. */
void output_abort(struct output *out);
void output_free(struct output *out);

#endif
