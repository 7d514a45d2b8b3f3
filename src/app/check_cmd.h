/*
 * check_cmd.h — `netsplit check FILE ...`: checks a recorded history for
 * linearizability (see src/check/lin.h) and reports the verdict by exit
 * code: 0 linearizable, 1 not linearizable, 2 bad input, 3 unknown.
 */
#ifndef NETSPLIT_CHECK_CMD_H
#define NETSPLIT_CHECK_CMD_H

/* argv[0] is "check". Prints to stdout (verdict, explanation) and stderr
 * (errors); returns the exit code. */
int check_cmd_main(int argc, char **argv);

#endif
