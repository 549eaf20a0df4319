/* probe-bpf diff [--json] LOG1 LOG2 */
#include "diff.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: probe-bpf diff [--json] LOG1 LOG2\n"
	      "\n"
	      "Why did two runs give different results: the files they "
	      "read, wrote and\n"
	      "executed differently.  Each file by its absolute path, with "
	      "its identity\n"
	      "(inode, size, mtime) when the run first used it; a file only "
	      "one run used,\n"
	      "or used with another identity, is a difference.  Reads are "
	      "first reads and\n"
	      "opens for reading, writes first writes, executed files what "
	      "exec ran (a #!\n"
	      "script's interpreter; a program run by a relative path keeps "
	      "that path).\n"
	      "Pipes, sockets and files under /proc, /sys and /dev are left "
	      "out.\n"
	      "\n"
	      "Exit status: 0 if the runs do not differ, 1 if they do, 2 on "
	      "error.\n"
	      "\n"
	      "options:\n"
	      "  -j, --json  one JSON document instead of text\n"
	      "  -h, --help  show this help\n",
	      f);
}

/* The run log_path recorded, with a warning if it may lack files. */
static struct diff_run *load(const char *log_path)
{
	struct diff_run *run;
	char err[512];

	run = diff_load(log_path, err, sizeof(err));
	if (!run)
		die(EXIT_USAGE, "%s", err);
	if (!diff_run_complete(run))
		errorf("warning: %s is incomplete (its recorder stopped before "
		       "the end): compared up to its last whole record",
		       log_path);
	if (diff_run_lost(run))
		errorf("warning: %s lost %" PRIu64 " records: files they "
		       "named may be missing from the comparison",
		       log_path, (uint64_t)diff_run_lost(run));
	return run;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct diff_run *r1, *r2;
	bool json = false;
	size_t n;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		default:
			return cli_other_option(c, "diff", usage);
		}
	}
	if (argc - optind != 2)
		die(EXIT_USAGE, "diff needs two LOGs (see 'probe-bpf diff "
				"--help')");
	r1 = load(argv[optind]);
	r2 = load(argv[optind + 1]);
	n = diff_write(r1, r2, json, stdout);
	diff_run_free(r1);
	diff_run_free(r2);
	if (fflush(stdout) || ferror(stdout))
		die(EXIT_USAGE, "cannot write the report: %s", strerror(errno));
	return n ? 1 : 0;
}
