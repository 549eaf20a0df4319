/* probe-bpf export FORMAT LOG [-o OUT] */
#include "export.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static const struct format {
	const char *name;
	int (*run)(struct log_reader *log, FILE *out,
		   const struct export_opts *opts);
	const char *what;
	bool graph; /* DOT: --svg and --png draw it */
} formats[] = {
	{ "jsonl", export_jsonl,
	  "one JSON object per operation (schemas/ops.schema.json);\n"
	  "                with --hb, the happens-before edges after them",
	  false },
	{ "prov-json", export_prov_json,
	  "W3C PROV-JSON: processes, file versions and what used,\n"
	  "                generated and informed what",
	  false },
	{ "dot", export_dot,
	  "the dataflow graph for Graphviz: processes, file versions",
	  true },
	{ "hb-dot", export_hb_dot,
	  "the happens-before graph for Graphviz: ops, by process", true },
	{ "process-tree", export_process_tree,
	  "who cloned whom, as text: pid, argv ([argv]: no exec), exit",
	  false },
	{ NULL, NULL, NULL, false },
};

static void usage(FILE *f)
{
	fputs("usage: probe-bpf export FORMAT LOG [-o OUT] [--hb] "
	      "[--svg|--png]\n"
	      "\n"
	      "Write the operations recorded in LOG in FORMAT, to standard\n"
	      "output or to OUT (written whole or not at all).\n"
	      "\n"
	      "formats:\n",
	      f);
	for (const struct format *fmt = formats; fmt->name; fmt++)
		fprintf(f, "  %-13s %s\n", fmt->name, fmt->what);
	fputs("\noptions:\n"
	      "  -o, --output OUT  write to OUT instead of standard output\n"
	      "      --hb          jsonl: add the happens-before graph's edges\n"
	      "                    (locks taken without contention make no\n"
	      "                    syscall: what they protect is not ordered)\n"
	      "      --svg, --png  dot, hb-dot: draw the graph with Graphviz's\n"
	      "                    dot (apt-get install graphviz)\n"
	      "  -h, --help        show this help\n",
	      f);
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

/*
 * Start Graphviz's dot -Tformat writing to out; returns the stream for
 * the DOT text.  A dot that dies early makes writes fail (EPIPE) instead
 * of killing us: graphviz_finish() says what happened.
 */
static FILE *graphviz_start(const char *format, FILE *out, pid_t *pid)
{
	char arg[16];
	int fds[2];
	FILE *f;

	snprintf(arg, sizeof(arg), "-T%s", format);
	if (fflush(out) || pipe(fds) || (*pid = fork()) < 0)
		die(EXIT_USAGE, "cannot run dot: %s", strerror(errno));
	if (*pid == 0) {
		if (dup2(fds[0], STDIN_FILENO) < 0 ||
		    dup2(fileno(out), STDOUT_FILENO) < 0)
			_exit(127);
		close(fds[0]);
		close(fds[1]);
		execlp("dot", "dot", arg, (char *)NULL);
		fprintf(stderr, "probe-bpf: cannot run dot: %s\n",
			strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	f = fdopen(fds[1], "w");
	if (!f)
		die(EXIT_USAGE, "cannot run dot: %s", strerror(errno));
	return f;
}

/* End the DOT text and wait for dot; 0 if it drew the graph. */
static int graphviz_finish(FILE *f, pid_t pid, const char *format)
{
	int status;

	fclose(f); /* a write error: dot is gone, and says why */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die(EXIT_USAGE, "cannot wait for dot: %s",
			    strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		errorf("dot -T%s failed (exit status %d)", format,
		       WEXITSTATUS(status));
	else
		errorf("dot -T%s was killed by signal %d", format,
		       WTERMSIG(status));
	return -1;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "hb", no_argument, NULL, 'H' },
		{ "svg", no_argument, NULL, 'S' },
		{ "png", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct format *fmt;
	struct export_opts opts = { 0 };
	const char *out_path = NULL, *image = NULL;
	struct log_reader *log;
	char err[512], *tmp = NULL;
	FILE *out = stdout, *dest;
	pid_t dot_pid = 0;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'H':
			opts.hb = true;
			break;
		case 'S':
		case 'P':
			if (image)
				die(EXIT_USAGE, "--svg and --png: choose one");
			image = c == 'S' ? "svg" : "png";
			break;
		default:
			return cli_other_option(c, "export", usage);
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
	if (image && !fmt->graph)
		die(EXIT_USAGE, "--%s draws the dot and hb-dot formats only, "
				"not %s", image, fmt->name);
	if (image && !in_path("dot"))
		die(EXIT_USAGE, "--%s needs Graphviz's dot, which is not "
				"installed (apt-get install graphviz)", image);
	log = log_open(argv[optind + 1], err, sizeof(err));
	if (!log)
		die(EXIT_USAGE, "%s", err);

	if (out_path) {
		size_t n = strlen(out_path) + 16;

		tmp = xmalloc(n);
		snprintf(tmp, n, "%s.tmp.%d", out_path, getpid());
		out = fopen(tmp, "w");
		if (!out)
			die(EXIT_USAGE, "cannot create %s: %s", tmp,
			    strerror(errno));
	}
	dest = image ? graphviz_start(image, out, &dot_pid) : out;
	ret = fmt->run(log, dest, &opts);
	if (ret)
		errorf("%s: %s", argv[optind + 1], log_error(log));
	else if (!log_complete(log))
		errorf("warning: %s is incomplete (its recorder stopped before "
		       "the end): exported up to its last whole record",
		       argv[optind + 1]);
	if (image && graphviz_finish(dest, dot_pid, image))
		ret = -1;
	if (fflush(out) || ferror(out)) {
		errorf("cannot write %s: %s", out_path ? tmp : "output",
		       strerror(errno));
		ret = -1;
	}
	if (out_path) {
		fclose(out);
		if (ret || rename(tmp, out_path)) {
			if (!ret)
				errorf("cannot write %s: %s", out_path,
				       strerror(errno));
			unlink(tmp);
			ret = -1;
		}
		free(tmp);
	}
	log_close(log);
	return ret ? EXIT_USAGE : 0;
}
