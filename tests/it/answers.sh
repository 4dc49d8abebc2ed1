#!/bin/sh
# ekahook(8) "Requests" through lighttpd mod_fastcgi: the method rows
# (405, GET and HEAD health), the media type (415), the size limit (413)
# and the plain accepted answer (200).
. "$TESTLIB"
umask 022

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc"
write_conf "$CONF" <<EOF
log_file = events.ndjson
reject_file = rejected.ndjson
max_body_bytes = 4096
EOF
start_lighttpd fastcgi "$CONF"
EVENTS="$T/etc/events.ndjson"
REJECTS="$T/etc/rejected.ndjson"

# --- 405: anything but POST, GET and HEAD, answered before the body.
for method in PUT DELETE OPTIONS PATCH PROPFIND; do
	request "$method" "$URL" -H 'Content-Type: application/json' \
	    --data-binary "@$SAMPLE"
	expect_error 405 method_not_allowed
	[ "$(header Allow)" = "POST, GET, HEAD" ] ||
		fail "$method: Allow is '$(header Allow)'"
done
ok "PUT DELETE OPTIONS PATCH PROPFIND: 405 with Allow: POST, GET, HEAD"
[ "$(lines "$EVENTS")" = 0 ] && [ "$(lines "$REJECTS")" = 0 ] ||
	fail "a 405 left a line in a log"
ok "405 is neither logged nor kept in reject_file"

# --- GET and HEAD: health.
request GET "$URL"
expect_status 200
[ "$(header Content-Type)" = application/json ] ||
	fail "health Content-Type: $(header Content-Type)"
printf '%s' "$BODY" | grep -Eqx \
    '\{"ok":true,"service":"ekahook","version":"[^"]+"\}' ||
	fail "health answer: $BODY"
version=$(jq -r .version "$T/resp.body")
ok "GET: 200 $BODY"

hstatus=$(curl -s --head -o "$T/head.out" -D "$T/head.hdr" \
    -w '%{http_code} %{size_download}' --max-time 10 "$URL")
[ "$hstatus" = "200 0" ] || fail "HEAD: status and body size '$hstatus'"
tr -d '\r' <"$T/head.hdr" | grep -qix 'content-type: application/json' ||
	fail "HEAD: no Content-Type: application/json"
# HEAD announces the length GET would send, and sends nothing.
len=$(tr -d '\r' <"$T/head.hdr" | awk -F': ' 'tolower($1) == "content-length" { print $2 }')
[ "$len" = "$(printf '{"ok":true,"service":"ekahook","version":"%s"}\n' "$version" | wc -c)" ] ||
	fail "HEAD: Content-Length '$len'"
ok "HEAD: 200 without a body"

# --- 415: Content-Type must be application/json.
request POST "$URL" -H 'Content-Type:' --data-binary "@$SAMPLE"
expect_error 415 unsupported_media_type
ok "no Content-Type: 415"
for ct in text/plain application/jsonx 'application/x-www-form-urlencoded' \
    'text/json'; do
	request POST "$URL" -H "Content-Type: $ct" --data-binary "@$SAMPLE"
	expect_error 415 unsupported_media_type
done
ok "text/plain, application/jsonx, form, text/json: 415"
[ "$(lines "$EVENTS")" = 0 ] || fail "a 415 reached the events log"

# Parameters and case are allowed; each body differs, so none is a
# duplicate of another.
n=0
for ct in 'application/json; charset=utf-8' 'Application/JSON' \
    'application/json;charset=UTF-8'; do
	n=$((n + 1))
	jq -c ".data.partner_meta.visit_id = \"CT-$n\"" "$SAMPLE" >"$T/ct.json"
	request POST "$URL" -H "Content-Type: $ct" --data-binary "@$T/ct.json"
	expect_accepted false
done
[ "$(lines "$EVENTS")" = 3 ] || fail "expected 3 logged events"
ok "application/json; charset=utf-8 and Application/JSON: 200"

# --- 413: CONTENT_LENGTH over max_body_bytes (4096 here).
head -c 5000 /dev/zero | tr '\0' ' ' >"$T/big.json"
printf '{}' >>"$T/big.json"
request POST "$URL" -H 'Content-Type: application/json' \
    --data-binary "@$T/big.json"
expect_error 413 body_too_large
# One byte under the limit is read and judged as JSON (not an object).
head -c 4094 /dev/zero | tr '\0' ' ' >"$T/edge.json"
printf '[]' >>"$T/edge.json"
request POST "$URL" -H 'Content-Type: application/json' \
    --data-binary "@$T/edge.json"
expect_error 400 not_an_object
ok "5002 bytes: 413; 4096 bytes: read and judged"

# The 413's reject line has neither body nor body_sha256.
line=$(grep '"status":413' "$REJECTS") || fail "no reject line for the 413"
[ "$(printf '%s' "$line" | jq -c '[keys_unsorted, .error, .body_bytes]')" = \
    '[["received_at","request_id","remote_addr","status","error","details","body_bytes"],"body_too_large",5002]' ] ||
	fail "413 reject line: $line"
ok "413 reject line: no body, no body_sha256, body_bytes 5002"

# --- 200: the plain answer, the request id of the log line.
request POST "$URL" -H 'Content-Type: application/json' \
    --data-binary "@$SAMPLE"
expect_accepted false
[ "$(last_line "$EVENTS" | jq -r .request_id)" = "$REQUEST_ID" ] ||
	fail "the logged request_id is not the answered one"
[ "$(header Cache-Control)" = no-store ] ||
	fail "200 Cache-Control: $(header Cache-Control)"
ok "POST sample: 200 $BODY"
