# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(unit/test_script "/work/main/build/tests/test_script")
set_tests_properties(unit/test_script PROPERTIES  ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout" LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;21;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(unit/test_sim "/work/main/build/tests/test_sim")
set_tests_properties(unit/test_sim PROPERTIES  ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout" LABELS "unit" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;21;add_test;/work/main/tests/CMakeLists.txt;0;")
