# Empty dependencies file for bench_sim.
# This may be replaced when dependencies are built.
