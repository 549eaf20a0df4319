/*
 * What the DOT exports (dot, hb-dot) share: text inside a DOT string,
 * shown unambiguously and broken into lines, and the limit past which a
 * graph is refused rather than handed to Graphviz.
 */
#ifndef PROBE_DOT_H
#define PROBE_DOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * len bytes of s inside a DOT string, each byte unambiguous in the
 * drawing: a backslash as \\, a newline as \n, a tab as \t, other control
 * bytes and bytes that are not UTF-8 as \xHH.
 */
void dot_text(FILE *f, const char *s, size_t len);

/*
 * The string s the same way, broken into lines of about width bytes
 * between words, and after a slash in a word longer than that.  If shell,
 * s is shell-quoted (shell_quote()): its backslashes are escapes
 * already, and show as they are.
 */
void dot_text_wrapped(FILE *f, const char *s, size_t width, bool shell);

/*
 * Whether a graph of n nodes stays within max (0: no limit).  If not, one
 * line on stderr says how many nodes what (the graph) has and names the
 * options that draw less of it (hint).
 */
bool dot_within_limit(const char *what, size_t n, size_t max,
		      const char *hint);

#endif
