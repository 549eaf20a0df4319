/*
 * probe-bpf export jsonl (user/export.h): a log holding one record of
 * each kind is exported, then each line's values are checked one by one,
 * and every line against schemas/ops.schema.json.
 */
#include "helpers.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "export.h"
#include "json.h"
#include "syscalls.h"

#define PYTHON "/usr/bin/python3"
#define VALIDATOR "tests/unit/validate_jsonl.py"
#define SCHEMA "schemas/ops.schema.json"

#define PID 200

/* The log's records, one line each in this order. */
enum line {
	L_EXEC,
	L_EXEC_FAILED,
	L_CLONE3_THREAD,
	L_CLONE3_NEWTIME,
	L_FORK,
	L_EXIT_THREAD,
	L_EXIT_STATUS,
	L_EXIT_KILLED,
	L_OPEN,
	L_OPEN_FAILED,
	L_OPEN_ODD_PATH,
	L_CLOSE,
	L_READ,
	L_MMAP_WRITE,
	L_SIG_RESTART,
	L_SIG_EINTR,
	L_SIG_NOHAND,
	L_SIG_IGNORED,
	L_SIG_FATAL,
	L_LOST,
	NLINES
};

/* A path with every kind of byte JSON must escape or cannot carry as is:
 * quote, backslash, newline, tab, control bytes, a stray byte, a cut
 * two-byte sequence, an overlong '/', a valid "é", a cut three-byte one. */
#define ODD_NAME "q\"b\\s\nn\tt\x01\x1f|\xff|\xc3(|\xc0\xaf|\xc3\xa9|\xe2\x82"
#define ODD_NAME_JSON                                                        \
	"q\\\"b\\\\s\\nn\\tt\\u0001\\u001f|\\u00ff|\\u00c3(|\\u00c0\\u00af|" \
	"\xc3\xa9|\\u00e2\\u0082"

struct exported {
	struct tmp_dir dir;
	char out[PATH_MAX];
	char *text;
	char *lines[NLINES];
};

static struct exported ex;

/* The kernel's dev_t: MKDEV() of include/linux/kdev_t.h. */
static __u64 kdev(unsigned major, unsigned minor)
{
	return (__u64)major << 20 | minor;
}

/* Each line's timestamp: 10 ns apart. */
static __u64 ts_of(enum line n)
{
	return 1000 + 10 * n;
}

static struct probe_hdr *exec_ok(void)
{
	static char *const argv[] = { "./build.sh", "a b", "", NULL };
	struct probe_exec *r = make_exec("./build.sh", "/bin/sh", argv,
					 0, L_EXEC, 0, PID);

	r->start_ns = 900;
	r->exe.dev = kdev(8, 1);
	r->exe.ino = 1234;
	r->exe.size = 99;
	r->exe.mode = S_IFREG | 0755;
	r->rflags = PROBE_RF_ARGV_TRUNC;
	return &r->hdr;
}

static struct probe_hdr *exec_failed(void)
{
	struct probe_exec *r = make_exec("/usr/local/bin/cc", NULL, NULL,
					 0, L_EXEC_FAILED, 0, PID);

	r->nr = SYS_execve;
	r->ret = -ENOENT;
	r->start_ns = 900;
	return &r->hdr;
}

/* pthread_create's clone3 flags. */
static struct probe_hdr *clone3_thread(void)
{
	__u64 flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		      CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
		      CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	struct probe_clone *r = make_clone(SYS_clone3, flags, PID,
					   0, L_CLONE3_THREAD, 0, PID);

	r->child_tid = PID + 1;
	r->share = PROBE_SHARE_FILES | PROBE_SHARE_FS | PROBE_SHARE_VM |
		   PROBE_SHARE_SIGHAND | PROBE_SHARE_THREAD;
	return &r->hdr;
}

/* clone3 keeps the exit signal apart: 0x80 of its flags is
 * CLONE_NEWTIME, which clone(2)'s low byte cannot carry. */
static struct probe_hdr *clone3_newtime(void)
{
	__u64 flags = CLONE_NEWTIME | CLONE_NEWPID;
	struct probe_clone *r = make_clone(SYS_clone3, flags, PID + 3, 0,
					   L_CLONE3_NEWTIME, 0, PID);

	return &r->hdr;
}

/* glibc's fork(): clone with the exit signal in the low byte. */
static struct probe_hdr *fork_clone(void)
{
	__u64 flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;

	return &make_clone(SYS_clone, flags, PID + 2, 0, L_FORK, 0, PID)->hdr;
}

static struct probe_hdr *exit_thread(void)
{
	struct probe_exit *r = make_exit(0, false, 0, L_EXIT_THREAD, 0, PID);

	r->hdr.tid = PID + 1;
	r->status = 3 << 8; /* the process's, not this thread's */
	return &r->hdr;
}

static struct probe_hdr *exit_status(void)
{
	struct probe_exit *r = make_exit(3 << 8, true, 0, L_EXIT_STATUS, 0,
					 PID);

	r->exit_code = 0; /* this thread's, not the process's */
	return &r->hdr;
}

static struct probe_hdr *exit_killed(void)
{
	return &make_exit(SIGKILL, true, 0, L_EXIT_KILLED, 0, PID)->hdr;
}

static struct probe_hdr *open_ok(void)
{
	struct probe_open *r = make_open("out.txt", "/tmp/out.txt",
					 0, L_OPEN, 0, PID);

	r->flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	r->mode = 0644;
	r->inode.dev = kdev(8, 1);
	r->inode.ino = 42;
	r->inode.mode = S_IFREG | 0644;
	return &r->hdr;
}

static struct probe_hdr *open_failed(void)
{
	struct probe_open *r = make_open("missing.h", NULL, 0, L_OPEN_FAILED,
					 0, PID);

	r->ret = -ENOENT;
	return &r->hdr;
}

static struct probe_hdr *open_odd_path(void)
{
	struct probe_open *r = make_open(ODD_NAME, "/tmp/" ODD_NAME,
					 0, L_OPEN_ODD_PATH, 0, PID);

	r->ret = 4;
	r->inode.dev = kdev(259, 70000); /* a minor above 255 */
	r->inode.mode = S_IFREG | 0600;
	return &r->hdr;
}

static struct probe_hdr *close_ok(void)
{
	return &make_close(3, 0, L_CLOSE, 0, PID)->hdr;
}

static struct probe_hdr *read_use(void)
{
	struct probe_use *r = make_use(SYS_pread64, 5, PROBE_USE_READ,
				       "/data/in.csv", 0, L_READ, 0, PID);

	r->inode.dev = kdev(8, 1);
	r->inode.ino = 77;
	r->inode.mode = S_IFREG | 0644;
	return &r->hdr;
}

static struct probe_hdr *mmap_write(void)
{
	struct probe_use *r = make_use(SYS_mmap, 6, PROBE_USE_WRITE,
				       "/data/shared.bin", 0, L_MMAP_WRITE, 0,
				       PID);

	r->prot = PROT_READ | PROT_WRITE;
	r->map_flags = MAP_SHARED;
	r->inode.mode = S_IFREG | 0644;
	return &r->hdr;
}

/* A signal taken in a syscall that returned ret (0: outside one). */
static struct probe_hdr *signal_rec(enum line n, int sig, __u64 handler,
				    __u32 sa_flags, long ret)
{
	struct probe_signal *r = rec_new(PROBE_REC_SIGNAL, sizeof(*r), 0, 0,
					 n, ts_of(n), PID);

	r->sig = sig;
	r->code = SI_USER;
	r->sender_pid = PID + 9;
	r->handler = handler;
	r->sa_flags = sa_flags;
	r->syscall_nr = ret ? SYS_read : -1;
	r->syscall_ret = ret;
	return &r->hdr;
}

#define HANDLER 0x401000

static struct probe_hdr *sig_restart(void)
{
	return signal_rec(L_SIG_RESTART, SIGUSR1, HANDLER, SA_RESTART, -512);
}

static struct probe_hdr *sig_eintr(void)
{
	return signal_rec(L_SIG_EINTR, SIGALRM, HANDLER, 0, -512);
}

/* ERESTARTNOHAND: EINTR even under SA_RESTART */
static struct probe_hdr *sig_nohand(void)
{
	return signal_rec(L_SIG_NOHAND, SIGUSR2, HANDLER, SA_RESTART, -514);
}

/* no handler runs: the kernel restarts the syscall */
static struct probe_hdr *sig_ignored(void)
{
	return signal_rec(L_SIG_IGNORED, SIGCHLD, (__u64)SIG_DFL, 0, -514);
}

static struct probe_hdr *sig_fatal(void)
{
	return signal_rec(L_SIG_FATAL, SIGTERM, (__u64)SIG_DFL, 0, 0);
}

static struct probe_hdr *lost(void)
{
	return &make_lost(1, 7, 5, 0)->hdr;
}

static struct probe_hdr *(*const record_makers[NLINES])(void) = {
	[L_EXEC] = exec_ok,
	[L_EXEC_FAILED] = exec_failed,
	[L_CLONE3_THREAD] = clone3_thread,
	[L_CLONE3_NEWTIME] = clone3_newtime,
	[L_FORK] = fork_clone,
	[L_EXIT_THREAD] = exit_thread,
	[L_EXIT_STATUS] = exit_status,
	[L_EXIT_KILLED] = exit_killed,
	[L_OPEN] = open_ok,
	[L_OPEN_FAILED] = open_failed,
	[L_OPEN_ODD_PATH] = open_odd_path,
	[L_CLOSE] = close_ok,
	[L_READ] = read_use,
	[L_MMAP_WRITE] = mmap_write,
	[L_SIG_RESTART] = sig_restart,
	[L_SIG_EINTR] = sig_eintr,
	[L_SIG_NOHAND] = sig_nohand,
	[L_SIG_IGNORED] = sig_ignored,
	[L_SIG_FATAL] = sig_fatal,
	[L_LOST] = lost,
};

/* The records, then what the recorder found of a file at the end: a
 * record that is no op, so no line. */
static void write_log(const char *path)
{
	static char *const command[] = { "sh", "build.sh", NULL };
	struct probe_inode out = { .dev = kdev(8, 1), .ino = 77,
				   .mode = S_IFREG | 0644 };
	struct probe_hdr *recs[NLINES + 1];

	for (int i = 0; i < NLINES; i++) {
		recs[i] = record_makers[i]();
		recs[i]->ts_ns = ts_of(i);
	}
	recs[NLINES] = &make_hash(&out, "/tmp/out", PROBE_HASH_GONE, NULL,
				  ts_of(NLINES))->hdr;
	test_log_write(path, 2, command, (const struct probe_hdr *const *)recs,
		       NLINES + 1, true);
	for (int i = 0; i <= NLINES; i++)
		free(recs[i]);
}

static void export_log(const char *log, const char *out)
{
	char err[512] = "";
	struct log_reader *r = log_open(log, err, sizeof(err));
	FILE *f = fopen(out, "w");

	if (!r)
		fail_msg("log_open: %s", err);
	assert_non_null(f);
	assert_int_equal(export_jsonl(r, f, &(struct export_opts){ 0 }), 0);
	assert_true(log_complete(r));
	assert_int_equal(fclose(f), 0);
	log_close(r);
}

/* Split the export into its lines: exactly NLINES, each ended by \n. */
static void split_lines(void)
{
	size_t len, n = 0;
	char *p;

	ex.text = file_read(ex.out, &len);
	assert_true(len > 0 && ex.text[len - 1] == '\n');
	for (p = ex.text; *p; n++) {
		char *nl = strchr(p, '\n');

		assert_true(n < NLINES);
		*nl = 0;
		ex.lines[n] = p;
		p = nl + 1;
	}
	assert_int_equal(n, NLINES);
}

static int export_setup(void **state)
{
	char log[PATH_MAX];

	(void)state;
	tmp_dir_make(&ex.dir);
	tmp_path(&ex.dir, "run.probe", log);
	tmp_path(&ex.dir, "ops.jsonl", ex.out);
	write_log(log);
	export_log(log, ex.out);
	split_lines();
	return 0;
}

static int export_teardown(void **state)
{
	(void)state;
	free(ex.text);
	tmp_dir_remove(&ex.dir);
	return 0;
}

/* ---- reading one line ---- */

/* p at a string's opening quote: just after its closing one. */
static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

/* The end of the value at p: the ',' or '}' after it. */
static const char *skip_value(const char *p)
{
	int depth = 0;

	while (*p) {
		if (*p == '"') {
			p = skip_string(p);
			continue;
		}
		if (*p == '[' || *p == '{')
			depth++;
		else if ((*p == ']' || *p == '}') && depth-- == 0)
			break;
		else if (*p == ',' && !depth)
			break;
		p++;
	}
	return p;
}

/* The text of key's value in the object line (compact, as exported), or
 * NULL if the object has no such key. */
static char *value_of(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line;

	if (*p++ != '{')
		return NULL;
	while (*p == '"') {
		const char *k = p + 1, *end = skip_string(p);
		bool match = (size_t)(end - k - 1) == klen &&
			     !memcmp(k, key, klen);

		if (*end != ':')
			return NULL;
		p = end + 1;
		end = skip_value(p);
		if (match)
			return strndup(p, end - p);
		p = end;
		if (*p++ != ',')
			return NULL;
	}
	return NULL;
}

static void assert_value(enum line n, const char *key, const char *want)
{
	char *got = value_of(ex.lines[n], key);

	if (!got || strcmp(got, want))
		fail_msg("line %d: \"%s\" is %s, not %s\n  %s", n + 1, key,
			 got ? got : "missing", want, ex.lines[n]);
	free(got);
}

static void assert_no_key(enum line n, const char *key)
{
	char *got = value_of(ex.lines[n], key);

	if (got)
		fail_msg("line %d: unexpected \"%s\": %s", n + 1, key, got);
}

static void assert_value_u64(enum line n, const char *key, __u64 want)
{
	char text[32];

	snprintf(text, sizeof(text), "%llu", (unsigned long long)want);
	assert_value(n, key, text);
}

/* ---- each kind of record ---- */

static void test_jsonl_writes_records_in_log_order(void **state)
{
	static const char *const ops[NLINES] = {
		"\"exec\"", "\"exec\"", "\"clone\"", "\"clone\"", "\"clone\"",
		"\"exit\"", "\"exit\"", "\"exit\"",  "\"open\"",  "\"open\"",
		"\"open\"", "\"close\"", "\"read\"",  "\"write\"",
		"\"signal\"", "\"signal\"", "\"signal\"", "\"signal\"",
		"\"signal\"", "\"lost\"",
	};

	(void)state;
	for (int i = 0; i < NLINES; i++) {
		assert_value(i, "op", ops[i]);
		assert_value_u64(i, "ts_ns", ts_of(i));
	}
	assert_value_u64(L_OPEN, "seq", L_OPEN);
	assert_value(L_OPEN, "cpu", "0");
	assert_value(L_OPEN, "pid", "200");
	assert_value(L_EXIT_THREAD, "tid", "201");
}

static void test_jsonl_exec_lists_argv_and_interp(void **state)
{
	(void)state;
	assert_value(L_EXEC, "path", "\"./build.sh\"");
	assert_value(L_EXEC, "argv", "[\"./build.sh\",\"a b\",\"\"]");
	assert_value(L_EXEC, "interp", "\"/bin/sh\"");
	assert_value(L_EXEC, "exe_ino", "1234");
	assert_value(L_EXEC, "exe_size", "99");
	assert_value(L_EXEC, "exe_type", "\"regular\"");
	assert_value(L_EXEC, "exe_perm", "493");
	assert_value(L_EXEC, "start_ns", "900");
	assert_value(L_EXEC, "incomplete", "[\"argv_truncated\"]");
	assert_no_key(L_EXEC, "env");
	assert_no_key(L_EXEC, "err");
}

static void test_jsonl_failed_exec_names_errno(void **state)
{
	(void)state;
	assert_value(L_EXEC_FAILED, "path", "\"/usr/local/bin/cc\"");
	assert_value(L_EXEC_FAILED, "syscall", "\"execve\"");
	assert_value(L_EXEC_FAILED, "err", "\"ENOENT\"");
	assert_value(L_EXEC_FAILED, "start_ns", "900");
	assert_no_key(L_EXEC_FAILED, "argv");
	assert_no_key(L_EXEC_FAILED, "exe_dev");
}

static void test_jsonl_writes_kernel_dev_as_st_dev(void **state)
{
	(void)state;
	assert_int_equal(makedev(8, 1), 2049);
	assert_value(L_EXEC, "exe_dev", "2049");
	assert_value(L_OPEN, "dev", "2049");
	assert_value_u64(L_OPEN_ODD_PATH, "dev", makedev(259, 70000));
}

static void test_jsonl_clone3_names_flags(void **state)
{
	(void)state;
	assert_value(L_CLONE3_THREAD, "syscall", "\"clone3\"");
	assert_value(L_CLONE3_THREAD, "flags",
		     "[\"CLONE_VM\",\"CLONE_FS\",\"CLONE_FILES\","
		     "\"CLONE_SIGHAND\",\"CLONE_THREAD\",\"CLONE_SYSVSEM\","
		     "\"CLONE_SETTLS\",\"CLONE_PARENT_SETTID\","
		     "\"CLONE_CHILD_CLEARTID\"]");
	assert_no_key(L_CLONE3_THREAD, "exit_signal");
	assert_value(L_CLONE3_THREAD, "child_pid", "200");
	assert_value(L_CLONE3_THREAD, "child_tid", "201");
	assert_value(L_CLONE3_THREAD, "thread", "true");
	assert_value(L_CLONE3_THREAD, "share_files", "true");
	assert_value(L_CLONE3_THREAD, "share_vm", "true");
	assert_value(L_CLONE3_NEWTIME, "flags",
		     "[\"CLONE_NEWTIME\",\"CLONE_NEWPID\"]");
	assert_no_key(L_CLONE3_NEWTIME, "exit_signal");
}

static void test_jsonl_fork_names_exit_signal(void **state)
{
	(void)state;
	assert_value(L_FORK, "syscall", "\"clone\"");
	assert_value(L_FORK, "flags",
		     "[\"CLONE_CHILD_CLEARTID\",\"CLONE_CHILD_SETTID\"]");
	assert_value(L_FORK, "exit_signal", "\"SIGCHLD\"");
	assert_value(L_FORK, "child_pid", "202");
	assert_value(L_FORK, "thread", "false");
	assert_value(L_FORK, "share_files", "false");
}

static void test_jsonl_exit_reports_status_or_signal(void **state)
{
	(void)state;
	assert_value(L_EXIT_THREAD, "group_dead", "false");
	assert_value(L_EXIT_THREAD, "status", "0");
	assert_value(L_EXIT_STATUS, "group_dead", "true");
	assert_value(L_EXIT_STATUS, "status", "3");
	assert_no_key(L_EXIT_STATUS, "signal");
	assert_value(L_EXIT_KILLED, "signal", "\"SIGKILL\"");
	assert_no_key(L_EXIT_KILLED, "status");
	assert_no_key(L_EXIT_KILLED, "core_dumped");
}

static void test_jsonl_open_names_flags_and_access(void **state)
{
	(void)state;
	assert_value(L_OPEN, "syscall", "\"openat\"");
	assert_value(L_OPEN, "path", "\"/tmp/out.txt\"");
	assert_value(L_OPEN, "path_arg", "\"out.txt\"");
	assert_value(L_OPEN, "dirfd", "-100");
	assert_value(L_OPEN, "fd", "3");
	assert_value(L_OPEN, "flags",
		     "[\"O_WRONLY\",\"O_CREAT\",\"O_TRUNC\",\"O_CLOEXEC\"]");
	assert_value(L_OPEN, "access", "\"w\"");
	assert_value(L_OPEN, "cloexec", "true");
	assert_value(L_OPEN, "mode", "420");
	assert_value(L_OPEN, "ino", "42");
	assert_value(L_OPEN, "type", "\"regular\"");
	assert_value(L_OPEN, "perm", "420");
	assert_no_key(L_OPEN, "err");
}

static void test_jsonl_failed_open_names_errno(void **state)
{
	(void)state;
	assert_value(L_OPEN_FAILED, "err", "\"ENOENT\"");
	assert_value(L_OPEN_FAILED, "path_arg", "\"missing.h\"");
	assert_value(L_OPEN_FAILED, "flags", "[\"O_RDONLY\"]");
	assert_value(L_OPEN_FAILED, "access", "\"r\"");
	assert_value(L_OPEN_FAILED, "cloexec", "false");
	assert_no_key(L_OPEN_FAILED, "fd");
	assert_no_key(L_OPEN_FAILED, "path");
	assert_no_key(L_OPEN_FAILED, "dev");
	assert_no_key(L_OPEN_FAILED, "mode");
}

static void test_jsonl_escapes_path_bytes(void **state)
{
	(void)state;
	assert_value(L_OPEN_ODD_PATH, "path_arg", "\"" ODD_NAME_JSON "\"");
	assert_value(L_OPEN_ODD_PATH, "path", "\"/tmp/" ODD_NAME_JSON "\"");
}

/* json_string of len bytes reads no further, even mid-sequence. */
static void test_jsonl_string_stops_at_its_length(void **state)
{
	static const char euro[] = "\xe2\x82\xac";
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	json_string(f, euro, 3);
	json_string(f, euro, 2);
	json_string(f, "a\0b", 3);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, "\"\xe2\x82\xac\""
				  "\"\\u00e2\\u0082\""
				  "\"a\\u0000b\"");
	free(text);
}

static void test_jsonl_close_and_lost(void **state)
{
	(void)state;
	assert_value(L_CLOSE, "syscall", "\"close\"");
	assert_value(L_CLOSE, "fd", "3");
	assert_no_key(L_CLOSE, "err");
	assert_value(L_LOST, "cpu", "1");
	assert_value(L_LOST, "seq", "7");
	assert_value(L_LOST, "count", "5");
	assert_value(L_LOST, "pid", "0");
}

static void test_jsonl_first_uses(void **state)
{
	(void)state;
	assert_value(L_READ, "fd", "5");
	assert_value(L_READ, "path", "\"/data/in.csv\"");
	assert_value(L_READ, "via", "\"pread64\"");
	assert_value(L_READ, "dev", "2049");
	assert_value(L_READ, "ino", "77");
	assert_no_key(L_READ, "prot");
	assert_value(L_MMAP_WRITE, "via", "\"mmap\"");
	assert_value(L_MMAP_WRITE, "prot", "[\"PROT_READ\",\"PROT_WRITE\"]");
	assert_value(L_MMAP_WRITE, "map_flags", "[\"MAP_SHARED\"]");
}

static void test_jsonl_signals_and_what_they_did_to_a_syscall(void **state)
{
	(void)state;
	assert_value(L_SIG_RESTART, "op", "\"signal\"");
	assert_value(L_SIG_RESTART, "signal", "\"SIGUSR1\"");
	assert_value(L_SIG_RESTART, "sender_pid", "209");
	assert_value(L_SIG_RESTART, "action", "\"handler\"");
	assert_value(L_SIG_RESTART, "interrupted", "\"read\"");
	assert_value(L_SIG_RESTART, "outcome", "\"restart\"");
	assert_value(L_SIG_EINTR, "outcome", "\"eintr\"");
	assert_value(L_SIG_NOHAND, "outcome", "\"eintr\"");
	assert_value(L_SIG_IGNORED, "action", "\"default\"");
	assert_value(L_SIG_IGNORED, "outcome", "\"restart\"");
	assert_value(L_SIG_FATAL, "signal", "\"SIGTERM\"");
	assert_no_key(L_SIG_FATAL, "interrupted");
	assert_no_key(L_SIG_FATAL, "outcome");
}

/* ---- the schema ---- */

/* Exit status of the validator on path (args: the whole argument list,
 * to check its usage errors too). */
static int run_validator(const char *args, bool quiet)
{
	char cmd[2 * PATH_MAX];
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s %s%s", PYTHON, VALIDATOR, args,
		 quiet ? " 2>/dev/null" : "");
	status = system(cmd);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int validate(const char *path, bool quiet)
{
	char args[PATH_MAX + 64];

	snprintf(args, sizeof(args), "%s %s", SCHEMA, path);
	return run_validator(args, quiet);
}

static void test_jsonl_lines_match_schema(void **state)
{
	(void)state;
	assert_int_equal(validate(ex.out, false), 0);
}

/* Every syscall the table records generically is an op the schema lists
 * (the schema is written by hand beside user/syscalls.c). */
static void test_jsonl_schema_lists_every_syscall(void **state)
{
	size_t len;
	char *schema = file_read(SCHEMA, &len), name[80];

	(void)state;
	for (unsigned nr = 0; nr < PROBE_NR_SYSCALLS; nr++) {
		const struct syscall_info *info = syscall_info(nr);

		if (!info || !(info->layout.flags & PROBE_SC_RECORD))
			continue;
		snprintf(name, sizeof(name), "\"%s\"", info->name);
		if (!strstr(schema, name))
			fail_msg("%s does not list the op %s", SCHEMA, name);
	}
	free(schema);
}

/* A file of every exported line, then bad: the validator must refuse it. */
static void assert_schema_refuses(const char *bad)
{
	char path[PATH_MAX];
	FILE *f;

	tmp_path(&ex.dir, "bad.jsonl", path);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < NLINES; i++)
		fprintf(f, "%s\n", ex.lines[i]);
	fprintf(f, "%s\n", bad);
	assert_int_equal(fclose(f), 0);
	if (validate(path, true) != 1)
		fail_msg("the schema accepts %s", bad);
	assert_int_equal(unlink(path), 0);
}

/* line with its first from replaced by to. */
static char *replaced(const char *line, const char *from, const char *to)
{
	const char *at = strstr(line, from);
	size_t n = strlen(line) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	assert_non_null(at);
	assert_non_null(s);
	snprintf(s, n, "%.*s%s%s", (int)(at - line), line, to,
		 at + strlen(from));
	return s;
}

static void test_jsonl_schema_check_can_fail(void **state)
{
	char *bad;

	(void)state;
	bad = replaced(ex.lines[L_OPEN], "{", "{\"bogus\":1,");
	assert_schema_refuses(bad); /* an unknown field */
	free(bad);
	bad = replaced(ex.lines[L_EXEC],
		       "\"argv\":[\"./build.sh\",\"a b\",\"\"],", "");
	assert_schema_refuses(bad); /* an exec without argv */
	free(bad);
	bad = replaced(ex.lines[L_OPEN_FAILED], "\"err\":\"ENOENT\",", "");
	assert_schema_refuses(bad); /* a failed open without its errno */
	free(bad);
	assert_schema_refuses("{\"op\":\"close\",\"path\":\"a\"b\"}");
	assert_int_equal(run_validator("", true), 2);
	assert_int_equal(run_validator(SCHEMA " /nonexistent.jsonl", true), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonl_writes_records_in_log_order),
		cmocka_unit_test(test_jsonl_exec_lists_argv_and_interp),
		cmocka_unit_test(test_jsonl_failed_exec_names_errno),
		cmocka_unit_test(test_jsonl_writes_kernel_dev_as_st_dev),
		cmocka_unit_test(test_jsonl_clone3_names_flags),
		cmocka_unit_test(test_jsonl_fork_names_exit_signal),
		cmocka_unit_test(test_jsonl_exit_reports_status_or_signal),
		cmocka_unit_test(test_jsonl_open_names_flags_and_access),
		cmocka_unit_test(test_jsonl_failed_open_names_errno),
		cmocka_unit_test(test_jsonl_escapes_path_bytes),
		cmocka_unit_test(test_jsonl_string_stops_at_its_length),
		cmocka_unit_test(test_jsonl_close_and_lost),
		cmocka_unit_test(test_jsonl_first_uses),
		cmocka_unit_test(test_jsonl_signals_and_what_they_did_to_a_syscall),
		cmocka_unit_test(test_jsonl_lines_match_schema),
		cmocka_unit_test(test_jsonl_schema_lists_every_syscall),
		cmocka_unit_test(test_jsonl_schema_check_can_fail),
	};

	return cmocka_run_group_tests(tests, export_setup, export_teardown);
}
