#!/bin/sh
# The demo workload that `make demo` records: a little C build and a shell
# pipeline over its output, in a scratch directory.
set -e
work=$(mktemp -d /tmp/probe-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > words.c <<'SRC'
#include <stdio.h>
int main(void)
{
	const char *w[] = { "kernel", "provenance", "kernel", "dataflow" };
	for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		puts(w[i]);
	return 0;
}
SRC
cc -O1 -o words words.c
./words | sort | uniq -c > counts.txt
cat counts.txt
