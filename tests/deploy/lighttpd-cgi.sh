#!/bin/sh
# deploy/lighttpd-cgi: lighttpd's mod_cgi runs ekahook from
# 50-ekahook-cgi.conf, one process per request; the sample event reaches
# the log, and the hook without the answer waiting for it.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

deploy_system
deploy_hook "$D_ETC/ekahook.conf"
deploy_file lighttpd-cgi/50-ekahook-cgi.conf "$T/conf/50-ekahook-cgi.conf"
start_lighttpd_frame "$T/conf/50-ekahook-cgi.conf"

expect_health
expect_sample_logged "$D_LOG/events.ndjson"
expect_hook_ran
# Only that URL runs the program.
request GET "http://127.0.0.1:$PORT/eka/webhookctl"
[ "$STATUS" = 404 ] || fail "/eka/webhookctl answered $STATUS"
ok "other URLs do not run anything"
