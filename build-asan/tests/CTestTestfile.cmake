# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build-asan/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(unit/test_script "/work/main/build-asan/tests/test_script")
set_tests_properties(unit/test_script PROPERTIES  ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout" LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;21;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(unit/test_sim "/work/main/build-asan/tests/test_sim")
set_tests_properties(unit/test_sim PROPERTIES  ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout" LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;21;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/heartbeat_clock_drift "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/heartbeat_clock_drift.ns")
set_tests_properties(scenario/heartbeat_clock_drift PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;29;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/heartbeat_crash_vs_cut "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/heartbeat_crash_vs_cut.ns")
set_tests_properties(scenario/heartbeat_crash_vs_cut PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;29;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/heartbeat_lossy_net "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/heartbeat_lossy_net.ns")
set_tests_properties(scenario/heartbeat_lossy_net PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;29;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/heartbeat_partition "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/heartbeat_partition.ns")
set_tests_properties(scenario/heartbeat_partition PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;29;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/heartbeat_slow_link "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/heartbeat_slow_link.ns")
set_tests_properties(scenario/heartbeat_slow_link PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;29;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/schedule_at "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/schedule_at.ns")
set_tests_properties(scenario/schedule_at PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;29;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/fail/expect_fails "sh" "/work/main/tests/expect_exit.sh" "1" "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/fail/expect_fails.ns")
set_tests_properties(scenario/fail/expect_fails PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;41;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/bad/bad_duration "sh" "/work/main/tests/expect_exit.sh" "2" "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/bad/bad_duration.ns")
set_tests_properties(scenario/bad/bad_duration PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;41;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(scenario/bad/bad_node "sh" "/work/main/tests/expect_exit.sh" "2" "/work/main/build-asan/netsplit" "run" "/work/main/tests/scenarios/bad/bad_node.ns")
set_tests_properties(scenario/bad/bad_node PROPERTIES  LABELS "scenario" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;41;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(cli/cli "sh" "/work/main/tests/cli.sh" "/work/main/build-asan/netsplit")
set_tests_properties(cli/cli PROPERTIES  ENVIRONMENT "NETSPLIT_TESTDATA=/work/main/../shared/testdata" LABELS "cli" WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;54;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(determinism/determinism "sh" "/work/main/tests/determinism.sh" "/work/main/build-asan/netsplit")
set_tests_properties(determinism/determinism PROPERTIES  ENVIRONMENT "NETSPLIT_TESTDATA=/work/main/../shared/testdata" LABELS "determinism" WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;54;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(layers/layers "sh" "/work/main/tests/layers.sh" "/work/main/build-asan/netsplit")
set_tests_properties(layers/layers PROPERTIES  ENVIRONMENT "NETSPLIT_TESTDATA=/work/main/../shared/testdata" LABELS "layers" WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;54;add_test;/work/main/tests/CMakeLists.txt;0;")
