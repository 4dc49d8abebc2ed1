#!/bin/sh
# ekahookctl replay (SPEC §8): reruns the hook from the logs (rotated
# ones too) and hook_log, with the same environment; --failed finds a
# failed last attempt, and a run lost with no line at all.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
# Small files: the events below end up in rotated logs.
write_hook_conf "log_max_bytes = 1500"
start_lighttpd fastcgi "$CONF"

replay() {
	"$EKAHOOKCTL" replay --config "$CONF" "$@" >"$T/replay.out" 2>&1
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

# Make the second event fail: mark it, replay it, see it fail.
echo "$bad" >"$HK/fail"
replay --request-id "$bad" && fail "replay of a failing hook exited 0"
grep -qx "$bad: attempt 2: failed" "$T/replay.out" ||
	fail "replay said: $(cat "$T/replay.out")"
[ "$(hook_lines)" -eq 3 ] || fail "hook_log has $(hook_lines) lines"
# --failed picks exactly that one.
rm -f "$HK/fail"
replay --failed || fail "replay --failed: $(cat "$T/replay.out")"
grep -qx "$bad: attempt 3: ok" "$T/replay.out" ||
	fail "replay --failed said: $(cat "$T/replay.out")"
grep -q "$good" "$T/replay.out" && fail "replay --failed ran a good one"
ok "replay --failed reruns the event whose last attempt failed"

# The same environment but for EKAHOOK_ATTEMPT.
grep -zv '^EKAHOOK_ATTEMPT=' "$HK/runs/$bad.1/environ" | sort -z >"$T/e1"
grep -zv '^EKAHOOK_ATTEMPT=' "$HK/runs/$bad.3/environ" | sort -z >"$T/e3"
cmp -s "$T/e1" "$T/e3" || fail "replay changed the environment"
[ "$(env_value "$HK/runs/$bad.3/environ" EKAHOOK_ATTEMPT)" = 3 ] ||
	fail "EKAHOOK_ATTEMPT of the replay"
case $(env_value "$HK/runs/$bad.3/environ" EKAHOOK_LOG_FILE) in
"$(realpath "$EVENTS")"*) ;;
*) fail "EKAHOOK_LOG_FILE of the replay" ;;
esac
ok "a replay gets the same environment, the next attempt number"

replay --failed || fail "replay --failed, nothing failed"
grep -qx "nothing to replay" "$T/replay.out" || fail "$(cat "$T/replay.out")"
replay --since "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)" ||
	fail "replay --since"
grep -qx "nothing to replay" "$T/replay.out" || fail "$(cat "$T/replay.out")"
replay --since "$(date -u -d '-1 hour' +%s)" || fail "replay --since"
grep -qx "replayed 2, 0 failed" "$T/replay.out" || fail "$(cat "$T/replay.out")"
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
grep -qx "replayed 1, 0 failed" "$T/replay.out" ||
	fail "--since $at: $(cat "$T/replay.out")"
replay --bogus && fail "replay took an unknown option"
ok "--since (to the millisecond) and nothing-to-do"

# A run lost whole: the machine died with the hook running and the
# job file was never on disk (log_fsync = never).  No line, no job.
echo 30 >"$HK/sleep"
event_with n 3
post "$T/event.json"
expect_status 200
lost=$(jq -r .request_id "$T/resp.body")
wait_for 15 sh -c "ls -d '$HK/runs/$lost.1.tmp'" || fail "the hook did not start"
# Everything of ours dies at once, the server first (it would start
# a responder that resumes the hooks), so nobody writes a line.
crash_all
rm -rf "$STATE/hooks/jobs/"* "$HK/runs/$lost.1.tmp" "$HK/active"
rm -f "$HK/sleep"
replay --failed || fail "replay --failed of a lost run: $(cat "$T/replay.out")"
grep -qx "$lost: attempt 1: ok" "$T/replay.out" ||
	fail "replay --failed said: $(cat "$T/replay.out")"
ok "replay --failed finds a run that left neither a line nor a job"

# A run that never finished: the machine died during the attempt and
# its job, marked running, is on disk.  --failed finds it too (SPEC §8:
# "failed or never finished"), as the next attempt, and settles it.
start_lighttpd fastcgi "$CONF"
echo 30 >"$HK/sleep"
event_with n 4
post "$T/event.json"
expect_status 200
unfinished=$(jq -r .request_id "$T/resp.body")
wait_for 15 sh -c "ls -d '$HK/runs/$unfinished.1.tmp'" ||
	fail "the hook did not start"
crash_all
[ -f "$STATE/hooks/jobs/$unfinished" ] || fail "no job for the unfinished run"
rm -rf "$HK/runs/$unfinished.1.tmp" "$HK/active"
rm -f "$HK/sleep"
replay --failed || fail "replay --failed of an unfinished run: $(cat "$T/replay.out")"
grep -qx "$unfinished: attempt 2: ok" "$T/replay.out" ||
	fail "replay --failed said: $(cat "$T/replay.out")"
[ ! -e "$STATE/hooks/jobs/$unfinished" ] || fail "its job is left after a good replay"
ok "replay --failed finds a run that never finished (its job on disk), as attempt 2"

# An event the runner has not taken yet (one hook at a time, the one
# before still running): its first run is the runner's; a replay now
# leaves it alone, so it does not run twice as attempt 1.
write_hook_conf "log_max_bytes = 1500" "hook_max_running = 1"
start_lighttpd fastcgi "$CONF"
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
grep -qx "left to the runner: 1 event still waiting for a first run" \
    "$T/replay.out" && grep -qx "nothing to replay" "$T/replay.out" ||
	fail "replay of a queued event said: $(cat "$T/replay.out")"
rm -f "$HK/sleep"
wait_hook_lines $((before + 2)) 30
[ "$(jq -r --arg id "$queued" 'select(.request_id == $id) | .attempt' \
    "$HOOKLOG"*)" = 1 ] || fail "the queued event ran other than once"
ok "replay leaves an event still waiting for its first run to the runner"
