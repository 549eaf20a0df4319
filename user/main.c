/* probe-bpf: record what processes read, write and execute, from the
 * kernel, and turn it into provenance. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
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
