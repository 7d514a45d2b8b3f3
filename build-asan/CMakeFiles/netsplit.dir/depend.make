# Empty dependencies file for netsplit.
# This may be replaced when dependencies are built.
