file(REMOVE_RECURSE
  "CMakeFiles/pot"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/pot.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
