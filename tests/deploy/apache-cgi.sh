#!/bin/sh
# deploy/apache-cgi: Apache's mod_cgid (Debian's default with the event
# MPM) runs ekahook from ekahook.conf, one process per request; the
# sample event reaches the log, and the hook without the answer waiting.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

deploy_system
deploy_hook "$D_ETC/ekahook.conf"
deploy_file apache-cgi/ekahook.conf "$T/conf/ekahook-cgi.conf"
start_apache_frame cgid "$T/conf/ekahook-cgi.conf"

expect_health
expect_sample_logged "$D_LOG/events.ndjson"
expect_hook_ran
# Only that URL runs the program.
for u in /eka/webhookctl /eka/webhook/x; do
	request GET "http://127.0.0.1:$PORT$u"
	[ "$STATUS" = 404 ] || fail "$u answered $STATUS: $BODY"
done
ok "other URLs do not run anything"
