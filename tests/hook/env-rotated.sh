#!/bin/sh
# ekahook(8) "The hook": EKAHOOK_LOG_FILE is the log file that holds the
# event when the hook runs, which rotation may have renamed since the
# event was accepted.  Ten events, each rotating the log (log_max_bytes
# = 1200, log_keep = 20), nine of them behind the first one's held hook:
# each of the nine is told a file that holds its own line, the oldest
# rotated ones and the last the log itself.  The first hook started
# before any rotation, when its line was in the log itself.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
: >"$HK/hold"
write_hook_conf "log_max_bytes = 1200" "log_keep = 20" \
    "hook_max_running = 1" "dedupe_window = 0"
start_lighttpd fastcgi "$CONF"

post_numbered 10
ls "$EVENTS".* >/dev/null 2>&1 || fail "the log did not rotate"
touch "$HK/go"
wait_hook_lines 10 60

events=$(realpath "$EVENTS")
first=$(head -n 1 "$T/ids")
f=$(env_value "$HK/runs/$first.1/environ" EKAHOOK_LOG_FILE)
[ "$f" = "$events" ] || fail "the first hook was told $f, not the log"
: >"$T/named"
tail -n +2 "$T/ids" >"$T/later"
while read -r id; do
	f=$(env_value "$HK/runs/$id.1/environ" EKAHOOK_LOG_FILE)
	[ -n "$f" ] || fail "$id: no EKAHOOK_LOG_FILE"
	case $f in
	"$events"|"$events".[0-9]*) ;;
	*) fail "$id: EKAHOOK_LOG_FILE=$f is no file of the log" ;;
	esac
	grep -q "\"request_id\":\"$id\"" "$f" ||
		fail "$id: EKAHOOK_LOG_FILE=$f does not hold its line"
	echo "$f" >>"$T/named"
done <"$T/later"
[ "$(tail -n 1 "$T/named")" = "$events" ] ||
	fail "the last event's hook was told $(tail -n 1 "$T/named"), not the log"
[ "$(sort -u "$T/named" | wc -l)" -ge 5 ] ||
	fail "the hooks were told only $(sort -u "$T/named" | tr '\n' ' ')"
ok "after rotations each hook's EKAHOOK_LOG_FILE holds its own event ($(sort -u "$T/named" | wc -l | tr -d ' ') files)"
