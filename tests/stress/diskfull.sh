#!/bin/sh
# Disk full (ekahook(8) "Requests": 503 storage_unavailable,
# Retry-After: 60, "the log keeps no partial line and no duplicate
# marker is left: the sender's retry is a new event").  The logs live on
# a 512 KiB tmpfs; 16 senders fill it while 4 FastCGI processes rotate.
# Every answer is 200, 4xx or 503 with Retry-After; every line whole;
# exactly the 200s logged.  Then space returns and the same requests are
# sent again: the ones refused are accepted as new events, the others
# are duplicates.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/stress/stress-lib.sh"

[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
D="$T/disk"
mkdir -p "$D"
echo "$D" >>"$T/mounts"
mount -t tmpfs -o size=512k,mode=0755 ekahook-test "$D" 2>"$T/mount.err" ||
	skip "cannot mount a tmpfs: $(cat "$T/mount.err")"

CONF="$T/ekahook.conf"
stress_bodies "$T/bodies"
stress_conf "$CONF" "$D/logs" 20000 1000 always "dedupe_window = 86400"
start_lighttpd fastcgi "$CONF" 4

# 1. Fill the disk.
N=1500
stress_run "$T/full.out" $N 16 30 -r 0
stress_only_statuses "$T/full.out" "200 400 422 503"
refused=$(stress_status_count "$T/full.out" 503)
[ "$refused" -ge 100 ] || fail "the disk never filled: $refused answers 503"
[ "$(stress_status_count "$T/full.out" 200)" -ge 50 ] ||
	fail "almost nothing was accepted before the disk filled"
bad=$(awk '$3 == 503 && $5 != "60"' "$T/full.out" | head -3)
[ -z "$bad" ] || fail "503 without Retry-After: 60: $bad"
grep -q 'No space left on device' "$LIGHTTPD_ERRLOG" ||
	fail "the error log does not name the cause"
stress_verify "$D/logs" 20000
stress_check "$D/logs" "$T/full.out" exact
ok "disk full: $refused answers 503 with Retry-After, no partial line, exactly the 200s logged"

# 2. Space returns: the same requests again.  Each one refused before
#    is a new event now (its duplicate marker was not left behind);
#    each one accepted before is a duplicate.
mount -o remount,size=32m "$D" || fail "cannot grow the tmpfs"
stress_run "$T/again.out" $N 16 30 -r 0
stress_only_statuses "$T/again.out" "200 400 422"
stress_verify "$D/logs" 20000
stress_seqs "$D/logs" "$T/seq.dup"
awk '$3 == 200 { print $1 }' "$T/full.out" | sort -n >"$T/ok1.seq"
awk '$3 == 200 { print $1 }' "$T/again.out" | sort -n >"$T/ok2.seq"
awk '$2 == "false" { print $1 }' "$T/seq.dup" >"$T/new.seq"
awk '$2 == "true" { print $1 }' "$T/seq.dup" >"$T/dup.seq"
# Every accepted body is logged once as new, and only the bodies
# accepted the first time come back as duplicates.
[ -z "$(uniq -d "$T/new.seq")" ] || fail "an event logged twice as new"
cmp -s "$T/new.seq" "$T/ok2.seq" ||
	fail "the events logged as new are not the ones accepted"
cmp -s "$T/dup.seq" "$T/ok1.seq" ||
	fail "the duplicates are not the events accepted before the disk filled"
request GET "$URL"
expect_status 200
ok "space back: $(wc -l <"$T/ok2.seq") accepted, $(wc -l <"$T/dup.seq") of them duplicates of the first run"
