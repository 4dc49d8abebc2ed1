#!/bin/sh
# Accepted means hooked at every nesting a request may have (64, the
# top-level object counting 1): the log line holds the event one level
# down, and the hook runner and ekahookctl replay still read it.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
write_hook_conf
start_lighttpd fastcgi "$CONF"

# deep_event N TAG: the sample whose data.partner_meta.deep nests the
# whole body N levels deep, into $T/deep.json.
deep_event() {
	perl -e 'print "[" x ($ARGV[0] - 3), "\"$ARGV[1]\"", "]" x ($ARGV[0] - 3)' \
	    "$1" "$2" >"$T/deep.part"
	jq -c --slurpfile d "$T/deep.part" '.data.partner_meta.deep = $d[0]' \
	    "$SAMPLE" >"$T/deep.json"
}

deep_event 65 x
post "$T/deep.json"
expect_error 400 too_deep
deep_event 64 first
post "$T/deep.json"
expect_accepted false
first=$REQUEST_ID
wait_hook_lines 1 30
[ "$(jq -r '[.request_id, .exit] | join(" ")' "$HOOKLOG")" = "$first 0" ] ||
	fail "the hook did not run for the deep event: $(cat "$HOOKLOG")"
ok "an event nested 64 deep: 200 and its hook ran (65: 400 too_deep)"

# A failed one is found again by replay --failed.
echo 1 >"$HK/exit"
deep_event 64 second
post "$T/deep.json"
expect_accepted false
second=$REQUEST_ID
wait_hook_lines 2 30
wait_quiet 15
rm -f "$HK/exit"
"$EKAHOOKCTL" replay --failed --config "$CONF" >"$T/replay.out" 2>&1 ||
	fail "replay --failed: $(cat "$T/replay.out")"
grep -qx "$second: queued again from failed/" "$T/replay.out" ||
	fail "replay --failed did not find the deep event: $(cat "$T/replay.out")"
wait_hook_lines 3 30
jq -e -s --arg id "$second" 'any(.[]; .request_id == $id and
    .attempt == 2 and .exit == 0)' "$HOOKLOG" >/dev/null ||
	fail "attempt 2 of the deep event: $(cat "$HOOKLOG")"
ok "replay --failed finds and reruns a failed event nested 64 deep"

# From the log line, which holds the event a level deeper than it came.
wait_quiet 15
"$EKAHOOKCTL" replay --request-id "$second" --config "$CONF" \
    >"$T/replay.out" 2>&1 || fail "replay --request-id: $(cat "$T/replay.out")"
grep -qx "$second: queued as attempt 3" "$T/replay.out" ||
	fail "replay --request-id said: $(cat "$T/replay.out")"
wait_hook_lines 4 30
cmp -s "$HK/runs/$second.1/stdin" "$HK/runs/$second.3/stdin" ||
	fail "the replayed deep event differs from the first run's"
ok "replay --request-id reads a deep event back from the log, byte for byte"
