/*
 * probe-bpf export prov-json: the dataflow graph (user/dataflow.h) as one
 * W3C PROV-JSON document (https://www.w3.org/Submission/prov-json/).
 *
 *   activity          each exec epoch of each process: prov:startTime
 *                     and prov:endTime (its first and last op; an epoch
 *                     with no op of its own has neither), probe:pid,
 *                     probe:epoch, probe:argv (one string, quoted as sh
 *                     reads it: a PROV-JSON list is a set of values and
 *                     would lose argv's order), probe:exe; the
 *                     credentials its exec gave it, probe:uid, probe:euid,
 *                     probe:gid, probe:egid, probe:cap_effective and
 *                     probe:cap_permitted (CAP_* bit sets), and those it
 *                     held before the exec, the same names with _before
 *                     (a setuid program makes them differ)
 *   entity            each version of each file, pipe or socket:
 *                     probe:path, probe:dev (as stat(2)'s st_dev),
 *                     probe:ino, probe:version, probe:size, probe:mtime;
 *                     then one unversioned entity per inode
 *   agent             the user who ran the recording: the log records
 *                     no uid, so the agent is named by host and target
 *   used, wasGeneratedBy
 *   wasInformedBy     a process informed its clone, its next exec epoch,
 *                     and a vfork parent whose memory it shared
 *   wasDerivedFrom    prov:Revision: a version from the one before it
 *   specializationOf  each version of the unversioned entity of its inode
 *   wasAssociatedWith each activity with the agent
 *
 * Names: "run:" prefixes this recording's activities, entities and agent
 * (its namespace holds the boot id and the boot time the recording
 * started at, so that documents of two recordings merge without
 * clashes), "probe:" the attributes.  Relations are blank nodes ("_:u1",
 * "_:g1"...).  Numbers are typed literals (xsd:unsignedLong...), JSON's
 * numbers being doubles; times are xsd:dateTime in UTC, to the ns.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idmap.h"
#include "json.h"
#include "text.h"
#include "util.h"

#define PROBE_NAMESPACE PROBE_HOME "/ns/prov#"
#define RUN_NAMESPACE PROBE_HOME "/ns/run/"
#define AGENT_ID "run:user"

/* An identifier: "run:file/2049/1234/2" and the like. */
struct prov_id {
	char s[96];
};

struct prov {
	FILE *out;
	const struct probe_log_header *hdr;
	struct export_graph df;
	bool first; /* no member written yet in the current section */
};

/*
 * A process: pid, start and epoch tell it apart.  A process whose start
 * the log never showed (it was there before, or its clone was lost) is
 * told apart from a later one with its pid by its index instead.
 */
static struct prov_id process_id(const struct prov *p, size_t i)
{
	const struct df_process *proc = &p->df.procs[i];
	struct prov_id id;

	if (proc->start_ns)
		snprintf(id.s, sizeof(id.s), "run:process/%u/%llu/%u",
			 proc->pid, (unsigned long long)proc->start_ns,
			 proc->epoch);
	else
		snprintf(id.s, sizeof(id.s), "run:process/%u/unknown-%zu/%u",
			 proc->pid, i, proc->epoch);
	return id;
}

/* The unversioned entity of a file: dev/ino, and -gen where the
 * filesystem keeps one (an inode number reused is another file). */
static struct prov_id file_id(const struct df_entity *e)
{
	struct prov_id id;
	int n = snprintf(id.s, sizeof(id.s), "run:file/%llu/%llu",
			 (unsigned long long)dev_kernel_to_user(e->dev),
			 (unsigned long long)e->ino);

	if (e->gen)
		snprintf(id.s + n, sizeof(id.s) - n, "-%u", e->gen);
	return id;
}

static struct prov_id version_id(const struct df_entity *e)
{
	struct prov_id id = file_id(e);
	size_t len = strlen(id.s);

	snprintf(id.s + len, sizeof(id.s) - len, "/%u", e->version);
	return id;
}

/* ---- values ---- */

/* ns since the epoch as xsd:dateTime, UTC: 2023-11-14T22:13:20.000001000Z */
static void date_time(__s64 ns, char *buf, size_t len)
{
	time_t s = ns / 1000000000;
	long frac = ns % 1000000000;
	struct tm tm;
	size_t n;

	if (frac < 0) { /* before 1970: the fraction counts up */
		frac += 1000000000;
		s--;
	}
	gmtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09ldZ", frac);
}

/* A record's time (boot time) as the wall-clock time it was. */
static void op_time(const struct prov *p, __u64 boot_ns, char *buf,
		    size_t len)
{
	date_time(p->hdr->start_realtime_ns +
			  (__s64)(boot_ns - p->hdr->start_boottime_ns),
		  buf, len);
}

/* A typed literal: {"$":"VALUE","type":"TYPE"}. */
static void typed(struct json *j, const char *key, const char *value,
		  const char *type)
{
	struct json lit;

	json_key(j, key);
	json_begin(&lit, j->f);
	json_str(&lit, "$", value, -1);
	json_str(&lit, "type", type, -1);
	json_close(&lit);
}

static void typed_u64(struct json *j, const char *key, __u64 v,
		      const char *type)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	typed(j, key, s, type);
}

/* One set of credentials as attributes, their names ending in suffix. */
static void creds(struct json *j, const struct probe_cred *c,
		  const char *suffix)
{
	const struct {
		const char *name;
		__u64 v;
		const char *type;
	} attrs[] = {
		{ "uid", c->uid, "xsd:unsignedInt" },
		{ "euid", c->euid, "xsd:unsignedInt" },
		{ "gid", c->gid, "xsd:unsignedInt" },
		{ "egid", c->egid, "xsd:unsignedInt" },
		{ "cap_effective", c->cap_effective, "xsd:unsignedLong" },
		{ "cap_permitted", c->cap_permitted, "xsd:unsignedLong" },
	};
	char key[48];

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(key, sizeof(key), "probe:%s%s", attrs[i].name, suffix);
		typed_u64(j, key, attrs[i].v, attrs[i].type);
	}
}

/* argv (NUL-separated) as one line sh would read back. */
static char *quoted_argv(const char *argv, size_t argv_len)
{
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		die(EXIT_USAGE, "out of memory");
	for (size_t i = 0; i < argv_len;) {
		size_t n = strnlen(argv + i, argv_len - i);

		if (i)
			fputc(' ', f);
		shell_quote(f, argv + i, n);
		i += n + 1;
	}
	if (fclose(f))
		die(EXIT_USAGE, "out of memory");
	return text;
}

/* ---- the document ---- */

static void section_begin(struct prov *p, const char *name)
{
	fprintf(p->out, ",\n\"%s\":{", name);
	p->first = true;
}

static void section_end(struct prov *p)
{
	fputs(p->first ? "}" : "\n}", p->out);
}

/* A member of the current section, its attributes to follow in *j. */
static void record_begin(struct prov *p, struct json *j, const char *id)
{
	fputs(p->first ? "\n" : ",\n", p->out);
	p->first = false;
	json_string(p->out, id, strlen(id));
	fputc(':', p->out);
	json_begin(j, p->out);
}

/* A relation between two things, by the names of their attributes. */
static void relation(struct prov *p, char kind, size_t *count,
		     const char *key1, const char *id1, const char *key2,
		     const char *id2, struct json *j)
{
	char id[32];

	snprintf(id, sizeof(id), "_:%c%zu", kind, ++*count);
	record_begin(p, j, id);
	json_str(j, key1, id1, -1);
	json_str(j, key2, id2, -1);
}

static void write_prefixes(struct prov *p)
{
	char run[sizeof(RUN_NAMESPACE) + 64];
	struct json j;

	snprintf(run, sizeof(run), RUN_NAMESPACE "%.36s/%llu/",
		 p->hdr->boot_id,
		 (unsigned long long)p->hdr->start_boottime_ns);
	fputs("{\"prefix\":", p->out);
	json_begin(&j, p->out);
	json_str(&j, "probe", PROBE_NAMESPACE, -1);
	json_str(&j, "run", run, -1);
	json_close(&j);
}

static void write_activities(struct prov *p)
{
	char when[48], label[48];
	struct json j;

	section_begin(p, "activity");
	for (size_t i = 0; i < p->df.nprocs; i++) {
		const struct df_process *proc = &p->df.procs[i];
		char *argv = NULL;

		if (proc->argv)
			argv = quoted_argv(proc->argv, proc->argv_len);
		record_begin(p, &j, process_id(p, i).s);
		if (proc->begin_ns) {
			op_time(p, proc->begin_ns, when, sizeof(when));
			json_str(&j, "prov:startTime", when, -1);
			op_time(p, proc->end_ns, when, sizeof(when));
			json_str(&j, "prov:endTime", when, -1);
		}
		if (argv && *argv) {
			json_str(&j, "prov:label", argv, -1);
		} else if (proc->exe) { /* an exec with an empty argv */
			json_str(&j, "prov:label", proc->exe, -1);
		} else {
			snprintf(label, sizeof(label),
				 "process %u before its exec", proc->pid);
			json_str(&j, "prov:label", label, -1);
		}
		typed_u64(&j, "probe:pid", proc->pid, "xsd:unsignedInt");
		typed_u64(&j, "probe:epoch", proc->epoch, "xsd:unsignedInt");
		if (argv)
			json_name(&j, "probe:argv", argv, -1);
		if (proc->exe)
			json_name(&j, "probe:exe", proc->exe, -1);
		if (proc->cred_known & PROBE_EXEC_CRED_AFTER)
			creds(&j, &proc->cred_after, "");
		if (proc->cred_known & PROBE_EXEC_CRED_BEFORE)
			creds(&j, &proc->cred_before, "_before");
		if (proc->incomplete)
			json_bool(&j, "probe:incomplete", true);
		json_close(&j);
		free(argv);
	}
	section_end(p);
}

/* The newest version of each inode: the one its unversioned entity is
 * written for. */
static void newest_versions(const struct prov *p, struct idmap *newest)
{
	for (size_t i = 0; i < p->df.nents; i++) {
		const struct df_entity *e = &p->df.ents[i];
		size_t v = idmap_get(newest, e->file, 0);

		if (v == IDMAP_NONE || p->df.ents[v].version < e->version)
			idmap_set(newest, e->file, 0, i);
	}
}

/* What a file version and its unversioned entity both say. */
static void inode_attrs(const struct prov *p, struct json *j,
			const struct df_entity *e)
{
	if (e->path) {
		json_str(j, "prov:label", e->path, -1);
		json_name(j, "probe:path", e->path, -1);
	}
	typed_u64(j, "probe:dev", dev_kernel_to_user(e->dev),
		  "xsd:unsignedLong");
	typed_u64(j, "probe:ino", e->ino, "xsd:unsignedLong");
	if (e->gen)
		typed_u64(j, "probe:gen", e->gen, "xsd:unsignedInt");
	if (df_losses(p->df.g)->any)
		json_bool(j, "probe:incomplete", true);
}

static void write_entities(struct prov *p, const struct idmap *newest)
{
	char mtime[48];
	struct json j;

	section_begin(p, "entity");
	for (size_t i = 0; i < p->df.nents; i++) {
		const struct df_entity *e = &p->df.ents[i];

		record_begin(p, &j, version_id(e).s);
		inode_attrs(p, &j, e);
		typed_u64(&j, "probe:version", e->version, "xsd:unsignedInt");
		if (e->truncated)
			json_bool(&j, "probe:truncated", true);
		typed_u64(&j, "probe:size", e->size, "xsd:unsignedLong");
		date_time(e->mtime_ns, mtime, sizeof(mtime));
		typed(&j, "probe:mtime", mtime, "xsd:dateTime");
		json_close(&j);
	}
	for (size_t i = 0; i < p->df.nents; i++) {
		const struct df_entity *e = &p->df.ents[i];

		if (idmap_get(newest, e->file, 0) != i)
			continue;
		record_begin(p, &j, file_id(e).s);
		inode_attrs(p, &j, e);
		json_close(&j);
	}
	section_end(p);
}

static void write_agent(struct prov *p, struct log_reader *log)
{
	const char *target = log_target(log);
	bool cgroup = p->hdr->scope == PROBE_SCOPE_CGROUP;
	char *label;
	size_t len;
	FILE *f = open_memstream(&label, &len);
	struct json j;

	if (!f)
		die(EXIT_USAGE, "out of memory");
	fprintf(f,
		"the user who ran the recording of %s %s on %.64s (the log "
		"records no uid)",
		cgroup ? "cgroup" : "command", target, p->hdr->hostname);
	if (fclose(f))
		die(EXIT_USAGE, "out of memory");
	section_begin(p, "agent");
	record_begin(p, &j, AGENT_ID);
	json_str(&j, "prov:label", label, -1);
	json_str(&j, "probe:hostname", p->hdr->hostname,
		 strnlen(p->hdr->hostname, sizeof(p->hdr->hostname)));
	json_name(&j, cgroup ? "probe:cgroup" : "probe:command", target, -1);
	json_close(&j);
	section_end(p);
	free(label);
}

/* The edges of the dataflow graph of one relation. */
static void write_edges(struct prov *p, enum df_relation rel)
{
	size_t count = 0;
	struct json j;

	for (size_t k = 0; k < p->df.nedges; k++) {
		const struct df_edge *e = &p->df.edges[k];

		if (e->rel != rel)
			continue;
		switch (rel) {
		case DF_USED:
			relation(p, 'u', &count, "prov:activity",
				 process_id(p, e->to).s, "prov:entity",
				 version_id(&p->df.ents[e->from]).s, &j);
			break;
		case DF_GENERATED:
			relation(p, 'g', &count, "prov:entity",
				 version_id(&p->df.ents[e->to]).s,
				 "prov:activity", process_id(p, e->from).s, &j);
			break;
		case DF_INFORMED:
			relation(p, 'i', &count, "prov:informed",
				 process_id(p, e->to).s, "prov:informant",
				 process_id(p, e->from).s, &j);
			break;
		case DF_DERIVED:
			relation(p, 'd', &count, "prov:generatedEntity",
				 version_id(&p->df.ents[e->to]).s,
				 "prov:usedEntity",
				 version_id(&p->df.ents[e->from]).s, &j);
			typed(&j, "prov:type", "prov:Revision",
			      "prov:QUALIFIED_NAME");
			break;
		}
		if (e->ts_ns && (rel == DF_USED || rel == DF_GENERATED)) {
			char when[48];

			op_time(p, e->ts_ns, when, sizeof(when));
			json_str(&j, "prov:time", when, -1);
		}
		json_close(&j);
	}
}

static void write_relations(struct prov *p)
{
	static const struct {
		const char *name;
		enum df_relation rel;
	} kinds[] = {
		{ "used", DF_USED },
		{ "wasGeneratedBy", DF_GENERATED },
		{ "wasInformedBy", DF_INFORMED },
		{ "wasDerivedFrom", DF_DERIVED },
	};
	size_t count = 0;
	struct json j;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		section_begin(p, kinds[k].name);
		write_edges(p, kinds[k].rel);
		section_end(p);
	}
	section_begin(p, "specializationOf");
	for (size_t i = 0; i < p->df.nents; i++) {
		relation(p, 's', &count, "prov:specificEntity",
			 version_id(&p->df.ents[i]).s, "prov:generalEntity",
			 file_id(&p->df.ents[i]).s, &j);
		json_close(&j);
	}
	section_end(p);
	count = 0;
	section_begin(p, "wasAssociatedWith");
	for (size_t i = 0; i < p->df.nprocs; i++) {
		relation(p, 'a', &count, "prov:activity", process_id(p, i).s,
			 "prov:agent", AGENT_ID, &j);
		json_close(&j);
	}
	section_end(p);
}

int export_graph_build(struct log_reader *log, struct export_graph *out)
{
	char err[PROBE_ERR_MAX]; /* log_error() tells the same */

	out->g = dataflow_build(log, err, sizeof(err));
	if (!out->g)
		return -1;
	out->procs = df_processes(out->g, &out->nprocs);
	out->ents = df_entities(out->g, &out->nents);
	out->edges = df_edges(out->g, &out->nedges);
	return 0;
}

int export_prov_json(struct log_reader *log, FILE *out,
		     const struct export_opts *opts)
{
	struct prov p = { .out = out, .hdr = log_header(log) };
	struct idmap newest = { 0 };

	(void)opts; /* it has none */
	if (export_graph_build(log, &p.df))
		return -1;
	newest_versions(&p, &newest);

	write_prefixes(&p);
	write_activities(&p);
	write_entities(&p, &newest);
	write_agent(&p, log);
	write_relations(&p);
	fputs("}\n", out);

	idmap_free(&newest);
	dataflow_free(p.df.g);
	return 0;
}
