file(REMOVE_RECURSE
  "CMakeFiles/test_lesson.dir/unit/test_lesson.c.o"
  "CMakeFiles/test_lesson.dir/unit/test_lesson.c.o.d"
  "test_lesson"
  "test_lesson.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_lesson.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
