#!/bin/sh
# Logs renamed away under load (ekahook(8) "Logs": "a file renamed by
# another tool is noticed the same way"): while 16 senders keep 4
# FastCGI processes busy, a separate process renames events.ndjson and
# rejected.ndjson away at random moments -- sometimes leaving the path
# empty, sometimes creating the new file itself as logrotate's `create`
# does -- while ekahook also rotates.  Then real logrotate in `create`
# mode, run over and over during a run.  Every 200's line must be in
# exactly one file, every line whole, the 4xx all in rejected.ndjson*.
. "$TESTLIB"
. "$TOP_SRCDIR/tests/stress/stress-lib.sh"

# mover DIR STOPFILE: renames both logs to NAME.moved.<n> every 0-40 ms;
# every other time creates the new file at once (mode 0640), as
# logrotate's `create` does.
mover() {
	perl -MTime::HiRes=sleep -MFcntl -e '
	    my ($dir, $stop) = @ARGV;
	    my $n = 0;
	    srand($$);
	    until (-e $stop) {
		    $n++;
		    for my $f ("$dir/events.ndjson", "$dir/rejected.ndjson") {
			    rename($f, "$f.moved.$n") or next;
			    sysopen(my $fh, $f, O_WRONLY | O_CREAT | O_EXCL, 0640)
				if $n % 2;
		    }
		    sleep(rand(0.04));
	    }
	    print "$n\n";' "$1" "$2" >"$T/mover.out" 2>&1 &
	echo $! >>"$T/pids"
	MOVER_PID=$!
}

stop_mover() {
	: >"$1"
	wait "$MOVER_PID" || fail "the mover failed: $(cat "$T/mover.out")"
}

CONF="$T/ekahook.conf"
stress_bodies "$T/bodies"
stress_conf "$CONF" "$T/mv" 20000 1000 never
start_lighttpd fastcgi "$CONF" 4

# 1. Renamed away at random moments while ekahook rotates too.
mover "$T/mv" "$T/stop1"
stress_run "$T/mv.out" 5000 16 35
stop_mover "$T/stop1"
moves=$(cat "$T/mover.out")
stress_only_statuses "$T/mv.out" "200 400 422"
stress_verify "$T/mv" 20000
stress_check "$T/mv" "$T/mv.out" exact
moved=$(find "$T/mv" -name '*.moved.*' -size +0 | wc -l)
[ "$moved" -ge 20 ] || fail "only $moved non-empty files renamed away"
ok "renamed away $moves times ($moved files with lines) while rotating: every line in exactly one file"

# 2. Real logrotate, `create` mode (ekahook's own rotation off: the two
#    would number the same .N names at once).  A last move after the
#    run proves new lines go to the file logrotate created.
command -v logrotate >/dev/null || fail "logrotate is not installed (tests/install-deps.sh)"
stress_conf "$CONF" "$T/lr" 0 1000 always
cat >"$T/logrotate.conf" <<EOF2
$T/lr/events.ndjson $T/lr/rejected.ndjson {
	rotate 1000
	create 0640
	missingok
	notifempty
}
EOF2
: >"$T/stop2"
rm -f "$T/stop2"
(
	n=0
	until [ -e "$T/stop2" ]; do
		logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" ||
			exit 1
		n=$((n + 1))
		# A second collision within the hour would make logrotate
		# rename onto its first .backup (tests/stress/LOGROTATE.md):
		# each one is kept under a name of its own.
		for b in "$T"/lr/*.backup; do
			[ -f "$b" ] && mv "$b" "$b.$n"
		done
		# Pacing, not waiting: about 20 rotations a second.
		sleep 0.05
	done
	echo "$n" >"$T/logrotate.runs"
) >"$T/logrotate.log" 2>&1 &
echo $! >>"$T/pids"
lr_pid=$!
stress_run "$T/lr.out" 2500 16 30 -s 100000
: >"$T/stop2"
wait "$lr_pid" || fail "logrotate failed: $(cat "$T/logrotate.log")"
runs=$(cat "$T/logrotate.runs")
stress_only_statuses "$T/lr.out" "200 400 422"
stress_verify "$T/lr" 0
stress_check "$T/lr" "$T/lr.out" exact
rotated=$(find "$T/lr" -name 'events.ndjson.*' -size +0 | wc -l)
[ "$rotated" -ge 5 ] || fail "logrotate rotated only $rotated times"
logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" ||
	fail "logrotate failed"
if [ ! -f "$T/lr/events.ndjson" ] || [ -s "$T/lr/events.ndjson" ]; then
	fail "logrotate did not create an empty events.ndjson"
fi
ino=$(stat -c %i "$T/lr/events.ndjson")
stress_run "$T/lr2.out" 40 4 5 -s 200000
[ "$(stat -c %i "$T/lr/events.ndjson")" = "$ino" ] ||
	fail "ekahook replaced the file logrotate created"
[ "$(lines "$T/lr/events.ndjson")" -eq \
    "$(stress_status_count "$T/lr2.out" 200)" ] ||
	fail "the lines after the rotation are not all in the new file"
ok "logrotate create: $runs runs during the load, $rotated files, every line in exactly one; the next lines go to the new file"
