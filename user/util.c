#include "util.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void verrorf(const char *fmt, va_list ap)
{
	fputs("probe-bpf: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vformat_message(char *buf, size_t len, const char *fmt, va_list ap)
{
	static const char cut[] = "...";
	va_list again;
	size_t need, head, tail;
	char *whole;
	int n;

	va_copy(again, ap);
	n = vsnprintf(buf, len, fmt, ap);
	if (n < 0 || (size_t)n < len || len < 2 * sizeof(cut)) {
		va_end(again);
		return;
	}
	need = (size_t)n + 1;
	whole = xmalloc(need);
	vsnprintf(whole, need, fmt, again);
	va_end(again);
	tail = (len - sizeof(cut)) / 2;
	head = len - sizeof(cut) - tail;
	memcpy(buf, whole, head);
	memcpy(buf + head, cut, sizeof(cut) - 1);
	memcpy(buf + head + sizeof(cut) - 1, whole + n - tail, tail + 1);
	free(whole);
}

void format_message(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat_message(buf, len, fmt, ap);
	va_end(ap);
}

void errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorf(fmt, ap);
	va_end(ap);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorf(fmt, ap);
	va_end(ap);
	exit(status);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die(1, "out of memory (%zu bytes)", n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(1, "out of memory (%zu bytes)", n);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xstrndup(const char *s, size_t len)
{
	char *copy = xmalloc(len + 1);

	memcpy(copy, s, len);
	copy[len] = 0;
	return copy;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? *cap * 2 : 256;
	if (*cap < need)
		*cap = need;
	return xrealloc(p, *cap * size);
}

bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (*end == 'i' || *end == 'B')
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end || (v << shift) >> shift != v)
		return false;
	*out = v << shift;
	return true;
}

bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

char *absolute_path(const char *path)
{
	char buf[PATH_MAX], *abs;

	if (realpath(path, buf))
		return xstrdup(buf);
	if (path[0] == '/' || !getcwd(buf, sizeof(buf)))
		return xstrdup(path);
	abs = xmalloc(strlen(buf) + strlen(path) + 2);
	sprintf(abs, "%s/%s", buf, path);
	return abs;
}

/*
 * Kernel dev_t is MAJOR << 20 | MINOR (include/linux/kdev_t.h); stat(2)
 * reports new_encode_dev(): minor's low byte, then major, then the rest of
 * minor, the layout glibc's makedev() also uses.
 */
uint64_t dev_kernel_to_user(uint64_t kdev)
{
	uint64_t major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | ((major & 0xfff) << 8) |
	       ((minor & ~0xffULL) << 12) | ((major & ~0xfffULL) << 32);
}

/* The inverse: stat(2)'s st_dev as the kernel's dev_t. */
uint64_t dev_user_to_kernel(uint64_t udev)
{
	uint64_t major = ((udev >> 8) & 0xfff) | ((udev >> 32) & ~0xfffULL);
	uint64_t minor = (udev & 0xff) | ((udev >> 12) & ~0xffULL);

	return major << 20 | minor;
}

uint64_t clock_ns(int clock_id)
{
	struct timespec ts;

	clock_gettime(clock_id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

bool have_capability(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};

	if (cap < 0 || cap >= 64 || syscall(SYS_capget, &h, d))
		return false;
	return d[cap / 32].effective & (1U << (cap % 32));
}
