/* probe-bpf: record what processes read, write and execute, from the
 * kernel, and turn it into provenance. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dataflow.h"
#include "log.h"
#include "util.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "record", cmd_record, "record a command or a cgroup into a log" },
	{ "info", cmd_info, "summarise a log" },
	{ "export", cmd_export,
	  "write a log as JSON lines, PROV-JSON, DOT graphs "
	  "or a process tree" },
	{ "diff", cmd_diff,
	  "what changed between two runs: inputs, then the outputs "
	  "they changed" },
	{ "lineage", cmd_lineage,
	  "what a file was made from, or what was made from it" },
	{ "who", cmd_who,
	  "which processes read, wrote, executed or removed a path" },
	{ NULL, NULL, NULL },
};

void cli_print_footer(FILE *f)
{
	fprintf(f,
		"\nprobe-bpf %s, home page: %s\n"
		"Report problems at %s\n",
		PROBE_VERSION, PROBE_HOME, PROBE_BUGS);
}

void cli_bad_option(char **argv, const char *command)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;
	char shortopt[3] = { '-', (char)optopt, 0 };

	/* a long option names itself in argv; a short one is optopt (it may
	 * sit in a cluster such as -qZ) */
	if (!(arg && !strncmp(arg, "--", 2)) && optopt > ' ' && optopt < 127)
		arg = shortopt;
	die(EXIT_USAGE, "%s: option '%.*s' is unknown or needs a value (see "
			"'probe-bpf %s --help')",
	    command, arg ? (int)strcspn(arg, "=") : 1, arg ? arg : "?", command);
}

int cli_other_option(int c, char **argv, const char *command,
		     void (*usage)(FILE *))
{
	if (c != 'h')
		cli_bad_option(argv, command);
	usage(stdout);
	cli_print_footer(stdout);
	return 0;
}

struct dataflow *cli_dataflow(const char *log_path, const char *what,
			      struct log_reader **log)
{
	struct dataflow *g;
	char err[PROBE_ERR_MAX];

	*log = log_open(log_path, err, sizeof(err));
	if (!*log)
		die(EXIT_USAGE, "%s", err);
	g = dataflow_build(*log, err, sizeof(err));
	if (!g)
		die(EXIT_USAGE, "%s: %s", log_path, err);
	if (!log_complete(*log))
		errorf("warning: %s is incomplete (its recorder stopped before "
		       "the end): %s",
		       log_path, what);
	return g;
}

static void usage(FILE *f)
{
	fputs("usage: probe-bpf COMMAND [ARG...]\n"
	      "\n"
	      "Record, from inside the kernel with eBPF, which processes "
	      "read, wrote and\n"
	      "executed which files, and how they were created.\n"
	      "\n"
	      "commands:\n",
	      f);
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->what);
	fputs("\n'probe-bpf COMMAND --help' tells more.  Example:\n"
	      "  sudo probe-bpf record -o run.probe -- make\n"
	      "  probe-bpf info run.probe\n"
	      "  probe-bpf export jsonl run.probe\n"
	      "  probe-bpf diff yesterday.probe run.probe\n",
	      f);
	cli_print_footer(f);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die(EXIT_USAGE, "no command given (see 'probe-bpf --help')");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("probe-bpf %s\n", PROBE_VERSION);
		return 0;
	}
	opterr = 0; /* one line of our own: cli_bad_option() */
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	die(EXIT_USAGE, "unknown command '%s' (see 'probe-bpf --help')",
	    argv[1]);
}
