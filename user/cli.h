/* The subcommands of probe-bpf, each in its own file. */
#ifndef PROBE_CLI_H
#define PROBE_CLI_H

#include <stdio.h>

int cmd_record(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_lineage(int argc, char **argv);
int cmd_who(int argc, char **argv);

/* The lines every --help ends with: version, home page, bug reports. */
void cli_print_footer(FILE *f);

/*
 * An option a command's getopt switch did not take: -h prints the
 * command's help (usage, then the footer) and returns 0, for the command
 * to return; anything else is a usage error naming the command.
 */
int cli_other_option(int c, char **argv, const char *command,
		     void (*usage)(FILE *));
/*
 * The usage error for what getopt returned '?' for (opterr is 0: getopt
 * itself says nothing), one line naming the option and the command.
 */
void __attribute__((noreturn)) cli_bad_option(char **argv,
					      const char *command);

struct dataflow;
struct log_reader;

/*
 * The dataflow graph of the log at log_path, its reader in *log (for the
 * caller to close); or a one-line error and exit 2.  An incomplete log
 * gets a warning that the command answers from what it holds (what: "the
 * lineage of what it holds").
 */
struct dataflow *cli_dataflow(const char *log_path, const char *what,
			      struct log_reader **log);

#endif
