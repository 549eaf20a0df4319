/* probe-bpf who [--json] LOG PATH */
#include "who.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: probe-bpf who [--json] LOG PATH\n"
	      "\n"
	      "Which processes read, wrote, executed, truncated, renamed or\n"
	      "removed PATH (absolute, or relative to the current directory)\n"
	      "in LOG: each file the path named during the recording (a name\n"
	      "another file took later is a second file), and for each, what\n"
	      "every process did to it, in the order the log holds: the time\n"
	      "in seconds from the start of the recording, the op's id (as in\n"
	      "'export jsonl'), what was done, the process's exec epoch (0:\n"
	      "forked and not exec'd yet) and the process, by pid and argv.\n"
	      "Reads and writes are each open file's first by a process (and\n"
	      "a write again after a new read).\n"
	      "\n"
	      "options:\n"
	      "  -j, --json  one JSON object: the files, each with its accesses\n"
	      "              (kind, pid, epoch, argv, ts_ns, op, path)\n"
	      "  -h, --help  show this help\n",
	      f);
}

int cmd_who(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct log_reader *log;
	struct dataflow *g;
	bool json = false;
	char *path;
	size_t n;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		default:
			return cli_other_option(c, argv, "who", usage);
		}
	}
	if (argc - optind != 2)
		die(EXIT_USAGE, "who needs a LOG and a PATH (see 'probe-bpf "
				"who --help')");
	g = cli_dataflow(argv[optind], "what it holds", &log);
	path = absolute_path(argv[optind + 1]);
	n = who_write(g, path, log_header(log)->start_boottime_ns, json,
		      stdout);
	if (!n)
		die(EXIT_USAGE,
		    "%s: no process of the recording read, wrote, executed, "
		    "truncated, renamed or removed %s",
		    argv[optind], path);
	free(path);
	dataflow_free(g);
	log_close(log);
	if (fflush(stdout) || ferror(stdout))
		die(EXIT_USAGE, "cannot write the report: %s",
		    strerror(errno));
	return 0;
}
