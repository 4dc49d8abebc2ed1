#!/bin/sh
# ekahook(8) "The hook" under FastCGI: a slow hook never delays the
# answer, and gets exactly its argv, stdin, directory and environment.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

run_env_test fastcgi

# The responder reaps what it starts: no zombie children of its own.
resp=$(pgrep -P "$LIGHTTPD_PID" -x ekahook | head -n 1)
[ -n "$resp" ] || fail "no FastCGI responder found"
[ -z "$(ps --ppid "$resp" -o stat= | grep Z)" ] ||
	fail "the responder has zombie children"
ok "fastcgi: the responder leaves no zombie children"

# The runner and the hook live on when the server kills its responder.
echo 2 >"$HK/sleep"
event_with survive yes
post "$T/event.json"
expect_status 200
sid=$(jq -r .request_id "$T/resp.body")
lines_before=$(hook_lines)
wait_for 10 test -d "$HK/runs/$sid.1.tmp" || fail "the hook did not start"
for p in $(pgrep -P "$LIGHTTPD_PID" -x ekahook); do
	kill -KILL "$p"
done
wait_hook_lines $((lines_before + 1)) 20
[ "$(tail -n 1 "$HOOKLOG" | jq -r '.request_id + " " + (.exit | tostring)')" = "$sid 0" ] ||
	fail "the hook did not finish after its responder was killed"
ok "fastcgi: runner and hook outlive a responder killed by SIGKILL"
