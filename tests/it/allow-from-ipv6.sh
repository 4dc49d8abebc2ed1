#!/bin/sh
# ekahook(8) "Requests" 403 through lighttpd mod_fastcgi, IPv6: lighttpd also
# listens on [::1]; allow_from ranges are judged on REMOTE_ADDR "::1".
. "$TESTLIB"
umask 022

perl -MIO::Socket::IP -e 'IO::Socket::IP->new(LocalHost => "::1",
    LocalPort => 0, Listen => 1) or exit 1' 2>/dev/null ||
	skip "no IPv6 loopback address on this machine"

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc"
conf_allow() {
	write_conf "$CONF" <<EOF
allow_from = $1
EOF
}
EVENTS="$T/etc/events.ndjson"
conf_allow "2001:db8::/32"
V6PORT=$(free_port)
LIGHTTPD_EXTRA_CONF="\$SERVER[\"socket\"] == \"[::1]:$V6PORT\" { }"
start_lighttpd fastcgi "$CONF"
URL6="http://[::1]:$V6PORT/eka/webhook"
post6() {
	request POST "$URL6" -H 'Content-Type: application/json' \
	    --data-binary "@$1"
}

# --- Refused.
for allow in "2001:db8::/32" "::2/128" "127.0.0.0/8" "fe80::/10, 10.0.0.0/8"; do
	conf_allow "$allow"
	post6 "$SAMPLE"
	expect_error 403 address_not_allowed
done
ok "from ::1, allow_from 2001:db8::/32, ::2/128, 127.0.0.0/8, a list: 403"
request GET "$URL6"
expect_status 200
ok "GET health over IPv6 with allow_from excluding ::1: 200"
[ "$(lines "$EVENTS")" = 0 ] || fail "a 403 reached the events log"

# --- Allowed.
n=0
for allow in "::1/128" "::1" "::/0" "2001:db8::/32, ::1" "0:0:0:0:0:0:0:1/128"; do
	n=$((n + 1))
	conf_allow "$allow"
	jq -c ".data.partner_meta.visit_id = \"V6-$n\"" "$SAMPLE" >"$T/ev.json"
	post6 "$T/ev.json"
	expect_accepted false
	[ "$(last_line "$EVENTS" | jq -r .remote_addr)" = "::1" ] ||
		fail "remote_addr in the log: $(last_line "$EVENTS")"
done
ok "from ::1, allow_from ::1/128, ::1, ::/0, a list, the long form: 200, remote_addr ::1"

# The IPv4 listener at the same time: ::1/128 does not hold 127.0.0.1.
conf_allow "::1/128"
post "$SAMPLE"
expect_error 403 address_not_allowed
ok "from 127.0.0.1 with allow_from ::1/128: 403"
