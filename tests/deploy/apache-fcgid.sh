#!/bin/sh
# deploy/apache-fcgid with the shared-hosting bundle: Apache's mod_fcgid
# runs ekahook.fcgi from a directory holding only the bundle's files,
# set up by its .htaccess alone, and refuses to serve the configuration,
# the logs, the library and ekahook's state.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

KEY=shared-hosting-test-key-5b1e

# The bundle, as `make shared-hosting` makes it, from the program that
# target builds (make check does not: it needs static libfcgi and nettle).
[ -x "$TOP_BUILDDIR/shared-hosting/ekahook.fcgi" ] ||
	skip "no shared-hosting/ekahook.fcgi: run make shared-hosting first"
CC=${CC:-cc} sh "$DEPLOY/shared-hosting/make-bundle.sh" \
    "$TOP_BUILDDIR/shared-hosting/ekahook.fcgi" "$TOP_SRCDIR" "$T/bundle" test \
    >"$T/bundle.log" 2>&1 || fail "make-bundle.sh: $(cat "$T/bundle.log")"
# It loads nothing but the C library and what it carries.
ldd "$T/bundle/eka/ekahook.fcgi" >"$T/ldd.out"
while read -r name arrow path rest; do
	case ${name##*/} in
	linux-vdso.so.* | ld-linux*.so.* | libc.so.* | libm.so.*) continue ;;
	esac
	[ "$arrow" = "=>" ] && [ "$(dirname "$path")" = "$T/bundle/eka" ] ||
		fail "ekahook.fcgi loads $name from outside the bundle: $(cat "$T/ldd.out")"
done <"$T/ldd.out"
for lib in libfcgi libnettle; do
	! grep -q "$lib" "$T/ldd.out" || fail "$lib is not linked in"
done
ok "ldd: only the C library and the bundled $(ls "$T/bundle/eka" | grep '\.so' | tr '\n' ' ')"

[ "$(stat -c %a "$T/bundle/eka/ekahook.conf")" = 600 ] ||
	fail "the bundle's ekahook.conf is mode $(stat -c %a "$T/bundle/eka/ekahook.conf"), not 0600"

# The web directory: the bundle's eka/ with the path in .htaccess set
# (step 2 of the README) and a signing key added (step 3).
www="$D_WWW/eka"
mkdir -p "$www"
cp -pR "$T/bundle/eka/." "$www/"
cmp "$T/bundle/eka/.htaccess" "$DEPLOY/apache-fcgid/.htaccess" ||
	fail "the bundle's .htaccess is not deploy/apache-fcgid/.htaccess"
deploy_file apache-fcgid/.htaccess "$www/.htaccess"
echo "signing_key = $KEY" >>"$www/ekahook.conf"
deploy_hook "$www/ekahook.conf"
chmod 0600 "$www/ekahook.conf"
[ "$(ls -A "$www" | sort | tr '\n' ' ')" = \
    ".htaccess ekahook.conf ekahook.fcgi libcjson.so.1 schemas " ] ||
	fail "unexpected files in the web directory: $(ls -A "$www")"
# Under suexec ekahook runs as the owner of the directory; here mod_fcgid
# runs it as Apache's user, so that user owns it.
own "$www"

# What a host allows in .htaccess (README: FileInfo AuthConfig Options),
# with Debian's default Options for web directories.
start_apache_frame fcgid "" \
    "	Options Indexes FollowSymLinks
	AllowOverride FileInfo AuthConfig Options"
URL="http://127.0.0.1:$PORT/eka/ekahook.fcgi"

expect_health
sig=$("$EKAHOOKCTL" sign --key "$KEY" "$SAMPLE")
expect_sample_logged "$www/events.ndjson" -H "Eka-Webhook-Signature: $sig"
[ "$(jq -r .signature "$www/events.ndjson")" = verified ] ||
	fail "the event was not verified: $(cat "$www/events.ndjson")"
expect_hook_ran
post "$SAMPLE"
expect_status 401
[ -s "$www/rejected.ndjson" ] || fail "no rejected.ndjson"

# Nothing but the program is served from here.
as_run_user cp "$www/events.ndjson" "$www/events.ndjson.1"
as_run_user mkdir -p "$www/state/hooks/failed"
as_run_user cp "$www/events.ndjson" \
    "$www/state/hooks/failed/0190f2c3d4e5-00abcd-12345678-000001"
marker=$(find "$www/state" -type f | head -n 1)
[ -n "$marker" ] || fail "no file under state/"
# Editors' copies of the configuration, logrotate's names for old logs.
for f in ekahook.conf~ .ekahook.conf.swp ekahook.conf.save \
    ekahook.conf.bak events.ndjson.2.gz events.ndjson-20261123 \
    rejected.ndjson-20261123.gz hooks.ndjson.1; do
	as_run_user cp "$www/ekahook.conf" "$www/$f"
done
for f in ekahook.conf~ .ekahook.conf.swp ekahook.conf.save \
    ekahook.conf.bak events.ndjson.2.gz events.ndjson-20261123 \
    rejected.ndjson-20261123.gz hooks.ndjson.1 no-such-file \
    ekahook.conf events.ndjson events.ndjson.1 rejected.ndjson \
    hooks.ndjson libcjson.so.1 .htaccess state state/ schemas/ \
    schemas/appointment.created.json \
    "state/${marker#"$www/state/"}" state/hooks/failed/ \
    state/hooks/failed/0190f2c3d4e5-00abcd-12345678-000001 ""; do
	request GET "http://127.0.0.1:$PORT/eka/$f"
	[ "$STATUS" = 403 ] || [ "$STATUS" = 404 ] ||
		fail "GET /eka/$f answered $STATUS"
	case $BODY in
	*"$KEY"* | *appointment*) fail "GET /eka/$f leaked: $BODY" ;;
	esac
done
ok "403/404 for the configuration and its editor copies, the logs rotated or compressed, the library, state/, schemas/ and the listing"

# SetEnv is what names the configuration: point it outside the web space
# (the README's alternative) and the events go where that file says.
priv="$T/private"
mkdir -p "$priv"
printf 'log_file = %s\nsigning_key = %s\n' "$priv/events.ndjson" "$KEY" \
    >"$priv/ekahook.conf"
own "$priv"
sed "s|^SetEnv EKAHOOK_CONFIG .*|SetEnv EKAHOOK_CONFIG $priv/ekahook.conf|" \
    "$www/.htaccess" >"$T/htaccess.new"
cat "$T/htaccess.new" >"$www/.htaccess"
sig=$("$EKAHOOKCTL" sign --key "$KEY" "$SAMPLE")
post "$SAMPLE" -H "Eka-Webhook-Signature: $sig"
expect_status 200
[ "$(lines "$priv/events.ndjson")" = 1 ] || fail "SetEnv did not reach ekahook"
[ "$(lines "$www/events.ndjson")" = 1 ] || fail "logged in the web directory"
ok ".htaccess SetEnv EKAHOOK_CONFIG names the configuration"
