#!/bin/sh
# ekahook(8) "Requests" and "Logs" once through plain CGI (lighttpd
# mod_cgi, one process per request): the main rows of the table and the
# log lines.
. "$TESTLIB"
umask 022

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc" "$T/b"
conf_base='max_body_bytes = 4096'
write_conf "$CONF" <<EOF
$conf_base
EOF
EVENTS="$T/etc/events.ndjson"
REJECTS="$T/etc/rejected.ndjson"
start_lighttpd cgi "$CONF"

# --- Health, methods.
request GET "$URL"
expect_status 200
printf '%s' "$BODY" | grep -Eqx \
    '\{"ok":true,"service":"ekahook","version":"[^"]+"\}' ||
	fail "health answer: $BODY"
hstatus=$(curl -s --head -o /dev/null -w '%{http_code} %{size_download}' \
    --max-time 10 "$URL")
[ "$hstatus" = "200 0" ] || fail "HEAD: '$hstatus'"
request GET "$URL?a+b+c"
expect_status 200
ok "GET and HEAD health (a query string too)"
for method in PUT DELETE OPTIONS; do
	request "$method" "$URL"
	expect_error 405 method_not_allowed
	[ "$(header Allow)" = "POST, GET, HEAD" ] || fail "$method: Allow '$(header Allow)'"
done
ok "PUT DELETE OPTIONS: 405 with Allow"

# --- 200, logged byte for byte; then the duplicate.
post "$SAMPLE"
expect_accepted false
{
	printf '{"received_at":"%s","request_id":"%s","remote_addr":"127.0.0.1",' \
	    "$(last_line "$EVENTS" | jq -r .received_at)" "$REQUEST_ID"
	printf '"signature":"unsigned","duplicate":false,"warnings":[],"event":'
	minify "$SAMPLE"
	printf '}\n'
} >"$T/want.line"
tail -n 1 "$EVENTS" | cmp -s "$T/want.line" - ||
	fail "accepted line differs: $(tail -n 1 "$EVENTS")"
[ "$(stat -c %a "$EVENTS")" = 640 ] || fail "events mode $(stat -c %a "$EVENTS")"
post "$SAMPLE"
expect_accepted true
last_line "$EVENTS" | jq -e '.duplicate == true' >/dev/null ||
	fail "the duplicate is not logged as one"
# A query string on a POST changes nothing either.
jq -c '.data.partner_meta.visit_id = "cgi-2"' "$SAMPLE" >"$T/b/second.json"
request POST "$URL?x+y" -H 'Content-Type: application/json' \
    --data-binary "@$T/b/second.json"
expect_accepted false
ok "200 with the line byte for byte (mode 0640); the same body again: duplicate"

# --- 415, 413, 400, 422 with their reject lines.
request POST "$URL" -H 'Content-Type: text/plain' --data-binary "@$SAMPLE"
expect_error 415 unsupported_media_type
expect_reject_line "$REJECTS" 415 unsupported_media_type "$SAMPLE"
head -c 5000 /dev/zero | tr '\0' ' ' >"$T/b/big.json"
post "$T/b/big.json"
expect_error 413 body_too_large
expect_reject_line "$REJECTS" 413 body_too_large "$T/b/big.json" none
printf '{"a":1,"a":2}' >"$T/b/dup.json"
post "$T/b/dup.json"
expect_error 400 duplicate_key
expect_reject_line "$REJECTS" 400 duplicate_key "$T/b/dup.json"
printf '{"a":"\377"' >"$T/b/bad.json"
post "$T/b/bad.json"
expect_error 400 invalid_json
expect_reject_line "$REJECTS" 400 invalid_json "$T/b/bad.json"
jq 'del(.client_id) | .data.sa_ids = 1' "$SAMPLE" >"$T/b/bad_event.json"
post "$T/b/bad_event.json"
expect_error 422 invalid_event
[ "$(json '[.details[].field] | sort')" = '["client_id","data.sa_ids"]' ] ||
	fail "422 details: $BODY"
expect_reject_line "$REJECTS" 422 invalid_event "$T/b/bad_event.json"
ok "415, 413, 400 (duplicate_key, invalid_json), 422 with their reject lines"

# --- 401 and a signed 200.
key="cgi-key-$$"
write_conf "$CONF" <<EOF
$conf_base
signing_key = $key
EOF
post "$SAMPLE"
expect_error 401 signature_missing
expect_reject_line "$REJECTS" 401 signature_missing "$SAMPLE" sha
jq -c '.data.partner_meta.visit_id = "cgi-signed"' "$SAMPLE" >"$T/b/signed.json"
post "$T/b/signed.json" -H "Eka-Webhook-Signature: $("$EKAHOOKCTL" sign --key "$key" "$T/b/signed.json")"
expect_accepted false
last_line "$EVENTS" | jq -e '.signature == "verified"' >/dev/null ||
	fail "signed event not logged as verified"
ok "401 signature_missing; signed: 200, logged verified"

# --- 403.
write_conf "$CONF" <<EOF
$conf_base
allow_from = 192.0.2.1
EOF
post "$SAMPLE"
expect_error 403 address_not_allowed
ok "403 address_not_allowed"

# --- 500 config_error, named on the error log.
write_conf "$CONF" <<EOF
$conf_base
bogus_key = 1
EOF
request GET "$URL"
expect_error 500 config_error
post "$SAMPLE"
expect_error 500 config_error
grep -F "$CONF" "$LIGHTTPD_ERRLOG" | grep -F ':2' | grep -qF bogus_key ||
	fail "no error log line naming $CONF, line 2 and bogus_key"
ok "500 config_error; the file, line and key on the error log"

# --- 503 when the log directory is missing.
write_conf "$CONF" <<EOF
$conf_base
log_file = missing/events.ndjson
EOF
request GET "$URL"
expect_error 503 storage_unavailable
[ "$(header Retry-After)" = 60 ] || fail "no Retry-After: 60"
jq -c '.data.partner_meta.visit_id = "cgi-503"' "$SAMPLE" >"$T/b/s503.json"
post "$T/b/s503.json"
expect_error 503 storage_unavailable
[ "$(header Retry-After)" = 60 ] || fail "no Retry-After: 60"
ok "missing log directory: GET and POST 503 with Retry-After: 60"

"$EKAHOOKCTL" verify-log "$EVENTS" "$REJECTS" >/dev/null || fail "verify-log"
[ "$(lines "$EVENTS")" = 4 ] || fail "expected 4 logged events, got $(lines "$EVENTS")"
