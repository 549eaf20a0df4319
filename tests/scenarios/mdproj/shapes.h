#ifndef SHAPES_H
#define SHAPES_H
#include "common.h"
int area(int w, int h);
#endif
