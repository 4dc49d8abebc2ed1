#!/bin/sh
# ekahook(8) "The hook queue": log rotation knows nothing of hooks.
# With log_keep = 0 and a tiny log_max_bytes every rotation deletes the
# file outright, while the hook is held back: the events wait in
# state_dir/hooks/new/, and every hook runs once all the same.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
# The first hook waits for $HK/go: every event is behind it.
: >"$HK/hold"
write_hook_conf "log_max_bytes = 1200" "log_keep = 0" "hook_max_running = 1" \
    "dedupe_window = 0"
start_lighttpd fastcgi "$CONF"

post_numbered 10
# Every line but the last was rotated away and deleted.
[ "$(wc -l <"$EVENTS")" -eq 1 ] || fail "the log holds $(wc -l <"$EVENTS") lines"
ls "$T"/events.ndjson.* >/dev/null 2>&1 && fail "a rotated file was kept"
waiting=$(spool_count new)
[ "$waiting" -eq 10 ] || fail "$waiting events wait in new/, want 10"
ok "10 events behind a held hook, 9 of them rotated and deleted: all 10 wait in new/"
touch "$HK/go"

# hook_log rotates away too: the recorder's own list says what ran.
wait_for 60 sh -c "[ \$(wc -l <'$HK/ran') -ge 10 ]" ||
	fail "$(wc -l <"$HK/ran") hooks ran after 60 s, want 10"
cut -d' ' -f1 "$HK/ran" | sort >"$T/ran"
sort "$T/ids" >"$T/want"
cmp -s "$T/ran" "$T/want" ||
	fail "not every event's hook ran once: $(diff "$T/want" "$T/ran")"
wait_quiet 15
[ "$(spool_count new)" -eq 0 ] || fail "new/ is not empty: $(ls "$STATE/hooks/new")"
ok "every event's hook ran once, in spite of its log file being gone"
