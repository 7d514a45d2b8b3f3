# Empty dependencies file for nsstore.
# This may be replaced when dependencies are built.
