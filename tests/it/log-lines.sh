#!/bin/sh
# ekahook(8) "Logs" through lighttpd mod_fastcgi: the accepted line byte
# for byte (fields in order, the event minified with every other byte
# kept), the request id (the answer's, unique across processes and
# restarts), the time format, file modes, and the reject lines.
. "$TESTLIB"
umask 022

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc" "$T/b"
conf_base='max_body_bytes = 2048
dedupe_window = 0'
write_conf "$CONF" <<EOF
$conf_base
EOF
EVENTS="$T/etc/events.ndjson"
REJECTS="$T/etc/rejected.ndjson"
start_lighttpd fastcgi "$CONF" 4
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'

# --- The accepted line, byte for byte.  Odd number texts, escapes, raw
# UTF-8, odd key order and odd blanks (tabs, CRLF) sit in partner_meta so
# the strict schema still passes.
printf '%s\r\n' \
    '{  "service" : "appointment" ,' \
    '	"event":"appointment.created", "transaction_id":"t-1",' \
    '"event_time" :1763929242123,"timestamp":"2026-11-23T20:20:42.123Z",' \
    '"client_id":"c","business_id":"b",' \
    '  "data" : { "appointment_id":"a","partner_appointment_id":"pa",' \
    '"doctor_id":"d","partner_doctor_id":"pd","patient_id":"p",' \
    '"partner_patient_id":"pp","clinic_id":"cl","partner_clinic_id":"pcl",' \
    '"status":"BK","action":"created","created_at":1763929242,' \
    '"modified_at":"2026-11-23T20:20:42+05:30","sa_ids":[ ],' \
    '"partner_meta": { "zeta" : 1.50 , "alpha":1E+2, "neg_zero":-0,' \
    '  "big":123456789012345678901234567890, "small":-1.0e-300,' \
    '  "esc":"a\/b \u00e9 \u00E9 \"q\" \\ \t \ud83d\ude00",' \
    '  "raw":"café € 😀 ü", "spaces in string":"  a  b  ",' \
    '  "arr":[ 1 , 2.0e-3 , true , false , null , { } , [ ] ],' \
    '  "zeta2":{"b":1,"a":2}, "é":"key in UTF-8" } } }' >"$T/b/odd.json"
post "$T/b/odd.json"
expect_accepted false
line=$(last_line "$EVENTS")
received_at=$(printf '%s' "$line" | jq -r .received_at)
printf '%s' "$received_at" | grep -Eq "$TIME_RE" ||
	fail "received_at '$received_at'"
{
	printf '{"received_at":"%s","request_id":"%s","remote_addr":"127.0.0.1",' \
	    "$received_at" "$REQUEST_ID"
	printf '"signature":"unsigned","duplicate":false,"warnings":[],"event":'
	minify "$T/b/odd.json"
	printf '}\n'
} >"$T/want.line"
tail -n 1 "$EVENTS" >"$T/got.line"
cmp -s "$T/want.line" "$T/got.line" ||
	fail "accepted line differs:
want: $(cat "$T/want.line")
got:  $(cat "$T/got.line")"
# The minified event still means the body.
[ "$(jq -S .event "$T/got.line")" = "$(jq -S . "$T/b/odd.json")" ] ||
	fail "the logged event does not parse to the body"
ok "accepted line byte for byte: field order, number texts, escapes, key order"

# The sample, through the same check.
cp "$SAMPLE" "$T/b/sample.json"
post "$T/b/sample.json"
expect_accepted false
{
	printf '{"received_at":"%s","request_id":"%s","remote_addr":"127.0.0.1",' \
	    "$(last_line "$EVENTS" | jq -r .received_at)" "$REQUEST_ID"
	printf '"signature":"unsigned","duplicate":false,"warnings":[],"event":'
	minify "$SAMPLE"
	printf '}\n'
} >"$T/want.line"
tail -n 1 "$EVENTS" | cmp -s "$T/want.line" - ||
	fail "sample line differs: $(tail -n 1 "$EVENTS")"
ok "the sample's line byte for byte"

# --- Modes: files 0640 under umask 022, state_dir 0750 (made by the
# health check at the latest).
request GET "$URL"
expect_status 200
[ "$(stat -c %a "$EVENTS")" = 640 ] || fail "events mode $(stat -c %a "$EVENTS")"
[ "$(stat -c %a "$T/etc/state")" = 750 ] ||
	fail "state_dir mode $(stat -c %a "$T/etc/state")"

# --- Reject lines: 415, 413, 400, 422, each with the body's bytes.
printf 'not json at all' >"$T/b/text.txt"
request POST "$URL" -H 'Content-Type: text/plain' --data-binary "@$T/b/text.txt"
expect_error 415 unsupported_media_type
expect_reject_line "$REJECTS" 415 unsupported_media_type "$T/b/text.txt"
[ "$(stat -c %a "$REJECTS")" = 640 ] || fail "rejects mode $(stat -c %a "$REJECTS")"
ok "events and rejects created 0640, state_dir 0750 (umask 022)"

head -c 3000 /dev/zero | tr '\0' ' ' >"$T/b/big.json"
post "$T/b/big.json"
expect_error 413 body_too_large
expect_reject_line "$REJECTS" 413 body_too_large "$T/b/big.json" none

printf '{"a":"\\u00e9 \\/ \\"", "b":\t[1,\r\n2], "c":"caf\303\251 \342\202\254",' >"$T/b/cut.json"
post "$T/b/cut.json"
expect_error 400 invalid_json
expect_reject_line "$REJECTS" 400 invalid_json "$T/b/cut.json"

printf '{"a":"caf\351","b":"\000\001\377"}' >"$T/b/latin1.json"
post "$T/b/latin1.json"
expect_error 400 invalid_json
expect_reject_line "$REJECTS" 400 invalid_json "$T/b/latin1.json"
grep -q '"body_base64":' "$T/reject.line" || fail "no body_base64: $(cat "$T/reject.line")"

jq '.data.status = 1' "$SAMPLE" >"$T/b/status1.json"
post "$T/b/status1.json"
expect_error 422 invalid_event
expect_reject_line "$REJECTS" 422 invalid_event "$T/b/status1.json"
[ "$(jq -c .details "$T/reject.line")" = "$(json .details)" ] &&
    [ "$(json '.details | length')" = 1 ] ||
	fail "422 details: $(cat "$T/reject.line")"
ok "reject lines for 415, 413 (no body), 400 (text, base64), 422 (details)"

# 401 (a key set): body_sha256 but no body.
write_conf "$CONF" <<EOF
$conf_base
signing_key = k-$$-secret
EOF
post "$T/b/sample.json"
expect_error 401 signature_missing
expect_reject_line "$REJECTS" 401 signature_missing "$T/b/sample.json" sha
request POST "$URL" -H 'Content-Type: application/json' \
    -H 'Eka-Webhook-Signature: t=1,v1=00' --data-binary "@$T/b/sample.json"
expect_error 401 signature_invalid
expect_reject_line "$REJECTS" 401 signature_invalid "$T/b/sample.json" sha
ok "reject lines for 401: body_sha256, no body"

# --- 405 and 403 leave no reject line.
rejects_before=$(lines "$REJECTS")
write_conf "$CONF" <<EOF
$conf_base
allow_from = 192.0.2.0/24
EOF
request DELETE "$URL"
expect_error 405 method_not_allowed
post "$T/b/sample.json"
expect_error 403 address_not_allowed
[ "$(lines "$REJECTS")" = "$rejects_before" ] || fail "a 405 or 403 was kept"
ok "405 and 403: no reject line"

# --- reject_file = (empty): nothing kept, no file made.
write_conf "$CONF" <<EOF
$conf_base
reject_file =
EOF
sum_before=$(sha256sum <"$REJECTS")
ls "$T/etc" >"$T/ls.before"
for f in text.txt big.json cut.json status1.json; do
	request POST "$URL" -H 'Content-Type: application/json' --data-binary "@$T/b/$f"
	case $STATUS in 400|413|422) ;; *) fail "$f: $STATUS $BODY" ;; esac
done
request POST "$URL" -H 'Content-Type: text/plain' --data-binary "@$T/b/text.txt"
expect_error 415 unsupported_media_type
[ "$(sha256sum <"$REJECTS")" = "$sum_before" ] || fail "reject_file = still kept lines"
ls "$T/etc" | cmp -s "$T/ls.before" - || fail "reject_file = made a file: $(ls "$T/etc")"
ok "reject_file = (empty): 400, 413, 415, 422 kept nowhere"

# --- Request ids: the answer's, unique across 4 processes and a restart.
write_conf "$CONF" <<EOF
$conf_base
EOF
# ids_burst TAG: 104 requests, 4 at a time: 100 PUTs (405, each with a
# request id) and 4 accepted events (bodies differ).
ids_burst() {
	: >"$T/jobs"
	for i in $(seq 1 100); do
		echo PUT >>"$T/jobs"
	done
	for i in 1 2 3 4; do
		jq -c ".data.partner_meta.visit_id = \"$1-$i\"" "$SAMPLE" \
		    >"$T/b/$1-$i.json"
		echo "POST $T/b/$1-$i.json" >>"$T/jobs"
	done
	sort -R "$T/jobs" | xargs -P 4 -L 1 sh -c '
	    url=$0
	    if [ "$1" = PUT ]; then
		curl -s --max-time 30 -X PUT "$url"
	    else
		curl -s --max-time 30 -H "Content-Type: application/json" \
		    --data-binary "@$2" "$url"
	    fi' "$URL" >"$T/ids.$1"
}
ids_burst first
stop_lighttpd
start_lighttpd fastcgi "$CONF" 4
ids_burst second
cat "$T/ids.first" "$T/ids.second" | grep -v '^$' >"$T/answers"
[ "$(lines "$T/answers")" = 208 ] || fail "expected 208 answers, got $(lines "$T/answers")"
[ "$(jq -r .error "$T/answers" | sort | uniq -c | tr -s ' ')" = \
    "$(printf ' 200 method_not_allowed\n 8 null')" ] ||
	fail "expected 200 answers 405 and 8 accepted"
jq -r .request_id "$T/answers" | sort | uniq -d >"$T/dups"
[ ! -s "$T/dups" ] || fail "request ids repeated: $(head -3 "$T/dups")"
[ "$(jq -r 'select(.ok) | .request_id' "$T/answers" | sort)" = \
    "$(tail -n 8 "$EVENTS" | jq -r .request_id | sort)" ] ||
	fail "the accepted answers' ids are not the logged ones"
ok "208 answers, 4 at a time, max-procs 4, before and after a restart: unique request ids; the 8 logged are the answered"

# --- Every line of both files: received_at's form, remote_addr.
jq -r .received_at "$EVENTS" "$REJECTS" | grep -Evq "$TIME_RE" &&
	fail "a received_at not in the form 2026-11-23T20:20:42.123Z"
[ "$(jq -r .remote_addr "$EVENTS" "$REJECTS" | sort -u)" = 127.0.0.1 ] ||
	fail "remote_addr is not 127.0.0.1 everywhere"
"$EKAHOOKCTL" verify-log "$EVENTS" "$REJECTS" >/dev/null || fail "verify-log"
ok "every line: received_at YYYY-MM-DDTHH:MM:SS.mmmZ, remote_addr 127.0.0.1"

# --- A stricter umask narrows the mode.
stop_lighttpd
umask 077
write_conf "$CONF" <<EOF
$conf_base
log_file = events-077.ndjson
EOF
start_lighttpd fastcgi "$CONF"
post "$T/b/sample.json"
expect_accepted false
[ "$(stat -c %a "$T/etc/events-077.ndjson")" = 600 ] ||
	fail "under umask 077: mode $(stat -c %a "$T/etc/events-077.ndjson")"
ok "under umask 077 the log is created 0600"
