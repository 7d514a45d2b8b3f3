file(REMOVE_RECURSE
  "CMakeFiles/nscore.dir/src/check/invariants.c.o"
  "CMakeFiles/nscore.dir/src/check/invariants.c.o.d"
  "CMakeFiles/nscore.dir/src/proto/heartbeat.c.o"
  "CMakeFiles/nscore.dir/src/proto/heartbeat.c.o.d"
  "CMakeFiles/nscore.dir/src/proto/registry.c.o"
  "CMakeFiles/nscore.dir/src/proto/registry.c.o.d"
  "CMakeFiles/nscore.dir/src/script/exec.c.o"
  "CMakeFiles/nscore.dir/src/script/exec.c.o.d"
  "CMakeFiles/nscore.dir/src/script/help.c.o"
  "CMakeFiles/nscore.dir/src/script/help.c.o.d"
  "CMakeFiles/nscore.dir/src/script/lex.c.o"
  "CMakeFiles/nscore.dir/src/script/lex.c.o.d"
  "CMakeFiles/nscore.dir/src/script/parse.c.o"
  "CMakeFiles/nscore.dir/src/script/parse.c.o.d"
  "CMakeFiles/nscore.dir/src/script/pred.c.o"
  "CMakeFiles/nscore.dir/src/script/pred.c.o.d"
  "CMakeFiles/nscore.dir/src/script/printer.c.o"
  "CMakeFiles/nscore.dir/src/script/printer.c.o.d"
  "CMakeFiles/nscore.dir/src/sim/client.c.o"
  "CMakeFiles/nscore.dir/src/sim/client.c.o.d"
  "CMakeFiles/nscore.dir/src/sim/rng.c.o"
  "CMakeFiles/nscore.dir/src/sim/rng.c.o.d"
  "CMakeFiles/nscore.dir/src/sim/sim.c.o"
  "CMakeFiles/nscore.dir/src/sim/sim.c.o.d"
  "CMakeFiles/nscore.dir/src/sim/simtime.c.o"
  "CMakeFiles/nscore.dir/src/sim/simtime.c.o.d"
  "CMakeFiles/nscore.dir/src/util/util.c.o"
  "CMakeFiles/nscore.dir/src/util/util.c.o.d"
  "libnscore.a"
  "libnscore.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nscore.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
