file(REMOVE_RECURSE
  "CMakeFiles/bench_sim.dir/bench_sim.c.o"
  "CMakeFiles/bench_sim.dir/bench_sim.c.o.d"
  "bench_sim"
  "bench_sim.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_sim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
