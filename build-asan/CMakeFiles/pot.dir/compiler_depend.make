# Empty custom commands generated dependencies file for pot.
# This may be replaced when dependencies are built.
