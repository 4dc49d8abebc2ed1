#!/bin/sh
# ekahook(8) "Validation", 422, through lighttpd mod_fastcgi: the strict
# schema with every problem in details, relaxed validation, integers
# judged on their text, unknown status/action as warnings, and \u0000 in
# strings.
. "$TESTLIB"
umask 022

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc" "$T/b"
write_conf "$CONF" <<EOF
validation = strict
dedupe_window = 0
EOF
EVENTS="$T/etc/events.ndjson"
REJECTS="$T/etc/rejected.ndjson"
start_lighttpd fastcgi "$CONF"
minify "$SAMPLE" >"$T/min.json"
grep -q '"event_time":1763929242123,' "$T/min.json" ||
	fail "the sample's event_time is not where this test expects it"

# with_text NAME FROM TO: the minified sample with the text FROM
# replaced by TO, in $T/b/NAME (number texts jq would rewrite).
with_text() {
	perl -pe 'BEGIN { ($f, $t) = splice(@ARGV, 0, 2) } s/\Q$f\E/$t/' \
	    "$2" "$3" "$T/min.json" >"$T/b/$1"
	cmp -s "$T/b/$1" "$T/min.json" && fail "with_text $1: nothing replaced"
	return 0
}

# invalid NAME FIELD...: the body answers 422 with exactly these fields
# in details, each {"field":…,"problem":"<text>"}, and its reject line
# holds the same details.
invalid() {
	iv_name=$1
	shift
	post "$T/b/$iv_name"
	[ "$STATUS" = 422 ] || fail "$iv_name: expected 422, got $STATUS: $BODY"
	expect_error 422 invalid_event
	iv_want=$(printf '%s\n' "$@" | jq -R . | jq -cs 'sort')
	[ "$(json '[.details[].field] | sort')" = "$iv_want" ] ||
		fail "$iv_name: details fields, want $iv_want: $BODY"
	json '.details | all(keys_unsorted == ["field", "problem"] and
	    (.problem | type == "string" and length > 0))' | grep -qx true ||
		fail "$iv_name: a details entry is not {field, problem}: $BODY"
	expect_reject_line "$REJECTS" 422 invalid_event "$T/b/$iv_name"
}

# accepted NAME: the body answers 200 and is the last logged event.
accepted() {
	post "$T/b/$1"
	[ "$STATUS" = 200 ] || fail "$1: expected 200, got $STATUS: $BODY"
	expect_accepted false
	[ "$(last_line "$EVENTS" | jq -r .request_id)" = "$REQUEST_ID" ] ||
		fail "$1: not the last logged event"
}

# --- Every problem found, not only the first.
jq 'del(.client_id) | .event_time = "soon" | .service = 7 |
    del(.data.doctor_id) | .data.status = 5 | .data.created_at = "yesterday" |
    .data.modified_at = 1.5 | .data.partner_meta = "x" |
    .data.sa_ids = ["sa-1", 2] | .data.custom_attributes.label = "x"' \
    "$SAMPLE" >"$T/b/many"
invalid many client_id event_time service data.doctor_id data.status \
    data.created_at data.modified_at data.partner_meta 'data.sa_ids[1]' \
    data.custom_attributes.label
ok "10 problems at once: all 10 in details, each {field, problem}"

printf '{}' >"$T/b/empty_object"
invalid empty_object event data
jq 'del(.data)' "$SAMPLE" >"$T/b/no_data"
invalid no_data data
jq '.data = []' "$SAMPLE" >"$T/b/data_array"
invalid data_array data
jq '.event = 1' "$SAMPLE" >"$T/b/event_number"
invalid event_number event
jq '.data = {}' "$SAMPLE" >"$T/b/data_empty"
invalid data_empty data.appointment_id data.partner_appointment_id \
    data.doctor_id data.partner_doctor_id data.patient_id \
    data.partner_patient_id data.clinic_id data.partner_clinic_id \
    data.status data.action data.created_at data.modified_at \
    data.partner_meta data.sa_ids
ok "{}, no data, data an array, event a number, data empty: each problem listed"

# Optional fields may be absent; events without a schema need only a
# name and data (ekahook.conf(5) unknown_events).
jq 'del(.service, .transaction_id, .data.custom_attributes)' "$SAMPLE" \
    >"$T/b/no_optional"
accepted no_optional
printf '{"event":"patient.created","data":{}}' >"$T/b/other_event"
accepted other_event
[ "$(last_line "$EVENTS" | jq -c .warnings)" = \
    '[{"field":"event","problem":"has no schema"}]' ] ||
	fail "an event without a schema is not noted: $(last_line "$EVENTS")"
printf '{"event":"patient.created","data":{},"event_time":"x","client_id":1}' \
    >"$T/b/other_event_types"
accepted other_event_types
printf '{"event":"patient.created","data":[]}' >"$T/b/other_event_data"
invalid other_event_data data
ok "optional fields absent: 200; events without a schema: name and data only, noted"

# --- Integers are judged on their text, never through a double.
with_text int_fraction '"event_time":1763929242123,' '"event_time":1.0,'
with_text int_exponent '"event_time":1763929242123,' '"event_time":1e3,'
with_text int_exponent_upper '"event_time":1763929242123,' '"event_time":1E3,'
with_text int_over '"event_time":1763929242123,' '"event_time":9223372036854775808,'
with_text int_under '"event_time":1763929242123,' '"event_time":-9223372036854775809,'
with_text int_huge '"event_time":1763929242123,' '"event_time":123456789012345678901234567890,'
with_text int_string '"event_time":1763929242123,' '"event_time":"1763929242123",'
with_text int_neg_zero_frac '"event_time":1763929242123,' '"event_time":-0.0,'
with_text int_zero_exp '"event_time":1763929242123,' '"event_time":0e0,'
for name in int_fraction int_exponent int_exponent_upper int_over int_under \
    int_huge int_string int_neg_zero_frac int_zero_exp; do
	invalid "$name" event_time
done
ok "event_time 1.0, 1e3, 1E3, 2^63, -2^63-1, 30 digits, a string, -0.0, 0e0: 422"

with_text int_min '"event_time":1763929242123,' '"event_time":-9223372036854775808,'
with_text int_max '"event_time":1763929242123,' '"event_time":9223372036854775807,'
with_text int_zero '"event_time":1763929242123,' '"event_time":0,'
with_text int_neg_zero '"event_time":1763929242123,' '"event_time":-0,'
for name in int_min int_max int_zero int_neg_zero; do
	accepted "$name"
	# Logged with the number's text as sent.
	last_line "$EVENTS" | grep -qF "$(grep -o '"event_time":[^,]*' "$T/b/$name")" ||
		fail "$name: event_time not logged as sent"
done
ok "event_time -9223372036854775808, 9223372036854775807, 0, -0: 200, logged as sent"

# Times: integers or RFC 3339 date-times.
with_text time_offset '"timestamp":"2026-11-23T20:20:42.123Z"' \
    '"timestamp":"2026-11-23T20:20:42.123456+05:30"'
with_text time_int '"timestamp":"2026-11-23T20:20:42.123Z"' '"timestamp":1763929242'
accepted time_offset
accepted time_int
with_text time_space '"timestamp":"2026-11-23T20:20:42.123Z"' '"timestamp":"2026-11-23 20:20:42Z"'
with_text time_month '"timestamp":"2026-11-23T20:20:42.123Z"' '"timestamp":"2026-13-23T20:20:42Z"'
with_text time_nozone '"timestamp":"2026-11-23T20:20:42.123Z"' '"timestamp":"2026-11-23T20:20:42"'
with_text time_float '"timestamp":"2026-11-23T20:20:42.123Z"' '"timestamp":1763929242.5'
for name in time_space time_month time_nozone time_float; do
	invalid "$name" timestamp
done
ok "timestamp: RFC 3339 with offset and an integer pass; a blank, month 13, no zone, 1.5 do not"

# --- Unknown status and action: accepted, noted in the line's warnings.
jq -c '.data.status = "XX" | .data.action = "deleted"' "$SAMPLE" >"$T/b/unknown"
accepted unknown
[ "$(last_line "$EVENTS" | jq -c '[.warnings[].field]')" = \
    '["data.status","data.action"]' ] ||
	fail "warnings: $(last_line "$EVENTS")"
last_line "$EVENTS" | jq -e '.warnings | all(keys_unsorted == ["field", "problem"] and
    (.problem | type == "string" and length > 0))' >/dev/null ||
	fail "warnings entries: $(last_line "$EVENTS")"
for st in BK CK RV IN PA OG CM CMNP AB NS NSD NSS CN CND CNS PC PNR; do
	jq -c ".data.status = \"$st\" | .data.action = \"completed\"" "$SAMPLE" \
	    >"$T/b/known_$st"
	accepted "known_$st"
	[ "$(last_line "$EVENTS" | jq -c .warnings)" = '[]' ] ||
		fail "status $st: warnings $(last_line "$EVENTS")"
done
ok "status XX, action deleted: 200 with 2 warnings; each of Eka's 17 statuses with completed: none"

# --- \u0000 in a string (value or key) is invalid_event.
jq -c '.data.partner_meta.note = "a\u0000b"' "$SAMPLE" >"$T/b/nul_value"
grep -qF '"a\u0000b"' "$T/b/nul_value" || fail "jq did not write \\u0000"
invalid nul_value data.partner_meta.note
jq -c '.data.sa_ids = ["sa-1", "\u0000"]' "$SAMPLE" >"$T/b/nul_array"
post "$T/b/nul_array"
expect_error 422 invalid_event
json '.details[].field' | grep -q 'sa_ids' || fail "nul in sa_ids: $BODY"
jq -c '.data.partner_meta["k\u0000"] = 1' "$SAMPLE" >"$T/b/nul_key"
post "$T/b/nul_key"
expect_error 422 invalid_event
expect_reject_line "$REJECTS" 422 invalid_event "$T/b/nul_key"
# An escaped "\\u0000" (backslash, then text) is no NUL.
jq -c '.data.partner_meta.note = "\\u0000"' "$SAMPLE" >"$T/b/not_nul"
accepted not_nul
ok "\\u0000 in a value, an array, a key: 422; the text \\\\u0000: 200"

# --- strict vs relaxed on Eka's published sample shape.
RELAXED="$FIXTURES/sample.relaxed.json"
post "$RELAXED"
expect_error 422 invalid_event
json '[.details[].field]' | grep -q '"event"' ||
	fail "strict: event_type instead of event is not named: $BODY"
ok "strict: sample.relaxed.json is 422"

write_conf "$CONF" <<EOF
validation = relaxed
dedupe_window = 0
EOF
post "$RELAXED"
expect_accepted false
last_line "$EVENTS" | jq -e '.warnings | map(.field) == ["data.action"]' >/dev/null ||
	fail "relaxed: action \"create\" is not a warning: $(last_line "$EVENTS")"
[ "$(last_line "$EVENTS" | jq -c .event)" = "$(minify "$RELAXED")" ] ||
	fail "relaxed: the event is not logged as sent"
# Relaxed time fields: seconds, milliseconds or RFC 3339; types still checked.
jq -c '.event_time = "2024-10-29T08:13:06Z" | .timestamp = 1730189588000' \
    "$RELAXED" >"$T/b/relaxed_times"
accepted relaxed_times
jq -c '.event_time = "soon" | .data.status = 1' "$RELAXED" >"$T/b/relaxed_types"
invalid relaxed_types event_time data.status
jq -c 'del(.event_type)' "$RELAXED" >"$T/b/relaxed_no_event"
post "$T/b/relaxed_no_event"
expect_error 422 invalid_event
jq -c 'del(.data)' "$RELAXED" >"$T/b/relaxed_no_data"
invalid relaxed_no_data data
# The strict sample still passes.
cp "$SAMPLE" "$T/b/strict_sample"
accepted strict_sample
ok "relaxed: sample.relaxed.json is 200 with a warning; times as ms or text; types, event and data required"

"$EKAHOOKCTL" verify-log "$EVENTS" "$REJECTS" >/dev/null ||
	fail "verify-log found a bad line"
