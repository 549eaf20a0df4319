#include <ctype.h>
#include "text.h"

int shout(char *s)
{
	int n = 0;

	for (; *s; s++, n++)
		*s = toupper((unsigned char)*s);
	return n;
}
