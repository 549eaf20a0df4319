#include "dot.h"

#include <string.h>

#include "json.h"
#include "util.h"

/*
 * Inside a DOT string a backslash itself needs one (\\ shows \, \n breaks
 * the line) and so does a double quote: what shows "\n" is "\\\\n".  In
 * shell-quoted text a backslash is an escape already, and shows as it is.
 */
static size_t dot_byte(FILE *f, const unsigned char *u, size_t left,
		       bool shell)
{
	size_t n = utf8_seq(u, left);

	if (*u == '"')
		fputs("\\\"", f);
	else if (*u == '\\' && shell)
		fputs("\\\\", f);
	else if (*u == '\\')
		fputs("\\\\\\\\", f);
	else if (*u == '\n')
		fputs("\\\\n", f);
	else if (*u == '\t')
		fputs("\\\\t", f);
	else if (*u < 0x20 || *u == 0x7f || !n)
		fprintf(f, "\\\\x%02x", *u);
	else
		fwrite(u, 1, n, f);
	return n ? n : 1;
}

void dot_text(FILE *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;)
		i += dot_byte(f, u + i, len - i, false);
}

/* Show the len bytes of a word, broken after a slash where a line has
 * grown past width; the length of its last line. */
static size_t dot_word(FILE *f, const unsigned char *u, size_t len,
		       size_t line, size_t width, bool shell)
{
	for (size_t i = 0; i < len;) {
		size_t n = dot_byte(f, u + i, len - i, shell);

		line += n;
		i += n;
		if (line >= width && u[i - 1] == '/' && i > 1 && i < len) {
			fputs("\\n", f);
			line = 0;
		}
	}
	return line;
}

void dot_text_wrapped(FILE *f, const char *s, size_t width, bool shell)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t line = 0;

	/* word by word, a word that would go past width on a new line */
	for (const char *at = s; *at;) {
		size_t len = strcspn(at, " ");

		if (line && line + 1 + len > width) {
			fputs("\\n", f);
			line = 0;
		} else if (at != s) {
			fputc(' ', f);
			line++;
		}
		line = dot_word(f, u + (at - s), len, line, width, shell);
		at += len;
		at += *at == ' ';
	}
}

bool dot_within_limit(const char *what, size_t n, size_t max,
		      const char *hint)
{
	if (!max || n <= max)
		return true;
	errorf("%s has %zu nodes, more than Graphviz draws readably "
	       "(--max-nodes %zu): draw part of it with %s, or raise "
	       "--max-nodes",
	       what, n, max, hint);
	return false;
}
