/*
 * The graph exports (user/export_prov.c) of synthetic logs: the PROV-JSON
 * document's records and relations for a small known stream.
 */
#include "helpers.h"

#include <sys/stat.h>

#include "export.h"

#define PYTHON "/usr/bin/python3"
#define PROV_SCHEMA "schemas/prov-json.schema.json"

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
#define OUT1 "run:file/2049/20/1"
#define OUT2 "run:file/2049/20/2"
#define SH_EXE "run:file/2049/500/0"
#define TOOL_EXE "run:file/2049/600/0"

static void test_prov_used_and_generated(void **state)
{
	static const char *const used[] = {
		"{\"prov:activity\":\"" SH "\",\"prov:entity\":\"" SH_EXE "\"}",
		"{\"prov:activity\":\"" SH "\",\"prov:entity\":\"" IN "\"}",
		"{\"prov:activity\":\"" TOOL "\",\"prov:entity\":\"" TOOL_EXE
		"\"}",
		NULL,
	};
	static const char *const generated[] = {
		"{\"prov:entity\":\"" OUT1 "\",\"prov:activity\":\"" SH "\"}",
		"{\"prov:entity\":\"" OUT2 "\",\"prov:activity\":\"" TOOL "\"}",
		NULL,
	};

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
	static const char *const derived[] = {
		"{\"prov:generatedEntity\":\"" OUT2 "\",\"prov:usedEntity\":\""
		OUT1 "\",\"prov:type\":{\"$\":\"prov:Revision\",\"type\":"
		"\"prov:QUALIFIED_NAME\"}}",
		NULL,
	};
	static const char *const specialized[] = {
#define SPEC(v, file)                                                   \
	"{\"prov:specificEntity\":\"" v "\",\"prov:generalEntity\":\"" file \
	"\"}"
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

	return cmocka_run_group_tests(prov_tests, prov_setup, prov_teardown);
}
