#!/bin/sh
# expect_exit.sh CODE COMMAND...: runs COMMAND and passes when it exits with
# CODE. Used for scenarios that must fail (1) or be rejected as bad input (2).
want=$1
shift
"$@"
got=$?
if [ "$got" -ne "$want" ]; then
  echo "expected exit $want, got $got: $*" >&2
  exit 1
fi
exit 0
