# Empty dependencies file for nstui.
# This may be replaced when dependencies are built.
