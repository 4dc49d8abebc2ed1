#!/bin/sh
# deploy/nginx with deploy/spawn-fcgi/ekahook-spawn-fcgi (a host without
# systemd): the script starts ekahook on the socket nginx passes to, and
# stops it again.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

deploy_system
deploy_hook "$D_ETC/ekahook.conf"
deploy_file spawn-fcgi/ekahook-spawn-fcgi "$T/bin/ekahook-spawn-fcgi"
deploy_file nginx/ekahook.conf "$T/conf/ekahook.conf"
# The users are the one thing /etc/default/ekahook is there to change.
{
	echo "RUN_USER=$RUN_USER"
	echo "RUN_GROUP=$RUN_GROUP"
	echo "SOCKET_GROUP=$RUN_GROUP"
} >"$D_ETC/default-ekahook"

"$T/bin/ekahook-spawn-fcgi" start >"$T/spawn.log" 2>&1 ||
	fail "start: $(cat "$T/spawn.log")"
n=0
for pid in $(cat "$D_RUN/ekahook.pid"); do
	echo "$pid" >>"$T/pids"
	is_ekahook "$pid" && n=$((n + 1))
done
[ $n = 8 ] || fail "expected 8 ekahook processes on the socket, found $n"
[ "$(stat -c %a "$D_RUN/ekahook.sock")" = 660 ] || fail "socket mode"
"$T/bin/ekahook-spawn-fcgi" status >/dev/null || fail "status: not running"
start_nginx_frame "$T/conf/ekahook.conf"

expect_health
expect_sample_logged "$D_LOG/events.ndjson"
expect_hook_ran

"$T/bin/ekahook-spawn-fcgi" stop >"$T/spawn.log" 2>&1 ||
	fail "stop: $(cat "$T/spawn.log")"
for pid in $(cat "$T/pids"); do
	! is_ekahook "$pid" || fail "ekahook $pid still running after stop"
done
"$T/bin/ekahook-spawn-fcgi" status >/dev/null && fail "status: still running"
[ ! -e "$D_RUN/ekahook.sock" ] || fail "socket left after stop"
ok "stop ends every ekahook process"
