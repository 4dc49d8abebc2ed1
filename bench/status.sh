#!/bin/sh
# bench/status.sh — how long `ekahookctl status` takes over 24 hours of
# logs at the defaults: log_file and its 10 rotated files of 10 MiB
# (110 MB of accepted events), plus a reject log and a hook log of the
# same day.  Prints the times of BENCH_STATUS_RUNS (5) runs, warm cache,
# and one after dropping the page cache when that is allowed (root).
#
#   bench/status.sh [BUILDDIR]     (default: ./_build, then .)
set -eu
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRCDIR/_build}
[ -x "$B/src/ekahookctl" ] || B=$SRCDIR
CTL=$B/src/ekahookctl
[ -x "$CTL" ] || { echo "no ekahookctl in $B/src" >&2; exit 1; }
RUNS=${BENCH_STATUS_RUNS:-5}
D=$(mktemp -d /tmp/ekahook-status-bench.XXXXXX)
trap 'rm -rf "$D"' EXIT
mkdir -p "$D/state/hooks/new" "$D/state/hooks/failed"
cat >"$D/ekahook.conf" <<CONF
log_file = $D/events.ndjson
reject_file = $D/rejected.ndjson
hook_log = $D/hooks.ndjson
state_dir = $D/state
CONF
EVENT=$(jq -c . "$SRCDIR/tests/fixtures/appointment.created.json")
# Lines spread over the last 23 hours, oldest in .10, newest in the log.
perl -e '
	my ($dir, $event) = @ARGV;
	my $now = time;
	my $max = 10 * 1024 * 1024;
	sub stamp { my @t = gmtime($_[0]); sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    $t[5] + 1900, $t[4] + 1, $t[3], $t[2], $t[1], $t[0], $_[1]) }
	my $line_len = length($event) + 220;
	my $per_file = int($max / $line_len);
	my $total = $per_file * 11;
	my $n = 0;
	for my $rank (reverse 0 .. 10) {
		my $name = $rank ? "$dir/events.ndjson.$rank" : "$dir/events.ndjson";
		open(my $f, ">", $name) or die "$name: $!";
		for (1 .. $per_file) {
			my $t = $now - 23 * 3600 + int($n * 23 * 3600 / $total);
			my $dup = $n % 50 == 0 ? "true" : "false";
			printf $f "{\"received_at\":\"%s\",\"request_id\":\"%012x-000001-00000000-%06x\",\"remote_addr\":\"203.0.113.9\",\"signature\":\"verified\",\"duplicate\":%s,\"warnings\":[],\"event\":%s}\n",
			    stamp($t, $n % 1000), $t * 1000, $n & 0xffffff, $dup, $event;
			$n++;
		}
		close($f);
		utime($now - 23 * 3600 + int($n * 23 * 3600 / $total),
		    $now - 23 * 3600 + int($n * 23 * 3600 / $total), $name);
	}
	open(my $r, ">", "$dir/rejected.ndjson") or die;
	open(my $h, ">", "$dir/hooks.ndjson") or die;
	for my $i (0 .. 9999) {
		my $t = $now - 3600 + $i % 3600;
		printf $r "{\"received_at\":\"%s\",\"request_id\":\"r%d\",\"remote_addr\":\"203.0.113.9\",\"status\":401,\"error\":\"signature_invalid\",\"details\":[],\"body_bytes\":812,\"body_sha256\":\"00\"}\n", stamp($t, 0), $i;
		printf $h "{\"finished_at\":\"%s\",\"request_id\":\"h%d\",\"event\":\"appointment.created\",\"hook\":\"/srv/hook\",\"attempt\":1,\"exit\":%d,\"signal\":null,\"timed_out\":false,\"duration_ms\":41,\"output\":\"ok\"}\n", stamp($t, 0), $i, $i % 10 ? 0 : 1;
	}
' "$D" "$EVENT"
bytes=$(cat "$D"/events.ndjson* | wc -c)
lines=$(cat "$D"/events.ndjson* | wc -l)
echo "logs: $(ls "$D"/events.ndjson* | wc -l) event files, $bytes bytes, $lines lines; 10000 rejects, 10000 hook runs"
"$CTL" status --config "$D/ekahook.conf" | sed -n '/last 24 hours/p;/hook runs/p'
ms() { echo $(($(date +%s%N) / 1000000)); }
i=0
while [ $i -lt "$RUNS" ]; do
	t0=$(ms)
	"$CTL" status --config "$D/ekahook.conf" >/dev/null
	echo "warm: $(($(ms) - t0)) ms"
	i=$((i + 1))
done
if [ "$(id -u)" -eq 0 ] && sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
	t0=$(ms)
	"$CTL" status --config "$D/ekahook.conf" >/dev/null
	echo "cold (page cache dropped): $(($(ms) - t0)) ms"
fi
