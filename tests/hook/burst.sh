#!/bin/sh
# A burst of events faster than the hook: answers stay fast, processes
# stay bounded (the backlog waits in the log, not in processes), and
# every event's hook runs exactly once.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"
command -v ab >/dev/null || skip "ab (apache2-utils) is not installed"

run_burst 1500
