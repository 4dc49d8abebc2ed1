#!/bin/sh
# ekahookctl show (ekahookctl(1)) through lighttpd mod_fastcgi: by
# request id or by a value of the event (appointment_id), the accepted
# line and its duplicate, the reject, every hook run in time order, from
# rotated files too, and the event's place in the hook queue (waiting,
# a dead letter); --json holds the same; an unknown ID exits 1; what a
# hostile event and hook put in the logs reaches the terminal escaped.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

REJECTS=$T/rejects.ndjson
# The hook: fails below attempt partner_meta.pass_at, sleeps $HK/sleep
# seconds, and with partner_meta.hostile prints terminal escapes.
cat >"$HK/hook" <<'EOF'
#!/bin/sh
here=$(dirname "$0")
: >"$here/started.$EKAHOOK_REQUEST_ID.$EKAHOOK_ATTEMPT"
echo "attempt $EKAHOOK_ATTEMPT of $EKAHOOK_REQUEST_ID"
if [ -n "${EKA_PARTNER_META_HOSTILE:-}" ]; then
	printf '\033[31mred\033]0;title\007 \302\205 \342\200\256 \342\200\250 \r\n'
	printf '%s\n' "$EKA_PARTNER_META_ESC" "$EKA_PARTNER_META_RLO"
fi
[ -f "$here/sleep" ] && sleep "$(cat "$here/sleep")"
if [ "$EKAHOOK_ATTEMPT" -lt "${EKA_PARTNER_META_PASS_AT:-0}" ]; then
	echo "attempt $EKAHOOK_ATTEMPT fails" >&2
	exit 1
fi
exit 0
EOF
chmod 0755 "$HK/hook"
# One accepted line per file (about 950 bytes each): rotated files.
cat >"$CONF" <<EOF
log_file = $EVENTS
reject_file = $REJECTS
hook_log = $HOOKLOG
state_dir = $STATE
hook = $HK/hook
hook_retries = 1
hook_max_running = 1
log_max_bytes = 1500
log_keep = 50
EOF
# The retry after 5 s comes after 250 ms.
start_lighttpd fastcgi "$CONF" 1 ', "EKAHOOK_TEST_RETRY_SCALE" => "0.05"'

# show ARGS...: ekahookctl show; output in $T/show.out and $T/show.err,
# exit status in $RC.
show() {
	RC=0
	"$EKAHOOKCTL" show --config "$CONF" "$@" >"$T/show.out" \
	    2>"$T/show.err" || RC=$?
}
# entries: "request_id time kind attempt" per entry show printed.
entries() {
	awk '/^delivery / { d = $2; sub(/,$/, "", d) }
	    /^  2[0-9][0-9][0-9]-/ { print d, $1, $2, ($2 == "hook" ? $4 : "-") }' \
	    "$T/show.out"
}
# kinds RID: that delivery's kinds and attempts, on one line.
kinds() {
	entries | awk -v r="$1" '$1 == r { printf "%s%s ", $3,
	    ($4 == "-" ? "" : $4) }'
}
# in_order: each delivery's entries printed in time order.
in_order() {
	entries | awk '$1 == d && $2 < t { bad = 1 } { d = $1; t = $2 }
	    END { exit bad }'
}
# appointment ID [JQ]: the sample with that appointment_id (and JQ).
appointment() {
	jq -c --arg id "$1" ".data.appointment_id = \$id ${2:+| $2}" \
	    "$SAMPLE" >"$T/event.json"
}
accepted_id() {
	expect_status 200
	jq -r .request_id "$T/resp.body"
}

# --- One event whose hook fails once, its duplicate, a reject.
appointment ap-show-1 '.data.partner_meta.pass_at = "2"'
post "$T/event.json"
a=$(accepted_id)
post "$T/event.json"
expect_accepted true
dup=$REQUEST_ID
jq -c 'del(.data.status)' "$T/event.json" >"$T/reject.json"
post "$T/reject.json"
expect_error 422 invalid_event
rej=$(jq -r .request_id "$T/resp.body")
wait_hook_lines 2 20
wait_quiet 15
ls "$EVENTS".1 >/dev/null 2>&1 || fail "the event log did not rotate"
! grep -q "$a" "$EVENTS" || fail "the first event is not in a rotated file"

show "$a"
[ $RC -eq 0 ] || fail "show by request id exited $RC: $(cat "$T/show.err")"
[ "$(kinds "$a")" = "accepted hook1 hook2 " ] && [ "$(kinds "$dup")" = \
    "duplicate " ] && [ "$(kinds "$rej")" = "" ] && in_order ||
	fail "show by request id: $(cat "$T/show.out")"
grep -q "attempt 1 failed: exit 1" "$T/show.out" &&
    grep -q "attempt 2 ok: exit 0" "$T/show.out" &&
    grep -qF "      attempt 1 fails" "$T/show.out" &&
    grep -qF "in $EVENTS.1" "$T/show.out" &&
    grep -qx "  hook queue: none (not waiting, not a dead letter)" \
    "$T/show.out" || fail "show by request id: $(cat "$T/show.out")"
ok "by request id: the line from a rotated file, its duplicate, both hook runs in order"

show "$rej"
[ $RC -eq 0 ] && [ "$(kinds "$rej")" = "rejected " ] &&
    grep -q "rejected 422 invalid_event from 127.0.0.1" "$T/show.out" &&
    grep -q "details: data.status: " "$T/show.out" ||
	fail "show by a reject's request id: $(cat "$T/show.out")"
ok "by a reject's request id: the reject with its details and body"

show ap-show-1
[ $RC -eq 0 ] && [ "$(kinds "$a")" = "accepted hook1 hook2 " ] &&
    [ "$(kinds "$dup")" = "duplicate " ] &&
    [ "$(kinds "$rej")" = "rejected " ] && in_order ||
	fail "show by appointment_id: $(cat "$T/show.out")"
ok "by appointment_id: the event, its duplicate, the reject, the hook runs"

show ap-show-1 --json
[ $RC -eq 0 ] || fail "show --json exited $RC"
jq -e --arg a "$a" --arg d "$dup" --arg r "$rej" '
    .id == "ap-show-1" and (.deliveries | length) == 3 and
    ([.deliveries[] | .entries | map(.time) | . == sort] | all) and
    (.deliveries[] | select(.request_id == $a) |
      .spool == "none" and .spool_file == null and .attempts == 2 and
      ([.entries[] | [.kind, .line.attempt, .line.exit]] ==
       [["accepted", null, null], ["hook", 1, 1], ["hook", 2, 0]]) and
      .entries[0].line.request_id == $a and
      .entries[0].line.event.data.appointment_id == "ap-show-1" and
      (.entries[1].line.output | test("attempt 1 fails"))) and
    (.deliveries[] | select(.request_id == $d) |
      [.entries[] | [.kind, .line.duplicate]] == [["duplicate", true]]) and
    (.deliveries[] | select(.request_id == $r) |
      [.entries[] | [.kind, .line.status, .line.error]] ==
      [["rejected", 422, "invalid_event"]])' "$T/show.out" >/dev/null ||
	fail "show --json: $(cat "$T/show.out")"
ok "--json: the same deliveries, each line whole, in time order"

# --- A dead letter: both attempts fail.
appointment ap-show-dead '.data.partner_meta.pass_at = "99"'
post "$T/event.json"
dead=$(accepted_id)
wait_for 20 test -f "$STATE/hooks/failed/$dead" ||
	fail "$dead did not become a dead letter"
wait_quiet 15
show ap-show-dead
[ $RC -eq 0 ] && [ "$(kinds "$dead")" = "accepted hook1 hook2 " ] &&
    grep -qF "  hook queue: dead letter, $STATE/hooks/failed/$dead, after 2 attempts" \
    "$T/show.out" || fail "show of a dead letter: $(cat "$T/show.out")"
show "$dead" --json
jq -e --arg id "$dead" --arg f "$STATE/hooks/failed/$dead" '
    (.deliveries | length) == 1 and (.deliveries[0] |
    .request_id == $id and .spool == "failed" and .spool_file == $f and
    .attempts == 2)' "$T/show.out" >/dev/null ||
	fail "show --json of a dead letter: $(cat "$T/show.out")"
ok "a dead letter shows as failed, with its file and attempts"

# --- Waiting: one hook at a time, the one before still running.
echo 6 >"$HK/sleep"
appointment ap-show-busy
post "$T/event.json"
busy=$(accepted_id)
wait_for 15 test -e "$HK/started.$busy.1" || fail "the slow hook did not start"
appointment ap-show-waiting
post "$T/event.json"
waiting=$(accepted_id)
show "$waiting"
[ $RC -eq 0 ] && [ "$(kinds "$waiting")" = "accepted " ] &&
    grep -qF "  hook queue: waiting or running, $STATE/hooks/new/$waiting" \
    "$T/show.out" || fail "show of a waiting event: $(cat "$T/show.out")"
show "$waiting" --json
jq -e --arg f "$STATE/hooks/new/$waiting" '.deliveries[0] |
    .spool == "waiting" and .spool_file == $f and .attempts == 0 and
    .next_due == null' "$T/show.out" >/dev/null ||
	fail "show --json of a waiting event: $(cat "$T/show.out")"
show "$busy" --json
jq -e '.deliveries[0].spool == "waiting"' "$T/show.out" >/dev/null ||
	fail "show --json of a running event: $(cat "$T/show.out")"
ok "an event waiting for its hook (and one running) shows as waiting"
rm -f "$HK/sleep"
wait_for 30 test -e "$HK/started.$waiting.1" || fail "the waiting hook never ran"
wait_quiet 30

# --- Nothing found; usage errors.
show ap-show-nowhere
[ $RC -eq 1 ] && [ ! -s "$T/show.out" ] &&
    grep -q "nothing matches ap-show-nowhere" "$T/show.err" ||
	fail "an unknown ID: exit $RC, $(cat "$T/show.out" "$T/show.err")"
show 019ab3c4d5e6-0012f3-9a8b7c6d-00002a
[ $RC -eq 1 ] || fail "an unknown request id exited $RC"
for args in "" "a b" "--bogus" "a --config"; do
	# shellcheck disable=SC2086
	show $args
	[ $RC -eq 2 ] || fail "show $args exited $RC, not 2"
done
ok "an unknown ID exits 1 saying so; a usage error exits 2"

# --- Hostile values, in the event, its reject and the hook's output;
# data and its partner_meta first, so that they are within what a person
# is shown (and appointment_id within reject_body_max).
jq -c --arg esc "$(printf '\033[31mred\033[0m\033]0;t\007')" \
    --arg rlo "$(printf 'a\342\200\256b')" \
    --arg ls "$(printf 'a\342\200\250b\342\200\251c')" \
    --arg nel "$(printf 'a\302\205b\302\233c')" \
    --arg bidi "$(printf '\342\201\246\342\200\217\330\234\342\200\216')" \
    --arg big "$(head -c 20000 /dev/zero | tr '\0' 'x')" '
    .data.appointment_id = "ap-show-hostile" |
    .data.partner_meta += {hostile: "1", esc: $esc, rlo: $rlo, ls: $ls,
      nel: $nel, bidi: $bidi, ("k" + $esc): "v", big: $big} |
    .data = ({appointment_id: null, partner_meta: null} + .data) |
    {data: null} + .' \
    "$SAMPLE" >"$T/hostile.json"
# Raw in the body too (jq escapes only C0 and DEL): U+202E, U+2028, DEL.
perl -pi -e 's/"rlo":"/"rlo":"\x{e2}\x{80}\x{ae}\x7f/' "$T/hostile.json"
post "$T/hostile.json"
hostile=$(accepted_id)
# The same bytes without data.status: a 422 whose kept body holds them.
sed 's/"status":"BK",//' "$T/hostile.json" >"$T/hostile-reject.json"
post "$T/hostile-reject.json"
expect_status 422
wait_for 20 sh -c "cat '$HOOKLOG'* | grep -q '\"request_id\":\"$hostile\"'" ||
	fail "the hostile event's hook did not run"
# raw FILE: a control character a terminal would act on, if any.
raw() {
	perl -0777 -ne 's/[\n\t]//g; exit 0 if /[\x00-\x1f\x7f]|\xc2[\x80-\x9f]|
	    \xe2\x80[\xa8-\xae\x8e\x8f]|\xe2\x81[\xa6-\xa9]|\xd8\x9c/x;
	    exit 1' "$1"
}
show ap-show-hostile
[ $RC -eq 0 ] && [ "$(kinds "$hostile")" = "accepted hook1 " ] &&
    grep -q "^  2.* rejected 422 invalid_event" "$T/show.out" ||
	fail "show of the hostile event: $(cat "$T/show.out")"
raw "$T/show.out" && fail "show printed a raw control character: \
$(od -c "$T/show.out" | head -n 40)"
grep -F '    event: {"data":{"appointment_id":' "$T/show.out" | grep -qF \
    '"rlo":"\u{202e}\x7fa\u{202e}b","ls":"a\u{2028}b\u{2029}c","nel":"a\u{0085}b\u{009b}c"' &&
    grep -qF '      \x1b[31mred\x1b]0;title\x07 \u{0085} \u{202e} \u{2028} \x0d' \
    "$T/show.out" &&
    grep -F '      {"data":{"appointment_id":' "$T/show.out" |
    grep -qF '"rlo":"\u{202e}\x7fa\u{202e}b"' &&
    grep -qF -- '--json has it whole' "$T/show.out" ||
	fail "the escapes are not shown, or the long event not cut: $(cat "$T/show.out")"
[ "$(wc -c <"$T/show.out")" -lt 12000 ] ||
	fail "the person view of a 20 KB event is $(wc -c <"$T/show.out") bytes"
show ap-show-hostile --json
[ $RC -eq 0 ] || fail "show --json of the hostile event exited $RC"
raw "$T/show.out" && fail "show --json printed a raw control character"
jq -e --arg id "$hostile" --arg esc "$(printf '\033[31mred\033[0m\033]0;t\007')" '
    .deliveries[] | select(.request_id == $id) | .entries |
    (.[0].line.event.data.partner_meta | .big == ("x" * 20000) and
      .esc == $esc) and (.[1].line.output | test("\u001b\\[31mred"))' \
    "$T/show.out" >/dev/null || fail "show --json lost the hostile values"
ok "hostile values and hook output: no raw control character, cut for a person, whole in --json"
