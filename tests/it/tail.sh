#!/bin/sh
# ekahookctl tail (ekahookctl(1)) through lighttpd mod_fastcgi: one line
# per accepted event, duplicate, rejected request and hook run, across
# log_file, reject_file and hook_log in time order, the last 10 without
# -f; with -f (into a pipe) a new event's line within a second, through
# the rotations ekahook makes while it reads, nothing lost or doubled, a
# log that does not exist yet waited for, and exit 0 on SIGTERM and
# SIGINT.  Whatever a request or a hook sends, nothing printed holds a
# raw control character.
. "$TOP_SRCDIR/tests/hook/hooklib.sh"

REJECTS=$T/rejected.ndjson
KEY="whsec-tail-$$-4c1e"

# The hook says one line; for an event whose partner_meta has "fail"
# it writes raw escapes and fails (its output then shows in tail).
cat >"$HK/hook" <<'EOF'
#!/bin/sh
if [ -n "${EKA_PARTNER_META_FAIL:-}" ]; then
	printf 'starting\n\033[31mred\033]0;title\007 \302\205 \342\200\256 \342\200\250 \r\033[2J done\n'
	exit 3
fi
echo "hook output for $EKAHOOK_REQUEST_ID"
EOF
chmod 0755 "$HK/hook"
# Small files: an event's line fills one, so ekahook rotates log_file at
# each event.
write_conf "$CONF" <<EOF
log_file = $EVENTS
reject_file = $REJECTS
hook_log = $HOOKLOG
state_dir = $STATE
hook = $HK/hook
signing_key = $KEY
log_max_bytes = 1500
log_keep = 100
EOF
start_lighttpd fastcgi "$CONF"

# post_signed FILE: POSTs FILE signed with $KEY.
post_signed() {
	post "$1" -H "Eka-Webhook-Signature: $("$EKAHOOKCTL" sign --key "$KEY" "$1")"
}
# run_tail: ekahookctl tail into $T/tail.out; it must exit 0.
run_tail() {
	rc=0
	"$EKAHOOKCTL" tail --config "$CONF" >"$T/tail.out" 2>"$T/tail.err" ||
	    rc=$?
	[ $rc -eq 0 ] && [ ! -s "$T/tail.err" ] ||
		fail "tail exited $rc: $(cat "$T/tail.err")"
}
# log_pairs: "time request_id" of every line of the three logs, rotated
# files included (an alert's kind stands for its request id), sorted.
log_pairs() {
	{
		jq -r '"\(.received_at) \(.request_id)"' "$EVENTS"* "$REJECTS"*
		jq -r '"\(.finished_at) \(.request_id // .alert)"' "$HOOKLOG"*
	} | sort
}
# tail_pairs FILE: the same of tail's lines, in tail's order.
tail_pairs() {
	awk '{ for (i = 2; i <= NF; i++)
	    if ($i ~ /^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$/) {
	        print $1, $i; next } }' "$1"
}
# last_lines_once FILE: tail's lines are the last ones of the logs (as
# many as FILE has), each once.
last_lines_once() {
	tail_pairs "$1" >"$T/pairs.got"
	[ "$(lines "$T/pairs.got")" -eq "$(lines "$1")" ] ||
		fail "$1: a line without its request id: $(cat "$1")"
	log_pairs | tail -n "$(lines "$1")" >"$T/pairs.want"
	sort "$T/pairs.got" | cmp -s - "$T/pairs.want" ||
		fail "$1: not the logs' last lines, each once: $(sort \
		    "$T/pairs.got" | diff "$T/pairs.want" -)"
}
# in_time_order FILE: that, and in time order.
in_time_order() {
	last_lines_once "$1"
	cut -c1-24 "$T/pairs.got" | sort -c ||
		fail "$1: not in time order: $(cat "$1")"
}
# plain FILE: no raw control character: no byte below 0x20 but the
# newline, no DEL, no UTF-8 of C1 (U+0080-U+009F), U+2028, U+2029,
# U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C.
plain() {
	perl -0777 -ne 'exit 1 if /[\x00-\x09\x0b-\x1f\x7f]/ ||
	    /\xc2[\x80-\x9f]/ || /\xe2\x80[\x8e\x8f\xa8-\xae]/ ||
	    /\xe2\x81[\xa6-\xa9]/ || /\xd8\x9c/' "$1"
}
# gone PID: a child of this shell has ended (a zombie counts).
gone() {
	s=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
	case $s in Z*) return 0 ;; esac
	return 1
}
# stop_tail PID SIGNAL: it ends within 5 s, with exit status 0.
stop_tail() {
	kill "-$2" "$1"
	wait_for 5 gone "$1" || fail "tail -f did not end on SIG$2"
	rc=0
	wait "$1" || rc=$?
	[ $rc -eq 0 ] || fail "tail -f exited $rc on SIG$2"
}
# shown FILE PATTERN: FILE has exactly one line matching PATTERN (ERE).
shown() {
	[ "$(grep -cE -- "$2" "$1")" -eq 1 ]
}

# --- An accepted event, its duplicate, a 401, a 422, the hook's run.
event_with n 1
post_signed "$T/event.json"
expect_accepted false
acc=$REQUEST_ID
post_signed "$T/event.json"
expect_accepted true
dup=$REQUEST_ID
post "$T/event.json" -H "Eka-Webhook-Signature: t=$(date +%s),v1=$(printf '%064d' 0)"
expect_error 401 signature_invalid
bad=$(jq -r .request_id "$T/resp.body")
jq -c 'del(.data.sa_ids)' "$SAMPLE" >"$T/invalid.json"
post_signed "$T/invalid.json"
expect_error 422 invalid_event
inv=$(jq -r .request_id "$T/resp.body")
detail=$(jq -r '.details[0] | "\(.field) \(.problem)"' "$T/resp.body")
wait_hook_lines 1 20

run_tail
[ "$(lines "$T/tail.out")" -eq 5 ] || fail "tail printed: $(cat "$T/tail.out")"
in_time_order "$T/tail.out"
apt='appointment_id=ap-5f2b9c1e-8d7a-4c3b-a1e2-9f8d7c6b5a40'
# The columns, blanks squeezed: what, event or error, id, where from.
cut -c27- "$T/tail.out" | tr -s ' ' | sed 's/ [0-9]* ms$/ N ms/' | sort \
    >"$T/got"
sort >"$T/want" <<EOF
accepted appointment.created $acc from 127.0.0.1 $apt
duplicate appointment.created $dup from 127.0.0.1 $apt
rejected 401 signature_invalid $bad from 127.0.0.1
rejected 422 invalid_event $inv from 127.0.0.1 $detail
hook ok appointment.created $acc attempt 1, N ms
EOF
cmp -s "$T/want" "$T/got" || fail "tail's lines: $(diff "$T/want" "$T/got")"
shown "$T/tail.out" \
    "^$(jq -r --arg id "$acc" 'select(.request_id == $id) | .received_at' \
    "$EVENTS"*) +accepted +appointment\.created +$acc " ||
	fail "the accepted line does not start with its received_at"
ok "tail: accepted, duplicate, 401, 422 and the hook's run, one line each, in time order"

# --- More lines than 10, some in rotated files: the last 10.
for n in 2 3 4 5; do
	event_with n "$n"
	post_signed "$T/event.json"
	expect_accepted false
done
wait_hook_lines 5 20
ls "$EVENTS".1 >/dev/null 2>&1 || fail "log_file did not rotate"
run_tail
[ "$(lines "$T/tail.out")" -eq 10 ] ||
	fail "tail printed $(lines "$T/tail.out") lines, not the last 10"
in_time_order "$T/tail.out"
ok "tail: the last 10 lines of the three logs, rotated files included"

# --- tail -f into a pipe: the last 10, then each new line at once.
wait_quiet 15
start_lines=$(log_pairs | wc -l)
mkfifo "$T/follow.fifo"
cat "$T/follow.fifo" >"$T/follow.out" &
echo $! >>"$T/pids"
"$EKAHOOKCTL" tail -f --config "$CONF" >"$T/follow.fifo" 2>"$T/follow.err" &
follow=$!
echo "$follow" >>"$T/pids"
wait_for 10 sh -c "[ \$(wc -l <'$T/follow.out') -ge 10 ]" ||
	fail "tail -f printed $(lines "$T/follow.out") lines at its start"
event_with n follow
post_signed "$T/event.json"
expect_accepted false
id=$REQUEST_ID
# 10 s: a deadline against a hang, not a speed test.
wait_for 10 shown "$T/follow.out" " accepted +appointment\.created +$id " ||
	fail "tail -f did not print the new event: $(cat "$T/follow.out")"
ok "tail -f (stdout a pipe) printed a new event, once"

# --- Events while ekahook rotates the logs under tail -f, several
# times between two of its looks: it is stopped meanwhile.
rotated=$(ls "$EVENTS".* | wc -l)
kill -STOP "$follow"
ids=
for n in 6 7 8 9 10 11 12; do
	event_with n "$n"
	post_signed "$T/event.json"
	expect_accepted false
	ids="$ids $REQUEST_ID"
done
[ "$(ls "$EVENTS".* | wc -l)" -ge $((rotated + 3)) ] ||
	fail "ekahook did not rotate log_file several times"
kill -CONT "$follow"
wait_hook_lines 13 30
for id in $ids; do
	wait_for 3 shown "$T/follow.out" " hook ok +appointment\.created +$id " ||
		fail "tail -f lost the hook run of $id: $(cat "$T/follow.out")"
	shown "$T/follow.out" " accepted +appointment\.created +$id " ||
		fail "tail -f shows event $id other than once"
done
ok "tail -f follows log_file and hook_log through ekahook's rotations"

# --- Hostile values: in the event (raw and \u-escaped) and the hook's output.
big=$(head -c 20000 /dev/zero | tr '\0' x)
jq -c --arg big "$big" '.data.partner_meta += {esc: "\u001b[31mred",
    rlo: "\u202e", ls: "\u2028", nel: "\u0085", bidi: "\u2066\u200f\u061c",
    del: "\u007f", big: $big, fail: "1"}
    | .data.appointment_id = "ap-\u001b[31m\u202e\u2028\u0085\u2066" + $big' \
    "$SAMPLE" >"$T/hostile.json"
jq -ac '.data.partner_meta.n = "escaped"' "$T/hostile.json" >"$T/hostile-a.json"
grep -q '\\u202e' "$T/hostile-a.json" && grep -q "$(printf '\342\200\256')" \
    "$T/hostile.json" || fail "the hostile bodies are not as meant"
post_signed "$T/hostile.json"
expect_accepted false
h1=$REQUEST_ID
post_signed "$T/hostile-a.json"
expect_accepted false
h2=$REQUEST_ID
wait_hook_lines 15 30
for id in "$h1" "$h2"; do
	wait_for 3 shown "$T/follow.out" " hook failed +appointment\.created +$id " ||
		fail "tail -f did not show the failed hook of $id: $(cat "$T/follow.out")"
done
run_tail
for f in "$T/tail.out" "$T/follow.out"; do
	plain "$f" || fail "$f holds a raw control character: $(od -c "$f" | head -40)"
	grep -qF 'appointment_id=ap-\x1b[31m\u{202e}\u{2028}\u{0085}\u{2066}xxx' "$f" ||
		fail "$f: the hostile appointment_id is not shown escaped"
	grep -qF 'output: \x1b[31mred\x1b]0;title\x07 \u{0085} \u{202e} \u{2028} \x0d\x1b[2J done' "$f" ||
		fail "$f: the hook's last line of output is not shown escaped"
	[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$f")" -lt 400 ] ||
		fail "$f: a line is not cut"
done
ok "a hostile event and hook output print no raw control character, cut short"

# --- Nothing lost, nothing doubled: every line since tail -f started.
want=$((10 + $(log_pairs | wc -l) - start_lines))
wait_for 3 sh -c "[ \$(wc -l <'$T/follow.out') -ge $want ]" ||
	fail "tail -f printed $(lines "$T/follow.out") lines, want $want"
# (In time order within each look at the logs: a line received earlier
# may be written after one already printed.)
last_lines_once "$T/follow.out"
stop_tail "$follow" TERM
[ ! -s "$T/follow.err" ] || fail "tail -f said: $(cat "$T/follow.err")"
ok "tail -f printed each line once, then ended on SIGTERM with exit 0"

# --- Logs that do not exist yet are waited for; SIGINT ends it.
L=$T/later
mkdir -p "$L"
write_conf "$L/ekahook.conf" <<EOF
log_file = $L/events.ndjson
reject_file =
hook_log = $L/hooks.ndjson
state_dir = $L/state
EOF
"$EKAHOOKCTL" tail -f --config "$L/ekahook.conf" >"$L/out" 2>"$L/err" &
later=$!
echo "$later" >>"$T/pids"
# One log appears: seen, so tail -f is reading; then the other.
tail -n 1 "$HOOKLOG" >"$L/hooks.ndjson"
wait_for 5 sh -c "[ \$(wc -l <'$L/out') -eq 1 ]" ||
	fail "tail -f did not pick up a new hook_log: $(cat "$L/out" "$L/err")"
grep -h "\"request_id\":\"$acc\"" "$EVENTS"* >"$L/line"
! grep -qE " accepted +appointment\.created +$acc " "$L/out" ||
	fail "tail -f printed $acc before its log_file was there"
cp "$L/line" "$L/events.ndjson"
wait_for 10 shown "$L/out" " accepted +appointment\.created +$acc " ||
	fail "tail -f did not pick up a new log_file: $(cat "$L/out")"
ok "tail -f waits for logs that do not exist yet, and prints them once they do"
stop_tail "$later" INT
ok "SIGINT ends tail -f with exit 0"

rc=0
"$EKAHOOKCTL" tail --bogus >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "tail --bogus exited $rc"
ok "an unknown option is a usage error (exit 2)"
