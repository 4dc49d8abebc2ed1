#!/bin/sh
# ekahook(8) "The hook queue": a spool an operator reads with ls(1).
# A backlog is files in state_dir/hooks/new/ holding each hook's stdin;
# exhausted retries leave a dead letter in failed/ that replay --failed
# runs again; a hook's background child ends with it; and after every
# ekahook process is killed, the next request's runner runs new/.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
echo 1 >"$HK/sleep"
write_hook_conf "hook_max_running = 1" "log_fsync = always"
start_lighttpd fastcgi "$CONF"

# 1. A backlog, as files.
post_numbered 5
waiting=$(spool_count new)
[ "$waiting" -ge 4 ] || fail "a backlog of 5 behind a 1 s hook: $waiting files in new/"
last=$(tail -n 1 "$T/ids")
f=$STATE/hooks/new/$last
[ -f "$f" ] || fail "the last event is not waiting in new/"
{ minify "$T/event.5.json"; echo; } >"$T/stdin.want"
cmp -s "$T/stdin.want" "$f" || fail "new/$last is not the hook's stdin"
rcv=$(jq -r --arg id "$last" 'select(.request_id == $id) | .received_at' "$EVENTS")
[ "$(date -u -d "@$(stat -c %Y "$f")" +%Y-%m-%dT%H:%M:%S)" = "${rcv%.*}" ] ||
	fail "new/$last: mtime $(stat -c %y "$f"), received_at $rcv"
mode=$(stat -c %a "$f")
case $mode in 640|600) ;; *) fail "new/$last has mode $mode" ;; esac
ok "5 events behind a slow hook: $waiting files in new/, each its hook's stdin, mtime its received_at"
wait_hook_lines 5 30
wait_quiet 15
[ "$(spool_count new)" -eq 0 ] || fail "new/ is not empty after the hooks ran"
ok "new/ is empty once every hook has run"

# 2. Dead letters, and replay --failed.  The recorder fails attempts
# numbered below the event's pass_at; hook_retries is 0.
rm -f "$HK/sleep"
event_with pass_at 2
post "$T/event.json"
expect_status 200
dead=$(jq -r .request_id "$T/resp.body")
wait_hook_lines 6 20
wait_quiet 15
[ -f "$STATE/hooks/failed/$dead" ] || fail "no dead letter failed/$dead"
[ ! -e "$STATE/hooks/new/$dead" ] || fail "$dead is still in new/"
ok "a hook that failed with hook_retries = 0 leaves failed/<request_id>"
before=$(hook_lines)
"$EKAHOOKCTL" replay --failed --config "$CONF" >"$T/replay.out" 2>&1 ||
	fail "replay --failed: $(cat "$T/replay.out")"
grep -qx "$dead: queued again from failed/" "$T/replay.out" ||
	fail "replay --failed said: $(cat "$T/replay.out")"
wait_hook_lines $((before + 1)) 20
jq -e -s --arg id "$dead" 'any(.[]; .request_id == $id and
    .attempt == 2 and .exit == 0)' "$HOOKLOG" >/dev/null ||
	fail "the dead letter's replay: $(cat "$HOOKLOG")"
wait_quiet 15
[ "$(spool_count failed)" -eq 0 ] && [ "$(spool_count new)" -eq 0 ] ||
	fail "the spool is not empty after the replay"
"$EKAHOOKCTL" replay --failed --config "$CONF" >"$T/replay.out" 2>&1 ||
	fail "replay --failed with none: $(cat "$T/replay.out")"
grep -qx "nothing to replay" "$T/replay.out" || fail "$(cat "$T/replay.out")"
ok "replay --failed moves it back to new/, where it runs as attempt 2"

# 3. A hook's leftovers end with it.
cat >"$HK/hook" <<HOOK
#!/bin/sh
sleep 77 &
echo \$! >"$HK/bg.\$EKAHOOK_REQUEST_ID"
(trap '' TERM; exec sleep 78) &
echo \$! >"$HK/stubborn.\$EKAHOOK_REQUEST_ID"
exit 0
HOOK
event_with n 8
post "$T/event.json"
expect_status 200
bg=$(jq -r .request_id "$T/resp.body")
wait_hook_lines $((before + 2)) 20
for what in bg stubborn; do
	pid=$(cat "$HK/$what.$bg")
	wait_for 8 sh -c "! kill -0 $pid 2>/dev/null" ||
		fail "the hook's $what child $pid outlived it"
done
ok "a hook's background children are gone after it ends (SIGTERM, then SIGKILL)"

# 4. Every ekahook process killed with events waiting; the next request.
write_recorder
echo 30 >"$HK/sleep"
event_with n 9
post "$T/event.json"
expect_status 200
stuck=$(jq -r .request_id "$T/resp.body")
event_with n 10
post "$T/event.json"
expect_status 200
waits=$(jq -r .request_id "$T/resp.body")
wait_for 15 test -d "$HK/runs/$stuck.1.tmp" || fail "the hook did not start"
crash_all
rm -rf "$HK/runs/$stuck.1.tmp" "$HK/active" "$HK/sleep"
[ -f "$STATE/hooks/new/$stuck" ] && [ -f "$STATE/hooks/new/$waits" ] ||
	fail "new/ lost events in the crash: $(ls "$STATE/hooks/new")"
ok "killed with one hook running, one waiting: both in new/"
# Plain CGI: nothing starts until a request comes.
start_lighttpd cgi "$CONF"
event_with n 11
post "$T/event.json"
expect_status 200
next=$(jq -r .request_id "$T/resp.body")
# jq -e -s: one answer for the whole file (without -s, jq 1.6 gives
# the status of the last line only).
for id in "$stuck" "$waits" "$next"; do
	wait_for 20 sh -c "jq -e -s --arg id '$id' 'any(.[];
	    .request_id == \$id and .exit == 0)' '$HOOKLOG' >/dev/null" ||
		fail "$id did not run after the restart"
done
[ "$(jq -r --arg id "$stuck" 'select(.request_id == $id) | .attempt' \
    "$HOOKLOG")" = 2 ] || fail "the cut-short attempt was not rerun as attempt 2"
wait_quiet 15
ok "the next request's runner ran what new/ held (the cut-short attempt as attempt 2)"
