#!/bin/sh
# bench/drain.sh — how fast a backlog of hooks drains: N events
# (BENCH_DRAIN_N, 3000) put in state_dir/hooks/new/ as a responder
# would, hook = /bin/true, then one CGI request starts the runner; the
# figure is hooks run over the time until new/ is empty.  Runs for
# hook_max_running 1 and 4, BENCH_DRAIN_RUNS (3) times each.
#
#   bench/drain.sh [BUILDDIR]     (default: ./_build, then .)
set -eu
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRCDIR/_build}
[ -x "$B/src/ekahook" ] || B=$SRCDIR
EKAHOOK=$B/src/ekahook
[ -x "$EKAHOOK" ] || { echo "no ekahook in $B/src" >&2; exit 1; }
N=${BENCH_DRAIN_N:-3000}
RUNS=${BENCH_DRAIN_RUNS:-3}
D=$(mktemp -d /tmp/ekahook-drain-bench.XXXXXX)
trap 'pkill -KILL -f "^$EKAHOOK" 2>/dev/null; rm -rf "$D"' EXIT
EVENT=$(jq -c . "$SRCDIR/tests/fixtures/appointment.created.json")

now() { date +%s.%N; }

# post: one CGI request with the event (its hook is queued and the
# runner started after the answer).
post() {
	printf '%s' "$EVENT" | env -i EKAHOOK_CONFIG="$D/ekahook.conf" \
	    REQUEST_METHOD=POST CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=${#EVENT} GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 "$EKAHOOK" \
	    >/dev/null
}

# drain MAX_RUNNING: hooks/s for one backlog.
drain() {
	rm -rf "$D/state" "$D/log"
	mkdir -p "$D/state" "$D/log"
	cat >"$D/ekahook.conf" <<CONF
log_file = $D/log/events.ndjson
reject_file =
hook_log = $D/log/hooks.ndjson
state_dir = $D/state
hook = /bin/true
hook_max_running = $1
dedupe_window = 0
CONF
	# A first request makes the spool; its runner leaves when idle.
	post
	while ! flock -n "$D/state/hooks/runner.lock" true; do
		sleep 0.1
	done
	# Ids sort after the first's and name no real request: the names
	# are what the runner orders by, the content is the hook's stdin.
	i=0
	while [ $i -lt "$N" ]; do
		echo "$EVENT" >"$D/state/hooks/new/zzzzzzzzzzzz-000000-00000000-$(printf %06d $i)"
		i=$((i + 1))
	done
	t0=$(now)
	post
	while [ -n "$(ls "$D/state/hooks/new")" ]; do
		sleep 0.05
	done
	t1=$(now)
	echo "$N $t0 $t1" | awk '{ printf "%.0f", ($1 + 1) / ($3 - $2) }'
}

echo "hooks/s draining $N waiting hooks (hook /bin/true), $RUNS runs:"
for m in 1 4; do
	printf 'hook_max_running %s:' "$m"
	r=0
	while [ $r -lt "$RUNS" ]; do
		printf ' %s' "$(drain "$m")"
		r=$((r + 1))
	done
	echo
done
