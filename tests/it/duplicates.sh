#!/bin/sh
# ekahook(8) "Duplicates" through lighttpd mod_fastcgi: a byte-identical
# body within dedupe_window is answered and logged "duplicate":true,
# across 4 FastCGI processes racing on one body; dedupe_window = 0 turns
# it off; a marker older than the window no longer counts.
. "$TESTLIB"
umask 022

CONF="$T/etc/ekahook.conf"
mkdir -p "$T/etc" "$T/b"
write_conf "$CONF" <<EOF
dedupe_window = 60
EOF
EVENTS="$T/etc/events.ndjson"
start_lighttpd fastcgi "$CONF" 4

# body TAG: the sample with its own visit_id, in $T/b/TAG.json.
body() {
	jq -c ".data.partner_meta.visit_id = \"$1\"" "$SAMPLE" >"$T/b/$1.json"
}

# --- The same body twice; a different body; the same meaning in other bytes.
body one
post "$T/b/one.json"
expect_accepted false
first_id=$REQUEST_ID
post "$T/b/one.json"
expect_accepted true
[ "$(jq -c '[.request_id, .duplicate]' "$EVENTS" | tr '\n' ' ')" = \
    "[\"$first_id\",false] [\"$REQUEST_ID\",true] " ] ||
	fail "both must be logged, the second as duplicate: $(cat "$EVENTS")"
[ "$(sed -n 1p "$EVENTS" | jq -c .event)" = "$(sed -n 2p "$EVENTS" | jq -c .event)" ] ||
	fail "the duplicate's event differs"
ok "the same body twice: 200 false, 200 true; both logged, the second flagged"

body two
post "$T/b/two.json"
expect_accepted false
# Byte-identical is the rule: a pretty-printed copy is another body.
jq . "$T/b/one.json" >"$T/b/one-pretty.json"
post "$T/b/one-pretty.json"
expect_accepted false
post "$T/b/one-pretty.json"
expect_accepted true
ok "a different body: false; the same event in other bytes: false, then true"

# A rejected body leaves no marker: once valid, the same bytes are new.
write_conf "$CONF" <<EOF
dedupe_window = 60
max_body_bytes = 100
EOF
body three
post "$T/b/three.json"
expect_error 413 body_too_large
write_conf "$CONF" <<EOF
dedupe_window = 60
EOF
post "$T/b/three.json"
expect_accepted false
ok "a body refused (413), then accepted: not a duplicate"

# --- 20 concurrent POSTs of one body across 4 processes: exactly one
# is new.  Two rounds, two bodies.
[ "$(pgrep -c -f "$T/lighttpd/bin/ekahook")" = 4 ] ||
	fail "expected 4 ekahook processes, found $(pgrep -c -f "$T/lighttpd/bin/ekahook")"
for round in race1 race2; do
	body "$round"
	lines_before=$(lines "$EVENTS")
	# One curl opening all 20 connections at once.
	set --
	for i in $(seq 1 20); do
		set -- "$@" "$URL" -o "$T/b/$round.$i.out"
	done
	curl -s --max-time 30 --parallel --parallel-immediate --parallel-max 20 \
	    -H 'Content-Type: application/json' \
	    --data-binary "@$T/b/$round.json" "$@"
	cat "$T/b/$round".*.out >"$T/$round.answers"
	[ "$(jq -r .duplicate "$T/$round.answers" | sort | uniq -c | tr -s ' ')" = \
	    "$(printf ' 1 false\n 19 true')" ] ||
		fail "$round: answers $(jq -r .duplicate "$T/$round.answers" | sort | uniq -c)"
	tail -n +$((lines_before + 1)) "$EVENTS" >"$T/$round.lines"
	[ "$(lines "$T/$round.lines")" = 20 ] || fail "$round: $(lines "$T/$round.lines") lines"
	[ "$(jq -r .duplicate "$T/$round.lines" | sort | uniq -c | tr -s ' ')" = \
	    "$(printf ' 1 false\n 19 true')" ] || fail "$round: logged duplicates wrong"
	# The one answered new is the one logged new.
	[ "$(jq -r 'select(.duplicate | not) | .request_id' "$T/$round.answers")" = \
	    "$(jq -r 'select(.duplicate | not) | .request_id' "$T/$round.lines")" ] ||
		fail "$round: the new answer is not the new line"
	# The request id carries the serving process's pid (src/reqid.c):
	# the race really spread over several processes.
	pids=$(jq -r .request_id "$T/$round.answers" | cut -d- -f2 | sort -u | wc -l)
	[ "$pids" -ge 3 ] || fail "$round: the 20 were served by only $pids processes"
	ok "$round: 20 concurrent identical POSTs over $pids processes: 1 false, 19 true, answered and logged"
done

# --- A marker older than the window no longer counts.
body old
post "$T/b/old.json"
expect_accepted false
post "$T/b/old.json"
expect_accepted true
markers=$(find "$T/etc/state/seen" -type f | wc -l)
[ "$markers" -ge 1 ] || fail "no duplicate markers under state/seen"
find "$T/etc/state/seen" -type f -exec touch -d "@$(($(date +%s) - 120))" {} +
post "$T/b/old.json"
expect_accepted false
post "$T/b/old.json"
expect_accepted true
# Within the window still: 50 s old of 60.
find "$T/etc/state/seen" -type f -exec touch -d "@$(($(date +%s) - 50))" {} +
post "$T/b/old.json"
expect_accepted true
ok "markers aged 120 s (window 60): new again, then duplicate; 50 s: duplicate"

# --- dedupe_window = 0: never a duplicate, even of a body seen before.
write_conf "$CONF" <<EOF
dedupe_window = 0
EOF
for i in 1 2 3; do
	post "$T/b/one.json"
	expect_accepted false
done
body four
post "$T/b/four.json"
expect_accepted false
post "$T/b/four.json"
expect_accepted false
ok "dedupe_window = 0: the same body 3 times and a new one twice, never a duplicate"
"$EKAHOOKCTL" verify-log "$EVENTS" >/dev/null || fail "verify-log"
