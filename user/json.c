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

size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* no overlong forms, surrogates or code points past U+10FFFF */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
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
