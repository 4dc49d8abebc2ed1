#!/bin/sh
# ekahook(8) "The hook queue": a hook that was pending or running when
# the machine died runs once the receiver is up again, without anyone
# replaying it: a FastCGI responder that lighttpd starts with itself
# starts the runner (no request needed), which reruns the lost attempt
# and takes the pending events.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
echo 30 >"$HK/sleep"
write_hook_conf "hook_max_running = 1"
start_lighttpd fastcgi "$CONF"

post_numbered 4
first=$(head -n 1 "$T/ids")
wait_for 15 test -d "$HK/runs/$first.1.tmp" || fail "the first hook did not start"

# The machine dies: every process at once, nothing finishes.
crash_all
all_gone() {
	[ "$(proc_counts | cut -d' ' -f4)" -eq 0 ] &&
	    ! ps -eo args= | grep -q "^/bin/sh $HK/hook"
}
wait_for 10 all_gone || fail "processes survived: $(proc_counts)"
[ "$(hook_lines)" -eq 0 ] || fail "a hook finished before the crash"
rm -rf "$HK/runs/$first.1.tmp" "$HK/active"
rm -f "$HK/sleep"
ok "crashed with one hook running and three events waiting"

# Up again: lighttpd starts its responders; no request at all.
start_lighttpd fastcgi "$CONF"
wait_hook_lines 4 30
jq -r 'select(.exit == 0) | .request_id' "$HOOKLOG" | sort >"$T/ok.ids"
sort "$T/ids" >"$T/want.ids"
cmp -s "$T/ok.ids" "$T/want.ids" || fail "not every event's hook ran"
[ "$(jq -r --arg f "$first" 'select(.request_id == $f) | .attempt' \
    "$HOOKLOG")" = 2 ] || fail "the lost attempt was not rerun as attempt 2"
[ "$(jq -r --arg f "$first" 'select(.request_id != $f) | .attempt' \
    "$HOOKLOG" | sort -u)" = 1 ] || fail "attempt numbers of the others"
ok "after the restart the lost run ran again (attempt 2), the waiting ones once"
wait_quiet 15
