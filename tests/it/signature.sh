#!/bin/sh
# ekahook(8) "Signatures" through lighttpd mod_fastcgi: with a signing_key
# every POST must carry Eka-Webhook-Signature: t=<unix>,v1=<hex of
# HMAC-SHA256(key, t "." body)>; 401 signature_missing, _invalid and
# _expired; key rotation; several v1 entries; the tolerance; nothing of
# a 401 in log_file and never the key in any log.  Also ekahookctl send.
. "$TESTLIB"
umask 022

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc" "$T/b"
KEY="whsec-it-$$-9d1c7f3a"
OLD_KEY="whsec-it-$$-old-52b8"
conf_keys() {
	write_conf "$CONF" <<EOF
dedupe_window = 0
$1
EOF
}
conf_keys "signing_key = $KEY"
EVENTS="$T/etc/events.ndjson"
REJECTS="$T/etc/rejected.ndjson"
# Room for the 10 KB header (lighttpd's default limit is 8 KB in all).
LIGHTTPD_EXTRA_CONF='server.max-request-field-size = 65535'
start_lighttpd fastcgi "$CONF"
accepted=0

# sign KEY FILE [T]: the header value ekahookctl computes.
sign() {
	if [ $# -ge 3 ]; then
		"$EKAHOOKCTL" sign --key "$1" --time "$3" "$2"
	else
		"$EKAHOOKCTL" sign --key "$1" "$2"
	fi
}

# post_signed FILE VALUE: POSTs FILE with the header value.
post_signed() {
	post "$1" -H "Eka-Webhook-Signature: $2"
}

# refused FILE CODE VALUE: the answer is 401 CODE, kept without body.
refused() {
	if [ -n "$3" ]; then
		post_signed "$1" "$3"
	else
		post "$1"
	fi
	expect_error 401 "$2"
	expect_reject_line "$REJECTS" 401 "$2" "$1" sha
}

cp "$SAMPLE" "$T/b/sample.json"
now=$(date +%s)
good=$(sign "$KEY" "$T/b/sample.json")
printf '%s' "$good" | grep -Eqx 't=[0-9]+,v1=[0-9a-f]{64}' ||
	fail "ekahookctl sign printed '$good'"
hex=${good#*v1=}

# The HMAC, computed here independently of ekahookctl.
t=${good%%,*}
t=${t#t=}
[ "$hex" = "$( { printf '%s.' "$t"; cat "$T/b/sample.json"; } |
    perl -MDigest::SHA=hmac_sha256_hex -e 'local $/;
    print hmac_sha256_hex(scalar <STDIN>, $ARGV[0])' "$KEY")" ] ||
	fail "ekahookctl sign is not HMAC-SHA256(key, t.body)"
ok "ekahookctl sign: t=<now>,v1=HMAC-SHA256(key, \"t.\" body)"

# --- Missing.
refused "$T/b/sample.json" signature_missing ""
ok "no header: 401 signature_missing"

# --- Malformed: all signature_invalid.
long=$(head -c 5000 /dev/zero | od -An -tx1 -v | tr -d ' \n')
for value in "hello" "v1=$hex" "t=$now" "t=$now,v1=" "t=,v1=$hex" \
    "t=abc,v1=$hex" "t=$now,v1=$(printf '%s' "$hex" | tr '0-9a-f' 'g-p')" \
    "t=$now,v1=${hex%??}" "t=$now,v1=${hex}00" "t=$now;v1=$hex" \
    "t=$now,v1=$long" "t=$now,t=$now,v1=$hex"; do
	refused "$T/b/sample.json" signature_invalid "$value"
done
ok "garbage, no t=, no v1=, empty, non-numeric t, non-hex, 62 and 66 hex, ';', 10 KB, two t=: 401 signature_invalid"

# --- The right key: 200, logged as verified.
post_signed "$T/b/sample.json" "$good"
expect_accepted false
accepted=$((accepted + 1))
last_line "$EVENTS" | jq -e '.signature == "verified"' >/dev/null ||
	fail "not logged as verified: $(last_line "$EVENTS")"
# Upper-case hex and blanks after the comma are the same signature.
post_signed "$T/b/sample.json" "${good%%,*}, v1=$(printf '%s' "$hex" | tr a-f A-F)"
expect_accepted false
accepted=$((accepted + 1))
ok "the right key: 200, \"signature\":\"verified\" in the log line"

# --- A wrong key, a body changed by one byte.
refused "$T/b/sample.json" signature_invalid "$(sign "$OLD_KEY" "$T/b/sample.json")"
sed 's/"V-12345"/"V-12346"/' "$T/b/sample.json" >"$T/b/altered.json"
cmp -s "$T/b/sample.json" "$T/b/altered.json" && fail "the body was not altered"
[ "$(wc -c <"$T/b/sample.json")" = "$(wc -c <"$T/b/altered.json")" ] || fail "sizes differ"
refused "$T/b/altered.json" signature_invalid "$good"
ok "another key, a body altered by one byte: 401 signature_invalid"

# --- Several v1 entries: any match is enough.
wrong=$(sign "$OLD_KEY" "$T/b/sample.json")
post_signed "$T/b/sample.json" "${good%%,*},v1=${wrong#*v1=},v1=$hex"
expect_accepted false
accepted=$((accepted + 1))
post_signed "$T/b/sample.json" "${good%%,*},v1=$hex,v1=${wrong#*v1=}"
expect_accepted false
accepted=$((accepted + 1))
# Other schemes are ignored.
post_signed "$T/b/sample.json" "${good%%,*},v0=abc,v1=$hex"
expect_accepted false
accepted=$((accepted + 1))
ok "two v1 entries, the second (or first) right: 200; a v0 entry is ignored"

# --- Key rotation: two signing_key lines, either may match.
conf_keys "signing_key = $OLD_KEY
signing_key = $KEY"
post_signed "$T/b/sample.json" "$(sign "$KEY" "$T/b/sample.json")"
expect_accepted false
accepted=$((accepted + 1))
post_signed "$T/b/sample.json" "$(sign "$OLD_KEY" "$T/b/sample.json")"
expect_accepted false
accepted=$((accepted + 1))
refused "$T/b/sample.json" signature_invalid "$(sign "whsec-other" "$T/b/sample.json")"
refused "$T/b/sample.json" signature_missing ""
ok "two signing_key lines: the second key 200, the first 200, a third 401"

# --- Time: |now - t| <= signature_tolerance (default 180).
now=$(date +%s)
post_signed "$T/b/sample.json" "$(sign "$KEY" "$T/b/sample.json" $((now - 120)))"
expect_accepted false
accepted=$((accepted + 1))
post_signed "$T/b/sample.json" "$(sign "$KEY" "$T/b/sample.json" $((now + 120)))"
expect_accepted false
accepted=$((accepted + 1))
refused "$T/b/sample.json" signature_expired "$(sign "$KEY" "$T/b/sample.json" $((now - 600)))"
refused "$T/b/sample.json" signature_expired "$(sign "$KEY" "$T/b/sample.json" $((now + 600)))"
refused "$T/b/sample.json" signature_expired "$(sign "$KEY" "$T/b/sample.json" 1000000000)"
# Expired is only said of a right signature.
refused "$T/b/sample.json" signature_invalid "$(sign "$OLD_KEY-x" "$T/b/sample.json" 1000000000)"
ok "t 120 s old or ahead: 200; 600 s old or ahead, 2001: signature_expired; a wrong old one: invalid"

conf_keys "signing_key = $KEY
signature_tolerance = 10"
refused "$T/b/sample.json" signature_expired "$(sign "$KEY" "$T/b/sample.json" $((now - 120)))"
conf_keys "signing_key = $KEY
signature_tolerance = 0"
post_signed "$T/b/sample.json" "$(sign "$KEY" "$T/b/sample.json" 1000000000)"
expect_accepted false
accepted=$((accepted + 1))
post_signed "$T/b/sample.json" "$(sign "$KEY" "$T/b/sample.json" $((now + 86400 * 365)))"
expect_accepted false
accepted=$((accepted + 1))
ok "signature_tolerance = 10: 120 s expired; = 0: a t from 2001 or next year is accepted"

# --- The signature is checked on the raw bytes, before JSON: a signed
# bad body is 400, an unsigned one 401.
printf '{"a":' >"$T/b/cut.json"
refused "$T/b/cut.json" signature_missing ""
post_signed "$T/b/cut.json" "$(sign "$KEY" "$T/b/cut.json")"
expect_error 400 invalid_json
ok "an unsigned bad body: 401; signed: 400 invalid_json"

# --- ekahookctl send: default body (the sample), prints status, answer.
# Built without libcurl (configure --without-curl), it says so and fails.
if [ "${WITH_LIBCURL:-yes}" = no ]; then
	set +e
	out=$("$EKAHOOKCTL" send "$URL" --key "$KEY" 2>&1)
	rc=$?
	set -e
	[ $rc -ne 0 ] || fail "send without libcurl exited 0"
	case $out in
	*"built without libcurl"*) ;;
	*) fail "send without libcurl printed: $out" ;;
	esac
	ok "ekahookctl send, built without libcurl: says so, exit $rc"
else
	out=$("$EKAHOOKCTL" send "$URL" --key "$KEY") || fail "ekahookctl send exited $?: $out"
	accepted=$((accepted + 1))
	[ "$(printf '%s\n' "$out" | head -n 1)" = 200 ] || fail "send printed: $out"
	printf '%s\n' "$out" | sed -n 2p | jq -e '.ok == true and .duplicate == false' >/dev/null ||
		fail "send printed: $out"
	[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] || fail "send printed: $out"
	[ "$(last_line "$EVENTS" | jq -c .event)" = "$(minify "$SAMPLE")" ] ||
		fail "send did not post the sample"
	[ "$(last_line "$EVENTS" | jq -r .request_id)" = \
	    "$(printf '%s\n' "$out" | sed -n 2p | jq -r .request_id)" ] ||
		fail "send's answer is not the logged event"
	set +e
	out=$("$EKAHOOKCTL" send "$URL" --key "$OLD_KEY" "$T/b/sample.json")
	rc=$?
	set -e
	[ $rc -ne 0 ] || fail "send with a wrong key exited 0"
	[ "$(printf '%s\n' "$out" | head -n 1)" = 401 ] || fail "send with a wrong key printed: $out"
	ok "ekahookctl send URL --key K: prints 200 and the answer, exit 0; a wrong key: 401, exit $rc"
fi

# --- Nothing of a 401 in log_file; the key in no log.
[ "$(lines "$EVENTS")" = "$accepted" ] ||
	fail "log_file has $(lines "$EVENTS") lines for $accepted accepted events"
[ "$(jq -r .signature "$EVENTS" | sort -u)" = verified ] ||
	fail "a logged event is not verified"
jq -e 'select(.status == 401) | has("body")' "$REJECTS" | grep -q true &&
	fail "a 401 reject line has a body"
for k in "$KEY" "$OLD_KEY"; do
	grep -rlF -e "$k" "$T/etc" "$LIGHTTPD_ERRLOG" "$T/lighttpd" --exclude=ekahook.conf &&
		fail "the signing key is in a log"
done
"$EKAHOOKCTL" verify-log "$EVENTS" "$REJECTS" >/dev/null || fail "verify-log"
ok "log_file holds only the $accepted accepted events; no key in any log"
