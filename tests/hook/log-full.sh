#!/bin/sh
# ekahook(8) "The hook queue" when the event log cannot take a line:
# the log on a tiny tmpfs, the spool elsewhere with room.  The hook's
# file is put in new/ before the log's sync and must go again when the
# log refuses the event: every 200 has its file, a 503 leaves none and
# no hook runs for it.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
D=$T/ldisk
mkdir -p "$D"
echo "$D" >>"$T/mounts"
mount -t tmpfs -o size=64k,mode=0755 ekahook-test "$D" 2>"$T/mount.err" ||
	skip "cannot mount a tmpfs: $(cat "$T/mount.err")"
EVENTS=$D/events.ndjson

# The hook waits for a go-ahead, so new/ only grows meanwhile.
cat >"$HK/hook" <<HOOK
#!/bin/sh
i=0
while [ ! -e "$HK/go" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
echo "\$EKAHOOK_REQUEST_ID" >>"$HK/ran"
HOOK
chmod 0755 "$HK/hook"
write_hook_conf "hook_max_running = 1" "log_fsync = always" \
    "dedupe_window = 0" "log_max_bytes = 0"
start_lighttpd fastcgi "$CONF"

: >"$T/ok.ids"
: >"$T/refused"
i=0
while [ $i -lt 400 ] && [ "$(wc -l <"$T/refused")" -lt 3 ]; do
	i=$((i + 1))
	event_with pad "$(head -c 600 /dev/zero | tr '\0' y)-$i"
	post "$T/event.json"
	case $STATUS in
	200) jq -r .request_id "$T/resp.body" >>"$T/ok.ids" ;;
	503) echo "$i" >>"$T/refused" ;;
	*) fail "answer $STATUS: $(cat "$T/resp.body")" ;;
	esac
done
[ -s "$T/refused" ] || fail "the log's disk never filled in $i events"
ok "log full after $(wc -l <"$T/ok.ids") events: $(wc -l <"$T/refused") answered 503"

ls "$STATE/hooks/new" | sort >"$T/spooled"
sort "$T/ok.ids" >"$T/ok.sorted"
cmp -s "$T/spooled" "$T/ok.sorted" ||
	fail "new/ is not exactly the 200s: $(diff "$T/ok.sorted" "$T/spooled" | head -5)"
[ -z "$(ls "$STATE/hooks/tmp")" ] || fail "tmp/ kept a file: $(ls "$STATE/hooks/tmp")"
ok "new/ holds exactly the events the log took; a 503 left no file"

touch "$HK/go"
n=$(wc -l <"$T/ok.ids")
wait_hook_lines "$n" 60
wait_quiet 15
sort "$HK/ran" >"$T/ran.sorted"
cmp -s "$T/ran.sorted" "$T/ok.sorted" || fail "the hooks that ran are not the 200s"
ok "every logged event's hook ran once, none of the refused"
