
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/check/invariants.c" "CMakeFiles/nscore.dir/src/check/invariants.c.o" "gcc" "CMakeFiles/nscore.dir/src/check/invariants.c.o.d"
  "/work/main/src/lesson/lesson.c" "CMakeFiles/nscore.dir/src/lesson/lesson.c.o" "gcc" "CMakeFiles/nscore.dir/src/lesson/lesson.c.o.d"
  "/work/main/src/lesson/run.c" "CMakeFiles/nscore.dir/src/lesson/run.c.o" "gcc" "CMakeFiles/nscore.dir/src/lesson/run.c.o.d"
  "/work/main/src/proto/heartbeat.c" "CMakeFiles/nscore.dir/src/proto/heartbeat.c.o" "gcc" "CMakeFiles/nscore.dir/src/proto/heartbeat.c.o.d"
  "/work/main/src/proto/registry.c" "CMakeFiles/nscore.dir/src/proto/registry.c.o" "gcc" "CMakeFiles/nscore.dir/src/proto/registry.c.o.d"
  "/work/main/src/script/exec.c" "CMakeFiles/nscore.dir/src/script/exec.c.o" "gcc" "CMakeFiles/nscore.dir/src/script/exec.c.o.d"
  "/work/main/src/script/help.c" "CMakeFiles/nscore.dir/src/script/help.c.o" "gcc" "CMakeFiles/nscore.dir/src/script/help.c.o.d"
  "/work/main/src/script/lex.c" "CMakeFiles/nscore.dir/src/script/lex.c.o" "gcc" "CMakeFiles/nscore.dir/src/script/lex.c.o.d"
  "/work/main/src/script/parse.c" "CMakeFiles/nscore.dir/src/script/parse.c.o" "gcc" "CMakeFiles/nscore.dir/src/script/parse.c.o.d"
  "/work/main/src/script/pred.c" "CMakeFiles/nscore.dir/src/script/pred.c.o" "gcc" "CMakeFiles/nscore.dir/src/script/pred.c.o.d"
  "/work/main/src/script/printer.c" "CMakeFiles/nscore.dir/src/script/printer.c.o" "gcc" "CMakeFiles/nscore.dir/src/script/printer.c.o.d"
  "/work/main/src/sim/client.c" "CMakeFiles/nscore.dir/src/sim/client.c.o" "gcc" "CMakeFiles/nscore.dir/src/sim/client.c.o.d"
  "/work/main/src/sim/rng.c" "CMakeFiles/nscore.dir/src/sim/rng.c.o" "gcc" "CMakeFiles/nscore.dir/src/sim/rng.c.o.d"
  "/work/main/src/sim/sim.c" "CMakeFiles/nscore.dir/src/sim/sim.c.o" "gcc" "CMakeFiles/nscore.dir/src/sim/sim.c.o.d"
  "/work/main/src/sim/simtime.c" "CMakeFiles/nscore.dir/src/sim/simtime.c.o" "gcc" "CMakeFiles/nscore.dir/src/sim/simtime.c.o.d"
  "/work/main/src/util/util.c" "CMakeFiles/nscore.dir/src/util/util.c.o" "gcc" "CMakeFiles/nscore.dir/src/util/util.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
