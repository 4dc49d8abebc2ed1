#!/bin/sh
# ekahook(8) "Requests" 400 through lighttpd mod_fastcgi: the body must be one
# JSON value in UTF-8 (invalid_json), with no repeated key in an object
# (duplicate_key), an object at the top (not_an_object), and at most 64
# nested objects and arrays (too_deep).  Each rejection is kept in
# reject_file with the body's exact bytes.
. "$TESTLIB"
umask 022

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc" "$T/b"
write_conf "$CONF" <<EOF
# the defaults, spelt out
max_body_bytes = 65536
reject_file = rejected.ndjson
EOF
EVENTS="$T/etc/events.ndjson"
REJECTS="$T/etc/rejected.ndjson"
start_lighttpd fastcgi "$CONF"

# body NAME FORMAT: writes printf FORMAT (octal escapes for raw bytes)
# to $T/b/NAME.
body() {
	printf "$2" >"$T/b/$1"
}

# rejected STATUS CODE NAME...: each body answers STATUS CODE and leaves
# its reject line.
rejected() {
	rj_status=$1
	rj_code=$2
	shift 2
	for rj_name; do
		post "$T/b/$rj_name"
		[ "$STATUS" = "$rj_status" ] ||
			fail "$rj_name: expected $rj_status $rj_code, got $STATUS: $BODY"
		expect_error "$rj_status" "$rj_code"
		expect_reject_line "$REJECTS" "$rj_status" "$rj_code" "$T/b/$rj_name"
	done
}

# --- invalid_json
head -c 200 "$SAMPLE" >"$T/b/truncated"
{ cat "$SAMPLE"; printf 'x'; } >"$T/b/trailing_garbage"
body two_values '{"a":1}{"b":2}'
body invalid_utf8 '{"a":"caf\351"}'
body bare_ff '{"a":"\377"}'
body overlong_slash '{"a":"\300\257"}'
body utf8_surrogate '{"a":"\355\240\200"}'
body binary '\000\001\002\003\377\376'
body lone_high_surrogate '{"a":"\\ud800"}'
body lone_low_surrogate '{"a":"\\udc00x"}'
body high_then_high '{"a":"\\ud800\\ud800"}'
: >"$T/b/empty"
body whitespace_only ' \n\t '
body leading_zero '{"a":01}'
body leading_zero_neg '{"a":-01}'
body nan '{"a":NaN}'
body infinity '{"a":-Infinity}'
body dot_number '{"a":.5}'
body trailing_dot '{"a":1.}'
body single_quotes "{'a':1}"
body trailing_comma '{"a":1,}'
body comment '{"a":1 /* no */}'
body raw_tab_in_string '{"a":"x\ty"}'
body bad_escape '{"a":"\\x41"}'
body unclosed_string '{"a":"abc}'
rejected 400 invalid_json truncated trailing_garbage two_values \
    invalid_utf8 bare_ff overlong_slash utf8_surrogate binary \
    lone_high_surrogate lone_low_surrogate high_then_high empty \
    whitespace_only leading_zero leading_zero_neg nan infinity dot_number \
    trailing_dot single_quotes trailing_comma comment raw_tab_in_string \
    bad_escape unclosed_string
ok "invalid_json: truncated, trailing garbage, invalid UTF-8, binary, lone surrogates, empty, 01, NaN, and 14 more"

# A valid surrogate pair and raw UTF-8 (a noncharacter U+FFFE too) pass
# the JSON checks, then fail the schema: 422, kept as text, not base64.
body good_pair '{"a":"\\ud83d\\ude00 caf\303\251 \342\202\254 \357\277\276"}'
post "$T/b/good_pair"
expect_error 422 invalid_event
expect_reject_line "$REJECTS" 422 invalid_event "$T/b/good_pair"
grep -q '"body":' "$T/reject.line" || fail "a UTF-8 body kept as base64"
ok "a surrogate pair and raw UTF-8 are JSON: 422 from the schema"

# --- duplicate_key
body dup_top '{"a":1,"a":2}'
body dup_nested '{"b":{"a":1,"a":2}}'
body dup_in_array '{"b":[{"c":1},{"a":1,"b":0,"a":2}]}'
body dup_escaped '{"a":1,"\\u0061":2}'
body dup_escaped_utf8 '{"\303\251":1,"\\u00e9":2}'
body dup_values_differ '{"event":"x","data":{},"event":"y"}'
rejected 400 duplicate_key dup_top dup_nested dup_in_array dup_escaped \
    dup_escaped_utf8 dup_values_differ
ok "duplicate_key: top level, nested, in an array, \"a\" vs \"\\u0061\", \"é\" vs \"\\u00e9\""

# The same key in different objects, and keys differing in case, are fine.
body same_key_two_objects '{"a":1,"b":{"a":2},"c":[{"a":3}]}'
body case_differs '{"a":1,"A":2}'
for name in same_key_two_objects case_differs; do
	post "$T/b/$name"
	expect_error 422 invalid_event
done
ok "the same key in two objects, \"a\" and \"A\": not duplicate keys"

# --- not_an_object
body array '[]'
body array_of_object '[{"event":"appointment.created"}]'
body string '"appointment.created"'
body number '42'
body null 'null'
body true ' true '
rejected 400 not_an_object array array_of_object string number null true
ok "not_an_object: array, string, number, null, true"

# --- too_deep: the top-level object counts 1.
# nest N OPEN CLOSE: N levels of OPEN ... CLOSE.
nest() {
	perl -e 'print $ARGV[1] x $ARGV[0], "0", $ARGV[2] x $ARGV[0]' "$@"
}
# 65 levels: the top object and 64 arrays.
{ printf '{"a":'; nest 64 '[' ']'; printf '}'; } >"$T/b/depth65"
# 65 objects.
{ printf '{"a":'; nest 64 '{"a":' '}'; printf '}'; } >"$T/b/depth65_objects"
# Far deeper, balanced: must be refused, never crash a process.
{ printf '{"a":'; nest 30000 '[' ']'; printf '}'; } >"$T/b/depth30001"
rejected 400 too_deep depth65 depth65_objects depth30001
ok "too_deep: 65 levels (arrays, objects), 30001 levels"

# 64 levels pass the JSON checks: as the whole event they fail only
# the schema (422) ...
{ printf '{"a":'; nest 63 '[' ']'; printf '}'; } >"$T/b/depth64"
post "$T/b/depth64"
expect_error 422 invalid_event
# ... and inside data.partner_meta of a valid event (top, data,
# partner_meta, 61 arrays = 64) they are accepted and logged as sent.
nest 61 '[' ']' >"$T/deep.json"
jq -c --slurpfile deep "$T/deep.json" '.data.partner_meta.deep = $deep[0]' \
    "$SAMPLE" >"$T/b/event_depth64"
post "$T/b/event_depth64"
expect_accepted false
[ "$(last_line "$EVENTS" | jq -c .event)" = "$(cat "$T/b/event_depth64")" ] ||
	fail "the 64-level event is not logged as sent"
# One more level there is too deep.
nest 62 '[' ']' >"$T/deep.json"
jq -c --slurpfile deep "$T/deep.json" '.data.partner_meta.deep = $deep[0]' \
    "$SAMPLE" >"$T/b/event_depth65"
rejected 400 too_deep event_depth65
ok "64 levels: 422 alone, 200 inside a valid event; 65 there: 400 too_deep"

# Nothing rejected reached the events log; the one accepted did.
[ "$(lines "$EVENTS")" = 1 ] || fail "events log: $(lines "$EVENTS") lines, want 1"
"$EKAHOOKCTL" verify-log "$EVENTS" "$REJECTS" >/dev/null ||
	fail "verify-log found a bad line"
ok "rejected bodies never reach the events log; both logs verify"
