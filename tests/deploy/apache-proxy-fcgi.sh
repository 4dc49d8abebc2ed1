#!/bin/sh
# deploy/apache-proxy-fcgi: Apache's mod_proxy_fcgi passes requests to
# ekahook run by deploy/systemd/ekahook-listen.service (EKAHOOK_LISTEN).
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

deploy_system
deploy_hook "$D_ETC/ekahook.conf"
deploy_file systemd/ekahook-listen.service "$T/units/ekahook-listen.service"
deploy_file apache-proxy-fcgi/ekahook.conf "$T/conf/ekahook.conf"
verify_units "$T/units/ekahook-listen.service"

start_unit_listen "$T/units/ekahook-listen.service"
wait_for 10 tcp_open "$BACKEND_PORT" ||
	fail "ekahook does not listen on $BACKEND_PORT: $(cat "$T/ekahook.log")"
start_apache_frame "proxy proxy_fcgi" "$T/conf/ekahook.conf"

expect_health
expect_sample_logged "$D_LOG/events.ndjson"
expect_hook_ran
