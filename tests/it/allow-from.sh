#!/bin/sh
# ekahook(8) "Requests" 403 through lighttpd mod_fastcgi, IPv4:
# allow_from judged on REMOTE_ADDR before the body is read; GET health
# stays open.  The config is replaced between requests: ekahook reloads
# it on the next request (a new inode), so one server covers every case.
. "$TESTLIB"
umask 022

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc"
conf_allow() {
	write_conf "$CONF" <<EOF
max_body_bytes = 1024
allow_from = $1
EOF
}
EVENTS="$T/etc/events.ndjson"
REJECTS="$T/etc/rejected.ndjson"
conf_allow "10.0.0.0/8"
start_lighttpd fastcgi "$CONF"

# --- Refused: 127.0.0.1 is outside every range.
for allow in "10.0.0.0/8" "127.0.0.2/32" "128.0.0.0/1" "127.0.0.2, 10.1.2.3" \
    "::1/128"; do
	conf_allow "$allow"
	post "$SAMPLE"
	expect_error 403 address_not_allowed
done
ok "allow_from 10.0.0.0/8, 127.0.0.2/32, 128.0.0.0/1, a list, ::1/128: 403"

# Before the body: neither the size (413) nor the type (415) is looked at.
head -c 2000 /dev/zero | tr '\0' ' ' >"$T/big.json"
conf_allow "10.0.0.0/8"
post "$T/big.json"
expect_error 403 address_not_allowed
request POST "$URL" -H 'Content-Type: text/plain' --data-binary "@$SAMPLE"
expect_error 403 address_not_allowed
ok "a too large body and a wrong type from a refused address: 403"

# Health stays open.
request GET "$URL"
expect_status 200
json .ok | grep -qx true || fail "GET with allow_from: $BODY"
ok "GET health with allow_from excluding us: 200"

[ "$(lines "$EVENTS")" = 0 ] && [ "$(lines "$REJECTS")" = 0 ] ||
	fail "a 403 left a line in a log"
ok "403 is neither logged nor kept in reject_file"

# --- Allowed: ranges and addresses that hold 127.0.0.1.
n=0
for allow in "127.0.0.0/8" "10.0.0.0/8,127.0.0.1" " 10.0.0.0/8 , 127.0.0.1/32 " \
    "0.0.0.0/0" "127.0.0.1"; do
	n=$((n + 1))
	conf_allow "$allow"
	jq -c ".data.partner_meta.visit_id = \"AF-$n\"" "$SAMPLE" >"$T/ev.json"
	post "$T/ev.json"
	expect_accepted false
done
[ "$(lines "$EVENTS")" = 5 ] || fail "expected 5 logged events"
ok "allow_from 127.0.0.0/8, lists with blanks, 0.0.0.0/0, 127.0.0.1: 200"

# An allowed address still meets the later checks.
conf_allow "127.0.0.0/8"
post "$T/big.json"
expect_error 413 body_too_large
ok "allowed address, body too large: 413"
