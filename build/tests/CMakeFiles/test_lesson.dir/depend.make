# Empty dependencies file for test_lesson.
# This may be replaced when dependencies are built.
