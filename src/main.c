#include "config.h"
#include <stdio.h>
int main(void) { puts(NETSPLIT_VERSION); return 0; }
