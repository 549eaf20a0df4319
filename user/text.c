#include "text.h"

#include <stdint.h>
#include <string.h>

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

bool utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0, n; i < len; i += n) {
		n = utf8_seq(s + i, len - i);
		if (!n)
			return false;
	}
	return true;
}

/* A byte a shell would take as it is, outside quotes. */
static bool plain_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c);
}

static uint32_t code_point(const unsigned char *s, size_t n)
{
	uint32_t cp = n == 1 ? s[0] : s[0] & (0x7f >> n);

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/* A character a terminal acts on rather than shows (or shows elsewhere). */
static bool control_char(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Whether s needs $'...': a control character or an invalid byte. */
static bool needs_escapes(const unsigned char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n) {
		n = utf8_seq(s + i, len - i);
		if (!n || control_char(code_point(s + i, n)))
			return true;
	}
	return false;
}

static void escaped(FILE *out, const unsigned char *s, size_t len)
{
	fputs("$'", out);
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp;

		n = utf8_seq(s + i, len - i);
		if (!n) {
			fprintf(out, "\\x%02x", s[i]);
			n = 1;
			continue;
		}
		cp = code_point(s + i, n);
		if (cp == '\'' || cp == '\\')
			fprintf(out, "\\%c", (char)cp);
		else if (cp < 0x80 && control_char(cp))
			fprintf(out, "\\x%02x", (unsigned)cp);
		else if (control_char(cp))
			fprintf(out, "\\u%04x", (unsigned)cp);
		else
			fwrite(s + i, 1, n, out);
	}
	fputc('\'', out);
}

void shell_quote(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	bool plain = len > 0;

	for (size_t i = 0; i < len; i++)
		plain = plain && plain_byte(s[i]);
	if (plain) {
		fwrite(s, 1, len, out);
		return;
	}
	if (needs_escapes(s, len)) {
		escaped(out, s, len);
		return;
	}
	fputc('\'', out);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'')
			fputs("'\\''", out);
		else
			fputc(s[i], out);
	}
	fputc('\'', out);
}
