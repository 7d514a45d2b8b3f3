file(REMOVE_RECURSE
  "CMakeFiles/netsplit.dir/src/app/locale.c.o"
  "CMakeFiles/netsplit.dir/src/app/locale.c.o.d"
  "CMakeFiles/netsplit.dir/src/app/run_cmd.c.o"
  "CMakeFiles/netsplit.dir/src/app/run_cmd.c.o.d"
  "CMakeFiles/netsplit.dir/src/main.c.o"
  "CMakeFiles/netsplit.dir/src/main.c.o.d"
  "netsplit"
  "netsplit.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/netsplit.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
