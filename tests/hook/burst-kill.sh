#!/bin/sh
# The burst of burst.sh with the runner killed (SIGKILL) halfway through
# the hooks: its attempts finish on their own, the first to end starts a
# new runner, which goes on from the saved position; every hook still
# runs, none runs twice.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"
command -v ab >/dev/null || skip "ab (apache2-utils) is not installed"

run_burst 1500 kill
