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
int cli_other_option(int c, const char *command, void (*usage)(FILE *));

#endif
