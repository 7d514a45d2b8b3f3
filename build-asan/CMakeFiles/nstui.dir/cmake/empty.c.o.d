CMakeFiles/nstui.dir/cmake/empty.c.o: /work/main/cmake/empty.c \
 /usr/include/stdc-predef.h
