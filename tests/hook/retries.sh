#!/bin/sh
# hook_retries (ekahook.conf(5)): further attempts after a failure, after 5 s,
# 30 s, 300 s (scaled down here by EKAHOOK_TEST_RETRY_SCALE, a knob for
# tests only), counted from the end of the failed attempt; pending
# retries survive the runner being killed.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
write_hook_conf "hook_retries = 2"
# 5 s and 30 s become 250 ms and 1.5 s.
start_lighttpd fastcgi "$CONF" 1 ', "EKAHOOK_TEST_RETRY_SCALE" => "0.05"'

# finished ID ATTEMPT: finished_at of that attempt, in Unix ms.
finished() {
	jq -r --arg id "$1" --argjson a "$2" \
	    'select(.request_id == $id and .attempt == $a) | .finished_at' \
	    "$HOOKLOG" | perl -MTime::Local -ne \
	    '/^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z$/ or die "bad time $_";
	    print timegm($6, $5, $4, $3, $2 - 1, $1) * 1000 + $7, "\n"'
}

# Fails twice, then succeeds.
event_with pass_at 3
post "$T/event.json"
expect_status 200
a=$(jq -r .request_id "$T/resp.body")
wait_hook_lines 1 15
# Kill the runner between attempts: the retry is kept in state_dir.
pid=$(cat "$STATE/hooks/runner.lock")
kill -KILL "$pid"
ok "runner $pid killed after the first failure"
# Only a new event starts a new runner here (or a new responder).
event_with case b
post "$T/event.json"
expect_status 200
wait_hook_lines 4 20
jq -e --arg a "$a" -s '[.[] | select(.request_id == $a) |
    [.attempt, .exit, (.output | test("fails"))]] ==
    [[1, 1, true], [2, 1, true], [3, 0, false]]' "$HOOKLOG" >/dev/null ||
	fail "attempts of $a: $(cat "$HOOKLOG")"
for n in 1 2 3; do
	[ "$(env_value "$HK/runs/$a.$n/environ" EKAHOOK_ATTEMPT)" = $n ] ||
		fail "EKAHOOK_ATTEMPT of attempt $n"
done
# Delays count from the end of the failed attempt.
gap1=$(($(cat "$HK/runs/$a.2/start") - $(finished "$a" 1)))
gap2=$(($(cat "$HK/runs/$a.3/start") - $(finished "$a" 2)))
[ "$gap1" -ge 250 ] || fail "attempt 2 started $gap1 ms after attempt 1"
[ "$gap2" -ge 1500 ] || fail "attempt 3 started $gap2 ms after attempt 2"
ok "failed twice, then retried after ${gap1} ms and ${gap2} ms, across a runner kill"

# Always failing: 1 + hook_retries attempts, then no more.
event_with pass_at 99
post "$T/event.json"
expect_status 200
c=$(jq -r .request_id "$T/resp.body")
wait_hook_lines 7 20
wait_quiet 15
[ "$(hook_lines)" -eq 7 ] || fail "more attempts than 1 + hook_retries"
jq -e --arg c "$c" -s '[.[] | select(.request_id == $c) |
    [.attempt, .exit, (.output | test("fails"))]] ==
    [[1, 1, true], [2, 1, true], [3, 1, true]]' "$HOOKLOG" >/dev/null ||
	fail "attempts of $c: $(cat "$HOOKLOG")"
[ "$(spool_count new)" -eq 0 ] && [ "$(spool_count failed)" -eq 1 ] ||
	fail "spool: new/ $(ls "$STATE/hooks/new"), failed/ $(ls "$STATE/hooks/failed")"
[ -f "$STATE/hooks/failed/$c" ] || fail "$c is not in failed/"
ok "an always failing hook runs 1 + hook_retries times, and ends in failed/"
