#!/bin/sh
# Eka Care's whole webhook catalogue through lighttpd mod_fastcgi
# (ekahook(8) "Events"): every example of its webhook reference passes
# strict, every published sample passes relaxed; each shipped schema
# holds its required fields and types; unknown statuses and events are
# noted (or refused with unknown_events = reject); hostile event names
# are refused; schema_dir overrides and adds schemas without a restart,
# and a broken schema file is a configuration error until it is fixed.
. "$TESTLIB"
umask 022

EKA="$TOP_SRCDIR/tests/fixtures/eka"
SCHEMAS="$TOP_SRCDIR/schemas"
CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc/mine" "$T/b"
write_conf "$CONF" <<EOF
dedupe_window = 0
schema_dir = mine
EOF
EVENTS="$T/etc/events.ndjson"
start_lighttpd fastcgi "$CONF"

# accepted FILE: 200, and the last line of the log holds it.
accepted() {
	post "$1"
	[ "$STATUS" = 200 ] || fail "$1: expected 200, got $STATUS: $BODY"
	expect_accepted false
	[ "$(last_line "$EVENTS" | jq -r .request_id)" = "$REQUEST_ID" ] ||
		fail "$1: not the last logged event"
}

# logged_event: the event of the last log line, its bytes as logged.
logged_event() {
	last_line "$EVENTS" | perl -ne 'print $1 if /^.*?,"event":(.*)\}$/'
}

# refused FILE FIELD PROBLEM: 422 with a detail {FIELD, PROBLEM}.
refused() {
	post "$1"
	expect_error 422 invalid_event
	jq -e --arg f "$2" --arg p "$3" \
	    'any(.details[]; .field == $f and .problem == $p)' \
	    "$T/resp.body" >/dev/null ||
		fail "$1: no detail {$2: $3}: $BODY"
}

# --- Every example of post_webhook.yaml, strict: 200 and no warning.
n=0
for f in "$EKA"/examples/*.json; do
	accepted "$f"
	[ "$(last_line "$EVENTS" | jq -c .warnings)" = '[]' ] ||
		fail "$f: warnings $(last_line "$EVENTS" | jq -c .warnings)"
	[ "$(logged_event)" = "$(minify "$f")" ] ||
		fail "$f: not logged as sent"
	n=$((n + 1))
done
[ "$n" -eq "$(ls "$SCHEMAS"/*.json | wc -l)" ] ||
	fail "$n examples for $(ls "$SCHEMAS"/*.json | wc -l) schemas"
ok "strict: each of Eka's $n documented events, as its reference shows it: 200, no warning"

# --- Each shipped schema: each required field removed in turn, then a
# wrong type (a string field of data given a number).
n=0
for s in "$SCHEMAS"/*.json; do
	ev=$(basename "$s" .json)
	ex="$EKA/examples/$ev.json"
	jq -r 'def req($p): ((.required // [])[] | $p + [.]),
	    ((.properties // {}) | to_entries[] | .key as $k |
	     .value | req($p + [$k]));
	    [req([])][] | join(".")' "$s" >"$T/required"
	while read -r path; do
		jq --arg p "$path" 'delpaths([$p | split(".")])' "$ex" \
		    >"$T/b/missing"
		refused "$T/b/missing" "$path" "is required"
		n=$((n + 1))
	done <"$T/required"
	field=$(jq -r '.properties.data.properties // {} | to_entries |
	    map(select(.value.type == "string")) | .[0].key // empty' "$s")
	[ -n "$field" ] || continue
	jq --arg f "$field" '.data[$f] = 12345' "$ex" >"$T/b/wrong"
	refused "$T/b/wrong" "data.$field" "must be a string"
done
[ "$n" -gt 100 ] || fail "only $n required fields tried"
ok "every shipped schema: each of $n required fields removed, a wrong type: 422 naming the field"

# --- Statuses Eka documents are known; others are noted, never refused.
jq '.data.status = "CND"' "$EKA/examples/appointment.statuschange.json" \
    >"$T/b/cnd"
accepted "$T/b/cnd"
[ "$(last_line "$EVENTS" | jq -c .warnings)" = '[]' ] ||
	fail "CND: $(last_line "$EVENTS")"
jq '.data.status = "ZZ"' "$EKA/examples/appointment.statuschange.json" \
    >"$T/b/zz"
accepted "$T/b/zz"
[ "$(last_line "$EVENTS" | jq -c .warnings)" = \
    '[{"field":"data.status","problem":"unknown status value"}]' ] ||
	fail "ZZ: $(last_line "$EVENTS")"
ok "appointment.statuschange: CND known; ZZ: 200 with a warning"

# --- An event with no schema: noted, or refused when so configured.
printf '{"event":"lab_report.created","data":{"id":"r-1"}}' >"$T/b/unknown"
accepted "$T/b/unknown"
[ "$(last_line "$EVENTS" | jq -c .warnings)" = \
    '[{"field":"event","problem":"has no schema"}]' ] ||
	fail "unknown event: $(last_line "$EVENTS")"
write_conf "$CONF" <<EOF
dedupe_window = 0
schema_dir = mine
unknown_events = reject
EOF
refused "$T/b/unknown" event "has no schema"
accepted "$EKA/examples/appointment.created.json"
ok "an event without a schema: 200 with the warning; unknown_events = reject: 422"

# --- Names reach file names and a hook's argv[1].
long=$(printf '%0129d' 0)
for name in ../../etc/passwd ../appointment.created .hidden -rf _x a/b \
    'a b' "$long" '' 'appointment.created\n'; do
	printf '{"event":"%s","data":{}}' "$name" >"$T/b/hostile"
	post "$T/b/hostile"
	expect_error 422 invalid_event
	[ "$(json '[.details[].field]')" = '["event"]' ] ||
		fail "name '$name': $BODY"
done
printf '{"event":"%0128d","data":{}}' 0 >"$T/b/long_ok"
post "$T/b/long_ok"
expect_error 422 invalid_event
json '.details[] | select(.field == "event") | .problem' |
    grep -q 'has no schema' || fail "a 128-byte name is not a name: $BODY"
ok "event names with / .. a leading - . or _, a blank, 129 bytes: 422 on event"

# --- schema_dir: an override and a new event, without a restart.
jq '.properties.data.required += ["visit_type"]' \
    "$SCHEMAS/appointment.created.json" >"$T/etc/mine/appointment.created.json"
refused "$EKA/examples/appointment.created.json" data.visit_type "is required"
rm "$T/etc/mine/appointment.created.json"
accepted "$EKA/examples/appointment.created.json"
printf '{"type":"object","required":["event","data"],"properties":{"data":{"type":"object","required":["report_id"],"properties":{"report_id":{"type":"string"}}}}}\n' \
    >"$T/etc/mine/lab_report.created.json"
refused "$T/b/unknown" data.report_id "is required"
printf '{"event":"lab_report.created","data":{"report_id":"r-1"}}' \
    >"$T/b/lab_report"
accepted "$T/b/lab_report"
[ "$(last_line "$EVENTS" | jq -c .warnings)" = '[]' ] ||
	fail "lab_report.created: $(last_line "$EVENTS")"
ok "schema_dir: an override takes effect and goes; a new event gets a schema, no restart"

# --- A broken schema: every request is a configuration error until fixed.
printf '{"type":"object","patternProperties":{}}\n' \
    >"$T/etc/mine/lab_report.created.json"
post "$EKA/examples/appointment.created.json"
expect_error 500 config_error
request GET "$URL"
expect_error 500 config_error
wait_for 10 grep -q "lab_report.created.json: keyword \"patternProperties\" is not supported" \
    "$LIGHTTPD_ERRLOG" || fail "no stderr line: $(cat "$LIGHTTPD_ERRLOG")"
printf '{"type":\n' >"$T/etc/mine/broken.json"
rm "$T/etc/mine/lab_report.created.json"
post "$EKA/examples/appointment.created.json"
expect_error 500 config_error
wait_for 10 grep -q "broken.json: not valid JSON" "$LIGHTTPD_ERRLOG" ||
	fail "no stderr line: $(cat "$LIGHTTPD_ERRLOG")"
rm "$T/etc/mine/broken.json"
accepted "$EKA/examples/appointment.created.json"
ok "a schema with an unsupported keyword, one not JSON: 500 config_error named on stderr; fixed: 200"

# --- Eka's published samples, relaxed: 200.
write_conf "$CONF" <<EOF
dedupe_window = 0
validation = relaxed
EOF
for f in "$EKA"/samples/*.json; do
	accepted "$f"
	[ "$(logged_event)" = "$(minify "$f")" ] ||
		fail "$f: not logged as sent"
done
# The EkaScribe sample is wrapped: judged by its payload, logged whole.
[ "$(last_line "$EVENTS" | jq -c .warnings)" = \
    '[{"field":"event","problem":"has no schema"}]' ] ||
	fail "v2rx.completed: $(last_line "$EVENTS")"
jq '.data.receipt_id = 2579' "$EKA/samples/receipt.created.json" >"$T/b/r"
accepted "$T/b/r"
jq '.data.net_amount = "750"' "$EKA/samples/receipt.created.json" >"$T/b/r"
refused "$T/b/r" data.net_amount "must be a number"
jq '.payload.event = "../x"' "$EKA/samples/v2rx.completed.json" >"$T/b/w"
refused "$T/b/w" payload.event \
    "must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit"
ok "relaxed: each of Eka's $(ls "$EKA"/samples/*.json | wc -l) samples: 200; types still checked; a wrapped event's name from its payload"
