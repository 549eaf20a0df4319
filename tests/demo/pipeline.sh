#!/bin/sh
# The demo workload that `make demo` records: a little C build and a shell
# pipeline over its output, in the directory DIR (made afresh), where its
# results stay for `probe-bpf lineage` to explain.
# usage: pipeline.sh DIR
set -e
work=${1:?usage: pipeline.sh DIR}
rm -rf "$work"
mkdir -p "$work"
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
