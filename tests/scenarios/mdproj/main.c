#include <stdio.h>
#include "shapes.h"
#include "text.h"
#include "count.h"
#include "version.h"

int main(void)
{
	char s[] = "probe bpf";

	shout(s);
	printf("%s %s %d %d\n", VERSION, s, area(2, 3), count_words(s));
	return 0;
}
