file(REMOVE_RECURSE
  "CMakeFiles/nstui.dir/cmake/empty.c.o"
  "CMakeFiles/nstui.dir/cmake/empty.c.o.d"
  "libnstui.a"
  "libnstui.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nstui.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
