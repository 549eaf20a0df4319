/*
 * Text for a terminal from bytes a recorded program chose (paths, argv):
 * every text output writes them through shell_quote(), so that a name
 * can neither fake a line nor send the terminal a control sequence.
 */
#ifndef PROBE_TEXT_H
#define PROBE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t utf8_seq(const unsigned char *s, size_t n);
/* Whether all len bytes at s are valid UTF-8. */
bool utf8_valid(const char *s, size_t len);

/*
 * s (len bytes), quoted as bash(1) would read it back: as it is if it
 * needs no quotes, else in '...', or in $'...' if it holds a control
 * character (C0, DEL, C1, or a bidirectional override, which reorders what
 * a terminal shows) or a byte that is not valid UTF-8: those as \xHH or
 * \uHHHH.  So one name is one word on one line.
 */
void shell_quote(FILE *out, const char *s, size_t len);

#endif
