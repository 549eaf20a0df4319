/* probe-bpf export FORMAT LOG [-o OUT] */
#include "export.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static const struct format {
	const char *name;
	int (*run)(struct log_reader *log, FILE *out,
		   const struct export_opts *opts);
	const char *what;
} formats[] = {
	{ "jsonl", export_jsonl,
	  "one JSON object per operation (schemas/ops.schema.json);\n"
	  "                with --hb, the happens-before edges after them" },
	{ "prov-json", export_prov_json,
	  "W3C PROV-JSON: processes, file versions and what used,\n"
	  "                generated and informed what" },
	{ "process-tree", export_process_tree,
	  "who cloned whom, as text: pid, argv ([argv]: no exec), exit" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fputs("usage: probe-bpf export FORMAT LOG [-o OUT]\n"
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
	      "  -h, --help        show this help\n",
	      f);
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "hb", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct format *fmt;
	struct export_opts opts = { 0 };
	const char *out_path = NULL;
	struct log_reader *log;
	char err[512], *tmp = NULL;
	FILE *out = stdout;
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
		case 'h':
			usage(stdout);
			cli_print_footer(stdout);
			return 0;
		default:
			die(EXIT_USAGE, "see 'probe-bpf export --help'");
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
	ret = fmt->run(log, out, &opts);
	if (ret)
		errorf("%s: %s", argv[optind + 1], log_error(log));
	else if (!log_complete(log))
		errorf("warning: %s is incomplete (its recorder stopped before "
		       "the end): exported up to its last whole record",
		       argv[optind + 1]);
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
