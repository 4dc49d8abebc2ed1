#!/bin/sh
# ekahook(8) "Alerts": alert_command runs like a hook (argv [cmd, kind],
# the clean environment with EKAHOOK_ALERT and EKAHOOK_ALERT_MESSAGE, the
# details as JSON on stdin) for hook_failed, storage_unavailable and
# signature_rejected; once per kind and alert_interval, the ones held
# back counted in the next; never delaying an answer; each run a
# hook_log line with "alert" in place of "request_id".
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

AL=$T/al
mkdir -p "$AL"
cat >"$AL/alert" <<ALERT
#!/bin/sh
n=\$(date +%s%N)
mkdir "$AL/\$n"
printf '%s\0' "\$0" "\$@" >"$AL/\$n/argv"
cat /proc/\$\$/environ >"$AL/\$n/environ"
cat >"$AL/\$n/stdin"
echo "\$1 \$n" >>"$AL/list"
# While $AL/hold exists it waits for $AL/go, which the test makes.
if [ -f "$AL/hold" ]; then
	while [ ! -e "$AL/go" ]; do sleep 0.05; done
fi
echo "\$1 \$n" >>"$AL/done"
echo "alerted \$1"
ALERT
chmod 0755 "$AL/alert"
write_recorder
# An hour between two alerts of a kind: the whole burst is within it.
write_hook_conf "alert_command = $AL/alert" "alert_interval = 3600" \
    "dedupe_window = 0"
start_lighttpd fastcgi "$CONF"

alerts() {
	grep -c "^$1 " "$AL/list" 2>/dev/null || true
}
# last_alert KIND: the directory of its newest run.
last_alert() {
	echo "$AL/$(grep "^$1 " "$AL/list" | tail -n 1 | cut -d' ' -f2)"
}

# 1. Ten dead letters in a burst: one alert.
for i in 1 2 3 4 5 6 7 8 9 10; do
	event_with pass_at 99
	post "$T/event.json"
	expect_status 200
done
wait_for 30 sh -c "[ \$(ls '$STATE/hooks/failed' | wc -l) -ge 10 ]" ||
	fail "10 dead letters expected, $(spool_count failed) made"
wait_for 10 sh -c "grep -q '^hook_failed ' '$AL/list'" ||
	fail "no hook_failed alert ran"
# No later than now, the alert took its turn.
t1=$(date +%s)
wait_quiet 15
[ "$(alerts hook_failed)" -eq 1 ] ||
	fail "$(alerts hook_failed) alerts for a burst of 10 failures"
d=$(last_alert hook_failed)
printf '%s\0' "$AL/alert" hook_failed | cmp -s - "$d/argv" ||
	fail "argv: $(tr '\0' ' ' <"$d/argv")"
tr '\0' '\n' <"$d/environ" | cut -d= -f1 | sort | tr '\n' ' ' >"$T/names"
[ "$(cat "$T/names")" = "EKAHOOK_ALERT EKAHOOK_ALERT_MESSAGE LANG PATH " ] ||
	fail "the alert's environment: $(cat "$T/names")"
[ "$(env_value "$d/environ" EKAHOOK_ALERT)" = hook_failed ] || fail "EKAHOOK_ALERT"
env_value "$d/environ" EKAHOOK_ALERT_MESSAGE | grep -q 'failed/' ||
	fail "message: $(env_value "$d/environ" EKAHOOK_ALERT_MESSAGE)"
jq -e '.kind == "hook_failed" and (.request_id | type) == "string" and
    .held_back == 0 and .attempts == 1 and .exit == 1' "$d/stdin" >/dev/null ||
	fail "the alert's stdin: $(cat "$d/stdin")"
ok "10 hooks failing in a burst: one hook_failed alert, argv, environment and stdin as documented"

# 2. After alert_interval the next failure alerts, with the 9 held back:
# the interval is now 1 s, and more than that has passed since t1.
write_hook_conf "alert_command = $AL/alert" "alert_interval = 1" \
    "dedupe_window = 0"
wait_for 10 sh -c "[ \$(date +%s) -ge $((t1 + 2)) ]"
event_with pass_at 99
post "$T/event.json"
expect_status 200
wait_for 20 sh -c "[ \$(grep -c '^hook_failed ' '$AL/list') -ge 2 ]" ||
	fail "no second alert after alert_interval"
d=$(last_alert hook_failed)
env_value "$d/environ" EKAHOOK_ALERT_MESSAGE |
    grep -q '9 more hook_failed alerts were held back' ||
	fail "the held-back count: $(env_value "$d/environ" EKAHOOK_ALERT_MESSAGE)"
jq -e '.held_back == 9' "$d/stdin" >/dev/null || fail "stdin: $(cat "$d/stdin")"
ok "after alert_interval the next one runs and counts the 9 held back"

# 3. A 401 signature_invalid: an alert, and the answer does not wait:
# the alert waits for $AL/go, made only once the 401 is in (an answer
# that waited for it could not come, or only once hook_timeout had
# killed it, after curl's 30 s).
: >"$AL/hold"
write_hook_conf "alert_command = $AL/alert" "alert_interval = 5" \
    "signing_key = right-key-0123456789"
sig=$("$EKAHOOKCTL" sign --key wrong-key-0123456789 "$SAMPLE")
post "$SAMPLE" -H "Eka-Webhook-Signature: $sig"
expect_status 401
! grep -q '^signature_rejected ' "$AL/done" 2>/dev/null &&
    ! grep -q '"alert":"signature_rejected"' "$HOOKLOG" ||
	fail "the signature_rejected alert ended before the 401"
touch "$AL/go"
wait_for 15 sh -c "grep -q '^signature_rejected ' '$AL/done'" ||
	fail "no signature_rejected alert ran to its end"
wait_for 15 sh -c "grep -q '\"alert\":\"signature_rejected\"' '$HOOKLOG'" ||
	fail "no hook_log line for the signature_rejected alert"
grep '"alert":"signature_rejected"' "$HOOKLOG" |
    jq -e '.exit == 0 and .timed_out == false' >/dev/null ||
	fail "the alert did not end on its own: $(grep '"alert"' "$HOOKLOG")"
d=$(last_alert signature_rejected)
jq -e '.kind == "signature_rejected" and .error == "signature_invalid" and
    .remote_addr == "127.0.0.1"' "$d/stdin" >/dev/null ||
	fail "stdin: $(cat "$d/stdin")"
ok "a 401 signature_invalid raises signature_rejected; the 401 came while the alert waited, which ended on its own after it"

# 4. A 503: storage_unavailable, naming the path.
rm -f "$AL/hold"
{
	echo "log_file = $T/no/such/dir/events.ndjson"
	echo "hook_log = $HOOKLOG"
	echo "state_dir = $STATE"
	echo "alert_command = $AL/alert"
} >"$CONF"
post "$SAMPLE"
expect_status 503
wait_for 15 sh -c "grep -q '^storage_unavailable ' '$AL/list'" ||
	fail "no storage_unavailable alert"
d=$(last_alert storage_unavailable)
env_value "$d/environ" EKAHOOK_ALERT_MESSAGE | grep -q "$T/no/such/dir" ||
	fail "message: $(env_value "$d/environ" EKAHOOK_ALERT_MESSAGE)"
ok "a 503 raises storage_unavailable, naming what could not be written"

# 5. Each run is a hook_log line with "alert" in place of "request_id".
wait_for 15 sh -c "[ \$(grep -c '\"alert\":' '$HOOKLOG') -ge 4 ]" ||
	fail "alert runs missing from hook_log: $(grep '"alert"' "$HOOKLOG")"
jq -e -s '[.[] | select(has("alert"))] | length == 4 and
    all(.[]; (has("request_id") | not) and .exit == 0 and
    (.output | startswith("alerted ")))' "$HOOKLOG" >/dev/null ||
	fail "hook_log's alert lines: $(grep '"alert"' "$HOOKLOG")"
ok "4 alert runs, 4 hook_log lines with \"alert\", none with a request_id"
