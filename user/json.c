#include "json.h"

#include <inttypes.h>
#include <string.h>

void json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->first = true;
	fputc('{', f);
}

void json_end(struct json *j)
{
	fputs("}\n", j->f);
}

void json_close(struct json *j)
{
	fputc('}', j->f);
}

void json_list_begin(struct json *j, const char *key, bool *first)
{
	json_key(j, key);
	fputc('[', j->f);
	*first = true;
}

void json_sep(FILE *f, bool *first)
{
	if (!*first)
		fputc(',', f);
	*first = false;
}

void json_key(struct json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	fputc('"', j->f);
	fputs(key, j->f);
	fputs("\":", j->f);
}

void json_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			i++;
			continue;
		case '\\':
			fputs("\\\\", f);
			i++;
			continue;
		case '\n':
			fputs("\\n", f);
			i++;
			continue;
		case '\t':
			fputs("\\t", f);
			i++;
			continue;
		}
		if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i);
		if (n == 0) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
	fputc('"', f);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_str(struct json *j, const char *key, const char *s, long len)
{
	json_key(j, key);
	json_string(j->f, s, len < 0 ? strlen(s) : (size_t)len);
}

void json_strv(struct json *j, const char *key, const char *blob, size_t len)
{
	bool first = true;

	json_key(j, key);
	fputc('[', j->f);
	for (size_t i = 0; i < len;) {
		size_t n = strnlen(blob + i, len - i);

		if (!first)
			fputc(',', j->f);
		first = false;
		json_string(j->f, blob + i, n);
		i += n + 1;
	}
	fputc(']', j->f);
}

static void hex_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", (unsigned char)s[i]);
	fputc('"', f);
}

void json_name(struct json *j, const char *key, const char *s, long len)
{
	size_t n = len < 0 ? strlen(s) : (size_t)len;

	json_str(j, key, s, (long)n);
	if (utf8_valid(s, n))
		return;
	fprintf(j->f, ",\"%s_bytes\":", key);
	hex_string(j->f, s, n);
}

void json_namev(struct json *j, const char *key, const char *blob, size_t len)
{
	bool first = true;

	json_strv(j, key, blob, len);
	if (utf8_valid(blob, len))
		return;
	fprintf(j->f, ",\"%s_bytes\":[", key);
	for (size_t i = 0; i < len;) {
		size_t n = strnlen(blob + i, len - i);

		json_sep(j->f, &first);
		hex_string(j->f, blob + i, n);
		i += n + 1;
	}
	fputc(']', j->f);
}

void json_flags(struct json *j, const char *key, const char *first,
		const struct flag_name *table, uint64_t flags)
{
	bool any = false;

	json_key(j, key);
	fputc('[', j->f);
	if (first) {
		json_string(j->f, first, strlen(first));
		any = true;
	}
	for (const struct flag_name *t = table; t->name; t++) {
		if (!(flags & t->bit))
			continue;
		if (any)
			fputc(',', j->f);
		json_string(j->f, t->name, strlen(t->name));
		any = true;
		flags &= ~t->bit;
	}
	if (flags)
		fprintf(j->f, "%s\"0x%" PRIx64 "\"", any ? "," : "", flags);
	fputc(']', j->f);
}
