/* Small helpers every stage of the user side shares. */
#ifndef PROBE_UTIL_H
#define PROBE_UTIL_H

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_VERSION "0.1.0"
#define PROBE_HOME "https://github.com/probe-bpf/probe-bpf"
#define PROBE_BUGS PROBE_HOME "/issues"

/* Exit status for usage and environment errors (bad flags, not root...). */
#define EXIT_USAGE 2

/* Room for a message that names a path of any length the kernel takes
 * and still says why. */
#define PROBE_ERR_MAX (PATH_MAX + 512)

/* vsnprintf() into buf, except that a message too long loses bytes from
 * its middle, not its end: the reason after the path survives. */
void vformat_message(char *buf, size_t len, const char *fmt, va_list ap);
void format_message(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print "probe-bpf: MSG" to stderr, one line. */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, then exit with status. */
void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...);

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* The len bytes at s as a string of their own. */
char *xstrndup(const char *s, size_t len);
/* p, an array of *cap elements of size bytes, made room for need of them
 * (doubling), *cap updated. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);

/* Parse "8M", "512K", "1G" or plain bytes; false on junk or overflow. */
bool parse_size(const char *s, uint64_t *out);
/* Parse a decimal number from 0 to max; false on junk or more. */
bool parse_uint(const char *s, uint64_t max, uint64_t *out);

/* A path given on the command line as the log names files: absolute
 * (from the current directory), symlinks resolved if it exists; malloc'ed. */
char *absolute_path(const char *path);

/* The kernel's dev_t (MAJOR << 20 | MINOR) as stat(2) reports st_dev. */
uint64_t dev_kernel_to_user(uint64_t kdev);
uint64_t dev_user_to_kernel(uint64_t udev);

uint64_t clock_ns(int clock_id);

/* Whether this process has capability cap (CAP_BPF...) in its effective
 * set; false if it cannot tell. */
bool have_capability(int cap);

#endif
