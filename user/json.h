/*
 * Writing one JSON object per line.  Strings are written as UTF-8; a byte
 * that is not part of valid UTF-8 (paths are bytes, not text) is written
 * as the code point of the same value, \u0080 to \u00ff.  So that two
 * names stay apart (the bytes "\xff" and "\xc3\xbf", both "ÿ"), a name
 * that is not valid UTF-8 gets its exact bytes beside it, in hex
 * (json_name()).
 */
#ifndef PROBE_JSON_H
#define PROBE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "names.h"
#include "text.h"

struct json {
	FILE *f;
	bool first; /* no member written yet in the current object/array */
};

void json_begin(struct json *j, FILE *f); /* { */
void json_end(struct json *j); /* }\n */
void json_close(struct json *j); /* }: an object inside another */

void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
/* s of len bytes (it may hold no NUL); len -1: up to its NUL */
void json_str(struct json *j, const char *key, const char *s, long len);
/* A list of the NUL-terminated strings packed in blob[0..len). */
void json_strv(struct json *j, const char *key, const char *blob, size_t len);
/* A name (a path, a program's argument): json_str(), then, if s is not
 * valid UTF-8, "KEY_bytes" with its bytes in hex. */
void json_name(struct json *j, const char *key, const char *s, long len);
/* json_strv(), then, if a string is not valid UTF-8, "KEY_bytes": each
 * string in hex. */
void json_namev(struct json *j, const char *key, const char *blob,
		size_t len);
/* A list of names: first (if not NULL), then each flag of table set in
 * flags, then any bits left as one "0x..." string. */
void json_flags(struct json *j, const char *key, const char *first,
		const struct flag_name *table, uint64_t flags);

/* Low level, for lists of other things. */
void json_key(struct json *j, const char *key);
/* "key":[ ... then json_sep() before each element, then ']' */
void json_list_begin(struct json *j, const char *key, bool *first);
void json_sep(FILE *f, bool *first);
void json_string(FILE *f, const char *s, size_t len);

#endif
