/*
 * probe-bpf export FORMAT LOG [-o OUT]: the options, the output file
 * (written whole or not at all, also when a signal ends the export), and
 * drawing a DOT graph with Graphviz.
 */
#include "export.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "util.h"


/*
 * The nodes past which a graph is refused.  Measured on a 2-core VM (a
 * Lua build, its graph copied side by side): dot -Tpng lays out 1,000
 * nodes of a dataflow graph in 8 s into 2,800 x 15,000 px, 2,000 in 17 s
 * into 30,500 px, near the 32,767 px past which Graphviz scales a bitmap
 * down; a happens-before graph costs more, its processes being clusters:
 * 450 nodes in 9 s, 1,100 in 50 s.
 */
#define DOT_MAX_NODES 1000
#define HB_DOT_MAX_NODES 500

/* Which options a format takes. */
enum takes {
	TAKES_HB = 1 << 0, /* --hb */
	TAKES_IMAGE = 1 << 1, /* --svg, --png */
	TAKES_VIEW = 1 << 2, /* --around, --depth, the filter options */
	TAKES_WINDOW = 1 << 3, /* --pid, --from, --to, --ops */
	TAKES_LIMIT = 1 << 4, /* --max-nodes */
};

static const struct format {
	const char *name;
	int (*run)(struct log_reader *log, FILE *out,
		   const struct export_opts *opts);
	const char *what;
	unsigned takes; /* enum takes */
	size_t max_nodes; /* a graph's default --max-nodes */
} formats[] = {
	{ "jsonl", export_jsonl,
	  "one JSON object per operation (schemas/ops.schema.json);\n"
	  "                with --hb, the happens-before edges after them",
	  TAKES_HB, 0 },
	{ "prov-json", export_prov_json,
	  "W3C PROV-JSON: processes, file versions and what used,\n"
	  "                generated and informed what",
	  0, 0 },
	{ "dot", export_dot,
	  "the dataflow graph for Graphviz: processes, files, system\n"
	  "                files folded by directory",
	  TAKES_IMAGE | TAKES_VIEW | TAKES_LIMIT, DOT_MAX_NODES },
	{ "hb-dot", export_hb_dot,
	  "the happens-before graph for Graphviz: ops by process,\n"
	  "                quiet runs of ops as one node",
	  TAKES_IMAGE | TAKES_WINDOW | TAKES_LIMIT, HB_DOT_MAX_NODES },
	{ "process-tree", export_process_tree,
	  "who cloned whom, as text: pid, argv ([argv]: no exec), exit",
	  0, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};

static void usage(FILE *f)
{
	fputs("usage: probe-bpf export FORMAT LOG [-o OUT] [OPTION...]\n"
	      "\n"
	      "Write the operations recorded in LOG in FORMAT, to standard\n"
	      "output or to OUT (written whole or not at all).\n"
	      "\n"
	      "formats:\n",
	      f);
	for (const struct format *fmt = formats; fmt->name; fmt++)
		fprintf(f, "  %-13s %s\n", fmt->name, fmt->what);
	fputs("\noptions:\n"
	      "  -o, --output OUT      write to OUT instead of standard "
	      "output\n"
	      "      --hb              jsonl: add the happens-before graph's "
	      "edges\n"
	      "                        (locks taken without contention make "
	      "no\n"
	      "                        syscall: what they protect is not "
	      "ordered)\n"
	      "      --svg, --png      dot, hb-dot: draw the graph with "
	      "Graphviz's dot\n"
	      "                        (apt-get install graphviz)\n"
	      "      --max-nodes N     dot, hb-dot: refuse a graph of more "
	      "than N nodes\n"
	      "                        (default 1000 for dot, 500 for "
	      "hb-dot; 0: no limit)\n"
	      "\n"
	      "dot: which part of the dataflow graph\n"
	      "      --around PATH     only the lineage of PATH's last "
	      "version: what it\n"
	      "                        came from and what came from it\n"
	      "      --depth N         with --around: at most N writers "
	      "away\n",
	      f);
	filter_usage(f);
	fputs("\nhb-dot: which ops (runs of ops tied to nothing but "
	      "program order are\n"
	      "one node)\n"
	      "      --pid PID         only the ops of process PID "
	      "(repeatable)\n"
	      "      --from SEC        only ops from SEC seconds after the "
	      "recording's\n"
	      "                        start (a decimal: 1.5)\n"
	      "      --to SEC          only ops up to SEC seconds after it\n"
	      "      --ops FIRST-LAST  only the ops of ids FIRST to LAST "
	      "(as jsonl\n"
	      "                        numbers them; either may be left "
	      "out)\n"
	      "\n"
	      "  -h, --help            show this help\n",
	      f);
}

/* ---- the options ---- */

/* Seconds from the recording's start, as ns. */
static __u64 parse_seconds(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e9)
		die(EXIT_USAGE, "%s wants seconds from the recording's start "
				"(0, 1.5...), not '%s'",
		    opt, s);
	return (__u64)(v * 1e9 + 0.5);
}

static __u64 parse_number(const char *opt, const char *s, __u64 max)
{
	uint64_t v;

	if (!parse_uint(s, max, &v))
		die(EXIT_USAGE, "%s wants a number from 0 to %llu, not '%s'",
		    opt, (unsigned long long)max, s);
	return v;
}

/* --ops FIRST-LAST, either end left out: from the first, to the last. */
static void parse_op_range(const char *s, struct export_window *w)
{
	const char *dash = strchr(s, '-');
	char *first;

	if (!dash)
		die(EXIT_USAGE, "--ops wants FIRST-LAST (100-200, 100-, "
				"-200), not '%s'",
		    s);
	first = xstrndup(s, dash - s);
	w->by_op = true;
	w->first_op = *first ? parse_number("--ops", first, UINT64_MAX) : 0;
	w->last_op = dash[1] ? parse_number("--ops", dash + 1, UINT64_MAX) :
			       UINT64_MAX;
	free(first);
	if (w->first_op > w->last_op)
		die(EXIT_USAGE, "--ops %s: FIRST is after LAST", s);
}

static void add_pid(struct export_window *w, const char *s)
{
	__u32 *pids = (__u32 *)w->pids;

	pids = xrealloc(pids, (w->npids + 1) * sizeof(*pids));
	pids[w->npids++] = parse_number("--pid", s, UINT32_MAX);
	w->pids = pids;
}

/* The options given that fmt does not take: one line, and exit. */
static void check_options(const struct format *fmt,
			  const char *const given[], size_t n)
{
	/* by bit of enum takes */
	static const char *const whose[] = {
		"jsonl", "dot and hb-dot", "dot", "hb-dot", "dot and hb-dot",
	};

	for (size_t k = 0; k < n; k++)
		if (given[k] && !(fmt->takes & (1u << k)))
			die(EXIT_USAGE, "%s is for %s, not %s", given[k],
			    whose[k], fmt->name);
}

/* Whether an executable prog is in one of $PATH's directories. */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");

	while (path) {
		const char *end = strchr(path, ':');
		int len = end ? (int)(end - path) : (int)strlen(path);
		char file[4096];
		int n;

		/* an empty entry is the current directory */
		n = snprintf(file, sizeof(file), "%.*s/%s", len ? len : 1,
			     len ? path : ".", prog);
		if (n > 0 && (size_t)n < sizeof(file) &&
		    access(file, X_OK) == 0)
			return true;
		path = end ? end + 1 : NULL;
	}
	return false;
}

/* ---- a clean end on SIGINT, SIGTERM and SIGHUP ---- */

/* What a signal that ends the export must not leave behind: the output
 * file half written, and dot drawing into it. */
static const char *volatile unfinished_file;
static volatile pid_t unfinished_dot;

static void on_fatal_signal(int sig)
{
	if (unfinished_dot > 0)
		kill(unfinished_dot, SIGTERM);
	if (unfinished_file)
		unlink(unfinished_file);
	/* then die of it as if there were no handler: the signal is blocked
	 * until the handler returns */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void clean_up_on_signals(void)
{
	static const int fatal[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_fatal_signal }, old;
	size_t n = sizeof(fatal) / sizeof(fatal[0]);

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < n; i++)
		sigaddset(&sa.sa_mask, fatal[i]);
	for (size_t i = 0; i < n; i++) /* nohup's ignored signals stay so */
		if (sigaction(fatal[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(fatal[i], &sa, NULL);
}

/* ---- drawing with Graphviz ---- */

/*
 * What dot said, as one line (in place): its first line that names an
 * error (the lines after "trouble in init_rank" list nodes), else its
 * first line; without "dot: ", "Error: " or "Warning: ", control bytes
 * as '?'.
 */
static const char *graphviz_message(char *msg)
{
	char *line = strstr(msg, "Error");

	if (!line)
		line = msg + strspn(msg, " \t\n");
	line[strcspn(line, "\n")] = 0;
	if (!strncmp(line, "dot: ", 5))
		line += 5;
	if (!strncmp(line, "Error: ", 7))
		line += 7;
	else if (!strncmp(line, "Warning: ", 9))
		line += 9;
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return line;
}

/* Give text to dot, all of it unless dot is gone (it says why). */
static void write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		text += n;
		len -= n;
	}
}

/* dot's exit, with its message: 0 if it drew the graph. */
static int graphviz_status(const char *format, int status, char *msg)
{
	const char *line = graphviz_message(msg);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (*line)
			errorf("warning: dot -T%s: %s", format, line);
		return 0;
	}
	if (WIFSIGNALED(status))
		errorf("dot -T%s was killed by signal %d", format,
		       WTERMSIG(status));
	else if (*line)
		errorf("Graphviz could not draw the graph (dot -T%s: %s)",
		       format, line);
	else
		errorf("Graphviz could not draw the graph (dot -T%s: exit "
		       "status %d)",
		       format, WEXITSTATUS(status));
	return -1;
}

/*
 * Draw the DOT text with Graphviz's dot -Tformat into out.  What dot says
 * goes to a memfd, not to a pipe that could fill while we write its input,
 * and becomes one line.  Returns 0 if it drew the graph.
 */
static int graphviz_draw(const char *format, const char *text, size_t len,
			 FILE *out)
{
	char arg[16], msg[4096];
	int in[2], err = memfd_create("dot-stderr", MFD_CLOEXEC), status;
	ssize_t n;
	pid_t pid;

	snprintf(arg, sizeof(arg), "-T%s", format);
	if (err < 0 || fflush(out) || pipe(in) || (pid = fork()) < 0)
		die(EXIT_USAGE, "cannot run dot: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) < 0 ||
		    dup2(fileno(out), STDOUT_FILENO) < 0 ||
		    dup2(err, STDERR_FILENO) < 0)
			_exit(127);
		close(in[0]);
		close(in[1]);
		execlp("dot", "dot", arg, (char *)NULL);
		fprintf(stderr, "Error: cannot run dot: %s\n",
			strerror(errno));
		_exit(127);
	}
	unfinished_dot = pid;
	close(in[0]);
	signal(SIGPIPE, SIG_IGN); /* a dot that died early: EPIPE */
	write_all(in[1], text, len);
	close(in[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die(EXIT_USAGE, "cannot wait for dot: %s",
			    strerror(errno));
	unfinished_dot = 0;
	n = pread(err, msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = 0;
	close(err);
	return graphviz_status(format, status, msg);
}

/* Run fmt; for an image, into memory first and then through dot, so
 * that a graph refused never reaches Graphviz. */
static int run_format(const struct format *fmt, struct log_reader *log,
		      FILE *out, const struct export_opts *opts,
		      const char *image)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	if (!image)
		return fmt->run(log, out, opts);
	mem = open_memstream(&text, &len);
	if (!mem)
		die(EXIT_USAGE, "out of memory");
	ret = fmt->run(log, mem, opts);
	if (fclose(mem))
		die(EXIT_USAGE, "out of memory");
	if (!ret && graphviz_draw(image, text, len, out))
		ret = EXPORT_REFUSED; /* said why */
	free(text);
	return ret;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "hb", no_argument, NULL, 'H' },
		{ "svg", no_argument, NULL, 'S' },
		{ "png", no_argument, NULL, 'P' },
		{ "around", required_argument, NULL, 'A' },
		{ "depth", required_argument, NULL, 'D' },
		{ "max-nodes", required_argument, NULL, 'M' },
		{ "pid", required_argument, NULL, 'I' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "ops", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	/* the first option given of each kind, by bit of enum takes */
	const char *given[5] = { NULL };
	const struct format *fmt;
	struct filter filter = { 0 };
	struct export_opts opts = { .filter = &filter, .depth = -1 };
	struct export_window *w = &opts.window;
	const char *out_path = NULL, *image = NULL;
	struct log_reader *log;
	char err[PROBE_ERR_MAX], *around = NULL, name[32];
	struct output dest;
	FILE *out = stdout;
	int c, i, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, &i)) != -1) {
		unsigned kind = 0;

		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'H':
			opts.hb = true;
			kind = TAKES_HB;
			break;
		case 'S':
		case 'P':
			if (image)
				die(EXIT_USAGE, "--svg and --png: choose one");
			image = c == 'S' ? "svg" : "png";
			kind = TAKES_IMAGE;
			break;
		case 'A':
			free(around);
			opts.around = around = absolute_path(optarg);
			kind = TAKES_VIEW;
			break;
		case 'D':
			opts.depth = parse_number("--depth", optarg, INT_MAX);
			kind = TAKES_VIEW;
			break;
		case 'M':
			opts.max_nodes = parse_number("--max-nodes", optarg,
						      SIZE_MAX);
			kind = TAKES_LIMIT;
			break;
		case 'I':
			add_pid(w, optarg);
			kind = TAKES_WINDOW;
			break;
		case 'F':
		case 'T':
			if (!w->by_time)
				w->to_ns = UINT64_MAX;
			w->by_time = true;
			*(c == 'F' ? &w->from_ns : &w->to_ns) = parse_seconds(
				c == 'F' ? "--from" : "--to", optarg);
			kind = TAKES_WINDOW;
			break;
		case 'R':
			parse_op_range(optarg, w);
			kind = TAKES_WINDOW;
			break;
		default:
			if (!filter_option(&filter, c, optarg))
				return cli_other_option(c, argv, "export", usage);
			kind = TAKES_VIEW;
		}
		if (kind && !given[__builtin_ctz(kind)]) {
			snprintf(name, sizeof(name), "--%s", longopts[i].name);
			given[__builtin_ctz(kind)] = xstrdup(name);
		}
	}
	if (argc - optind != 2)
		die(EXIT_USAGE, "export needs a FORMAT and a LOG (see "
				"'probe-bpf export --help')");
	for (fmt = formats; fmt->name; fmt++)
		if (!strcmp(fmt->name, argv[optind]))
			break;
	if (!fmt->name)
		die(EXIT_USAGE, "unknown export format '%s' (see 'probe-bpf "
				"export --help')",
		    argv[optind]);
	check_options(fmt, given, sizeof(given) / sizeof(given[0]));
	if (!given[__builtin_ctz(TAKES_LIMIT)])
		opts.max_nodes = fmt->max_nodes;
	if (opts.depth >= 0 && !opts.around)
		die(EXIT_USAGE, "--depth bounds the lineage --around draws: "
				"give --around PATH too");
	if (w->by_time && w->from_ns > w->to_ns)
		die(EXIT_USAGE, "--from is after --to: nothing to draw");
	if (image && !in_path("dot"))
		die(EXIT_USAGE, "--%s needs Graphviz's dot, which is not "
				"installed (apt-get install graphviz)", image);
	log = log_open(argv[optind + 1], err, sizeof(err));
	if (!log)
		die(EXIT_USAGE, "%s", err);

	if (out_path && !strcmp(out_path, "-"))
		out_path = NULL; /* -o -: standard output, as without -o */
	if (out_path || image)
		clean_up_on_signals();
	if (out_path) {
		if (output_replace(&dest, out_path, err, sizeof(err)))
			die(EXIT_USAGE, "%s", err);
		unfinished_file = dest.tmp;
		out = fdopen(dest.fd, "w");
		if (!out)
			die(1, "fdopen: %s", strerror(errno));
		if (output_give_to_sudo_user(&dest))
			errorf("warning: cannot give %s to the user who ran "
			       "sudo: %s",
			       out_path, strerror(errno));
	}
	ret = run_format(fmt, log, out, &opts, image);
	if (ret == -1)
		errorf("%s: %s", argv[optind + 1], log_error(log));
	else if (!ret && !log_complete(log))
		errorf("warning: %s is incomplete (its recorder stopped before "
		       "the end): exported up to its last whole record",
		       argv[optind + 1]);
	if (fflush(out) || ferror(out)) {
		errorf("cannot write %s: %s", out_path ? out_path : "output",
		       strerror(errno));
		ret = -1;
	}
	if (out_path) {
		if (ret)
			output_abort(&dest);
		else if (output_commit(&dest)) {
			errorf("cannot write %s: %s", out_path,
			       strerror(errno));
			ret = -1;
		}
		unfinished_file = NULL;
		fclose(out);
		output_free(&dest);
	}
	for (size_t k = 0; k < sizeof(given) / sizeof(given[0]); k++)
		free((char *)given[k]);
	free((void *)w->pids);
	free(around);
	filter_free(&filter);
	log_close(log);
	return ret ? EXIT_USAGE : 0;
}
