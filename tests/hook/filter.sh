#!/bin/sh
# hook_events (ekahook.conf(5)): only the listed events run the hook; relaxed
# events are named by event_type; duplicates never run it.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
write_hook_conf "hook_events = appointment.modified, appointment.completed"
start_lighttpd fastcgi "$CONF"

post "$SAMPLE"
expect_status 200
jq -c '.event = "appointment.modified" | .data.action = "modified"' \
    "$SAMPLE" >"$T/modified.json"
post "$T/modified.json"
expect_status 200
mid=$(jq -r .request_id "$T/resp.body")
# The same body again: a duplicate, which runs nothing.
post "$T/modified.json"
[ "$(jq -r .duplicate "$T/resp.body")" = true ] || fail "not a duplicate: $BODY"
wait_hook_lines 1 20
wait_quiet 15
[ "$(hook_lines)" -eq 1 ] || fail "hook_log has $(hook_lines) lines"
[ "$(jq -r .request_id "$HOOKLOG")" = "$mid" ] ||
	fail "the hook ran for another event: $(cat "$HOOKLOG")"
[ "$(jq -r .event "$HOOKLOG")" = appointment.modified ] || fail "event name"
ok "only the listed event ran the hook, once, and no duplicate did"

# Relaxed: Eka's published sample names its event in event_type.
write_hook_conf "validation = relaxed" "hook_events = appointment.created"
post "$FIXTURES/sample.relaxed.json"
expect_status 200
rid=$(jq -r .request_id "$T/resp.body")
wait_hook_lines 2 20
printf '%s\0' "$HK/hook" appointment.created >"$T/argv.want"
cmp -s "$T/argv.want" "$HK/runs/$rid.1/argv" ||
	fail "argv: $(tr '\0' ' ' <"$HK/runs/$rid.1/argv")"
[ "$(env_value "$HK/runs/$rid.1/environ" EKA_EVENT_TYPE)" = \
    appointment.created ] || fail "EKA_EVENT_TYPE"
[ "$(env_value "$HK/runs/$rid.1/environ" EKA_CLIENT_META_VISIT_ID)" = \
    Client_visit_id_123 ] || fail "EKA_CLIENT_META_VISIT_ID"
ok "a relaxed event is matched and named by event_type"

# No hook configured: events are logged, nothing runs, no runner starts.
write_hook_conf
sed -i 's|^hook = .*|hook =|' "$CONF"
event_with x 1
post "$T/event.json"
expect_status 200
wait_quiet 15
[ "$(hook_lines)" -eq 2 ] || fail "a hook ran with none configured"
ok "no hook configured: nothing runs"
