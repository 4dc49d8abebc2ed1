#!/bin/sh
# ekahookctl replay (ekahookctl(1)): queues hooks again into the spool.
# From the logs (rotated files too) by request id or time, each as the
# attempt after the highest hook_log knows, with the same environment;
# --failed moves dead letters back from failed/ to new/; an event still
# waiting is left alone.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
# Small files: the events below end up in rotated logs.
write_hook_conf "log_max_bytes = 1500"
start_lighttpd fastcgi "$CONF"

replay() {
	"$EKAHOOKCTL" replay --config "$CONF" "$@" >"$T/replay.out" 2>&1
}
# ran_ok ID ATTEMPT: hook_log has that attempt, successful.
ran_ok() {
	jq -e -s --arg id "$1" --argjson a "$2" 'any(.[]; .request_id == $id
	    and .attempt == $a and .exit == 0)' "$HOOKLOG"* >/dev/null
}

event_with n 1
post "$T/event.json"
expect_status 200
good=$(jq -r .request_id "$T/resp.body")
event_with n 2
post "$T/event.json"
expect_status 200
bad=$(jq -r .request_id "$T/resp.body")
wait_hook_lines 2 20
wait_quiet 15
ls "$EVENTS".1 >/dev/null 2>&1 || fail "the log did not rotate"
grep -q "$bad" "$EVENTS".1 || grep -q "$good" "$EVENTS".1 ||
	fail "neither event is in the rotated file"

# By request id, from a rotated log: the next attempt number, which
# fails (hook_retries = 0) into failed/.
echo "$bad" >"$HK/fail"
replay --request-id "$bad" || fail "replay --request-id: $(cat "$T/replay.out")"
grep -qx "$bad: queued as attempt 2" "$T/replay.out" &&
    grep -qx "queued 1" "$T/replay.out" ||
	fail "replay said: $(cat "$T/replay.out")"
wait_hook_lines 3 20
wait_quiet 15
[ -f "$STATE/hooks/failed/$bad" ] || fail "the failed replay is not in failed/"
ok "replay --request-id queues a rotated event as attempt 2; failing, it goes to failed/"

rm -f "$HK/fail"
replay --failed || fail "replay --failed: $(cat "$T/replay.out")"
grep -qx "$bad: queued again from failed/" "$T/replay.out" ||
	fail "replay --failed said: $(cat "$T/replay.out")"
grep -q "$good" "$T/replay.out" && fail "replay --failed took a good one"
wait_hook_lines 4 20
ran_ok "$bad" 3 || fail "attempt 3 of $bad: $(cat "$HOOKLOG")"
ok "replay --failed reruns the dead letter, as attempt 3"

# The same environment but for EKAHOOK_ATTEMPT.
grep -zv '^EKAHOOK_ATTEMPT=' "$HK/runs/$bad.1/environ" | sort -z >"$T/e1"
grep -zv '^EKAHOOK_ATTEMPT=' "$HK/runs/$bad.3/environ" | sort -z >"$T/e3"
cmp -s "$T/e1" "$T/e3" || fail "replay changed the environment"
cmp -s "$HK/runs/$bad.1/stdin" "$HK/runs/$bad.3/stdin" ||
	fail "replay changed the hook's stdin"
[ "$(env_value "$HK/runs/$bad.3/environ" EKAHOOK_ATTEMPT)" = 3 ] ||
	fail "EKAHOOK_ATTEMPT of the replay"
ok "a replay gets the same environment and stdin, the next attempt number"

wait_quiet 15
replay --failed || fail "replay --failed, nothing failed"
grep -qx "nothing to replay" "$T/replay.out" || fail "$(cat "$T/replay.out")"
replay --since "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)" ||
	fail "replay --since"
grep -qx "nothing to replay" "$T/replay.out" || fail "$(cat "$T/replay.out")"
# To the millisecond: one past the second event's received_at leaves
# it out, its own received_at takes it.
at=$(jq -r --arg id "$bad" 'select(.request_id == $id) | .received_at' \
    "$EVENTS"* | head -n 1)
ms=$(printf %s "$at" | sed 's/.*\.\([0-9]*\)Z$/\1/')
next=$(printf '%s.%03dZ' "${at%.*}" $((1$ms - 1000 + 1)))
[ "$ms" = 999 ] || {
	replay --since "$next" || fail "replay --since $next"
	grep -qx "nothing to replay" "$T/replay.out" ||
		fail "--since $next (after $at): $(cat "$T/replay.out")"
}
replay --since "$at" || fail "replay --since $at"
grep -qx "$bad: queued as attempt 4" "$T/replay.out" &&
    grep -qx "queued 1" "$T/replay.out" ||
	fail "--since $at: $(cat "$T/replay.out")"
wait_hook_lines 5 20
replay --since "$(date -u -d '-1 hour' +%s)" || fail "replay --since"
grep -qx "queued 2" "$T/replay.out" || fail "$(cat "$T/replay.out")"
wait_hook_lines 7 20
ran_ok "$good" 2 && ran_ok "$bad" 5 || fail "the --since replays: $(cat "$HOOKLOG")"
ok "--since (Unix seconds, RFC 3339 to the millisecond) and nothing-to-do"

rc=0; replay --bogus || rc=$?
[ $rc -eq 2 ] || fail "replay --bogus exited $rc"
rc=0; replay || rc=$?
[ $rc -eq 2 ] || fail "replay without a choice of events exited $rc"
ok "an unknown option, or no choice of events, is a usage error (exit 2)"

# An event still waiting in new/ (one hook at a time, the one before
# still running) is left to the runner: it does not run twice.
wait_quiet 15
write_hook_conf "log_max_bytes = 1500" "hook_max_running = 1"
before=$(hook_lines)
echo 4 >"$HK/sleep"
event_with n 5
post "$T/event.json"
expect_status 200
busy=$(jq -r .request_id "$T/resp.body")
wait_for 15 sh -c "ls -d '$HK/runs/$busy.1.tmp'" || fail "the hook did not start"
event_with n 6
post "$T/event.json"
expect_status 200
queued=$(jq -r .request_id "$T/resp.body")
replay --request-id "$queued" || fail "replay of a queued event: $(cat "$T/replay.out")"
grep -qx "$queued: already waiting" "$T/replay.out" &&
    grep -qx "nothing to replay" "$T/replay.out" ||
	fail "replay of a queued event said: $(cat "$T/replay.out")"
rm -f "$HK/sleep"
wait_hook_lines $((before + 2)) 30
[ "$(jq -r --arg id "$queued" 'select(.request_id == $id) | .attempt' \
    "$HOOKLOG"*)" = 1 ] || fail "the queued event ran other than once"
ok "replay leaves an event still waiting in new/ to the runner"
