#ifndef TEXT_H
#define TEXT_H
int shout(char *s);
#endif
