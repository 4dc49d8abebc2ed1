#!/bin/sh
# ekahook(8) "Requests" 503 and "Logs" through lighttpd mod_fastcgi:
# log_file on a 64 KiB tmpfs filled up by POSTs.  The first POST that
# does not fit is 503 storage_unavailable with Retry-After: 60, the log
# keeps only complete lines, no duplicate marker is left for the refused
# body, and once there is room again the same body is a new event.
. "$TESTLIB"
umask 022

[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
FULL="$T/full"
mkdir -p "$FULL" "$T/etc" "$T/b"
mount -t tmpfs -o size=64k,mode=0755 tmpfs "$FULL" 2>/dev/null ||
	skip "mount -t tmpfs is not permitted here"
echo "$FULL" >>"$T/mounts"

head -c 8192 /dev/urandom >"$FULL/filler"
CONF="$T/etc/ekahook.conf"
write_conf "$CONF" <<EOF
log_file = $FULL/events.ndjson
log_max_bytes = 0
state_dir = $T/etc/state
EOF
EVENTS="$FULL/events.ndjson"
start_lighttpd fastcgi "$CONF"

# 200 distinct events, one file each: $T/b/ev-000.json ...
jq -c '. as $e | range(0; 200) | . as $i |
    $e | .data.partner_meta.visit_id = "full-\($i)"' "$SAMPLE" |
	DIR="$T/b" perl -ne 'chomp;
	    open(my $f, ">", sprintf("%s/ev-%03d.json", $ENV{DIR}, $. - 1))
	        or die "$!\n";
	    print $f $_;'
[ -s "$T/b/ev-199.json" ] || fail "the events were not written"

# --- POST until the disk is full.
accepted=0
refused=
for f in "$T/b"/ev-*.json; do
	post "$f"
	case $STATUS in
	200)
		expect_accepted false
		accepted=$((accepted + 1)) ;;
	503)
		expect_error 503 storage_unavailable
		[ "$(header Retry-After)" = 60 ] ||
			fail "503 without Retry-After: 60"
		refused=$f
		break ;;
	*)
		fail "$f: $STATUS $BODY" ;;
	esac
done
[ -n "$refused" ] || fail "200 events never filled 64 KiB"
[ "$accepted" -gt 10 ] || fail "only $accepted events fitted"
ok "$accepted POSTs fitted; the next one: 503 storage_unavailable, Retry-After: 60"

# Still full: another new body is refused too.
post "$T/b/ev-199.json"
expect_error 503 storage_unavailable
grep -q 'storage unavailable' "$LIGHTTPD_ERRLOG" ||
	fail "the failure is not on the error log"
# Health says so too: the log can be opened but not appended to.
request GET "$URL"
expect_error 503 storage_unavailable
ok "GET health on the full disk: 503 storage_unavailable"

# --- The log holds only complete lines, one per 200.
"$EKAHOOKCTL" verify-log "$EVENTS" >"$T/verify.out" ||
	fail "verify-log: $(cat "$T/verify.out")"
[ "$(lines "$EVENTS")" = "$accepted" ] ||
	fail "$(lines "$EVENTS") lines for $accepted accepted events"
jq -c . "$EVENTS" >/dev/null || fail "a line does not parse"
[ "$(tail -c 1 "$EVENTS" | od -An -c | tr -d ' ')" = '\n' ] ||
	fail "the log does not end with a complete line"
[ "$(jq -r .duplicate "$EVENTS" | sort -u)" = false ] || fail "a duplicate logged"
ok "the log: $accepted complete lines (verify-log, jq), nothing of the refused"

# --- No marker for the refused body.
sha=$(sha256sum <"$refused" | cut -d' ' -f1)
[ -z "$(find "$T/etc/state/seen" -type f -name "$sha")" ] ||
	fail "a duplicate marker was left for the refused body"
[ "$(find "$T/etc/state/seen" -type f ! -name .pruned | wc -l)" = "$accepted" ] ||
	fail "$(find "$T/etc/state/seen" -type f ! -name .pruned | wc -l) markers for $accepted events"
ok "no duplicate marker for the refused bodies"

# --- Room again: the refused body is a new event; more POSTs succeed.
rm "$FULL/filler"
request GET "$URL"
expect_status 200
post "$refused"
expect_accepted false
[ "$(last_line "$EVENTS" | jq -c .event)" = "$(cat "$refused")" ] ||
	fail "the retried event is not the last line"
post "$T/b/ev-199.json"
expect_accepted false
post "$refused"
expect_accepted true
"$EKAHOOKCTL" verify-log "$EVENTS" >/dev/null || fail "verify-log after the retry"
[ "$(lines "$EVENTS")" = $((accepted + 3)) ] || fail "lines after the retry"
ok "filler deleted: the refused body is accepted as new (duplicate false), then a duplicate"
