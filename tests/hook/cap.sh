#!/bin/sh
# hook_max_running (ekahook.conf(5)): a cap across every process sharing the
# state_dir (two FastCGI responders, the runner, ekahookctl replay); the
# excess waits without delaying any answer, and every event's hook runs.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

write_recorder
# Every hook waits for $HK/go, made once all the answers are in.
: >"$HK/hold"
echo 1 >"$HK/sleep"
write_hook_conf "hook_max_running = 2"
start_lighttpd fastcgi "$CONF" 2

# Samples the number of hooks running until $T/stop appears.
: >"$T/samples"
(
	while [ ! -e "$T/stop" ]; do
		proc_counts >>"$T/samples"
		sleep 0.05
	done
) &
echo $! >>"$T/pids"

n=12
i=0
: >"$T/times"
while [ $i -lt $n ]; do
	event_with n "$i"
	cp "$T/event.json" "$T/event.$i.json"
	curl -s -o /dev/null -w '%{http_code}\n' \
	    -H 'Content-Type: application/json' \
	    --data-binary "@$T/event.$i.json" "$URL" >>"$T/times" &
	i=$((i + 1))
done
# Had an answer waited for its hook, or for a free slot, it could not
# come: no hook ends before $HK/go.
wait_for 20 sh -c "[ \$(wc -l <'$T/times') -eq $n ]" ||
	fail "answers missing: $(cat "$T/times")"
[ "$(grep -cx 200 "$T/times")" -eq $n ] ||
	fail "not all answers were 200: $(cat "$T/times")"
[ "$(hook_lines)" -eq 0 ] || fail "$(hook_lines) hooks ended before the answers"
started=$(cat "$HK/ran" 2>/dev/null | wc -l | tr -d " ")
[ "$started" -le 2 ] || fail "$started hooks started (cap 2)"
ok "$n answers, all 200, while no hook had ended ($started started, the rest queued)"
touch "$HK/go"

# Replay one event meanwhile: it takes a slot like any run.
id=$(jq -r .request_id "$EVENTS" | head -n 1)
# Replay leaves an event still in new/ alone ("already waiting"): wait
# for its first run to end, when the attempt removes it (after its
# hook_log line).
wait_for 60 test ! -e "$STATE/hooks/new/$id" ||
	fail "the first event's hook never finished"
"$EKAHOOKCTL" replay --config "$CONF" --request-id "$id" >"$T/replay.out" ||
	fail "replay: $(cat "$T/replay.out")"
grep -qx "$id: queued as attempt 2" "$T/replay.out" ||
	fail "replay did not queue it: $(cat "$T/replay.out")"

wait_hook_lines $((n + 1)) 30
touch "$T/stop"
wait_quiet 15
max_hooks=$(awk '$1 > m { m = $1 } END { print m + 0 }' "$T/samples")
max_att=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$T/samples")
max_run=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$T/samples")
[ "$max_hooks" -le 2 ] || fail "$max_hooks hooks ran at once (cap 2)"
[ "$max_hooks" -eq 2 ] || fail "the cap was never reached ($max_hooks)"
[ "$max_att" -le 2 ] || fail "$max_att attempts at once"
[ "$max_run" -le 1 ] || fail "$max_run runners at once"
[ "$(max_concurrency)" -le 2 ] ||
	fail "a hook saw $(max_concurrency) hooks running (cap 2)"
ok "at most 2 hooks ran at once ($(wc -l <"$T/samples") samples, and as the hooks saw it), one runner"

jq -r 'select(.exit == 0) | .request_id' "$HOOKLOG" | sort -u >"$T/ok.ids"
jq -r .request_id "$EVENTS" | sort >"$T/all.ids"
cmp -s "$T/ok.ids" "$T/all.ids" || fail "not every event's hook ran"
ok "every event's hook ran"
