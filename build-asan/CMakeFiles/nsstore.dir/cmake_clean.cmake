file(REMOVE_RECURSE
  "CMakeFiles/nsstore.dir/cmake/empty.c.o"
  "CMakeFiles/nsstore.dir/cmake/empty.c.o.d"
  "libnsstore.a"
  "libnsstore.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nsstore.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
