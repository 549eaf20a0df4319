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

/* Write recs as a log, export it with fn and return the text. */
static char *export_recs(struct recs *rs,
			 int (*fn)(struct log_reader *, FILE *,
				   const struct export_opts *))
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
	assert_int_equal(fn(r, out, &(struct export_opts){ 0 }), 0);
	assert_int_equal(fclose(out), 0);
	log_close(r);
	tmp_dir_remove(&dir);
	return text;
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
	/* processes: pid and argv[0], inherited in brackets */
	assert_has(dot_text, "\np0 [shape=box, label=\"100\\nsh\"];\n");
	assert_has(dot_text, "\np1 [shape=box, label=\"101\\n[sh]\"];\n");
	assert_has(dot_text,
		   "\np2 [shape=box, label=\"101\\n/bin/tool\"];\n");
	/* versions: path and version */
	assert_has(dot_text, "\ne0 [shape=ellipse, label=\"/out\\n"
			     "version 1\"];\n"
			     "e1 [shape=ellipse, label=\"/out\\n"
			     "version 2\"];\n");
	assert_has(dot_text, "\np0 -> e0 [label=\"generated\"];\n");
	assert_has(dot_text, "\ne0 -> e1 [label=\"derived\", "
			     "style=dashed];\n");
	assert_has(dot_text, "\ne3 -> p0 [label=\"used\"];\n");
	assert_has(dot_text, "\np0 -> p1 [label=\"informed\"];\n");
	assert_has(dot_text, "\np1 -> p2 [label=\"informed\"];\n");
}

static void test_dot_escapes_labels(void **state)
{
	(void)state;
	/* a file's path, and a program's argv[0] */
	assert_has(dot_text, "label=\"/odd/" ODD_NAME_DOT "\\nversion 0\"];\n");
	assert_has(dot_text, "label=\"102\\n/odd/" ODD_NAME_DOT "\"];\n");
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
	/* one cluster per process, a node per op: id, op, tid */
	assert_has(hb_text, "subgraph cluster_0 {\nlabel=\"pid 100: sh\";\n"
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
			    "o9 [label=\"9: exec\\ntid 101\"];\n}\n");
	/* edges coloured by kind, named but for program order */
	assert_has(hb_text, "\no0 -> o1 [color=\"purple\", "
			    "label=\"exec\"];\n");
	assert_has(hb_text, "\no1 -> o2 [color=\"gray40\"];\n");
	assert_has(hb_text, "\no3 -> o4 [color=\"blue\", "
			    "label=\"clone\"];\n");
	assert_has(hb_text, "\no8 -> o9 [color=\"blue\", "
			    "label=\"clone\"];\n");
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
		cmocka_unit_test(test_dot_escapes_labels),
		cmocka_unit_test(test_dot_graphviz_reads_both),
		cmocka_unit_test(test_hb_dot_clusters_and_colours),
	};

	return cmocka_run_group_tests(prov_tests, prov_setup, prov_teardown) |
	       cmocka_run_group_tests(dot_tests, dot_setup, dot_teardown);
}
