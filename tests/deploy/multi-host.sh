#!/bin/sh
# deploy/multi-host: two ekahook "hosts" (a lighttpd + ekahook each, in
# their own directories, from deploy/lighttpd-fastcgi and deploy/ekahook.conf),
# each with an rsyslog shipper (rsyslog-ship.conf: imfile, omrelp, a
# disk-assisted queue), and a central rsyslog (rsyslog-central.conf:
# imrelp, one merged stream and one file per host), all on 127.0.0.1.
# 16 senders post 5,000 distinct events, half to each host; host a's log
# rotates every MiB (some 15 times); during the load the central is killed
# (SIGKILL), stays down 5 s, and comes back after trim-torn-lines
# (rsyslog-central.service.conf).  Once the shippers have drained, the
# merged stream holds every event answered 200 at least once and nothing
# else, each line byte for byte as its host logged it, every line parses,
# and after a dedupe by request_id the count is the number of 200s;
# by-host/ holds each host's lines; find-unshipped finds nothing missing,
# finds a line taken out of a copy, and reship.ndjson sends it again.
# rsyslog-ship-kafka.conf is only checked by rsyslogd -N1 (no broker).
# Prints the figures of deploy/multi-host/README: events/s through the
# shippers and the time to drain after the central came back.
. "$TESTLIB"

MH=$TOP_SRCDIR/deploy/multi-host
LOADGEN=$TOP_BUILDDIR/tests/loadgen
[ -x "$LOADGEN" ] || fail "no $LOADGEN (make check builds it)"
command -v lighttpd >/dev/null || skip "lighttpd is not installed"
command -v rsyslogd >/dev/null ||
	skip "rsyslog is not installed (tests/install-deps.sh installs it)"
# rsyslog-relp brings omrelp and imrelp.
printf '%s\n' 'module(load="omrelp")' 'module(load="imrelp")' \
    'action(type="omrelp" target="127.0.0.1" port="9")' >"$T/relp-probe.conf"
rsyslogd -N1 -f "$T/relp-probe.conf" >"$T/relp-probe.log" 2>&1 ||
	skip "rsyslog cannot load omrelp/imrelp (rsyslog-relp): $(head -3 "$T/relp-probe.log")"

EVENTS=${MULTIHOST_EVENTS:-5000}	# in all, half to each host
RATE=${MULTIHOST_RATE:-200}		# offered per host, events/s
HALF=$((EVENTS / 2))
RELP_PORT=$(free_port)
CENTRAL_OUT=$T/central-out		# /var/log/ekahook-central

# tcp_open PORT: something listens on 127.0.0.1:PORT.
tcp_open() {
	perl -MIO::Socket::INET -e \
	    'IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) or exit 1' "$1"
}

# mh_subst SRC DEST HOST: a file of deploy/ with its paths and addresses
# replaced by the test's (HOST's log directory for a shipper), nothing
# else; fails when a default is left on a line that is not a comment.
mh_subst() {
	sed -e "s|/usr/local/bin/ekahook|$T/$3/bin/ekahook|g" \
	    -e "s|/etc/ekahook/ekahook.conf|$T/$3/ekahook.conf|g" \
	    -e "s|/run/lighttpd|$T/$3/run|g" \
	    -e "s|/var/log/ekahook-central|$CENTRAL_OUT|g" \
	    -e "s|/var/log/ekahook|$T/$3/logs|g" \
	    -e "s|/var/lib/ekahook|$T/$3/state|g" \
	    -e "s|/usr/local/lib/ekahook/|$MH/|g" \
	    -e "s|192\.0\.2\.10|127.0.0.1|g" \
	    -e "s|port=\"2514\"|port=\"$RELP_PORT\"|g" \
	    "$1" >"$2"
	if grep -v '^[[:space:]]*#' "$2" | sed "s|$T/[^\" ]*|@|g; s|$MH/[^\" ]*|@|g" | grep -En \
	    '/usr/local/|/etc/|/var/|/run/|192\.0\.2\.|2514' >&2; then
		fail "$1: a default path or address is left after substitution"
	fi
}

# mh_host NAME MAX_BYTES: lighttpd on 127.0.0.1 with
# deploy/lighttpd-fastcgi/50-ekahook.conf, ekahook with
# deploy/ekahook.conf (log_max_bytes MAX_BYTES, log_keep 1000: every file
# stays for the checks) writing
# under $T/NAME; sets HOST_URL.
mh_host() {
	d=$T/$1
	mkdir -p "$d/logs" "$d/state" "$d/run" "$d/www"
	install_ekahook "$d/bin"
	mh_subst "$TOP_SRCDIR/deploy/ekahook.conf" "$d/ekahook.conf" "$1"
	printf 'log_max_bytes = %s\nlog_keep = 1000\n' "$2" >>"$d/ekahook.conf"
	mh_subst "$TOP_SRCDIR/deploy/lighttpd-fastcgi/50-ekahook.conf" \
	    "$d/50-ekahook.conf" "$1"
	port=$(free_port)
	{
		echo 'server.modules = ( "mod_access", "mod_fastcgi" )'
		echo "server.document-root = \"$d/www\""
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $port"
		echo "server.errorlog = \"$d/error.log\""
		echo "server.pid-file = \"$d/lighttpd.pid\""
		echo "include \"$d/50-ekahook.conf\""
	} >"$d/lighttpd.conf"
	lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.log" 2>&1 ||
		fail "lighttpd rejects $d/lighttpd.conf: $(cat "$d/check.log")"
	lighttpd -D -f "$d/lighttpd.conf" >"$d/stdout.log" 2>>"$d/error.log" &
	echo $! >>"$T/pids"
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$port/" ||
		fail "lighttpd $1 did not start: $(cat "$d/error.log")"
	HOST_URL=http://127.0.0.1:$port/eka/webhook
}

# mh_rsyslog NAME SNIPPET HOST: rsyslogd in the foreground with its own
# work directory and pid file under $T/rsyslog-NAME, from a frame that
# stands in for Debian's /etc/rsyslog.conf (work directory, the host
# name, rsyslog's own messages to a file) including deploy/multi-host/
# SNIPPET as /etc/rsyslog.d would; sets RSYSLOG_PID.
mh_rsyslog() {
	d=$T/rsyslog-$1
	mkdir -p "$d/work"
	if [ ! -f "$d/rsyslog.conf" ]; then
		mh_subst "$MH/$2" "$d/$2" "$3"
		cat >"$d/rsyslog.conf" <<EOF
global(workDirectory="$d/work" localHostName="$3" processInternalMessages="on")
include(file="$d/$2")
*.* action(type="omfile" file="$d/syslog")
EOF
		rsyslogd -N1 -f "$d/rsyslog.conf" >"$d/check.log" 2>&1 ||
			fail "rsyslogd rejects $2: $(cat "$d/check.log")"
	fi
	rm -f "$d/rsyslogd.pid"
	rsyslogd -n -f "$d/rsyslog.conf" -i "$d/rsyslogd.pid" \
	    >>"$d/stdout.log" 2>&1 &
	echo $! >>"$T/pids"
	RSYSLOG_PID=$!
}

# stop_pid PID: SIGTERM, then waits (20 s) for it to be gone.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || true
	wait_for 20 sh -c "! kill -0 $1" || fail "process $1 did not stop"
}

# now_ms: milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# merged_ids: distinct request_ids in the merged stream so far (the
# 8th field split at '"': {"received_at":"…","request_id":"ID",…).
merged_ids() {
	if [ -f "$CENTRAL_OUT/events.ndjson" ]; then
		cut -d '"' -f 8 "$CENTRAL_OUT/events.ndjson" | sort -u | wc -l
	else
		echo 0
	fi
}

# merged_lines: lines in the merged stream so far (cheap, for polling).
merged_lines() {
	if [ -f "$CENTRAL_OUT/events.ndjson" ]; then
		wc -l <"$CENTRAL_OUT/events.ndjson"
	else
		echo 0
	fi
}

# host_lines: lines in both hosts' logs, rotated files included.
host_lines() {
	cat "$T"/hosta/logs/events.ndjson* "$T"/hostb/logs/events.ndjson* 2>/dev/null |
	    wc -l
}

# The bodies: each names its request (@SEQ@), most vary in size (@PAD@);
# one carries 48 KiB, one raw non-ASCII text (é, U+2028, a bidi mark
# and a DEL byte) and string escapes, one a transaction_id.
mkdir -p "$T/bodies"
jq '.data.partner_meta.seq = "@SEQ@" | .data.partner_meta.pad = "@PAD@"' \
    "$SAMPLE" >"$T/bodies/ok1.json"
jq -c '.data.status = "CN" | .data.action = "modified" |
    .data.partner_meta = {"n": "@SEQ@"} | .transaction_id = "t-@SEQ@"' \
    "$SAMPLE" >"$T/bodies/ok2.json"
# é, U+2028, U+202E (right-to-left override) and DEL, raw (jq writes
# DEL as \u007f: sed puts the byte back).
raw=$(printf '\303\251@SEQ@ \342\200\250 \342\200\256x \177')
del=$(printf '\177')
jq -c --arg s "$raw" '.data.partner_meta.seq = "@SEQ@" |
    .data.custom_attributes.label += ["@PAD@", $s]' "$SAMPLE" |
    sed -e 's/@SEQ@ /@SEQ@ \\"q\\" \\u0001 \\\\ /' \
	-e "s/\\\\u007f/$del/" >"$T/bodies/ok3.json"
grep -q "$del" "$T/bodies/ok3.json" || fail "no raw DEL in $T/bodies/ok3.json"
big=$(head -c 49152 /dev/zero | tr '\0' 'b')
jq -c --arg b "$big" '.data.partner_meta.seq = "@SEQ@" |
    .data.partner_meta.blob = $b' "$SAMPLE" >"$T/bodies/big.json"
BODIES="$T/bodies/ok1.json $T/bodies/ok2.json $T/bodies/ok3.json"
BODIES="$BODIES $T/bodies/ok1.json $T/bodies/ok2.json $T/bodies/ok3.json"
BODIES="$BODIES $T/bodies/ok1.json $T/bodies/ok2.json $T/bodies/ok3.json"
BODIES="$BODIES $T/bodies/big.json"

# The omkafka variant cannot run here (no Kafka broker); rsyslogd checks
# its configuration when rsyslog-kafka is installed.
printf 'module(load="omkafka")\n' >"$T/kafka-probe.conf"
if rsyslogd -N1 -f "$T/kafka-probe.conf" 2>&1 | grep -q 'could not load module'; then
	ok "rsyslog-ship-kafka.conf not checked: no omkafka (rsyslog-kafka)"
else
	mkdir -p "$T/kafka"
	mh_subst "$MH/rsyslog-ship-kafka.conf" "$T/kafka/ship.conf" hosta
	printf 'global(workDirectory="%s")\ninclude(file="%s")\n' \
	    "$T/kafka" "$T/kafka/ship.conf" >"$T/kafka/rsyslog.conf"
	rsyslogd -N1 -f "$T/kafka/rsyslog.conf" >"$T/kafka/check.log" 2>&1 ||
		fail "rsyslogd rejects rsyslog-ship-kafka.conf: $(cat "$T/kafka/check.log")"
	ok "rsyslog-ship-kafka.conf: rsyslogd -N1 accepts it (not run: no broker)"
fi

# Two hosts: a rotates its log every MiB, b never in this test.
mh_host hosta "${MULTIHOST_ROTATE_BYTES:-1048576}"
URL_A=$HOST_URL
mh_host hostb 0
URL_B=$HOST_URL
# The central, then a shipper on each host.
mh_rsyslog central rsyslog-central.conf central
PID_CENTRAL=$RSYSLOG_PID
wait_for 20 tcp_open "$RELP_PORT" ||
	fail "the central rsyslog does not listen: $(cat "$T/rsyslog-central/stdout.log" "$T/rsyslog-central/syslog" 2>/dev/null)"
mh_rsyslog shipa rsyslog-ship.conf hosta
PID_SHIPA=$RSYSLOG_PID
mh_rsyslog shipb rsyslog-ship.conf hostb
PID_SHIPB=$RSYSLOG_PID
# imfile watches the log directories once it is running.
wait_for 20 grep -q 'rsyslogd.*start' "$T/rsyslog-shipa/syslog" ||
	fail "shipper a did not start: $(cat "$T/rsyslog-shipa/stdout.log")"
wait_for 20 grep -q 'rsyslogd.*start' "$T/rsyslog-shipb/syslog" ||
	fail "shipper b did not start: $(cat "$T/rsyslog-shipb/stdout.log")"

# 16 senders: 8 to each host, RATE events/s each, distinct numbers.
secs=$((HALF / RATE + 90))
t_start=$(now_ms)
# shellcheck disable=SC2086
"$LOADGEN" -u "$URL_A" -n "$HALF" -c 8 -q "$RATE" -s 1 -t "$secs" \
    -o "$T/a.out" $BODIES 2>"$T/loadgen-a.log" &
LOAD_A=$!
echo $LOAD_A >>"$T/pids"
# shellcheck disable=SC2086
"$LOADGEN" -u "$URL_B" -n "$HALF" -c 8 -q "$RATE" -s 1000001 -t "$secs" \
    -o "$T/b.out" $BODIES 2>"$T/loadgen-b.log" &
LOAD_B=$!
echo $LOAD_B >>"$T/pids"

# The central goes down hard once the stream flows, for 5 s.
wait_for 60 sh -c "[ \$(cat '$CENTRAL_OUT/events.ndjson' 2>/dev/null | wc -l) -ge $((RATE * 2)) ]" ||
	fail "nothing reaches the central: $(cat "$T"/rsyslog-*/syslog)"
if ! kill -0 $LOAD_A 2>/dev/null || ! kill -0 $LOAD_B 2>/dev/null; then
	fail "the load ended before the central went down (raise MULTIHOST_EVENTS)"
fi
# As systemd starts it again: ExecStartPre=, then rsyslogd.
sed -n 's/^ExecStartPre=//p' "$MH/rsyslog-central.service.conf" >"$T/prestart.in"
mh_subst "$T/prestart.in" "$T/prestart" central
kill -KILL "$PID_CENTRAL"
wait_for 10 sh -c "! kill -0 $PID_CENTRAL" || fail "the central did not die"
t_kill=$(now_ms)
at_kill=$(merged_lines)
sleep 5
sh -c "$(cat "$T/prestart")" 2>>"$T/prestart.log" ||
	fail "ExecStartPre failed: $(cat "$T/prestart.log")"
backlog_lines=$(host_lines)
mh_rsyslog central rsyslog-central.conf central
PID_CENTRAL=$RSYSLOG_PID
t_back=$(now_ms)
load_running=no
kill -0 $LOAD_A 2>/dev/null && load_running=yes
# Drained: the central holds as many lines as the hosts had logged when
# it came back (a line sent twice may count; the checks below are exact).
# Poll every 50 ms.
t_first=
end=$(($(date +%s) + 120))
while :; do
	n=$(merged_lines)
	[ -n "$t_first" ] || [ "$n" -le "$at_kill" ] || t_first=$(now_ms)
	[ "$n" -lt "$backlog_lines" ] || break
	[ "$(date +%s)" -le "$end" ] ||
		fail "the shippers did not drain in 120 s: $n of $backlog_lines"
	sleep 0.05
done
t_drained=$(now_ms)
[ -n "$t_first" ] || t_first=$t_drained

wait $LOAD_A || fail "loadgen a: $(cat "$T/loadgen-a.log")"
wait $LOAD_B || fail "loadgen b: $(cat "$T/loadgen-b.log")"
t_load_end=$(now_ms)
cat "$T/a.out" "$T/b.out" >"$T/answers"
bad=$(awk '$3 != 200' "$T/answers" | head -5)
[ -z "$bad" ] || fail "answers other than 200 (seq attempt status id): $bad"
awk '{ print $4 }' "$T/answers" | sort >"$T/ok.ids"
ok200=$(wc -l <"$T/ok.ids")
[ "$ok200" -eq "$EVENTS" ] || fail "$ok200 answers 200 for $EVENTS events"

# After the shippers drain, the merged stream holds every event: first
# as many lines (cheap to poll), then every request_id.
wait_for 120 sh -c "[ \$(cat '$CENTRAL_OUT/events.ndjson' | wc -l) -ge $ok200 ]" ||
	fail "the merged stream has $(merged_lines) lines for $ok200 events after 120 s"
t_all=$(now_ms)
wait_for 120 sh -c "[ \$(cut -d '\"' -f 8 '$CENTRAL_OUT/events.ndjson' | sort -u | wc -l) -ge $ok200 ]" ||
	fail "the merged stream holds $(merged_ids) of $ok200 events after 120 s"

# The hosts logged exactly the 200s (ekahook(8) "Logs"); a rotated.
cat "$T"/hosta/logs/events.ndjson* >"$T/a.lines"
cat "$T"/hostb/logs/events.ndjson* >"$T/b.lines"
sort "$T/a.lines" "$T/b.lines" >"$T/src.sorted"
jq -r .request_id "$T/src.sorted" | sort >"$T/src.ids"
cmp -s "$T/src.ids" "$T/ok.ids" || fail "the hosts' logs do not hold exactly the 200s"
rot=$(find "$T/hosta/logs" -name 'events.ndjson.*' | wc -l)
[ "$rot" -ge 3 ] || fail "host a rotated its log only $rot times"

# find-unshipped: nothing is missing; with a line taken out of the
# central's copy, it prints that line, which reship.ndjson sends again.
for h in hosta hostb; do
	"$MH/find-unshipped" "$T/$h/logs/events.ndjson" \
	    "$CENTRAL_OUT/by-host/$h.ndjson" >"$T/unshipped-$h" ||
		fail "find-unshipped $h failed"
	[ ! -s "$T/unshipped-$h" ] ||
		fail "find-unshipped $h: $(wc -l <"$T/unshipped-$h") lines missing"
done
sed -n 10p "$T/hosta/logs/events.ndjson.1" >"$T/gone.line"
grep -v -F -x -f "$T/gone.line" "$CENTRAL_OUT/by-host/hosta.ndjson" \
    >"$T/damaged.ndjson"
"$MH/find-unshipped" "$T/hosta/logs/events.ndjson" "$T/damaged.ndjson" \
    >"$T/unshipped" || fail "find-unshipped failed"
cmp -s "$T/unshipped" "$T/gone.line" ||
	fail "find-unshipped does not print the one line taken out: $(cut -c 1-200 "$T/unshipped")"
before=$(merged_lines)
cat "$T/unshipped" >>"$T/hosta/logs/reship.ndjson"
wait_for 30 sh -c "[ \$(cat '$CENTRAL_OUT/events.ndjson' | wc -l) -gt $before ]" ||
	fail "a line appended to reship.ndjson did not reach the central"
[ "$(tail -n 1 "$CENTRAL_OUT/events.ndjson")" = "$(cat "$T/gone.line")" ] ||
	fail "the reshipped line is not the one appended"
ok "find-unshipped: nothing missing; a line taken out is found and reship.ndjson sends it again"

# The shippers stop cleanly (their queues are empty), then the central.
stop_pid "$PID_SHIPA"
stop_pid "$PID_SHIPB"
stop_pid "$PID_CENTRAL"

M=$CENTRAL_OUT/events.ndjson
"$EKAHOOKCTL" verify-log "$M" >"$T/verify.out" 2>&1 ||
	fail "the merged stream: $(cat "$T/verify.out")"
# Byte for byte: the distinct lines of the merged stream are the lines
# the two hosts logged, no more, no fewer (so every 200 is there at
# least once and nothing else is).
sort -u "$M" >"$T/merged.sorted"
cmp -s "$T/merged.sorted" "$T/src.sorted" || {
	echo "only in the hosts' logs: $(comm -23 "$T/src.sorted" "$T/merged.sorted" | wc -l)" >&2
	echo "only in the merged stream: $(comm -13 "$T/src.sorted" "$T/merged.sorted" | wc -l)" >&2
	comm -3 "$T/src.sorted" "$T/merged.sorted" | cut -c 1-300 | head -4 >&2
	fail "the merged stream is not the hosts' lines"
}
total=$(wc -l <"$M")
uniq_ids=$(jq -r .request_id "$M" | sort -u | wc -l)
[ "$uniq_ids" -eq "$ok200" ] ||
	fail "$uniq_ids request_ids after dedupe, $ok200 answers 200"
ok "merged stream: $total lines, $ok200 events after dedupe by request_id = the 200s, $((total - ok200)) lines twice (RELP resends, the re-shipped line); byte-identical to the hosts' $rot+1 files of a and 1 of b"
# Each host's file holds that host's lines.
sort -u "$CENTRAL_OUT/by-host/hosta.ndjson" >"$T/by-a"
sort "$T/a.lines" >"$T/a.sorted"
cmp -s "$T/by-a" "$T/a.sorted" || fail "by-host/hosta.ndjson is not host a's lines"
sort -u "$CENTRAL_OUT/by-host/hostb.ndjson" >"$T/by-b"
sort "$T/b.lines" >"$T/b.sorted"
cmp -s "$T/by-b" "$T/b.sorted" || fail "by-host/hostb.ndjson is not host b's lines"
ok "by-host/: one file per host, each exactly that host's lines"
# Large and non-ASCII lines came through whole.
grep -q '"blob":"bbbb' "$M" || fail "no 48 KiB event in the merged stream"
grep -q "$(printf '\303\251')" "$M" || fail "no non-ASCII event in the merged stream"
grep -q "$del" "$M" || fail "no event with a raw DEL in the merged stream"

# The figures of deploy/multi-host/README.
awk -v n="$EVENTS" -v t0="$t_start" -v tk="$t_kill" -v tb="$t_back" \
    -v tf="$t_first" -v td="$t_drained" -v te="$t_load_end" -v ta="$t_all" \
    -v bl="$backlog_lines" -v ak="$at_kill" -v run="$load_running" 'BEGIN {
	printf "figures: %d events answered at %d/s in %.1f s; central down at %.1f s for %.1f s\n",
	    n, n / ((te - t0) / 1000), (te - t0) / 1000, (tk - t0) / 1000, (tb - tk) / 1000
	printf "figures: backlog when it came back: %d events (load still running: %s)\n", bl - ak, run
	printf "figures: first line %.2f s after it came back, drained %.2f s after it came back\n",
	    (tf - tb) / 1000, (td - tb) / 1000
	if (td > tf)
		printf "figures: backlog through the shippers at %d events/s\n", (bl - ak) / ((td - tf) / 1000)
	printf "figures: last event merged %.2f s after the last answer\n", (ta - te) / 1000
	printf "figures: whole run (start of load to every event merged): %d events in %.1f s, %d events/s\n",
	    n, (ta - t0) / 1000, n / ((ta - t0) / 1000)
}' | tee "$T/figures" | sed 's/^/ok - /'
