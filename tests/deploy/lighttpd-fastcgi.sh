#!/bin/sh
# deploy/lighttpd-fastcgi: lighttpd's mod_fastcgi starts ekahook from
# 50-ekahook.conf; the sample event reaches the log and the hook.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

deploy_system
deploy_hook "$D_ETC/ekahook.conf"
deploy_file lighttpd-fastcgi/50-ekahook.conf "$T/conf/50-ekahook.conf"
start_lighttpd_frame "$T/conf/50-ekahook.conf"

expect_health
expect_sample_logged "$D_LOG/events.ndjson"
expect_hook_ran
# max-procs 8: lighttpd started eight processes, on socket-0 … socket-7.
wait_for 10 test -S "$D_RUN/ekahook.sock-7" ||
	fail "no eighth ekahook socket: $(ls "$D_RUN")"
n=0
for pid in $(pgrep -P "$SERVER_PID"); do
	is_ekahook "$pid" && n=$((n + 1))
done
[ $n = 8 ] || fail "expected 8 ekahook processes under lighttpd, found $n"
ok "lighttpd runs max-procs ekahook processes"
