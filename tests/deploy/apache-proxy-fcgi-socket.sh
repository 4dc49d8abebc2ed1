#!/bin/sh
# deploy/apache-proxy-fcgi the way its README offers for a machine shared
# with others: Apache's mod_proxy_fcgi passes requests to the Unix socket
# of deploy/systemd/ekahook.socket (its ProxyPass line from the README).
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

deploy_system
deploy_hook "$D_ETC/ekahook.conf"
for u in ekahook.socket ekahook.service; do
	deploy_file "systemd/$u" "$T/units/$u"
done
grep '^ *ProxyPass "unix:' "$DEPLOY/apache-proxy-fcgi/README" >"$T/readme.line" ||
	fail "no unix: ProxyPass line in deploy/apache-proxy-fcgi/README"
deploy_subst "$T/readme.line" "$T/proxypass.line"
deploy_file apache-proxy-fcgi/ekahook.conf "$T/conf/tcp.conf"
grep -q '^[[:space:]]*ProxyPass "fcgi:' "$T/conf/tcp.conf" || fail "no ProxyPass line"
awk -v repl="$(sed 's/^ *//' "$T/proxypass.line")" \
    '/^[[:space:]]*ProxyPass "fcgi:/ { print "\t" repl; next } { print }' \
    "$T/conf/tcp.conf" >"$T/conf/ekahook.conf"

start_unit_socket "$T/units/ekahook.socket" "$T/units/ekahook.service"
start_apache_frame "proxy proxy_fcgi" "$T/conf/ekahook.conf"

expect_health
expect_sample_logged "$D_LOG/events.ndjson"
expect_hook_ran
