/* probe-bpf diff [--json] [--ignore GLOB] LOG1 LOG2 */
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
	fputs("usage: probe-bpf diff [--json] [--ignore GLOB]... LOG1 LOG2\n"
	      "\n"
	      "Why did two runs give different results: the inputs they read "
	      "differently\n"
	      "(the causes) first, then the outputs they made differently, "
	      "each with the\n"
	      "differing inputs in its lineage.  Files are matched by path.\n"
	      "  inputs   (read or executed, never written) by the SHA-256 "
	      "the recorder\n"
	      "           took at the end where both logs have one, else by "
	      "dev, inode,\n"
	      "           size and mtime as the run read them\n"
	      "  outputs  (written and there at the end) by their SHA-256 "
	      "where both logs\n"
	      "           have one, else by their size at the end where both "
	      "know it\n"
	      "A file only one run read or made differs too.  Temporaries "
	      "(files a run\n"
	      "wrote and removed) are left out whatever their names, and so "
	      "are pipes,\n"
	      "sockets and the pseudo-files under /proc, /sys and /dev.  "
	      "Nothing is\n"
	      "printed if the runs do not differ.\n"
	      "\n"
	      "Exit status: 0 if the runs do not differ, 1 if they do, 2 on "
	      "error.\n"
	      "\n"
	      "options:\n"
	      "  -i, --ignore GLOB  leave out the paths GLOB matches "
	      "(fnmatch(3), where *\n"
	      "                     matches / too: '*.log', '/tmp/*'; "
	      "repeatable)\n"
	      "  -j, --json         one JSON document instead of text\n"
	      "  -h, --help         show this help\n",
	      f);
}

/* The run log_path recorded, with a warning if it may lack files. */
static struct diff_run *load(const char *log_path)
{
	struct diff_run *run;
	char err[PROBE_ERR_MAX];

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
	if (diff_run_unhashed(run))
		errorf("warning: %s holds no hash of %zu of its outputs "
		       "(recorded with --no-hash, or not to its end): they are "
		       "compared by name only",
		       log_path, diff_run_unhashed(run));
	return run;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct diff_opts o = { 0 };
	struct diff_run *r1, *r2;
	size_t n;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ji:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'i':
			o.ignore = xrealloc(o.ignore,
					    (o.nignore + 1) * sizeof(*o.ignore));
			o.ignore[o.nignore++] = optarg;
			break;
		default:
			return cli_other_option(c, argv, "diff", usage);
		}
	}
	if (argc - optind != 2)
		die(EXIT_USAGE, "diff needs two LOGs (see 'probe-bpf diff "
				"--help')");
	r1 = load(argv[optind]);
	r2 = load(argv[optind + 1]);
	n = diff_write(r1, r2, &o, stdout);
	diff_run_free(r1);
	diff_run_free(r2);
	free(o.ignore);
	if (fflush(stdout) || ferror(stdout))
		die(EXIT_USAGE, "cannot write the report: %s", strerror(errno));
	return n ? 1 : 0;
}
