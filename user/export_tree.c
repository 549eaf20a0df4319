/*
 * probe-bpf export process-tree: who cloned whom, as indented text.
 *
 * One line per exec epoch of each process: its pid and argv, then the
 * children it cloned in that epoch, indented under it; a process's later
 * execs follow as "PID then ARGV" lines, and its last line ends with its
 * exit status.  A process that did not exec in the recording runs its
 * parent's program: its line shows the parent's argv in brackets.  The
 * part of a process before its exec gets a line of its own only if it
 * cloned children.  Threads (PROBE_SHARE_THREAD) are not processes: they
 * are left out, and what they clone belongs to their process.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "names.h"
#include "records.h"
#include "text.h"
#include "util.h"

struct process;

/* A process between two execs (epoch 0: before its first one). */
struct epoch {
	char *argv; /* NUL-separated, each arg with its NUL; NULL: unknown */
	size_t argv_len;
	bool inherited; /* no exec: argv is the program it was cloned in */
	bool truncated; /* argv was longer than the kernel's record holds */
	struct process **children; /* in the order they were cloned */
	size_t nchildren;
};

/* A process: a tgid with its start time, so a reused pid is another. */
struct process {
	__u32 pid;
	__u64 start_ns;
	bool has_parent;
	bool exited;
	int status; /* wait(2) layout */
	struct epoch *epochs;
	size_t nepochs;
};

struct tree {
	struct process **slots; /* open addressing on (pid, start_ns) */
	size_t cap;
	struct process **all; /* in the order they were first seen */
	size_t count;
};

static size_t slot_of(const struct tree *t, __u32 pid, __u64 start_ns)
{
	__u64 h = (pid * 0x9e3779b97f4a7c15ULL) ^ start_ns;

	return (h ^ h >> 29) & (t->cap - 1);
}

static struct process **find(struct tree *t, __u32 pid, __u64 start_ns)
{
	size_t i = slot_of(t, pid, start_ns);

	while (t->slots[i] &&
	       (t->slots[i]->pid != pid || t->slots[i]->start_ns != start_ns))
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static void grow(struct tree *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;

	free(t->slots);
	t->slots = xmalloc(cap * sizeof(*t->slots));
	memset(t->slots, 0, cap * sizeof(*t->slots));
	t->cap = cap;
	for (size_t i = 0; i < t->count; i++)
		*find(t, t->all[i]->pid, t->all[i]->start_ns) = t->all[i];
	t->all = xrealloc(t->all, cap * sizeof(*t->all));
}

static struct epoch *new_epoch(struct process *p)
{
	struct epoch *e;

	p->epochs = xrealloc(p->epochs, (p->nepochs + 1) * sizeof(*e));
	e = &p->epochs[p->nepochs++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* The process, added (running an unknown program) if it is new. */
static struct process *process_get(struct tree *t, __u32 pid, __u64 start_ns)
{
	struct process **slot, *p;

	if ((t->count + 1) * 4 > t->cap * 3)
		grow(t);
	slot = find(t, pid, start_ns);
	if (*slot)
		return *slot;
	p = xmalloc(sizeof(*p));
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start_ns = start_ns;
	new_epoch(p)->inherited = true;
	t->all[t->count++] = p;
	*slot = p;
	return p;
}

static struct epoch *current_epoch(struct process *p)
{
	return &p->epochs[p->nepochs - 1];
}

/* argv: len bytes, NUL-separated; NULL or empty: unknown. */
static void set_argv(struct epoch *e, const char *argv, size_t len)
{
	free(e->argv);
	e->argv = NULL;
	e->argv_len = 0;
	if (!argv || !len)
		return;
	e->argv = xmalloc(len);
	memcpy(e->argv, argv, len);
	e->argv_len = len;
}

static void apply_exec(struct tree *t, const struct probe_exec *r)
{
	struct process *p;
	struct bytes argv = exec_argv(r);
	struct epoch *e;

	if (r->ret < 0)
		return; /* a failed attempt: the program still runs */
	p = process_get(t, r->hdr.pid, r->start_ns);
	e = new_epoch(p);
	if (!argv.len) /* unreadable: name the file instead */
		argv = exec_filename(r);
	set_argv(e, argv.p, argv.len);
	e->truncated = r->rflags & PROBE_RF_ARGV_TRUNC;
}

static void apply_clone(struct tree *t, const struct probe_clone *r)
{
	struct process *parent, *child;
	struct epoch *from;
	size_t n;

	if (r->share & PROBE_SHARE_THREAD)
		return;
	parent = process_get(t, r->hdr.pid, r->parent_start_ns);
	child = process_get(t, r->child_pid, r->child_start_ns);
	if (child->has_parent)
		return;
	child->has_parent = true;
	from = current_epoch(parent);
	set_argv(&child->epochs[0], from->argv, from->argv_len);
	child->epochs[0].truncated = from->truncated;
	n = from->nchildren + 1;
	from->children = xrealloc(from->children, n * sizeof(*from->children));
	from->children[from->nchildren++] = child;
}

static void apply_exit(struct tree *t, const struct probe_exit *r)
{
	struct process *p;

	if (!r->group_dead)
		return; /* a thread, not yet the process */
	p = process_get(t, r->hdr.pid, r->start_ns);
	p->exited = true;
	p->status = r->status;
}

static void print_argv(FILE *out, const struct epoch *e)
{
	if (e->inherited)
		fputc('[', out);
	if (!e->argv)
		fputs("unknown program", out);
	for (size_t i = 0; e->argv && i < e->argv_len;) {
		size_t n = strnlen(e->argv + i, e->argv_len - i);

		if (i)
			fputc(' ', out);
		shell_quote(out, e->argv + i, n);
		i += n + 1;
	}
	if (e->truncated)
		fputs(" ...", out);
	if (e->inherited)
		fputc(']', out);
}

static void print_exit(FILE *out, const struct process *p)
{
	const char *sig;

	if (!p->exited) {
		fputs("  (no exit recorded)", out);
		return;
	}
	if (!WIFSIGNALED(p->status)) {
		fprintf(out, "  (exit %d)", WEXITSTATUS(p->status));
		return;
	}
	sig = signal_name(WTERMSIG(p->status));
	if (sig)
		fprintf(out, "  (killed by %s", sig);
	else
		fprintf(out, "  (killed by signal %d", WTERMSIG(p->status));
	fputs(WCOREDUMP(p->status) ? ", core dumped)" : ")", out);
}

static void print_process(FILE *out, const struct process *p, int depth)
{
	/* before its first exec, a process runs its parent's program: a
	 * line of its own only if it cloned children then */
	size_t first = p->nepochs > 1 && !p->epochs[0].nchildren;

	for (size_t i = first; i < p->nepochs; i++) {
		const struct epoch *e = &p->epochs[i];

		fprintf(out, "%*s%u ", 2 * depth, "", p->pid);
		if (i > first)
			fputs("then ", out);
		print_argv(out, e);
		if (i == p->nepochs - 1)
			print_exit(out, p);
		fputc('\n', out);
		for (size_t c = 0; c < e->nchildren; c++)
			print_process(out, e->children[c], depth + 1);
	}
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->count; i++) {
		struct process *p = t->all[i];

		for (size_t e = 0; e < p->nepochs; e++) {
			free(p->epochs[e].argv);
			free(p->epochs[e].children);
		}
		free(p->epochs);
		free(p);
	}
	free(t->all);
	free(t->slots);
}

int export_process_tree(struct log_reader *log, FILE *out,
			const struct export_opts *opts)
{
	const struct probe_hdr *h;
	struct tree t = { 0 };
	enum log_next n;

	(void)opts; /* it has none */

	while ((n = log_next(log, &h)) == LOG_RECORD) {
		if (h->type == PROBE_REC_EXEC)
			apply_exec(&t, (const void *)h);
		else if (h->type == PROBE_REC_CLONE)
			apply_clone(&t, (const void *)h);
		else if (h->type == PROBE_REC_EXIT)
			apply_exit(&t, (const void *)h);
	}
	if (n == LOG_END)
		for (size_t i = 0; i < t.count; i++)
			if (!t.all[i]->has_parent)
				print_process(out, t.all[i], 0);
	tree_free(&t);
	return n == LOG_ERROR ? -1 : 0;
}
