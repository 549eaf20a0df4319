#ifndef COMMON_H
#define COMMON_H
#define MAX_ITEMS 16
#endif
