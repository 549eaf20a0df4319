/* What the subcommands share: their help's footer, their options' errors,
 * and a log read into its dataflow graph. */
#include "cli.h"

#include "dataflow.h"
#include "log.h"
#include "util.h"

void cli_print_footer(FILE *f)
{
	fprintf(f,
		"\nprobe-bpf %s, home page: %s\n"
		"Report problems at %s\n",
		PROBE_VERSION, PROBE_HOME, PROBE_BUGS);
}

int cli_other_option(int c, const char *command, void (*usage)(FILE *))
{
	if (c != 'h')
		die(EXIT_USAGE, "see 'probe-bpf %s --help'", command);
	usage(stdout);
	cli_print_footer(stdout);
	return 0;
}

struct dataflow *cli_dataflow(const char *log_path, const char *what,
			      struct log_reader **log)
{
	struct dataflow *g;
	char err[512];

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
