#!/bin/sh
# Many writers, small rotation size (ekahook(8) "Logs"): 4 FastCGI processes
# behind lighttpd, 16 senders at once, log_file and reject_file
# rotating every few dozen lines.  Every line must be whole, no file
# over log_max_bytes, no request_id twice, exactly the 200s in
# events.ndjson* and the 4xx in rejected.ndjson*; with rotation off the
# line count equals the number of 200s; the same with log_fsync=always;
# and with a small log_keep exactly .1 .. .keep remain.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/stress/stress-lib.sh"

CONF="$T/ekahook.conf"
stress_bodies "$T/bodies"
stress_conf "$CONF" "$T/rot" 20000 1000 never
start_lighttpd fastcgi "$CONF" 4

# 1. Rotation with many processes and lines of many sizes.
stress_run "$T/rot.out" 4000 16 30
stress_only_statuses "$T/rot.out" "200 400 422"
stress_verify "$T/rot" 20000
stress_check "$T/rot" "$T/rot.out" exact
ev=$(stress_rotated_ok "$T/rot" events.ndjson 1000)
rj=$(stress_rotated_ok "$T/rot" rejected.ndjson 1000)
if [ "$ev" -lt 50 ] || [ "$rj" -lt 50 ]; then
	fail "too few rotations to prove anything: $ev and $rj"
fi
# The request_id carries the process id: all four processes wrote.
procs=$(cut -d- -f2 "$T/logged.ids" | sort -u | wc -l)
[ "$procs" -ge 4 ] || fail "only $procs FastCGI processes served"
ok "rotation: $(wc -l <"$T/ok.ids") accepted and $(wc -l <"$T/4xx.ids") rejected, all logged once, across $ev + $rj rotations by $procs processes"

# 2. No rotation: the line count is the number of 200s, exactly.
stress_conf "$CONF" "$T/flat" 0 1000 never
stress_run "$T/flat.out" 2000 16 20 -s 100000
stress_only_statuses "$T/flat.out" "200 400 422"
stress_verify "$T/flat" 0
stress_check "$T/flat" "$T/flat.out" exact
[ ! -e "$T/flat/events.ndjson.1" ] || fail "rotated with log_max_bytes = 0"
n=$(lines "$T/flat/events.ndjson")
[ "$n" -eq "$(stress_status_count "$T/flat.out" 200)" ] ||
	fail "$n lines for $(stress_status_count "$T/flat.out" 200) answers 200"
n=$(lines "$T/flat/rejected.ndjson")
[ "$n" -eq "$(wc -l <"$T/4xx.ids")" ] ||
	fail "$n rejected lines for $(wc -l <"$T/4xx.ids") answers 4xx"
ok "no rotation: line counts equal the answer counts"

# 3. log_fsync = always: the fsyncs overlap, nothing else changes.
stress_conf "$CONF" "$T/sync" 20000 1000 always
stress_run "$T/sync.out" 1000 16 15 -s 200000
stress_only_statuses "$T/sync.out" "200 400 422"
stress_verify "$T/sync" 20000
stress_check "$T/sync" "$T/sync.out" exact
ev=$(stress_rotated_ok "$T/sync" events.ndjson 1000)
[ "$ev" -ge 15 ] || fail "log_fsync = always: only $ev rotations"
ok "log_fsync = always: every line logged once across $ev rotations"

# 4. A small log_keep: the oldest files go, exactly .1 .. .3 stay.
stress_conf "$CONF" "$T/keep" 20000 3 never
stress_run "$T/keep.out" 1000 16 12 -s 300000
stress_only_statuses "$T/keep.out" "200 400 422"
stress_verify "$T/keep" 20000
for f in events.ndjson rejected.ndjson; do
	k=$(stress_rotated_ok "$T/keep" $f 3)
	[ "$k" -eq 3 ] || fail "$f: $k rotated files kept, log_keep is 3"
done
# The oldest went, the newest stayed.  After the last answer's line at
# most 15 more were written (16 senders), and the 4 files kept hold
# more lines than that; the first answers' lines are long gone.
kept=$(stress_files "$T/keep" events.ndjson)
last=$(awk '$3 == 200 { id = $4 } END { print id }' "$T/keep.out")
# shellcheck disable=SC2086
grep -q -F "\"$last\"" $kept ||
	fail "the last accepted event is not in the files kept"
awk '$3 == 200 { print "\"" $4 "\"" }' "$T/keep.out" | head -20 >"$T/first.ids"
# shellcheck disable=SC2086
! grep -q -F -f "$T/first.ids" $kept ||
	fail "one of the first events is still in the files kept"
ok "log_keep = 3: .1 .. .3 kept, the newest lines in them"
