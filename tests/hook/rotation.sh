#!/bin/sh
# SPEC §5: the hook runs for each accepted event, and waiting hooks are
# bounded by disk, even when the runner falls behind by more files than
# log_keep keeps: a rotation then holds the file for the runner
# (.events.ndjson.held/) instead of deleting it with its hooks not run,
# and the runner deletes it once read.  The log keeps its .1 … .N.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
echo 0.3 >"$HK/sleep"
# Two seed events a file, one rotated file kept, one hook at a time.
write_hook_conf "log_max_bytes = 2500" "log_keep = 1" "hook_max_running = 1" \
    "dedupe_window = 0"
start_lighttpd fastcgi "$CONF"

: >"$T/ids"
for i in 1 2 3 4 5 6 7 8 9 10; do
	event_with n "$i"
	post "$T/event.json"
	expect_status 200
	jq -r .request_id "$T/resp.body" >>"$T/ids"
done
# Behind by more than log_keep files: some are held, none deleted.
held="$T/.events.ndjson.held"
[ -n "$(ls "$held" 2>/dev/null)" ] ||
	fail "no file was held while the hooks were behind"
ls "$T"/events.ndjson.* >"$T/rotated"
[ "$(cat "$T/rotated")" = "$EVENTS.1" ] ||
	fail "the log kept other than .1: $(cat "$T/rotated")"
ok "10 events behind a slow hook: rotated files held, the log keeps its .1"

wait_hook_lines 10 60
jq -r 'select(.exit == 0) | .request_id' "$HOOKLOG"* | sort >"$T/ran"
sort "$T/ids" >"$T/want"
cmp -s "$T/ran" "$T/want" ||
	fail "not every event's hook ran once: $(diff "$T/want" "$T/ran")"
wait_quiet 15
[ -z "$(ls "$held" 2>/dev/null)" ] ||
	fail "held files left after the runner read them: $(ls "$held")"
ok "every event's hook ran once, in spite of the rotations; held files gone"
