/*
 * What the recorder finds of a run's files at the end (user/hash.c): real
 * files in a scratch directory, named by a synthetic log that read or
 * wrote them; hash_files() appends its records, and the log read back
 * says, for each file, what was found.
 */
#include "helpers.h"

#include "sha256.h"

#include <errno.h>
#include <linux/fs.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include "dataflow.h"
#include "hash.h"
#include "util.h"

#define PID 300
/* sha256 of "hello\n" */
#define HELLO_SHA256 \
	"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

struct scene {
	struct tmp_dir dir;
	struct recs rs;
	struct hash_opts opts;
	__s64 end_realtime_ns; /* the recording's end */
	struct hash_stats st;
	struct dataflow *g;
};

static __s64 now_realtime(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/* A pause longer than the clock tick file times are taken from. */
static void tick(void)
{
	struct timespec t = { 0, 30 * 1000000 };

	nanosleep(&t, NULL);
}

static void scene_begin(struct scene *sc)
{
	static char *const argv[] = { "cc", NULL };

	memset(sc, 0, sizeof(*sc));
	tmp_dir_make(&sc->dir);
	sc->opts.max_size = HASH_MAX_SIZE_DEFAULT;
	push(&sc->rs, make_exec("/usr/bin/cc", NULL, argv, 0, 0, 0, PID));
}

/* The file at name in the scene (made with text if not NULL), as the
 * kernel's inode of it says now. */
static struct probe_inode real_inode(struct scene *sc, const char *name,
				     const char *text, char *path)
{
	struct probe_inode in = { 0 };
	struct stat st;

	tmp_path(&sc->dir, name, path);
	if (text)
		file_write(path, text, strlen(text));
	assert_int_equal(lstat(path, &st), 0);
	in.dev = dev_user_to_kernel(st.st_dev);
	in.ino = st.st_ino;
	in.size = st.st_size;
	in.mode = st.st_mode;
	in.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	in.ctime_ns = st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
	return in;
}

/* The recording read (or wrote) the file at path, as in says. */
static void used(struct scene *sc, __u32 access, const char *path,
		 const struct probe_inode *in)
{
	struct probe_inode as_seen = *in;

	as_seen.mode = S_IFREG | (in->mode & 07777);
	push(&sc->rs, use_of_inode(PID, access, path, &as_seen));
}

/* Write the log, let hash_files() append to it, finish it, read it
 * back. */
static void scene_hash(struct scene *sc)
{
	static char *const argv[] = { "cc", NULL };
	const struct probe_log_header *h;
	char log[PATH_MAX], err[256];
	struct probe_trailer *t = make_trailer(1, 999999);
	struct log_writer *w;
	struct log_reader *r;
	__u64 end_boot;

	tmp_path(&sc->dir, "run.probe", log);
	w = test_log_create(log, false, 1, argv);
	assert_non_null(w);
	for (size_t i = 0; i < sc->rs.n; i++)
		assert_int_equal(log_append(w, sc->rs.v[i]), 0);
	assert_int_equal(log_flush(w), 0);
	r = log_open(log, err, sizeof(err));
	assert_non_null(r);
	h = log_header(r);
	end_boot = sc->end_realtime_ns - h->start_realtime_ns +
		   h->start_boottime_ns;
	log_close(r);
	alarm(20); /* a hang fails the test */
	assert_int_equal(hash_files(log, w, end_boot, &sc->opts, &sc->st), 0);
	alarm(0);
	assert_int_equal(log_finish(w, t), 0);
	free(t);
	r = log_open(log, err, sizeof(err));
	assert_non_null(r);
	sc->g = dataflow_build(r, err, sizeof(err));
	if (!sc->g)
		fail_msg("dataflow_build: %s", err);
	assert_true(log_complete(r));
	log_close(r);
	unlink(log);
}

/* The recording ends a clock tick after its last file was made. */
static void scene_hash_now(struct scene *sc)
{
	tick();
	sc->end_realtime_ns = now_realtime();
	scene_hash(sc);
}

static void scene_end(struct scene *sc)
{
	char path[PATH_MAX];
	DIR *d = opendir(sc->dir.path);
	struct dirent *e;

	/* what the scenes left: files, a FIFO, links */
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			tmp_path(&sc->dir, e->d_name, path);
			unlink(path);
		}
	closedir(d);
	tmp_dir_remove(&sc->dir);
	dataflow_free(sc->g);
	for (size_t i = 0; i < sc->rs.n; i++)
		free(sc->rs.v[i]);
}

/* What the recorder said of the file the log last named path. */
static const struct probe_hash *end_of(struct scene *sc, const char *path)
{
	size_t n;
	const struct df_file *f = df_files(sc->g, &n);

	for (size_t i = 0; i < n; i++)
		if (f[i].path && !strcmp(f[i].path, path))
			return f[i].end;
	fail_msg("no file %s", path);
	return NULL;
}

static void assert_status(struct scene *sc, const char *path, __u32 status)
{
	const struct probe_hash *end = end_of(sc, path);

	if (!end)
		fail_msg("%s: no record", path);
	if (end->status != status)
		fail_msg("%s: status %u, not %u", path, end->status, status);
	if (status != PROBE_HASH_DONE)
		for (int i = 0; i < 32; i++)
			assert_int_equal(end->sha256[i], 0);
}

static void assert_hash(struct scene *sc, const char *path, const char *hex)
{
	const struct probe_hash *end = end_of(sc, path);
	char got[65];

	assert_status(sc, path, PROBE_HASH_DONE);
	for (int i = 0; i < 32; i++)
		snprintf(got + 2 * i, 3, "%02x", end->sha256[i]);
	assert_string_equal(got, hex);
}

static void test_hash_of_an_unchanged_input_and_output(void **state)
{
	struct scene sc;
	char in_path[PATH_MAX], out_path[PATH_MAX];
	struct probe_inode in, out;
	const struct probe_hash *end;

	(void)state;
	scene_begin(&sc);
	in = real_inode(&sc, "in.txt", "hello\n", in_path);
	out = real_inode(&sc, "out.txt", "hello\n", out_path);
	used(&sc, PROBE_USE_READ, in_path, &in);
	used(&sc, PROBE_USE_WRITE, out_path, &out);
	scene_hash_now(&sc);
	assert_hash(&sc, in_path, HELLO_SHA256);
	assert_hash(&sc, out_path, HELLO_SHA256);
	/* with the file's stat at the end and the log's identity */
	end = end_of(&sc, out_path);
	assert_int_equal(end->inode.size, 6);
	assert_int_equal(end->inode.ino, out.ino);
	assert_int_equal(end->inode.dev, out.dev);
	assert_int_equal(end->inode.ctime_ns, out.ctime_ns);
	assert_true(S_ISREG(end->inode.mode));
	assert_int_equal(sc.st.records, 2);
	assert_int_equal(sc.st.hashed, 2);
	assert_int_equal(sc.st.bytes, 12);
	scene_end(&sc);
}

static void test_hash_not_of_an_input_changed_since_read(void **state)
{
	struct scene sc;
	char path[PATH_MAX];
	struct probe_inode in;

	(void)state;
	scene_begin(&sc);
	in = real_inode(&sc, "in.txt", "hello\n", path);
	used(&sc, PROBE_USE_READ, path, &in);
	tick();
	assert_int_equal(chmod(path, 0600), 0); /* a new ctime, same data */
	sc.end_realtime_ns = now_realtime();
	scene_hash(&sc);
	assert_status(&sc, path, PROBE_HASH_CHANGED);
	scene_end(&sc);
}

static void test_hash_not_of_an_output_changed_after_the_end(void **state)
{
	struct scene sc;
	char early[PATH_MAX], late[PATH_MAX];
	struct probe_inode e, l;

	(void)state;
	scene_begin(&sc);
	e = real_inode(&sc, "early.txt", "hello\n", early);
	tick();
	sc.end_realtime_ns = now_realtime();
	tick();
	l = real_inode(&sc, "late.txt", "hello\n", late);
	used(&sc, PROBE_USE_WRITE, early, &e);
	used(&sc, PROBE_USE_WRITE, late, &l);
	scene_hash(&sc);
	assert_hash(&sc, early, HELLO_SHA256);
	assert_status(&sc, late, PROBE_HASH_CHANGED);
	scene_end(&sc);
}

static void test_hash_finds_outputs_gone_or_replaced(void **state)
{
	struct scene sc;
	char gone[PATH_MAX], other[PATH_MAX], link[PATH_MAX], fifo[PATH_MAX],
		in_path[PATH_MAX];
	struct probe_inode g, o, l, f;

	(void)state;
	scene_begin(&sc);
	real_inode(&sc, "in.txt", "hello\n", in_path);
	g = real_inode(&sc, "gone.txt", "x", gone);
	o = real_inode(&sc, "other.txt", "x", other);
	o.ino += 1000000; /* the log's file was another one */
	tmp_path(&sc.dir, "link", link);
	assert_int_equal(symlink(in_path, link), 0);
	l = real_inode(&sc, "link", NULL, link);
	tmp_path(&sc.dir, "fifo", fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	f = real_inode(&sc, "fifo", NULL, fifo);
	assert_int_equal(unlink(gone), 0); /* its inode free only now */
	/* all of them regular files the recording wrote */
	used(&sc, PROBE_USE_WRITE, gone, &g);
	used(&sc, PROBE_USE_WRITE, other, &o);
	used(&sc, PROBE_USE_WRITE, link, &l);
	used(&sc, PROBE_USE_WRITE, fifo, &f);
	scene_hash_now(&sc);
	assert_status(&sc, gone, PROBE_HASH_GONE);
	assert_status(&sc, other, PROBE_HASH_GONE);
	/* not followed to in.txt, which is no output */
	assert_status(&sc, link, PROBE_HASH_UNREADABLE);
	assert_int_equal(end_of(&sc, link)->err, ELOOP);
	/* opened for no read, so no wait for a writer */
	assert_status(&sc, fifo, PROBE_HASH_GONE);
	assert_int_equal(sc.st.hashed, 0);
	scene_end(&sc);
}

static void test_hash_not_of_another_generation(void **state)
{
	struct scene sc;
	char path[PATH_MAX];
	struct probe_inode out;
	long gen = 0;
	int fd;

	(void)state;
	scene_begin(&sc);
	out = real_inode(&sc, "out.txt", "hello\n", path);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	if (ioctl(fd, FS_IOC_GETVERSION, &gen)) {
		close(fd);
		scene_end(&sc);
		skip(); /* a filesystem that does not say */
	}
	close(fd);
	/* the log's file had this inode number before it was reused */
	out.gen = (__u32)gen + 1;
	used(&sc, PROBE_USE_WRITE, path, &out);
	scene_hash_now(&sc);
	assert_status(&sc, path, PROBE_HASH_GONE);
	scene_end(&sc);
}

/* What changes a file while the recorder hashes it: path, once an fd of
 * this process has read into it and not past half of it. */
struct changer {
	const char *path;
	off_t size;
	bool changed;
};

/* The offset of fd (of this process) if it is open on path, else -1. */
static long long read_offset(const char *fd, const char *path)
{
	char link[64], target[PATH_MAX], info[64], line[128];
	long long pos = -1;
	ssize_t n;
	FILE *f;

	snprintf(link, sizeof(link), "/proc/self/fd/%s", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = 0;
	if (strcmp(target, path))
		return -1;
	snprintf(info, sizeof(info), "/proc/self/fdinfo/%s", fd);
	f = fopen(info, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "pos: %lld", &pos) == 1)
			break;
	if (f)
		fclose(f);
	return pos;
}

static void *change_while_read(void *arg)
{
	struct changer *c = arg;
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;

		while (d && (e = readdir(d)) && !c->changed) {
			long long pos = read_offset(e->d_name, c->path);

			if (pos > 0 && pos < c->size / 2)
				c->changed = chmod(c->path, 0600) == 0;
		}
		if (d)
			closedir(d);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!c->changed && now.tv_sec - start.tv_sec < 20);
	return NULL;
}

/* The file changes (its mode: its ctime, not its data) after the recorder
 * looked at it and while it reads it: the stat after the read tells. */
static void test_hash_not_of_a_file_changed_while_read(void **state)
{
	const size_t size = 32 << 20; /* read in 32 pieces */
	struct scene sc;
	char path[PATH_MAX], *data = malloc(size);
	struct changer c = { .path = path, .size = size };
	struct probe_inode out;
	pthread_t t;

	(void)state;
	scene_begin(&sc);
	memset(data, 'x', size);
	tmp_path(&sc.dir, "big", path);
	file_write(path, data, size);
	free(data);
	out = real_inode(&sc, "big", NULL, path);
	used(&sc, PROBE_USE_WRITE, path, &out);
	assert_int_equal(pthread_create(&t, NULL, change_while_read, &c), 0);
	scene_hash_now(&sc);
	pthread_join(t, NULL);
	assert_true(c.changed);
	assert_status(&sc, path, PROBE_HASH_CHANGED);
	scene_end(&sc);
}

static void test_hash_not_of_a_file_over_the_limit(void **state)
{
	static char big[4096];
	struct scene sc;
	char path[PATH_MAX];
	struct probe_inode out;
	const struct probe_hash *end;

	(void)state;
	scene_begin(&sc);
	memset(big, 'b', sizeof(big) - 1);
	out = real_inode(&sc, "big", big, path);
	used(&sc, PROBE_USE_WRITE, path, &out);
	sc.opts.max_size = 1000;
	scene_hash_now(&sc);
	assert_status(&sc, path, PROBE_HASH_TOO_LARGE);
	end = end_of(&sc, path);
	assert_int_equal(end->inode.size, sizeof(big) - 1);
	scene_end(&sc);
}

static void test_hash_of_system_inputs_only_if_asked(void **state)
{
	char path[PATH_MAX];
	struct stat st;
	struct probe_inode in = { 0 };

	(void)state;
	for (int system = 0; system < 2; system++) {
		struct scene sc;

		scene_begin(&sc);
		sc.opts.system = system;
		/* a system file and a pseudo-file, as the kernel shows them */
		assert_int_equal(stat("/etc/passwd", &st), 0);
		in.dev = dev_user_to_kernel(st.st_dev);
		in.ino = st.st_ino;
		in.mode = st.st_mode;
		in.ctime_ns = st.st_ctim.tv_sec * 1000000000LL +
			      st.st_ctim.tv_nsec;
		used(&sc, PROBE_USE_READ, "/etc/passwd", &in);
		snprintf(path, sizeof(path), "/proc/%d/status", getpid());
		assert_int_equal(stat(path, &st), 0);
		in.dev = dev_user_to_kernel(st.st_dev);
		in.ino = st.st_ino;
		in.ctime_ns = st.st_ctim.tv_sec * 1000000000LL +
			      st.st_ctim.tv_nsec;
		used(&sc, PROBE_USE_READ, path, &in);
		sc.end_realtime_ns = now_realtime();
		scene_hash(&sc);
		assert_null(end_of(&sc, path));
		if (system)
			assert_status(&sc, "/etc/passwd", PROBE_HASH_DONE);
		else
			assert_null(end_of(&sc, "/etc/passwd"));
		scene_end(&sc);
	}
}

static bool stop_now(void *ctx)
{
	(void)ctx;
	return true;
}

static void test_hash_stops_when_interrupted(void **state)
{
	struct scene sc;
	char path[PATH_MAX];
	struct probe_inode in;

	(void)state;
	scene_begin(&sc);
	in = real_inode(&sc, "in.txt", "hello\n", path);
	used(&sc, PROBE_USE_READ, path, &in);
	sc.opts.interrupted = stop_now;
	sc.end_realtime_ns = now_realtime();
	scene_hash(&sc);
	assert_true(sc.st.interrupted);
	assert_int_equal(sc.st.records, 0);
	assert_null(end_of(&sc, path));
	scene_end(&sc);
}

/* The digests FIPS 180-4's examples give (and the NIST test vectors):
 * one block, two, a padding that needs a block of its own, none, and a
 * message fed in pieces that split blocks. */
static void sha256_hex(const void *data, size_t len, size_t piece,
		       char out[65])
{
	struct sha256 s;
	uint8_t d[SHA256_LEN];

	sha256_init(&s);
	for (size_t at = 0; at < len; at += piece)
		sha256_update(&s, (const char *)data + at,
			      len - at < piece ? len - at : piece);
	sha256_final(&s, d);
	for (int i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha256_known_digests(void **state)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65], *million = malloc(1000000);

	(void)state;
	sha256_hex("abc", 3, 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396"
				 "177a9cb410ff61f20015ad");
	sha256_hex("", 0, 1, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e464"
				 "9b934ca495991b7852b855");
	for (size_t piece = 1; piece <= 64; piece += 7) {
		sha256_hex(two_blocks, sizeof(two_blocks) - 1, piece, hex);
		assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce4"
					 "5964ff2167f6ecedd419db06c1");
	}
	memset(million, 'a', 1000000);
	sha256_hex(million, 1000000, 4096 + 3, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a4"
				 "97200e046d39ccc7112cd0");
	free(million);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_known_digests),
		cmocka_unit_test(test_hash_of_an_unchanged_input_and_output),
		cmocka_unit_test(test_hash_not_of_an_input_changed_since_read),
		cmocka_unit_test(
			test_hash_not_of_an_output_changed_after_the_end),
		cmocka_unit_test(test_hash_finds_outputs_gone_or_replaced),
		cmocka_unit_test(test_hash_not_of_another_generation),
		cmocka_unit_test(test_hash_not_of_a_file_changed_while_read),
		cmocka_unit_test(test_hash_not_of_a_file_over_the_limit),
		cmocka_unit_test(test_hash_of_system_inputs_only_if_asked),
		cmocka_unit_test(test_hash_stops_when_interrupted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
