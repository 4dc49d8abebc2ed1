#!/bin/sh
# ekahook(8) "The hook" under plain CGI: the CGI process closes its
# output, starts the runner detached, and exits; the hook gets exactly
# the same as under FastCGI.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

run_env_test cgi
