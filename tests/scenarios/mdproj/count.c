#include "common.h"
#include "count.h"

int count_words(const char *s)
{
	int n = 0, in = 0;

	for (; *s && n < MAX_ITEMS; s++) {
		n += !in && *s != ' ';
		in = *s != ' ';
	}
	return n;
}
