/*
 * The graph exports (user/export_prov.c, user/export_dot.c) of synthetic
 * logs: the PROV-JSON document's records and relations for a small known
 * stream; the DOT graphs' nodes, clusters and edges, and how their labels
 * show the bytes of paths.
 */
#include "helpers.h"

#include <sys/stat.h>

#include "export.h"

#define PYTHON "/usr/bin/python3"
#define PROV_SCHEMA "schemas/prov-json.schema.json"
#define GRAPHVIZ "/usr/bin/dot"

/* Records are 2000, 2010... ns of boot time (push()); the header's
 * recording started at 1000, which was 2023-11-14T22:13:20Z. */

/* The kernel's dev_t of 8:1 (stat(2) shows 2049). */
#define SDA1 (8U << 20 | 1)

static void set_inode(struct probe_inode *in, __u64 ino, __u64 size,
		      __s64 mtime_ns)
{
	in->dev = SDA1;
	in->ino = ino;
	in->size = size;
	in->mtime_ns = mtime_ns;
	in->mode = S_IFREG | 0644;
}

static struct probe_exec *exec_of(__u32 pid, __u64 start_ns,
				  const char *file, char *const argv[],
				  __u64 ino)
{
	struct probe_exec *r = make_exec(file, NULL, argv, 0, 0, 0, pid);

	r->start_ns = start_ns;
	set_inode(&r->exe, ino, 1000, 0);
	return r;
}

static struct probe_use *use_of(__u32 pid, __u32 access, const char *path,
				__u64 ino, __u64 size, __s64 mtime_ns)
{
	struct probe_use *r = make_use(access == PROBE_USE_WRITE ? SYS_write :
								   SYS_read,
				       3, access, path, 0, 0, 0, pid);

	set_inode(&r->inode, ino, size, mtime_ns);
	return r;
}

typedef int export_fn(struct log_reader *, FILE *,
		      const struct export_opts *);

/* Write recs as a log, export it with fn and opts, which must return
 * want, and return the text. */
static char *export_recs_opts(struct recs *rs, export_fn *fn,
			      const struct export_opts *opts, int want)
{
	static char *const command[] = { "sh", "-c", "job", NULL };
	struct tmp_dir dir;
	char log[PATH_MAX], err[512];
	struct log_reader *r;
	char *text;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	tmp_dir_make(&dir);
	tmp_path(&dir, "run.probe", log);
	test_log_write(log, 1, command, (const struct probe_hdr *const *)rs->v,
		       rs->n, true);
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i]);
	rs->n = 0;
	r = log_open(log, err, sizeof(err));
	if (!r)
		fail_msg("log_open: %s", err);
	assert_int_equal(fn(r, out, opts), want);
	assert_int_equal(fclose(out), 0);
	log_close(r);
	tmp_dir_remove(&dir);
	return text;
}

/* The same with the default options, which must succeed. */
static char *export_recs(struct recs *rs, export_fn *fn)
{
	return export_recs_opts(rs, fn, &(struct export_opts){ 0 }, 0);
}

/*
 * sh (pid 100, started at 10) reads /in (inode 10) and writes /out
 * (inode 20): /out's version 1; it forks 101 (started at 11), which runs
 * /bin/tool and writes /out again: version 2.
 */
static void job_stream(struct recs *rs)
{
	static char *const sh[] = { "sh", "-c", "tool > /out", NULL };
	static char *const tool[] = { "/bin/tool", "it's", NULL };

	push(rs, exec_of(100, 10, "/bin/sh", sh, 500));
	push(rs, use_of(100, PROBE_USE_READ, "/in", 10, 5, 100));
	push(rs, use_of(100, PROBE_USE_WRITE, "/out", 20, 0, 200));
	push(rs, fork_of(100, 10, 101, 11));
	push(rs, exec_of(101, 11, "/bin/tool", tool, 600));
	push(rs, use_of(101, PROBE_USE_WRITE, "/out", 20, 7,
			1700000000123456789LL));
}

/* ---- prov-json ---- */

static char *prov_text;

static int prov_setup(void **state)
{
	struct recs rs = { 0 };

	(void)state;
	job_stream(&rs);
	prov_text = export_recs(&rs, export_prov_json);
	return 0;
}

static int prov_teardown(void **state)
{
	(void)state;
	free(prov_text);
	return 0;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The line of the document that holds the record named id, NUL-ended. */
static char *record_line(const char *id)
{
	char key[128];
	const char *at;

	snprintf(key, sizeof(key), "\n\"%s\":{", id);
	at = strstr(prov_text, key);
	if (!at)
		fail_msg("no record %s in\n%s", id, prov_text);
	at++;
	return strndup(at, strcspn(at, "\n"));
}

static void assert_record_has(const char *id, const char *text)
{
	char *line = record_line(id);

	if (!strstr(line, text))
		fail_msg("want %s in the record\n%s", text, line);
	free(line);
}

/*
 * The relations of one top-level key are want (NULL-terminated), in any
 * order: each line "_:ID":{...} of its object, with ID a blank node.
 */
static void assert_relations(const char *key, const char *const want[])
{
	char head[64], *got[64], *w[64];
	const char *at;
	size_t ngot = 0, nwant = 0;

	snprintf(head, sizeof(head), "\n\"%s\":{", key);
	at = strstr(prov_text, head);
	if (!at)
		fail_msg("no %s in\n%s", key, prov_text);
	for (at = strchr(at + 1, '\n') + 1; *at != '}';
	     at = strchr(at, '\n') + 1) {
		size_t len = strcspn(at, "\n");
		const char *body = strstr(at, "\":{");

		assert_int_equal(strncmp(at, "\"_:", 3), 0);
		assert_true(body && body < at + len);
		body += 2;
		if (at[len - 1] == ',')
			len--;
		assert_true(ngot < 64);
		got[ngot++] = strndup(body, at + len - body);
	}
	while (want[nwant])
		w[nwant] = (char *)want[nwant], nwant++;
	qsort(got, ngot, sizeof(*got), compare_strings);
	qsort(w, nwant, sizeof(*w), compare_strings);
	for (size_t i = 0; i < ngot || i < nwant; i++)
		if (i >= ngot || i >= nwant || strcmp(got[i], w[i]))
			fail_msg("%s: want (sorted)\n%s\ngot\n%s", key,
				 i < nwant ? w[i] : "(no more)",
				 i < ngot ? got[i] : "(no more)");
	for (size_t i = 0; i < ngot; i++)
		free(got[i]);
}

#define SH "run:process/100/10/1"
#define CHILD "run:process/101/11/0"
#define TOOL "run:process/101/11/1"
#define IN "run:file/2049/10/0"
#define OUT0 "run:file/2049/20/0"
#define OUT1 "run:file/2049/20/1"
#define OUT2 "run:file/2049/20/2"
#define SH_EXE "run:file/2049/500/0"
#define TOOL_EXE "run:file/2049/600/0"

static void test_prov_used_and_generated(void **state)
{
	/* each at the time of its op: the log starts at 2023-11-14T22:13:20
	 * (boot time 1000), the records come 10 ns apart from 2000 */
#define AT(ns) "\"prov:time\":\"2023-11-14T22:13:20.00000" ns "Z\"}"
	static const char *const used[] = {
		"{\"prov:activity\":\"" SH "\",\"prov:entity\":\"" SH_EXE
		"\"," AT("1000"),
		"{\"prov:activity\":\"" SH "\",\"prov:entity\":\"" IN
		"\"," AT("1010"),
		"{\"prov:activity\":\"" TOOL "\",\"prov:entity\":\"" TOOL_EXE
		"\"," AT("1040"),
		NULL,
	};
	static const char *const generated[] = {
		"{\"prov:entity\":\"" OUT1 "\",\"prov:activity\":\"" SH
		"\"," AT("1020"),
		"{\"prov:entity\":\"" OUT2 "\",\"prov:activity\":\"" TOOL
		"\"," AT("1050"),
		NULL,
	};
#undef AT

	(void)state;
	assert_relations("used", used);
	assert_relations("wasGeneratedBy", generated);
}

static void test_prov_informed_by_parent_and_exec(void **state)
{
	static const char *const informed[] = {
		"{\"prov:informed\":\"" CHILD "\",\"prov:informant\":\"" SH
		"\"}",
		"{\"prov:informed\":\"" TOOL "\",\"prov:informant\":\"" CHILD
		"\"}",
		NULL,
	};

	(void)state;
	assert_relations("wasInformedBy", informed);
}

static void test_prov_revisions_of_one_file(void **state)
{
	/* /out was there before (no open made it): its old content is in
	 * version 1, and version 1 in version 2 */
	static const char *const derived[] = {
		"{\"prov:generatedEntity\":\"" OUT1 "\",\"prov:usedEntity\":\""
		OUT0 "\",\"prov:type\":{\"$\":\"prov:Revision\",\"type\":"
		"\"prov:QUALIFIED_NAME\"}}",
		"{\"prov:generatedEntity\":\"" OUT2 "\",\"prov:usedEntity\":\""
		OUT1 "\",\"prov:type\":{\"$\":\"prov:Revision\",\"type\":"
		"\"prov:QUALIFIED_NAME\"}}",
		NULL,
	};
	static const char *const specialized[] = {
#define SPEC(v, file)                                                   \
	"{\"prov:specificEntity\":\"" v "\",\"prov:generalEntity\":\"" file \
	"\"}"
		SPEC(OUT0, "run:file/2049/20"),
		SPEC(OUT1, "run:file/2049/20"),
		SPEC(OUT2, "run:file/2049/20"),
		SPEC(IN, "run:file/2049/10"),
		SPEC(SH_EXE, "run:file/2049/500"),
		SPEC(TOOL_EXE, "run:file/2049/600"),
#undef SPEC
		NULL,
	};

	(void)state;
	assert_relations("wasDerivedFrom", derived);
	assert_relations("specializationOf", specialized);
	/* the unversioned entity: identity and the newest path */
	assert_record_has("run:file/2049/20", "\"probe:path\":\"/out\"");
	assert_record_has("run:file/2049/20",
			  "\"probe:ino\":{\"$\":\"20\",\"type\":"
			  "\"xsd:unsignedLong\"}");
}

static void test_prov_activities(void **state)
{
	char *line;

	(void)state;
	/* 1000 ns after the recording's start: its first op */
	assert_record_has(SH, "\"prov:startTime\":"
			      "\"2023-11-14T22:13:20.000001000Z\","
			      "\"prov:endTime\":"
			      "\"2023-11-14T22:13:20.000001030Z\"");
	assert_record_has(SH, "\"probe:pid\":{\"$\":\"100\",\"type\":"
			      "\"xsd:unsignedInt\"},\"probe:epoch\":{\"$\":"
			      "\"1\",\"type\":\"xsd:unsignedInt\"},"
			      "\"probe:argv\":\"sh -c 'tool > /out'\","
			      "\"probe:exe\":\"/bin/sh\"");
	assert_record_has(TOOL, "\"probe:argv\":\"/bin/tool 'it'\\\\''s'\"");
	/* the child before its exec made no op: no times */
	assert_record_has(CHILD, "\"prov:label\":\"process 101 before its "
				 "exec\"");
	line = record_line(CHILD);
	assert_null(strstr(line, "Time"));
	free(line);
}

static void test_prov_entities(void **state)
{
	(void)state;
	assert_record_has(OUT2, "{\"prov:label\":\"/out\",\"probe:path\":"
				"\"/out\",\"probe:dev\":{\"$\":\"2049\","
				"\"type\":\"xsd:unsignedLong\"},"
				"\"probe:ino\":{\"$\":\"20\",\"type\":"
				"\"xsd:unsignedLong\"},\"probe:version\":"
				"{\"$\":\"2\",\"type\":\"xsd:unsignedInt\"},"
				"\"probe:size\":{\"$\":\"7\",\"type\":"
				"\"xsd:unsignedLong\"},\"probe:mtime\":{\"$\":"
				"\"2023-11-14T22:13:20.123456789Z\","
				"\"type\":\"xsd:dateTime\"}}");
	/* version 0: the file as the read found it */
	assert_record_has(IN, "\"probe:size\":{\"$\":\"5\"");
	assert_record_has(IN, "\"1970-01-01T00:00:00.000000100Z\"");
}

static void test_prov_agent(void **state)
{
	static const char *const associated[] = {
		"{\"prov:activity\":\"" SH "\",\"prov:agent\":\"run:user\"}",
		"{\"prov:activity\":\"" CHILD "\",\"prov:agent\":\"run:user\"}",
		"{\"prov:activity\":\"" TOOL "\",\"prov:agent\":\"run:user\"}",
		NULL,
	};

	(void)state;
	assert_relations("wasAssociatedWith", associated);
	assert_record_has("run:user", "\"probe:hostname\":\"" TEST_HOSTNAME
				      "\",\"probe:command\":\"sh -c job\"");
	assert_record_has("run:user", "records no uid");
	assert_null(strstr(prov_text, "uid\":"));
}

/* One JSON document, with the standard top-level keys only, that the
 * schema of PROV-JSON accepts; "prov" is predefined, "run" this run's. */
static void test_prov_is_valid_prov_json(void **state)
{
	static const char check[] =
		PYTHON " -c '\n"
		"import json, sys, jsonschema\n"
		"doc = json.load(sys.stdin)\n"
		"schema = json.load(open(\"" PROV_SCHEMA "\"))\n"
		"jsonschema.Draft202012Validator(schema).validate(doc)\n"
		"assert list(doc) == [\"prefix\", \"activity\", \"entity\", "
		"\"agent\", \"used\", \"wasGeneratedBy\", \"wasInformedBy\", "
		"\"wasDerivedFrom\", \"specializationOf\", "
		"\"wasAssociatedWith\"], list(doc)\n"
		"assert doc[\"prefix\"] == {\"probe\": "
		"\"https://github.com/probe-bpf/probe-bpf/ns/prov#\", \"run\": "
		"\"https://github.com/probe-bpf/probe-bpf/ns/run/"
		"01234567-89ab-cdef-0123-456789abcdef/1000/\"}, "
		"doc[\"prefix\"]\n"
		"'";
	FILE *py;

	(void)state;
	py = popen(check, "w");
	assert_non_null(py);
	fputs(prov_text, py);
	assert_int_equal(pclose(py), 0);
}

static void test_prov_is_deterministic(void **state)
{
	struct recs rs = { 0 };
	char *again;

	(void)state;
	job_stream(&rs);
	again = export_recs(&rs, export_prov_json);
	assert_string_equal(again, prov_text);
	free(again);
}

/* ---- dot and hb-dot ---- */

/* A path with every kind of byte a label must show escaped: quote,
 * backslash, newline, tab, control bytes, a stray byte, a cut two-byte
 * sequence, an overlong '/', a valid "é", a cut three-byte one, and a
 * backslash last. */
#define ODD_NAME \
	"q\"b\\s\nn\tt\x01\x1f|\xff|\xc3(|\xc0\xaf|\xc3\xa9|\xe2\x82\\"
/* In DOT: \\\\ shows a backslash escaped, \\n a newline escaped... */
#define ODD_NAME_DOT                                                   \
	"q\\\"b\\\\\\\\s\\\\nn\\\\tt\\\\x01\\\\x1f|\\\\xff|\\\\xc3(|"  \
	"\\\\xc0\\\\xaf|\xc3\xa9|\\\\xe2\\\\x82\\\\\\\\"
/* What the drawing shows, in SVG: each byte unambiguous, on one line. */
#define ODD_NAME_SVG                                                   \
	"q&quot;b\\\\s\\nn\\tt\\x01\\x1f|\\xff|\\xc3(|\\xc0\\xaf|\xc3\xa9|" \
	"\\xe2\\x82\\\\"

/* A program's argv as sh(1) reads it back, in DOT. */
#define ODD_ARGV_DOT                                                   \
	"$'/odd/q\\\"b\\\\\\\\s\\\\x0an\\\\x09t\\\\x01\\\\x1f|\\\\xff|" \
	"\\\\xc3(|\\\\xc0\\\\xaf|\xc3\xa9|\\\\xe2\\\\x82\\\\\\\\'"
static char *dot_text, *hb_text;

/*
 * dot: the job, and sh reads a file with an odd name and forks 102,
 * which runs it.  hb-dot: the job, then 101 runs the odd program and
 * exits, and sh forks another 101 (its pid reused), which runs true.
 */
static int dot_setup(void **state)
{
	static char *const odd[] = { "/odd/" ODD_NAME, NULL };
	static char *const t[] = { "true", NULL };
	struct recs rs = { 0 };

	(void)state;
	job_stream(&rs);
	push(&rs, use_of(100, PROBE_USE_READ, "/odd/" ODD_NAME, 30, 1, 1));
	push(&rs, fork_of(100, 10, 102, 12));
	push(&rs, exec_of(102, 12, "/odd/" ODD_NAME, odd, 700));
	dot_text = export_recs(&rs, export_dot);
	job_stream(&rs);
	push(&rs, exec_of(101, 11, "/odd/" ODD_NAME, odd, 700));
	push(&rs, make_exit(0, true, 0, 0, 0, 101));
	push(&rs, fork_of(100, 10, 101, 21));
	push(&rs, exec_of(101, 21, "/bin/true", t, 800));
	hb_text = export_recs(&rs, export_hb_dot);
	return 0;
}

static int dot_teardown(void **state)
{
	(void)state;
	free(dot_text);
	free(hb_text);
	return 0;
}

static void assert_has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("want\n%s\nin\n%s", want, text);
}

static void test_dot_dataflow_graph(void **state)
{
	(void)state;
	assert_int_equal(strncmp(dot_text, "digraph dataflow {\n", 19), 0);
	assert_has(dot_text, "graph [rankdir=LR");
	/* processes: pid and argv, shell-quoted, argv[0] by its name */
	assert_has(dot_text, "\nn0 [shape=box, style=filled, fillcolor="
			     "\"#eeeeee\", label=\"100 sh -c 'tool > /out'\"");
	assert_has(dot_text, "\nn1 [shape=box, style=filled, fillcolor="
			     "\"#eeeeee\", label=\"101 tool 'it'\\\\''s'\", "
			     "tooltip=\"101 /bin/tool 'it'\\\\''s'\"];\n");
	/* versions: path, and the version where a file has several; made
	 * while recording: filled */
	assert_has(dot_text, "\nn3 [shape=ellipse, style=filled, fillcolor="
			     "\"#ddeeff\", label=\"/out\\nversion 1\"");
	assert_has(dot_text, "\nn6 [shape=ellipse, label=\"/in\", "
			     "tooltip=\"/in\"];\n");
	/* the programs, system files: folded into their directory */
	assert_has(dot_text, "\nn5 [shape=folder, label=\"/bin/\\n2 files\"];");
	/* edges by kind: wrote, next version, executed, read, started */
	assert_has(dot_text, "\nn0 -> n3 [color=\"#c03020\"];\n");
	assert_has(dot_text, "\nn3 -> n4 [color=\"#888888\", style=dotted];\n");
	assert_has(dot_text, "\nn5 -> n0 [color=\"#208040\"];\n");
	assert_has(dot_text, "\nn6 -> n0 [color=\"#1f5fbf\"];\n");
	assert_has(dot_text, "\nn0 -> n1 [color=\"#888888\", style=dashed];\n");
}

/* 101 before its exec (a fork of sh) and after it (tool): one node. */
static void test_dot_merges_exec_epochs(void **state)
{
	(void)state;
	assert_null(strstr(dot_text, "fork of"));
	assert_non_null(strstr(dot_text, "label=\"101 "));
	assert_null(strstr(strstr(dot_text, "label=\"101 ") + 1,
			   "label=\"101 "));
	assert_null(strstr(dot_text, "n1 -> n1 "));
}

static void test_dot_escapes_labels(void **state)
{
	(void)state;
	/* a file's path, and a program's argv: the path shows each byte
	 * unambiguously, the argv as sh(1) would read it back */
	assert_has(dot_text, "label=\"/odd/" ODD_NAME_DOT "\", tooltip");
	assert_has(dot_text, "tooltip=\"102 " ODD_ARGV_DOT "\"];\n");
	assert_has(hb_text, "label=\"pid 101: /bin/tool, then /odd/"
			    ODD_NAME_DOT "\";\n");
}
/* Graphviz reads both graphs, and shows the odd path as it should. */
static void test_dot_graphviz_reads_both(void **state)
{
	char *texts[] = { dot_text, hb_text };

	(void)state;
	if (access(GRAPHVIZ, X_OK))
		skip();
	for (int i = 0; i < 2; i++) {
		struct tmp_dir dir;
		char in[PATH_MAX], out[PATH_MAX], cmd[3 * PATH_MAX];
		char *svg;
		size_t len;

		tmp_dir_make(&dir);
		tmp_path(&dir, "graph.dot", in);
		tmp_path(&dir, "graph.svg", out);
		file_write(in, texts[i], strlen(texts[i]));
		snprintf(cmd, sizeof(cmd), GRAPHVIZ " -Tsvg -o %s %s", out,
			 in);
		assert_int_equal(system(cmd), 0);
		svg = file_read(out, &len);
		assert_has(svg, "/odd/" ODD_NAME_SVG "<");
		free(svg);
		tmp_dir_remove(&dir);
	}
}

static void test_hb_dot_clusters_and_colours(void **state)
{
	(void)state;
	assert_int_equal(strncmp(hb_text, "digraph happens_before {\n", 25),
			 0);
	/* one cluster per process, a node per op tied to another process
	 * or program: id, op, tid */
	assert_has(hb_text, "subgraph cluster_0 {\nlabel=\"pid 100: sh\";\n"
			    "labelloc=t;\n"
			    "o0 [label=\"0: exec\\ntid 100\"];\n"
			    "o1 [label=\"1: read\\ntid 100\"];\n"
			    "o2 [label=\"2: write\\ntid 100\"];\n"
			    "o3 [label=\"3: clone\\ntid 100\"];\n"
			    "o8 [label=\"8: clone\\ntid 100\"];\n}\n");
	/* the programs a process ran; its exit ends it */
	assert_has(hb_text, "subgraph cluster_1 {\nlabel=\"pid 101: "
			    "/bin/tool, then /odd/");
	assert_has(hb_text, "\no4 [label=\"4: exec\\ntid 101\"];\n"
			    "o5 [label=\"5: write\\ntid 101\"];\n"
			    "o6 [label=\"6: exec\\ntid 101\"];\n"
			    "o7 [label=\"7: exit\\ntid 101\"];\n}\n");
	assert_has(hb_text, "subgraph cluster_2 {\nlabel=\"pid 101: true\";\n"
			    "labelloc=t;\n"
			    "o9 [label=\"9: exec\\ntid 101\"];\n}\n");
	/* edges coloured by kind, named but for program order */
	assert_has(hb_text, "\no0 -> o1 [color=\"purple\", "
			    "xlabel=\"exec\"];\n");
	assert_has(hb_text, "\no1 -> o2 [color=\"gray40\"];\n");
	assert_has(hb_text, "\no3 -> o4 [color=\"blue\", "
			    "xlabel=\"clone\"];\n");
	assert_has(hb_text, "\no8 -> o9 [color=\"blue\", "
			    "xlabel=\"clone\"];\n");
}

/* ---- dot: what it draws ---- */

/* A fork of sh (100, started at 10) that runs /usr/bin/NAME (exe inode
 * ino), NAME argv[0]'s last component. */
static void run(struct recs *rs, __u32 pid, char *const argv[], __u64 ino)
{
	char exe[64];

	snprintf(exe, sizeof(exe), "/usr/bin/%s", strrchr(argv[0], '/') ?
			strrchr(argv[0], '/') + 1 : argv[0]);
	push(rs, fork_of(100, 10, pid, pid));
	push(rs, exec_of(pid, pid, exe, argv, ino));
}

/*
 * A build: cc (201) reads /src/a.c and writes /src/a.o, ld (202) reads
 * a.o and writes /src/app, strip (203) reads app and writes
 * /src/app.small; on the side, cp (204) copies /src/b.txt to /src/c.txt.
 */
static void build_stream(struct recs *rs)
{
	static char *const sh[] = { "sh", "-c", "make", NULL };
	static char *const cc[] = { "/usr/bin/gcc", "-Wall", "-O2",
				    "-Wextra", "-Wshadow", "-Wundef",
				    "-std=c99", "-c", "-o", "a.o", "a.c",
				    NULL };
	static char *const ld[] = { "ld", "-o", "app", "a.o", NULL };
	static char *const strip[] = { "strip", "-o", "app.small", "app",
				       NULL };
	static char *const cp[] = { "cp", "b.txt", "c.txt", NULL };

	push(rs, exec_of(100, 10, "/bin/sh", sh, 500));
	run(rs, 201, cc, 601);
	push(rs, use_of(201, PROBE_USE_READ, "/src/a.c", 41, 1, 1));
	push(rs, use_of(201, PROBE_USE_WRITE, "/src/a.o", 42, 0, 2));
	run(rs, 202, ld, 602);
	push(rs, use_of(202, PROBE_USE_READ, "/src/a.o", 42, 1, 3));
	push(rs, use_of(202, PROBE_USE_WRITE, "/src/app", 43, 0, 4));
	run(rs, 203, strip, 603);
	push(rs, use_of(203, PROBE_USE_READ, "/src/app", 43, 1, 5));
	push(rs, use_of(203, PROBE_USE_WRITE, "/src/app.small", 44, 0, 6));
	run(rs, 204, cp, 604);
	push(rs, use_of(204, PROBE_USE_READ, "/src/b.txt", 45, 1, 7));
	push(rs, use_of(204, PROBE_USE_WRITE, "/src/c.txt", 46, 0, 8));
}

static char *export_build(const struct export_opts *opts, int want)
{
	struct recs rs = { 0 };

	build_stream(&rs);
	return export_recs_opts(&rs, export_dot, opts, want);
}

/* A long argv is cut in the middle, whole words kept at both ends, and
 * broken into lines; files under the directory that holds most of them
 * are named from it, which the graph's label says. */
static void test_dot_short_labels(void **state)
{
	char *text = export_build(&(struct export_opts){ 0 }, 0);

	(void)state;
	assert_has(text, "label=\"201 gcc -Wall -O2 -Wextra\\n... -c -o a.o "
			 "a.c\", tooltip=\"201 /usr/bin/gcc -Wall -O2 "
			 "-Wextra -Wshadow -Wundef -std=c99 -c -o a.o a.c\"");
	assert_has(text, "label=\"a.c\", tooltip=\"/src/a.c\"");
	assert_has(text, "label=\"app.small\\nversion 1\", "
			 "tooltip=\"/src/app.small\"");
	assert_has(text, "\\lfiles under /src/ by their path from there\\l");
	free(text);
}

/* Whether text has a node whose label starts with "PID argv[0]". */
static bool has_process(const char *text, const char *pid_name)
{
	char want[64];

	snprintf(want, sizeof(want), "label=\"%s", pid_name);
	return strstr(text, want) != NULL;
}

/* Whether text has a node labelled name, with its version or not. */
static bool has_file(const char *text, const char *name)
{
	char whole[64], versioned[64];

	snprintf(whole, sizeof(whole), "label=\"%s\"", name);
	snprintf(versioned, sizeof(versioned), "label=\"%s\\n", name);
	return strstr(text, whole) || strstr(text, versioned);
}

/* --around: the lineage of a file both ways, and nothing else; --depth
 * bounds it in writers crossed. */
static void test_dot_around_and_depth(void **state)
{
	struct export_opts opts = { .around = "/src/app", .depth = -1 };
	char *text = export_build(&opts, 0);

	(void)state;
	/* up: ld, a.o, cc, a.c; down: strip, app.small */
	assert_true(has_process(text, "202 ld"));
	assert_true(has_process(text, "201 gcc"));
	assert_true(has_file(text, "a.c"));
	assert_true(has_file(text, "a.o"));
	assert_true(has_process(text, "203 strip"));
	assert_true(has_file(text, "app.small"));
	/* not in it: the copy on the side */
	assert_false(has_process(text, "204 cp"));
	assert_false(has_file(text, "b.txt"));
	assert_false(has_file(text, "c.txt"));
	/* the file drawn around stands out, and the title names it */
	assert_has(text, "style=\"bold,filled\", fillcolor=\"#ffe680\", "
			 "label=\"app\\nversion 1\"");
	assert_has(text, "label=\"sh -c job: the lineage of /src/app\\l");
	free(text);

	/* one writer away: ld and what it read, strip and what it wrote */
	opts.depth = 1;
	text = export_build(&opts, 0);
	assert_true(has_process(text, "202 ld"));
	assert_true(has_file(text, "a.o"));
	assert_true(has_process(text, "203 strip"));
	assert_true(has_file(text, "app.small"));
	assert_false(has_process(text, "201 gcc"));
	assert_false(has_file(text, "a.c"));
	free(text);

	/* a path the recording never named: refused */
	opts.around = "/src/none";
	text = export_build(&opts, EXPORT_REFUSED);
	assert_string_equal(text, "");
	free(text);
}

/* Past max_nodes the export refuses, and writes nothing. */
static void test_dot_node_limit(void **state)
{
	struct export_opts opts = { .max_nodes = 5 };
	char *text = export_build(&opts, EXPORT_REFUSED);

	(void)state;
	assert_string_equal(text, "");
	free(text);
	/* --around draws few enough */
	opts.around = "/src/app.small";
	opts.depth = 0;
	text = export_build(&opts, 0);
	assert_has(text, "digraph dataflow {");
	free(text);
}

/*
 * System files fold into one node per directory, the edges to it merged
 * with their count; the filter options change that; a pipe as it was
 * before any write joins the other such pipes and sockets.
 */
static void test_dot_folds_system_files(void **state)
{
	static char *const cc[] = { "cc", "x.c", NULL };
	static const char *const headers[] = { "/usr/include/a.h",
					       "/usr/include/b.h",
					       "/usr/include/c.h" };
	struct filter no_fold = { .no_fold = true };
	char *exclude[] = { "/usr" };
	struct filter without_usr = { .exclude = exclude, .nexclude = 1 };
	const struct filter *filters[] = { NULL, &no_fold, &without_usr };
	char *text[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct recs rs = { 0 };
		struct probe_use *pipe_read =
			use_of(100, PROBE_USE_READ, "pipe:[77]", 77, 0, 0);

		pipe_read->inode.mode = S_IFIFO | 0600;
		pipe_read->rflags |= PROBE_RF_ANON;
		push(&rs, exec_of(100, 10, "/src/cc", cc, 500));
		for (int h = 0; h < 3; h++)
			push(&rs, use_of(100, PROBE_USE_READ, headers[h],
					 70 + h, 1, 1));
		push(&rs, use_of(100, PROBE_USE_READ, "/src/x.c", 80, 1, 1));
		push(&rs, pipe_read);
		text[i] = export_recs_opts(
			&rs, export_dot,
			&(struct export_opts){ .filter = filters[i] }, 0);
	}
	/* by default: one node, one edge that says 3 */
	assert_has(text[0], "[shape=folder, label=\"/usr/include/\\n3 "
			    "files\"];");
	assert_has(text[0], "[color=\"#1f5fbf\", xlabel=\"3\", penwidth=1.8];");
	assert_has(text[0], "[shape=folder, label=\"1 pipe or socket\\n"
			    "before any write\"];");
	assert_null(strstr(text[0], "a.h"));
	/* --no-fold: each header on its own (most files are there: named
	 * from there) */
	assert_true(has_file(text[1], "a.h"));
	assert_true(has_file(text[1], "c.h"));
	assert_has(text[1], "files under /usr/include/ by their path");
	assert_null(strstr(text[1], "/usr/include/\\n"));
	/* --exclude /usr: none */
	assert_null(strstr(text[2], "/usr/include"));
	assert_true(has_file(text[2], "x.c"));
	for (int i = 0; i < 3; i++)
		free(text[i]);
}

/* A folded directory that more than 8 processes used is drawn apart,
 * without its edges; each of them counts what it used there. */
static void test_dot_draws_hubs_apart(void **state)
{
	struct recs rs = { 0 };
	char *text;

	(void)state;
	push(&rs, exec_of(100, 10, "/src/sh", (char *[]){ "sh", NULL }, 500));
	for (__u32 pid = 301; pid <= 309; pid++) {
		push(&rs, fork_of(100, 10, pid, pid));
		push(&rs, use_of(pid, PROBE_USE_READ, "/etc/ld.so.cache", 50,
				 1, 1));
	}
	text = export_recs(&rs, export_dot);
	assert_has(text, "subgraph cluster_apart {\n");
	assert_has(text, "[shape=folder, label=\"/etc/\\n1 file, 9 users\"];");
	assert_has(text, "label=\"301 (fork of 100)\\n+ 1 folded\"");
	/* its node has no edges */
	assert_null(strstr(text, "#1f5fbf"));
	free(text);
}

/* ---- hb-dot: runs and windows ---- */

/*
 * sh (100): exec 0, read 1, read 2, write 3, clone 4; its child 101:
 * exec 5, read 6, exit 7; sh: wait4 8 (reaps 101), close 9, close 10.
 */
static void hb_stream(struct recs *rs)
{
	static char *const sh[] = { "sh", NULL };
	static char *const cat[] = { "cat", NULL };

	push(rs, exec_of(100, 10, "/bin/sh", sh, 500));
	push(rs, use_of(100, PROBE_USE_READ, "/a", 1, 1, 1));
	push(rs, use_of(100, PROBE_USE_READ, "/b", 2, 1, 1));
	push(rs, use_of(100, PROBE_USE_WRITE, "/c", 3, 1, 1));
	push(rs, fork_of(100, 10, 101, 11));
	push(rs, exec_of(101, 11, "/bin/cat", cat, 600));
	push(rs, use_of(101, PROBE_USE_READ, "/c", 3, 1, 1));
	push(rs, make_exit(0, true, 0, 0, 0, 101));
	push(rs, make_syscall(SYS_wait4, 101, 100));
	push(rs, make_close(3, 0, 0, 0, 100));
	push(rs, make_close(4, 0, 0, 0, 100));
}

static char *export_hb(const struct export_opts *opts, int want)
{
	struct recs rs = { 0 };

	hb_stream(&rs);
	return export_recs_opts(&rs, export_hb_dot, opts, want);
}

/* Runs of ops tied to nothing but program order: one node each. */
static void test_hb_dot_collapses_runs(void **state)
{
	char *text = export_hb(&(struct export_opts){ 0 }, 0);

	(void)state;
	/* 1 is the exec's next op: on its own; 2 and 3 a run */
	assert_has(text, "\no1 [label=\"1: read\\ntid 100\"];\n"
			 "o2 [style=rounded, label=\"2-3: 2 ops\\n"
			 "1 read, 1 write\\ntid 100\"];\n"
			 "o4 [label=\"4: clone\\ntid 100\"];\n");
	assert_has(text, "\no9 [style=rounded, label=\"9-10: 2 ops\\n"
			 "2 close\\ntid 100\"];\n");
	assert_null(strstr(text, "\no3 "));
	assert_null(strstr(text, "\no10 "));
	/* edges between nodes, none inside a run */
	assert_has(text, "\no1 -> o2 [color=\"gray40\"];\n");
	assert_has(text, "\no2 -> o4 [color=\"gray40\"];\n");
	assert_has(text, "\no7 -> o8 [color=\"darkgreen\", "
			 "xlabel=\"wait\"];\n");
	assert_has(text, "\no8 -> o9 [color=\"gray40\"];\n");
	assert_null(strstr(text, "o2 -> o2"));
	free(text);
}

/* --pid: that process's ops, and a stub for each op outside that an
 * edge ties to them. */
static void test_hb_dot_window_by_pid(void **state)
{
	const __u32 pids[] = { 101 };
	struct export_opts opts = { .window = { .pids = pids, .npids = 1 } };
	char *text = export_hb(&opts, 0);

	(void)state;
	assert_has(text, "subgraph cluster_1 {\nlabel=\"pid 101: cat\";\n");
	assert_has(text, "\no5 [label=\"5: exec\\ntid 101\"];\n");
	assert_has(text, "\no4 [style=dashed, label=\"4: clone\\npid 100, "
			 "not drawn\"];\n");
	assert_has(text, "\no8 [style=dashed, label=\"8: wait4\\npid 100, "
			 "not drawn\"];\n");
	assert_has(text, "\no4 -> o5 [color=\"blue\", xlabel=\"clone\"];\n");
	assert_null(strstr(text, "cluster_0"));
	assert_null(strstr(text, "o1 "));
	free(text);
}

/* --ops and --from/--to: the ops in the span. */
static void test_hb_dot_window_by_ops_and_time(void **state)
{
	struct export_opts by_op = {
		.window = { .by_op = true, .first_op = 2, .last_op = 3 }
	};
	/* op n came 1000 + 10n ns after the recording's start */
	struct export_opts by_time = {
		.window = { .by_time = true, .from_ns = 1020, .to_ns = 1030 }
	};
	struct export_opts *opts[] = { &by_op, &by_time };

	(void)state;
	for (int i = 0; i < 2; i++) {
		char *text = export_hb(opts[i], 0);

		assert_has(text, "\no2 [style=rounded, label=\"2-3: 2 ops\\n");
		assert_null(strstr(text, "o1 "));
		assert_null(strstr(text, "o4 "));
		assert_null(strstr(text, "->"));
		free(text);
	}
}

static void test_hb_dot_node_limit(void **state)
{
	struct export_opts opts = { .max_nodes = 8 };
	char *text = export_hb(&opts, EXPORT_REFUSED);

	(void)state;
	assert_string_equal(text, "");
	free(text);
	opts.max_nodes = 9; /* 0, 1, 2-3, 4, 5, 6, 7, 8, 9-10 */
	text = export_hb(&opts, 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest prov_tests[] = {
		cmocka_unit_test(test_prov_used_and_generated),
		cmocka_unit_test(test_prov_informed_by_parent_and_exec),
		cmocka_unit_test(test_prov_revisions_of_one_file),
		cmocka_unit_test(test_prov_activities),
		cmocka_unit_test(test_prov_entities),
		cmocka_unit_test(test_prov_agent),
		cmocka_unit_test(test_prov_is_valid_prov_json),
		cmocka_unit_test(test_prov_is_deterministic),
	};
	const struct CMUnitTest dot_tests[] = {
		cmocka_unit_test(test_dot_dataflow_graph),
		cmocka_unit_test(test_dot_merges_exec_epochs),
		cmocka_unit_test(test_dot_escapes_labels),
		cmocka_unit_test(test_dot_graphviz_reads_both),
		cmocka_unit_test(test_hb_dot_clusters_and_colours),
		cmocka_unit_test(test_dot_short_labels),
		cmocka_unit_test(test_dot_around_and_depth),
		cmocka_unit_test(test_dot_node_limit),
		cmocka_unit_test(test_dot_folds_system_files),
		cmocka_unit_test(test_dot_draws_hubs_apart),
		cmocka_unit_test(test_hb_dot_collapses_runs),
		cmocka_unit_test(test_hb_dot_window_by_pid),
		cmocka_unit_test(test_hb_dot_window_by_ops_and_time),
		cmocka_unit_test(test_hb_dot_node_limit),
	};

	return cmocka_run_group_tests(prov_tests, prov_setup, prov_teardown) |
	       cmocka_run_group_tests(dot_tests, dot_setup, dot_teardown);
}
