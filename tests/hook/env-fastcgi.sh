#!/bin/sh
# SPEC §5 under FastCGI: a slow hook never delays the answer, and gets
# exactly its argv, stdin, directory and environment.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

run_env_test fastcgi

# The responder reaps what it starts: no zombie children of its own.
resp=$(pgrep -P "$LIGHTTPD_PID" -x ekahook | head -n 1)
[ -n "$resp" ] || fail "no FastCGI responder found"
[ -z "$(ps --ppid "$resp" -o stat= | grep Z)" ] ||
	fail "the responder has zombie children"
ok "fastcgi: the responder leaves no zombie children"
