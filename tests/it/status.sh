#!/bin/sh
# ekahookctl status (ekahookctl(1)): after a scripted mix through a real
# lighttpd (accepted, a duplicate, every logged reject kind, a hook that
# fails into failed/, one still running), the person's screen, --json
# and --prometheus hold exactly those counts; --check names each
# threshold crossed (exit 1) and is silent when healthy (exit 0).
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

KEY=status-test-key-0123456789
cat >"$HK/hook" <<'HOOK'
#!/bin/sh
case ${EKA_PARTNER_META_MODE:-} in
fail) echo "failing on purpose"; exit 1 ;;
block) sleep 60 ;;
esac
exit 0
HOOK
chmod 0755 "$HK/hook"
{
	echo "log_file = $EVENTS"
	echo "reject_file = $T/rejected.ndjson"
	echo "hook_log = $HOOKLOG"
	echo "state_dir = $STATE"
	echo "hook = $HK/hook"
	echo "signing_key = $KEY"
} >"$CONF"
chmod 0600 "$CONF"
start_lighttpd fastcgi "$CONF"

# spost FILE [curl args]: POSTs FILE signed with $KEY.
spost() {
	f=$1
	shift
	post "$f" -H "Eka-Webhook-Signature: $("$EKAHOOKCTL" sign --key "$KEY" "$f")" "$@"
}
status() {
	"$EKAHOOKCTL" status --config "$CONF" "$@" >"$T/st.out" 2>&1
}

event_with mode ok
cp "$T/event.json" "$T/ok.json"
spost "$T/ok.json"; expect_status 200
spost "$T/ok.json"; expect_status 200		# duplicate
event_with mode fail
spost "$T/event.json"; expect_status 200
wait_for 20 sh -c "[ \$(ls '$STATE/hooks/failed' | wc -l) -eq 1 ]" ||
	fail "the failing hook did not become a dead letter"
event_with mode block
spost "$T/event.json"; expect_status 200
wait_for 20 sh -c "[ \$(grep -c . '$HOOKLOG') -ge 2 ]" || fail "hooks did not run"
# Every reject kind the reject log keeps.
printf '{"a":' >"$T/bad.json"; spost "$T/bad.json"; expect_status 400
printf '{"a":1,"a":2}' >"$T/dup.json"; spost "$T/dup.json"; expect_status 400
printf '[1]' >"$T/arr.json"; spost "$T/arr.json"; expect_status 400
perl -e 'print "{\"a\":" . ("[" x 70) . ("]" x 70) . "}"' >"$T/deep.json"
spost "$T/deep.json"; expect_status 400
echo '{"event":"appointment.created"}' >"$T/inv.json"
spost "$T/inv.json"; expect_status 422
head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big.json"
spost "$T/big.json"; expect_status 413
request POST "$URL" -H 'Content-Type: text/plain' --data-binary "@$T/ok.json" \
    -H "Eka-Webhook-Signature: $("$EKAHOOKCTL" sign --key "$KEY" "$T/ok.json")"
expect_status 415
post "$T/ok.json"; expect_status 401				# missing
post "$T/ok.json" -H 'Eka-Webhook-Signature: t=1,v1=00'; expect_status 401
old=$(($(date +%s) - 3600))
post "$T/ok.json" -H "Eka-Webhook-Signature: $("$EKAHOOKCTL" sign --key "$KEY" --time "$old" "$T/ok.json")"
expect_status 401						# expired
ok "the mix: 3 accepted, 1 duplicate, 10 rejected, a dead letter, a hook running"

status || fail "status exited non-zero: $(cat "$T/st.out")"
for want in "configuration   $CONF: ok" \
    "last 24 hours   accepted 3, duplicate 1, rejected 10 (" \
    "hooks waiting   1 (oldest received " "dead letters    1 " \
    "hook runs 24 h  ok 1, failed 1; alerts 0" "free disk       " \
    "last event      "; do
	grep -qF "$want" "$T/st.out" || fail "status lacks \"$want\": $(cat "$T/st.out")"
done
for e in invalid_json duplicate_key not_an_object too_deep invalid_event \
    body_too_large unsupported_media_type signature_missing \
    signature_invalid signature_expired; do
	grep -q "[ (]$e 1[,)]" "$T/st.out" || fail "status lacks $e 1: $(cat "$T/st.out")"
done
grep -q 'min ago\|s ago\|just now' "$T/st.out" || fail "no age: $(cat "$T/st.out")"
ok "status: the counts of the mix, each reject kind, ages in plain words"

status --json || fail "status --json: $(cat "$T/st.out")"
jq -e '.config.ok and .last_24h.accepted == 3 and .last_24h.duplicate == 1
    and .last_24h.rejected == 10 and .last_24h.rejects.too_deep == 1
    and .last_24h.rejects.signature_expired == 1
    and .last_24h.hook_runs_ok == 1 and .last_24h.hook_runs_failed == 1
    and .hooks.waiting == 1 and .hooks.dead_letters == 1
    and .hooks.oldest_waiting_seconds >= 0 and .free_bytes > 0
    and .last_event.age_seconds >= 0
    and .logs.log_file.bytes > 0 and .logs.log_file.writable' \
    "$T/st.out" >/dev/null || fail "status --json: $(cat "$T/st.out")"
ok "status --json: the same counts"

status --prometheus || fail "status --prometheus: $(cat "$T/st.out")"
bad=$(grep -vE '^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})? -?[0-9][0-9.e+-]*)$' "$T/st.out" || true)
[ -z "$bad" ] || fail "not the text exposition format: $bad"
for m in 'ekahook_requests_24h{outcome="accepted"} 3' \
    'ekahook_requests_24h{outcome="duplicate"} 1' \
    'ekahook_requests_24h{outcome="rejected"} 10' \
    'ekahook_rejects_24h{error="invalid_event"} 1' \
    'ekahook_hook_runs_24h{result="failed"} 1' \
    'ekahook_hooks_waiting 1' 'ekahook_hooks_dead_letters 1' \
    'ekahook_config_ok 1'; do
	grep -qxF "$m" "$T/st.out" || fail "no \"$m\": $(cat "$T/st.out")"
done
grep -q '^ekahook_log_free_bytes [1-9]' "$T/st.out" || fail "no free bytes"
grep -q '^ekahook_last_event_timestamp_seconds 1[0-9]*\.[0-9]*$' "$T/st.out" ||
	fail "no last event time"
ok "status --prometheus: every line a comment or a sample; the same counts"

rc=0; status --check --max-silence 0 --max-waiting 0 || rc=$?
[ $rc -eq 1 ] || fail "--check exited $rc: $(cat "$T/st.out")"
grep -q '^dead letters: 1 ' "$T/st.out" &&
    grep -q '^a hook has waited ' "$T/st.out" &&
    grep -q '^no event for ' "$T/st.out" ||
	fail "--check did not name each threshold: $(cat "$T/st.out")"
[ "$(grep -c . "$T/st.out")" -eq 3 ] || fail "--check: $(cat "$T/st.out")"
status --check --max-failed 1 --max-waiting 1h --max-silence 1d ||
	fail "--check healthy exited non-zero: $(cat "$T/st.out")"
[ ! -s "$T/st.out" ] || fail "--check healthy printed: $(cat "$T/st.out")"
ok "--check: exit 1 with a line per threshold crossed; 0 and silent when healthy"

# An unwritable log (its directory is gone) and a broken configuration.
sed "s|^log_file = .*|log_file = $T/gone/events.ndjson|" "$CONF" >"$T/c2"
rc=0; "$EKAHOOKCTL" status --config "$T/c2" --check --max-failed 9 \
    >"$T/st.out" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q "^log_file: $T/gone/events.ndjson cannot be written" \
    "$T/st.out" || fail "unwritable log: rc $rc: $(cat "$T/st.out")"
echo "bogus_key = 1" >"$T/c3"
rc=0; "$EKAHOOKCTL" status --config "$T/c3" --check >"$T/st.out" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q '^configuration: 1 problem' "$T/st.out" ||
	fail "bad config: rc $rc: $(cat "$T/st.out")"
rc=0; "$EKAHOOKCTL" status --config "$T/c3" >"$T/st.out" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q 'bogus_key' "$T/st.out" || fail "status of a bad config: $(cat "$T/st.out")"
rc=0; status --max-silence 5x || rc=$?
[ $rc -eq 2 ] || fail "a bad duration exited $rc"
ok "--check names an unwritable log and a broken configuration; a bad duration is a usage error"
