#!/bin/sh
# deploy/nginx with deploy/systemd/ekahook.socket + ekahook.service:
# nginx passes requests to the unit's socket; ekahook starts on the first
# connection with the listening socket on standard input.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

deploy_system
deploy_hook "$D_ETC/ekahook.conf"
for u in ekahook.socket ekahook.service; do
	deploy_file "systemd/$u" "$T/units/$u"
done
verify_units "$T/units/ekahook.socket" "$T/units/ekahook.service"
deploy_file nginx/ekahook.conf "$T/conf/ekahook.conf"

start_unit_socket "$T/units/ekahook.socket" "$T/units/ekahook.service"
! is_ekahook "$UNIT_PID" || fail "ekahook started before a connection"
start_nginx_frame "$T/conf/ekahook.conf"

expect_health
expect_sample_logged "$D_LOG/events.ndjson"
expect_hook_ran
# One process took both requests, as with Accept=no: the one started
# with the listening socket on standard input.  (Others, such as the
# hook runner, have no socket there.)
is_ekahook "$UNIT_PID" || fail "ekahook is not running on the unit's socket"
for pid in $(pgrep -f "^$D_BIN"); do
	[ "$pid" = "$UNIT_PID" ] || ! is_ekahook "$pid" ||
		fail "a second ekahook process on the socket: $pid"
done
ok "one ekahook process, started by the first connection"
