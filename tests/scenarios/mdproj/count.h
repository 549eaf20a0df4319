#ifndef COUNT_H
#define COUNT_H
int count_words(const char *s);
#endif
