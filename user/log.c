#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "records.h"
#include "util.h"

#define ALIGN8(n) (((n) + 7) & ~7UL)

/* ---- writing ---- */

struct log_writer *log_create(const char *path, bool overwrite,
			      const struct probe_log_header *hdr,
			      const char *target, __u32 target_len)
{
	static const char zeros[8];
	struct probe_log_header h = *hdr;
	size_t pad = ALIGN8(target_len) - target_len;
	struct log_writer *w = xmalloc(sizeof(*w));
	char err[PROBE_ERR_MAX];

	if (output_create(&w->out, path, overwrite, err, sizeof(err))) {
		errorf("%s", err);
		output_free(&w->out);
		free(w);
		return NULL;
	}
	w->f = fdopen(w->out.fd, "w");
	if (!w->f)
		die(1, "fdopen: %s", strerror(errno));
	setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	w->records = 0;

	memcpy(h.magic, PROBE_LOG_MAGIC, sizeof(h.magic));
	h.version = PROBE_LOG_VERSION;
	h.abi_version = PROBE_ABI_VERSION;
	h.target_len = target_len;
	h.header_size = sizeof(h) + target_len + pad;
	if (fwrite(&h, sizeof(h), 1, w->f) != 1 ||
	    fwrite(target, 1, target_len, w->f) != target_len ||
	    fwrite(zeros, 1, pad, w->f) != pad || log_flush(w)) {
		errorf("cannot write %s: %s", path, strerror(errno));
		fclose(w->f);
		output_free(&w->out);
		free(w);
		return NULL;
	}
	return w;
}

int log_append(struct log_writer *w, const struct probe_hdr *rec)
{
	if (fwrite(rec, rec->size, 1, w->f) != 1)
		return -1;
	w->records++;
	return 0;
}

int log_flush(struct log_writer *w)
{
	return fflush(w->f) ? -1 : 0;
}

int log_finish(struct log_writer *w, struct probe_trailer *trailer)
{
	int ret = 0;

	trailer->records = w->records;
	/* fsync: EINVAL for a device or FIFO, which has nothing to sync */
	if (log_append(w, &trailer->hdr) || fflush(w->f) ||
	    (fsync(fileno(w->f)) && errno != EINVAL)) {
		errorf("cannot write %s: %s", w->out.path, strerror(errno));
		ret = -1;
	}
	if (fclose(w->f) && !ret) {
		errorf("cannot write %s: %s", w->out.path, strerror(errno));
		ret = -1;
	}
	output_free(&w->out);
	free(w);
	return ret;
}

void log_abandon(struct log_writer *w)
{
	/* what stdio still holds would only fail again, or land after a
	 * gap once space is freed */
	__fpurge(w->f);
	fclose(w->f);
	output_free(&w->out);
	free(w);
}

/* ---- reading ---- */

struct log_reader {
	FILE *f;
	struct probe_log_header *hdr;
	char *target; /* argv joined by spaces, or the cgroup path */
	void *buf;
	size_t cap;
	struct probe_trailer *trailer; /* inside buf once read */
	bool complete;
	__u64 offset; /* of the next record */
	__u64 torn; /* bytes of a partial last record */
	char error[256];
};

static struct log_reader *open_fail(struct log_reader *r, char *err,
				    size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat_message(err, errlen, fmt, ap);
	va_end(ap);
	log_close(r);
	return NULL;
}

static char *join_target(const struct probe_log_header *h)
{
	char *s = xstrndup(h->target, h->target_len);

	/* A command's argv is NUL-separated: show it as a command line. */
	for (__u32 i = 0; h->target_len && i + 1 < h->target_len; i++)
		if (!s[i])
			s[i] = ' ';
	return s;
}

/* What open_regular() sets errno to for a file that is not regular. */
#define EFTYPE_LOG EINVAL

/*
 * Open path for reading if it is a regular file.  O_NONBLOCK so that a
 * FIFO with no writer cannot block the open: a FIFO or a device, which
 * could block a read for ever or never end, is refused (EFTYPE_LOG).
 */
static FILE *open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EFTYPE_LOG;
		return NULL;
	}
	f = fdopen(fd, "rb");
	if (!f)
		close(fd);
	return f;
}

struct log_reader *log_open(const char *path, char *err, size_t errlen)
{
	struct log_reader *r = calloc(1, sizeof(*r));
	struct probe_log_header h;
	size_t got;

	if (!r)
		die(1, "out of memory");
	r->f = open_regular(path);
	if (!r->f && errno == EFTYPE_LOG)
		return open_fail(r, err, errlen,
				 "%s is not a regular file: give the log itself "
				 "(a pipe or a device could block for ever)",
				 path);
	if (!r->f)
		return open_fail(r, err, errlen, "cannot open %s: %s", path,
				 strerror(errno));
	got = fread(&h, 1, sizeof(h), r->f);
	if (got < sizeof(h.magic) ||
	    memcmp(h.magic, PROBE_LOG_MAGIC, sizeof(h.magic)))
		return open_fail(r, err, errlen, "%s is not a probe-bpf log",
				 path);
	if (got < sizeof(h))
		return open_fail(r, err, errlen,
				 "%s: the log header is cut short", path);
	if (h.version != PROBE_LOG_VERSION || h.abi_version != PROBE_ABI_VERSION)
		return open_fail(r, err, errlen,
				 "%s: log format %u (records %u), but this "
				 "probe-bpf reads format %u (records %u)",
				 path, h.version, h.abi_version,
				 PROBE_LOG_VERSION, PROBE_ABI_VERSION);
	if (h.header_size < sizeof(h) + h.target_len || h.header_size % 8 ||
	    h.header_size > sizeof(h) + 2 * PROBE_ARGV_MAX + 8 ||
	    h.ncpus == 0 || h.ncpus > PROBE_MAX_CPUS)
		return open_fail(r, err, errlen, "%s: corrupt log header",
				 path);
	r->hdr = xmalloc(h.header_size);
	memcpy(r->hdr, &h, sizeof(h));
	if (fread(r->hdr->target, 1, h.header_size - sizeof(h), r->f) !=
	    h.header_size - sizeof(h))
		return open_fail(r, err, errlen,
				 "%s: the log header is cut short", path);
	r->target = join_target(r->hdr);
	r->offset = h.header_size;
	return r;
}

const struct probe_log_header *log_header(const struct log_reader *r)
{
	return r->hdr;
}

const char *log_target(const struct log_reader *r)
{
	return r->target;
}

static enum log_next read_fail(struct log_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat_message(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return LOG_ERROR;
}

/* A record cut short by the end of the file: the writer was killed. */
static enum log_next torn(struct log_reader *r, size_t got)
{
	r->torn = got;
	return LOG_END;
}

enum log_next log_next(struct log_reader *r, const struct probe_hdr **rec)
{
	struct probe_hdr h;
	const char *problem;
	size_t got;

	if (r->complete)
		return LOG_END;
	got = fread(&h, 1, sizeof(h), r->f);
	if (got == 0)
		return LOG_END;
	if (got < sizeof(h))
		return torn(r, got);
	if (h.size < sizeof(h) || h.size % 8 || h.size > PROBE_REC_SIZE_MAX)
		return read_fail(r, "corrupt record at byte %llu (size %u)",
				 (unsigned long long)r->offset, h.size);
	if (h.size > r->cap) {
		r->cap = h.size * 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	memcpy(r->buf, &h, sizeof(h));
	got = fread((char *)r->buf + sizeof(h), 1, h.size - sizeof(h), r->f);
	if (got < h.size - sizeof(h))
		return torn(r, sizeof(h) + got);
	problem = record_check(r->buf);
	if (problem)
		return read_fail(r, "corrupt record at byte %llu: %s",
				 (unsigned long long)r->offset, problem);
	r->offset += h.size;
	if (h.type == PROBE_REC_TRAILER) {
		if (fgetc(r->f) != EOF)
			return read_fail(r, "data after the trailer at byte "
					    "%llu",
					 (unsigned long long)r->offset);
		r->trailer = r->buf;
		r->complete = true;
		return LOG_END;
	}
	*rec = r->buf;
	return LOG_RECORD;
}

bool log_complete(const struct log_reader *r)
{
	return r->complete && !(r->trailer->ended & PROBE_END_LEFT_RUNNING);
}

const struct probe_trailer *log_trailer(const struct log_reader *r)
{
	return r->trailer;
}

__u64 log_torn_bytes(const struct log_reader *r)
{
	return r->torn;
}

const char *log_error(const struct log_reader *r)
{
	return r->error;
}

void log_close(struct log_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->hdr);
	free(r->target);
	free(r->buf);
	free(r);
}
