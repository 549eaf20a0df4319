/* What the subcommands share: their help's footer, their options' errors,
 * and a log read into its dataflow graph. */
#include "cli.h"

#include <getopt.h>
#include <string.h>

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
