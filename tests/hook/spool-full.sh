#!/bin/sh
# ekahook(8) "The hook queue" on a full disk: the spool is the only
# thing that cannot be written (state_dir on a tiny tmpfs, the logs
# elsewhere).  Every 200 has its file in new/; a 503 leaves none (the
# sender's retry is the event); once there is room every queued hook
# runs.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
D=$T/sdisk
mkdir -p "$D"
echo "$D" >>"$T/mounts"
mount -t tmpfs -o size=96k,mode=0755 ekahook-test "$D" 2>"$T/mount.err" ||
	skip "cannot mount a tmpfs: $(cat "$T/mount.err")"
STATE=$D/state

# The hook waits for a go-ahead, so the spool only grows.
cat >"$HK/hook" <<HOOK
#!/bin/sh
i=0
while [ ! -e "$HK/go" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
echo "\$EKAHOOK_REQUEST_ID" >>"$HK/ran"
HOOK
chmod 0755 "$HK/hook"
write_hook_conf "hook_max_running = 1" "log_fsync = always" "dedupe_window = 0"
start_lighttpd fastcgi "$CONF"

: >"$T/ok.ids"
: >"$T/refused.ids"
i=0
while [ $i -lt 400 ] && [ "$(wc -l <"$T/refused.ids")" -lt 3 ]; do
	i=$((i + 1))
	event_with pad "$(head -c 600 /dev/zero | tr '\0' x)-$i"
	post "$T/event.json"
	case $STATUS in
	200) jq -r .request_id "$T/resp.body" >>"$T/ok.ids" ;;
	503) jq -r .request_id "$T/resp.body" >>"$T/refused.ids" ;;
	*) fail "answer $STATUS: $(cat "$T/resp.body")" ;;
	esac
done
[ -s "$T/refused.ids" ] || fail "the state_dir never filled in $i events"
grep -q 'No space left on device' "$LIGHTTPD_ERRLOG" ||
	fail "the error log does not name the cause"
ok "state_dir full after $(wc -l <"$T/ok.ids") events: $(wc -l <"$T/refused.ids") answered 503"

ls "$STATE/hooks/new" | sort >"$T/spooled"
sort "$T/ok.ids" >"$T/ok.sorted"
cmp -s "$T/spooled" "$T/ok.sorted" ||
	fail "new/ is not exactly the 200s: $(diff "$T/ok.sorted" "$T/spooled" | head -5)"
[ -z "$(ls "$STATE/hooks/tmp")" ] || fail "tmp/ kept a file: $(ls "$STATE/hooks/tmp")"
ok "new/ holds exactly the events answered 200; a 503 left no file"

mount -o remount,size=4m "$D" || fail "cannot grow the tmpfs"
touch "$HK/go"
n=$(wc -l <"$T/ok.ids")
wait_hook_lines "$n" 60
sort "$HK/ran" >"$T/ran.sorted"
cmp -s "$T/ran.sorted" "$T/ok.sorted" || fail "the hooks that ran are not the 200s"
wait_quiet 15
ok "with room again, every queued hook ran once, none of the refused"
