# Empty dependencies file for nscore.
# This may be replaced when dependencies are built.
