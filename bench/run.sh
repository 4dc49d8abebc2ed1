#!/bin/sh
# bench/run.sh — where ekahook stands against the ceiling and the
# alternatives, in one run on loopback (bench/RESULTS.md is its output).
#
#   bench/run.sh            from a checkout: builds out of tree, runs, and
#                           writes bench/RESULTS.md
#   make bench              the same against an existing build tree
#
# Every contender sits behind the same lighttpd on 127.0.0.1 and gets
# the seed appointment.created event POSTed by wrk (bench/post.lua).
# Each run starts its contender afresh, warms it up, measures, waits
# for its hooks to settle, counts its log lines and stops it; runs of
# all contenders are interleaved round by round so that the machine's
# drift hits them alike, and each ratio is the median over the rounds
# of the ratio to the other contender's run in the same round.
#
# Knobs (environment): BENCH_ROUNDS (5), BENCH_DURATION (seconds, 5),
# BENCH_WARMUP (seconds, 2), BENCH_CONCS ("1 16"), BENCH_CONTENDERS (all),
# BENCH_SETTLE (seconds after the load for webhook's async hooks, 30),
# BENCH_HOOK_DEADLINE (most seconds for ekahook's hooks to settle in the
# last round, 1800), BENCH_HOOK_STALL (seconds without a new hook_log
# line after which they are taken as stuck, 60),
# BENCH_ITER (pipeline iterations under callgrind, 1000),
# BENCH_BUILDDIR (an existing build tree), BENCH_RESULTS (output file),
# BENCH_QUIET_WAIT (seconds to wait for a 1-minute load below 0.6, 0),
# BENCH_PROCS (FastCGI backends lighttpd starts, and php-fpm children, 2).
set -eu

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-5}
DURATION=${BENCH_DURATION:-5}
WARMUP=${BENCH_WARMUP:-2}
CONCS=${BENCH_CONCS:-"1 16"}
# The order of a round; it rotates every round.  ekahook runs right after
# the ceiling and ekahook_fsync right after the fdatasync floor, so those
# pairs stay neighbours in all rounds but one; ekahook_hook and
# webhook_sync are two runs apart (ekahook_hook_fsync three), ekahook and
# php five.
ALL_CONTENDERS="null ekahook ekahook_sig null_append null_fdatasync
ekahook_fsync ekahook_hook_fsync ekahook_hook php webhook_sync
webhook_async"
CONTENDERS=${BENCH_CONTENDERS:-$ALL_CONTENDERS}
SETTLE=${BENCH_SETTLE:-30}
HOOK_DEADLINE=${BENCH_HOOK_DEADLINE:-1800}
HOOK_STALL=${BENCH_HOOK_STALL:-60}
ITER=${BENCH_ITER:-1000}
RESULTS=${BENCH_RESULTS:-$SRCDIR/bench/RESULTS.md}
QUIET_WAIT=${BENCH_QUIET_WAIT:-0}
PROCS=${BENCH_PROCS:-2}
SEED=$SRCDIR/tests/fixtures/appointment.created.json
SIGNING_KEY=bench-signing-key-0123456789abcdef
# The command as given, with the knobs that were set.
COMMAND="$(env | grep '^BENCH_' | grep -v '^BENCH_BUILDDIR=' | sort |
    tr '\n' ' ')${BENCH_BUILDDIR:+make bench # }bench/run.sh"

log() {
	printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

# ---------------------------------------------------------------------
# What the run needs: packages, then the programs.

install_deps() {
	# The project's list holds wrk, webhook, php-fpm, valgrind, lighttpd.
	sh "$SRCDIR/tests/install-deps.sh" >&2
	for p in wrk webhook lighttpd valgrind callgrind_annotate curl perl; do
		command -v "$p" >/dev/null 2>&1 || die "$p is missing"
	done
	PHP_FPM=$(ls /usr/sbin/php-fpm* 2>/dev/null | head -n 1)
	[ -n "$PHP_FPM" ] || die "php-fpm is missing"
}

build() {
	if [ -n "${BENCH_BUILDDIR:-}" ]; then
		B=$BENCH_BUILDDIR
	else
		# One build tree per checkout: a tree is tied to its sources.
		B=${TMPDIR:-/tmp}/ekahook-bench-build-$(printf %s "$SRCDIR" |
		    cksum | cut -d ' ' -f 1)
		[ -x "$SRCDIR/configure" ] ||
		    (cd "$SRCDIR" && autoreconf -fi) >&2
		mkdir -p "$B"
		[ -f "$B/Makefile" ] ||
		    (cd "$B" && "$SRCDIR/configure" --enable-werror) >&2
		log "building in $B"
		(cd "$B" && make -j2 src/ekahook src/ekahookctl src/schemas \
		    bench/null_fcgi bench/pipeline) >&2
	fi
	# The sources the tree was built from (another checkout's, maybe).
	BUILT_FROM=$(sed -n 's/^abs_top_srcdir = //p' "$B/Makefile" \
	    2>/dev/null || :)
	[ -n "$BUILT_FROM" ] || BUILT_FROM=$SRCDIR
	EKAHOOK=$B/src/ekahook
	EKAHOOKCTL=$B/src/ekahookctl
	NULL_FCGI=$B/bench/null_fcgi
	PIPELINE=$B/bench/pipeline
	for f in "$EKAHOOK" "$NULL_FCGI" "$PIPELINE"; do
		[ -x "$f" ] || die "$f was not built"
	done
	# ekahookctl only signs ekahook_sig's requests (make bench does not
	# ask for it).
	case " $(echo $CONTENDERS) " in
	*" ekahook_sig "*)
		[ -x "$EKAHOOKCTL" ] || die "$EKAHOOKCTL was not built" ;;
	esac
}

# ---------------------------------------------------------------------
# Processes: everything started is in $T/pids and stopped on exit.

cleanup() {
	rc=$?
	set +e
	stop_stack
	[ -n "${T:-}" ] && [ "${BENCH_KEEP:-0}" != 1 ] && rm -rf "$T"
	exit $rc
}

free_port() {
	perl -MIO::Socket::INET -e \
	    'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1, ReuseAddr => 1) or die "no port: $!"; print $s->sockport, "\n";'
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	end=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.05
	done
}

# Every descendant of the pids given (a subshell: its loop variables
# stay its own through the recursion).
descendants() (
	for p in "$@"; do
		for c in $(pgrep -P "$p" 2>/dev/null); do
			echo "$c"
			descendants "$c"
		done
	done
)

# Processes that carry this run's EKAHOOK_CONFIG: ekahook's backends and
# whatever they forked, hook runners that left their parents included.
config_pids() {
	[ -n "${D:-}" ] && [ -f "$D/ekahook.conf" ] || return 0
	grep -l -a -F "EKAHOOK_CONFIG=$D/ekahook.conf" /proc/[0-9]*/environ \
	    2>/dev/null | sed 's|^/proc/\([0-9]*\)/environ$|\1|' || :
}

# Stops the processes of the current stack: TERM, then KILL after 10 s.
stop_stack() {
	[ -f "${STACK_PIDS:-/nonexistent}" ] || return 0
	all=$(cat "$STACK_PIDS")
	all="$all $(descendants $all) $(config_pids)"
	for p in $all; do kill -TERM "$p" 2>/dev/null || :; done
	i=0
	while [ $i -lt 200 ]; do
		alive=
		for p in $all; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.05
		i=$((i + 1))
	done
	for p in $all; do kill -KILL "$p" 2>/dev/null || :; done
	# ekahook's hook runner leaves its parent (setsid) and a new one may
	# be started by what is still running (an attempt whose runner died
	# starts one when it ends, a fork that no look at /proc caught yet):
	# kill whole sessions of this run's processes until none is seen for
	# a second.
	i=0
	none=0
	while [ $i -lt 50 ] && [ $none -lt 5 ]; do
		left=$(config_pids)
		none=$((none + 1))
		[ -n "$left" ] && none=0
		for p in $left; do
			sid=$(ps -o sid= -p "$p" 2>/dev/null | tr -d ' ')
			if [ -n "$sid" ] && [ "$sid" -gt 1 ] &&
			    [ "$sid" != "$MY_SID" ]; then
				pkill -KILL -s "$sid" 2>/dev/null || :
			fi
			kill -KILL "$p" 2>/dev/null || :
		done
		sleep 0.2
		i=$((i + 1))
	done
	rm -f "$STACK_PIDS"
}

# ---------------------------------------------------------------------
# The stacks.  start_<contender> sets URL, LINES_CMD (prints the lines
# its log holds) and BACKENDS_CMD (prints the backend processes' pids).

# lighttpd_conf BACKEND_LINES: writes $D/lighttpd.conf on a free port.
lighttpd_conf() {
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT/eka/webhook"
	mkdir -p "$D/www/eka"
	{
		echo "server.document-root = \"$D/www\""
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $PORT"
		echo "server.errorlog = \"$D/error.log\""
		echo "server.pid-file = \"$D/lighttpd.pid\""
		echo "server.max-request-size = 1024"
		printf '%s\n' "$1"
	} >"$D/lighttpd.conf"
}

start_lighttpd() {
	# No child keeps the latency hold (fd 9) or our output.
	lighttpd -D -f "$D/lighttpd.conf" >>"$D/stdout.log" \
	    2>>"$D/error.log" 9>&- </dev/null &
	LIGHTTPD_PID=$!
	echo "$LIGHTTPD_PID" >>"$STACK_PIDS"
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/" ||
	    die "lighttpd did not start: $(cat "$D/error.log")"
}

# fastcgi_spawn BIN ENV_LIST: lighttpd spawns $PROCS backends of BIN.
fastcgi_spawn() {
	lighttpd_conf "server.modules += ( \"mod_fastcgi\" )
fastcgi.server = ( \"/eka/webhook\" => ( (
  \"socket\" => \"$D/backend.sock\",
  \"bin-path\" => \"$1\",
  \"min-procs\" => $PROCS,
  \"max-procs\" => $PROCS,
  \"check-local\" => \"disable\",
  \"bin-environment\" => ( $2 )
) ) )"
	start_lighttpd
	BACKENDS_CMD="pgrep -P $LIGHTTPD_PID"
}

start_null() {
	fastcgi_spawn "$NULL_FCGI" "\"NULL_MODE\" => \"none\""
	LINES_CMD=
}

start_null_append() {
	fastcgi_spawn "$NULL_FCGI" \
	    "\"NULL_MODE\" => \"append\", \"NULL_LOG\" => \"$D/null.log\""
	LINES_CMD="count_lines $D/null.log"
}

start_null_fdatasync() {
	fastcgi_spawn "$NULL_FCGI" \
	    "\"NULL_MODE\" => \"fdatasync\", \"NULL_LOG\" => \"$D/null.log\""
	LINES_CMD="count_lines $D/null.log"
}

# ekahook_stack EXTRA_CONF_LINES: ekahook with dedupe off (every POST of
# the same seed must count as a new event) and no rotation (so every
# line can be counted).
ekahook_stack() {
	{
		echo "log_file = $D/events.ndjson"
		echo "reject_file = $D/rejected.ndjson"
		echo "state_dir = $D/state"
		echo "log_max_bytes = 0"
		echo "dedupe_window = 0"
		printf '%s\n' "$1"
	} >"$D/ekahook.conf"
	fastcgi_spawn "$EKAHOOK" "\"EKAHOOK_CONFIG\" => \"$D/ekahook.conf\""
	BACKENDS_CMD="config_pids"
	LINES_CMD="count_lines $D/events.ndjson"
}

start_ekahook() {
	ekahook_stack "log_fsync = never"
}

start_ekahook_fsync() {
	ekahook_stack "log_fsync = always"
}

start_ekahook_sig() {
	ekahook_stack "log_fsync = never
signing_key = $SIGNING_KEY"
	# Signed just before the run: well within signature_tolerance.
	BENCH_SIG=$("$EKAHOOKCTL" sign --key "$SIGNING_KEY" "$SEED")
	export BENCH_SIG
}

# ekahook_hook_stack LOG_FSYNC: every accepted event runs /bin/true.
ekahook_hook_stack() {
	ekahook_stack "log_fsync = $1
hook = /bin/true
hook_log = $D/hooks.ndjson"
	HOOKS_CMD="count_lines $D/hooks.ndjson"
}

start_ekahook_hook() {
	ekahook_hook_stack never
}

start_ekahook_hook_fsync() {
	ekahook_hook_stack always
}

start_php() {
	mkdir -p "$D/php" "$D/www/eka"
	cp "$SRCDIR/bench/php/receiver.php" "$D/www/eka/receiver.php"
	cat >"$D/php/fpm.conf" <<EOF
[global]
pid = $D/php/fpm.pid
error_log = $D/php/error.log
daemonize = no

[bench]
user = root
listen = $D/php/fpm.sock
pm = static
pm.max_children = $PROCS
clear_env = yes
env[RECEIVER_LOG] = $D/php/events.ndjson
EOF
	"$PHP_FPM" -R -F -y "$D/php/fpm.conf" >>"$D/php/stdout.log" 2>&1 \
	    9>&- </dev/null &
	PHP_PID=$!
	echo "$PHP_PID" >>"$STACK_PIDS"
	wait_for 10 test -S "$D/php/fpm.sock" ||
	    die "php-fpm did not start: $(cat "$D/php/error.log")"
	# The shared-hosting way: a rewrite onto the script.
	lighttpd_conf "server.modules += ( \"mod_rewrite\", \"mod_fastcgi\" )
url.rewrite-once = ( \"^/eka/webhook\$\" => \"/eka/receiver.php\" )
fastcgi.server = ( \".php\" => ( (
  \"socket\" => \"$D/php/fpm.sock\",
  \"check-local\" => \"enable\"
) ) )"
	start_lighttpd
	BACKENDS_CMD="pgrep -P $PHP_PID"
	LINES_CMD="count_lines $D/php/events.ndjson"
}

# webhook_stack HOOK_ID: adnanh/webhook behind lighttpd's mod_proxy.
webhook_stack() {
	WH_PORT=$(free_port)
	webhook -hooks "$SRCDIR/bench/webhook-hooks.json" -ip 127.0.0.1 \
	    -port "$WH_PORT" -verbose >"$D/webhook.log" 2>&1 9>&- </dev/null &
	WEBHOOK_PID=$!
	echo "$WEBHOOK_PID" >>"$STACK_PIDS"
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$WH_PORT/" ||
	    die "webhook did not start: $(cat "$D/webhook.log")"
	lighttpd_conf "server.modules += ( \"mod_proxy\" )
proxy.server = ( \"/eka/webhook\" => ( (
  \"host\" => \"127.0.0.1\", \"port\" => $WH_PORT
) ) )
proxy.header = ( \"map-urlpath\" => ( \"/eka/webhook\" => \"/hooks/$1\" ) )"
	start_lighttpd
	BACKENDS_CMD="echo $WEBHOOK_PID"
	LINES_CMD=
	# A hook run that went wrong logs "error occurred" before it ends.
	HOOKS_CMD="webhook_hooks_ok $D/webhook.log"
}

webhook_hooks_ok() {
	fin=$(grep -c 'finished handling' "$1" || true)
	bad=$(grep -c 'error occurred' "$1" || true)
	echo $((fin - bad))
}

start_webhook_sync() {
	webhook_stack eka-sync
}

start_webhook_async() {
	webhook_stack eka-async
}

count_lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# Peak resident memory (VmHWM, kB) of the largest backend process.
peak_rss() {
	max=0
	for p in $(eval "$BACKENDS_CMD") $(descendants $(eval "$BACKENDS_CMD")); do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null) ||
		    continue
		[ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
	done
	echo "$max"
}

# Private memory (kB: Private_Clean + Private_Dirty, what the process
# alone holds; RSS also counts the pages of shared libraries it touched)
# of the largest backend process, at the time of the call.
private_kb() {
	max=0
	for p in $(eval "$BACKENDS_CMD") $(descendants $(eval "$BACKENDS_CMD")); do
		v=$(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' \
		    "/proc/$p/smaps_rollup" 2>/dev/null) || continue
		[ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
	done
	echo "$max"
}

# ---------------------------------------------------------------------
# One run: contender, concurrency, round.

# wrk_run CONNS SECONDS OUTFILE
wrk_run() {
	threads=1
	[ "$1" -gt 1 ] && threads=2
	BENCH_BODY=$SEED BENCH_CONNS=$1 BENCH_OUT=$3 \
	    wrk -t"$threads" -c"$1" -d"$2"s --timeout 10s \
	    -s "$SRCDIR/bench/post.lua" "$URL" >>"$D/wrk.log" 2>&1 9>&- ||
	    die "wrk failed: $(tail -n 5 "$D/wrk.log")"
}

# field NAME FILE: the value of NAME= in the last line of FILE.
field() {
	tail -n 1 "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

run_one() {
	name=$1
	conns=$2
	round=$3
	D=$T/run/$name-c$conns-r$round
	mkdir -p "$D"
	STACK_PIDS=$D/pids
	: >"$STACK_PIDS"
	LINES_CMD=
	HOOKS_CMD=
	BENCH_SIG=
	export BENCH_SIG
	"start_$name"
	# A contender that refuses the seed would be measured refusing it.
	set -- -H 'Content-Type: application/json'
	[ -n "$BENCH_SIG" ] && set -- "$@" -H "Eka-Webhook-Signature: $BENCH_SIG"
	code=$(curl -s -o "$D/probe.body" -w '%{http_code}' "$@" \
	    --data-binary "@$SEED" "$URL") || :
	case $code in
	2*) ;;
	*) die "$name answered the seed $code: $(head -c 300 "$D/probe.body")" ;;
	esac
	wrk_run "$conns" "$WARMUP" "$D/warmup.out"
	wrk_run "$conns" "$DURATION" "$D/run.out"
	rss=$(peak_rss)
	priv=$(private_kb)
	ok200=1		# the probe
	for f in "$D/warmup.out" "$D/run.out"; do
		ok200=$((ok200 + $(field requests "$f") - $(field non2xx "$f")))
	done
	lines=-
	[ -n "$LINES_CMD" ] && lines=$($LINES_CMD)
	hooks=-
	settle=-
	want=-
	# Hooks are waited for in the last round only: a backlog of ~10^5
	# events takes minutes to run, and each run's stack is stopped (its
	# backlog dropped) before the next starts.
	if [ -n "$HOOKS_CMD" ] && [ "$round" -eq "$ROUNDS" ]; then
		start=$(date +%s)
		# Every accepted event: each line of the log, or each 200.
		want=$ok200
		[ "$lines" != - ] && want=$lines
		if [ "$name" = webhook_async ]; then
			# As the issue asks: what ran within SETTLE s.
			sleep "$SETTLE"
		else
			# Settled: all run, or no progress for HOOK_STALL s.
			end=$((start + HOOK_DEADLINE))
			last=-1
			while n=$($HOOKS_CMD) && [ "$n" -lt "$want" ] &&
			    now=$(date +%s) && [ "$now" -lt "$end" ]; do
				if [ "$n" -ne "$last" ]; then
					last=$n
					moved=$now
				elif [ $((now - moved)) -ge "$HOOK_STALL" ]; then
					break
				fi
				sleep 0.5
			done
		fi
		hooks=$($HOOKS_CMD)
		settle=$(($(date +%s) - start))
		rss2=$(peak_rss)
		[ "$rss2" -gt "$rss" ] && rss=$rss2
	fi
	stop_stack
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
	    "$name" "$conns" "$round" "$(field rps "$D/run.out")" \
	    "$(field p50_us "$D/run.out")" "$(field p99_us "$D/run.out")" \
	    "$(field non2xx "$D/run.out")" "$(field errors "$D/run.out")" \
	    "$rss" "$ok200" "$lines" "$hooks" "$settle" "$priv" "$want" \
	    >>"$T/runs.tsv"
	log "$(tail -n 1 "$T/runs.tsv" | tr '\t' ' ')"
	# Keep nothing big between runs (logs of ~10^5 lines), and leave
	# no writeback or journal work of this run to the next contender
	# (the fdatasync ones would pay for it).
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$D"
	sync
}

# ---------------------------------------------------------------------
# The pipeline's instructions per request (callgrind: exact, repeatable).

callgrind_ir() {
	valgrind --tool=callgrind --callgrind-out-file="$2" "$PIPELINE" \
	    "$SEED" "$1" $3 >/dev/null 2>"$2.err" ||
	    die "pipeline failed under valgrind: $(cat "$2.err")"
	sed -n 's/^==[0-9]*== Collected : //p' "$2.err"
}

measure_pipeline() {
	few=100
	many=$((few + ITER))
	for mode in signed unsigned; do
		arg=
		[ $mode = unsigned ] && arg=unsigned
		a=$(callgrind_ir $few "$T/cg.$mode.few" "$arg")
		b=$(callgrind_ir $many "$T/cg.$mode.many" "$arg")
		echo "$mode $(((b - a) / ITER))" >>"$T/pipeline.txt"
	done
	# Where the signed pipeline's instructions go, per request.
	callgrind_annotate --inclusive=yes "$T/cg.signed.many" 2>/dev/null |
	    awk -v n="$many" '
	    { gsub(",", "", $1) }
	    /:(sig_verify|json_parse|schema_check|reqline_accept|json_doc_free|reqid_new|timefmt_iso_ms|schema_result_free) / {
		split($0, a, ":"); f = a[2]; sub(/ .*/, "", f)
		if (!(f in seen)) { seen[f] = 1; printf "%s %d\n", f, $1 / n }
	    }' >"$T/stages.txt"
}

# ---------------------------------------------------------------------
# The report.

# Medians of the rounds per contender and concurrency.
summarize() {
	sort -t '	' -k1,1 -k2,2n "$T/runs.tsv" | awk -F '\t' '
	function median(s,   n, v, i, j, t) {
		n = split(s, v, " ")
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		k = $1 "\t" $2
		if (!(k in rps)) order[++nk] = k
		rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $5
		p99[k] = p99[k] " " $6
		non2xx[k] += $7; err[k] += $8
		if ($9 > rss[k]) rss[k] = $9
		ok[k] += $10
		if ($11 != "-") { lines[k] += $11; haslines[k] = 1 }
		if ($12 != "-") { hooks[k] += $12; want[k] += $15; hashooks[k] = 1 }
		if ($13 != "-" && (!(k in settle) || $13 > settle[k]))
			settle[k] = $13
		if ($11 != "-" && ($11 < $10 || $11 > $10 + 2 * $2)) bad[k]++
		if ($14 > priv[k]) priv[k] = $14
	}
	END {
		for (i = 1; i <= nk; i++) {
			k = order[i]
			printf "%s\t%.0f\t%.0f\t%.0f\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%d\t%d\t%s\n",
			    k, median(rps[k]), median(p50[k]), median(p99[k]),
			    non2xx[k], err[k], rss[k], ok[k],
			    haslines[k] ? lines[k] : "-",
			    hashooks[k] ? hooks[k] : "-",
			    settle[k] != "" ? settle[k] : "-", bad[k], priv[k],
			    hashooks[k] ? want[k] : "-"
		}
	}' >"$T/summary.tsv"
}

# paired A B CONNS [COLUMN]: A's figure (4 req/s, 6 p99) over B's in the
# same round, round by round: "median<TAB>r1 r2 ...", two decimals.
# A ratio taken within a round, of runs a minute apart, is what drift
# moves least; the median of the rounds leaves out a round that
# landed on a slow minute for one of the two.
paired() {
	awk -F '\t' -v a="$1" -v b="$2" -v c="$3" -v col="${4:-4}" '
	$2 == c && $1 == a { va[$3] = $col }
	$2 == c && $1 == b { vb[$3] = $col }
	END {
		for (r in va)
			if ((r in vb) && vb[r] + 0 > 0)
				v[++n] = va[r] / vb[r]
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		if (n == 0) { print "-\t-"; exit }
		m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		s = ""
		for (r = 1; r <= 1000; r++)
			if ((r in va) && (r in vb) && vb[r] + 0 > 0)
				s = s (s == "" ? "" : " ") sprintf("%.2f", va[r] / vb[r])
		printf "%.2f\t%s\n", m, s
	}' "$T/runs.tsv"
}

# pmed / prounds A B CONNS [COLUMN]: the median, the rounds' list.
pmed() {
	paired "$@" | cut -f 1
}

prounds() {
	paired "$@" | cut -f 2
}

# get CONTENDER CONNS COLUMN: one figure of the summary (columns: 3 rps,
# 4 p50, 5 p99, 6 non2xx, 7 errors, 8 rss, 9 200s, 10 lines, 11 hooks,
# 12 settle seconds, 13 runs whose lines did not match, 14 private kB,
# 15 events whose hook was due in the runs where hooks were counted).
get() {
	awk -F '\t' -v c="$1" -v n="$2" -v col="$3" \
	    '$1 == c && $2 == n { print $col }' "$T/summary.tsv"
}

label() {
	case $1 in
	null)		echo "ceiling: do-nothing libfcgi responder" ;;
	null_append)	echo "ceiling + one O_APPEND write" ;;
	null_fdatasync)	echo "ceiling + O_APPEND write + fdatasync" ;;
	ekahook)	echo "ekahook, log_fsync=never, no hook" ;;
	ekahook_fsync)	echo "ekahook, log_fsync=always" ;;
	ekahook_sig)	echo "ekahook, signature verified (fsync never)" ;;
	ekahook_hook)	echo "ekahook, hook /bin/true (fsync never)" ;;
	ekahook_hook_fsync) echo "ekahook, hook /bin/true (fsync always)" ;;
	php)		echo "PHP receiver under php-fpm (2 workers)" ;;
	webhook_sync)	echo "adnanh/webhook, synchronous hook" ;;
	webhook_async)	echo "adnanh/webhook, default async hook" ;;
	*)		echo "$1" ;;
	esac
}

# ratio A B: A / B with two decimals, "-" when either is missing.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	    if (a == "" || b == "" || b + 0 == 0) print "-"
	    else printf "%.2f\n", a / b }'
}

# verdict COND: "met" or "**missed**" for an awk condition.
verdict() {
	if awk "BEGIN { exit !($1) }" 2>/dev/null; then echo met; else
		echo "**missed**"; fi
}

write_table() {
	c=$1
	echo
	echo "### c=$c"
	echo
	echo "| contender | req/s | × ceiling | p50 ms | p99 ms | p99 × ceiling | non-2xx | peak RSS/process MB | private MB | 200s | log lines | hooks run |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in $CONTENDERS; do
		r=$(get "$n" "$c" 3)
		[ -n "$r" ] || continue
		p50=$(get "$n" "$c" 4)
		p99=$(get "$n" "$c" 5)
		rss=$(get "$n" "$c" 8)
		lines=$(get "$n" "$c" 10)
		hooks=$(get "$n" "$c" 11)
		settle=$(get "$n" "$c" 12)
		if [ "$hooks" != - ] && [ "$settle" != - ]; then
			rate=
			# ekahook's runner works from the first event on.
			case $n in
			ekahook_hook | ekahook_hook_fsync)
				rate=$(awk -v h="$hooks" \
				    -v s="$((settle + WARMUP + DURATION))" \
				    'BEGIN { printf ", %.0f hooks/s", h / s }') ;;
			esac
			hooks="$hooks of $(get "$n" "$c" 15) (after ${settle} s$rate)"
		fi
		[ "$(get "$n" "$c" 13)" -gt 0 ] && lines="$lines ≠"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
		    "$(label "$n")" "$r" "$(pmed "$n" null "$c")" \
		    "$(awk -v v="$p50" 'BEGIN { printf "%.3f", v / 1000 }')" \
		    "$(awk -v v="$p99" 'BEGIN { printf "%.3f", v / 1000 }')" \
		    "$(pmed "$n" null "$c" 6)" \
		    "$(($(get "$n" "$c" 6) + $(get "$n" "$c" 7)))" \
		    "$(awk -v v="$rss" 'BEGIN { printf "%.1f", v / 1024 }')" \
		    "$(awk -v v="$(get "$n" "$c" 14)" 'BEGIN { printf "%.2f", v / 1024 }')" \
		    "$(get "$n" "$c" 9)" "$lines" "$hooks"
	done
}

# target TEXT COND: one line of the targets' list.
target() {
	printf -- '- %s: %s\n' "$(verdict "$2")" "$1"
}

write_targets() {
	c=16
	nrss=$(get null $c 8); erss=$(get ekahook $c 8)
	ef=$(get ekahook_fsync $c 3); nf=$(get null_fdatasync $c 3)
	phrss=$(get php $c 8)
	npriv=$(get null $c 14); epriv=$(get ekahook $c 14); phpriv=$(get php $c 14)
	ehhooks=$(get ekahook_hook $c 11); ehwant=$(get ekahook_hook $c 15)
	ehsettle=$(get ekahook_hook $c 12)
	ws=$(get webhook_sync $c 3)
	wa=$(get webhook_async $c 3)
	wahooks=$(get webhook_async $c 11); warss=$(get webhook_async $c 8)
	waok=$(get webhook_async $c 15)
	unsigned=$(awk '$1 == "unsigned" { print $2 }' "$T/pipeline.txt")
	signed=$(awk '$1 == "signed" { print $2 }' "$T/pipeline.txt")
	echo
	er=$(pmed ekahook null $c); ep=$(pmed ekahook null $c 6)
	fr=$(pmed ekahook_fsync null_fdatasync $c)
	echo "## Targets (c=16; ratios are medians of the rounds' ratios)"
	echo
	target "ekahook (no fsync, no hook) ≥ 90 % of the ceiling's requests/s: ${er}× (rounds: $(prounds ekahook null $c))" \
	    "${er:-0} >= 0.9"
	target "and its p99 ≤ 1.3× the ceiling's: ${ep}× (rounds: $(prounds ekahook null $c 6))" \
	    "${ep:-1e9} <= 1.3"
	target "ekahook log_fsync=always ≥ ceiling + O_APPEND + fdatasync: ${fr}× (rounds: $(prounds ekahook_fsync null_fdatasync $c); medians $ef vs $nf req/s)" \
	    "${fr:-0} >= 1"
	target "peak RSS per process ≤ 1.5× the ceiling's: $(ratio "$erss" "$nrss")×" \
	    "${erss:-1e9} <= 1.5 * ${nrss:-0}"
	echo "  (private memory per process: $(ratio "$epriv" "$npriv")× the ceiling's)"
	phr=$(pmed ekahook php $c)
	target "≥ 2× the PHP receiver's requests/s: ${phr}× (rounds: $(prounds ekahook php $c))" \
	    "${phr:-0} >= 2"
	target "at ≤ 1/10 of its memory, as RSS: $(ratio "$erss" "$phrss")×" \
	    "${erss:-1e9} <= 0.1 * ${phrss:-0}"
	target "at ≤ 1/10 of its memory, as private memory: $(ratio "$epriv" "$phpriv")×" \
	    "${epriv:-1e9} <= 0.1 * ${phpriv:-0}"
	whr=$(pmed ekahook_hook webhook_sync $c)
	target "with the hook ≥ 2× adnanh/webhook's synchronous mode: ${whr}× (rounds: $(prounds ekahook_hook webhook_sync $c))" \
	    "${whr:-0} >= 2"
	whfr=$(pmed ekahook_hook_fsync webhook_sync $c)
	target "and so with log_fsync = always: ${whfr}× (rounds: $(prounds ekahook_hook_fsync webhook_sync $c))" \
	    "${whfr:-0} >= 2"
	target "every accepted event's hook in hook_log once settled: $ehhooks of $ehwant logged events after $ehsettle s (last round, c=16; given up after ${HOOK_STALL} s without progress or ${HOOK_DEADLINE} s)" \
	    "\"${ehhooks:-x}\" == \"${ehwant:-y}\""
	target "pipeline ≤ 30 000 instructions per request (no signing key): $unsigned" \
	    "${unsigned:-1e9} <= 30000"
	target "pipeline ≤ 30 000 instructions per request with the signature verified: $signed" \
	    "${signed:-1e9} <= 30000"
	echo
	echo "adnanh/webhook's default asynchronous mode answered $wa req/s" \
	    "($(ratio "$wa" "$ws")× its synchronous mode); of its $waok 200s" \
	    "(last round, c=16) $wahooks hooks had run ${SETTLE} s after the" \
	    "load stopped, at a peak of" \
	    "$(awk -v v="$warss" 'BEGIN { printf "%.0f", v / 1024 }') MB."
}

write_results() {
	cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
	ncpu=$(nproc)
	{
		echo "# Benchmark results"
		echo
		echo "Written by \`bench/run.sh\`; what it measures and how is in its header."
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- machine: \`$(uname -a)\`"
		echo "- CPU: $cpu × $ncpu; memory $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
		echo "- command: \`$COMMAND\` (rounds $ROUNDS × ${DURATION} s per contender and concurrency after ${WARMUP} s of warm-up; wrk 1 thread at c=1, 2 at c=16)"
		echo "- git: \`$(cd "$BUILT_FROM" && git describe --always --dirty 2>/dev/null || echo unknown)\`"
		echo "- /dev/cpu_dma_latency held at 0: $DMA_HELD"
		echo "- load before the run: $LOAD_BEFORE"
		[ -n "$QUIET_NOTE" ] && echo "- $QUIET_NOTE"
		echo
		echo "Every contender sits behind the same lighttpd $(lighttpd -v 2>&1 | sed -n 's/^lighttpd\/\([^ ]*\).*/\1/p') on 127.0.0.1;"
		echo "the FastCGI ones have $PROCS backend processes (php-fpm: $PROCS static workers;"
		echo "adnanh/webhook $(webhook -version 2>&1 | sed -n 's/.*version //p'): one process, through mod_proxy)."
		echo "ekahook runs with \`dedupe_window = 0\` (wrk POSTs the same seed body, which"
		echo "would otherwise be a duplicate) and \`log_max_bytes = 0\` (so that every line"
		echo "can be counted). Figures are medians of the rounds; ratios (× ceiling) are"
		echo "medians of each round's ratio to the ceiling's run of the same round (the"
		echo "order of the contenders rotates every round); RSS is the largest"
		echo "VmHWM among the backend processes (it counts the pages of shared libraries"
		echo "each process touched, which the processes share); \"private\" is the largest"
		echo "Private_Clean + Private_Dirty at the end of the load, what one more process"
		echo "really costs; \"200s\" counts a first probe, warm-up and run;"
		echo "a log may hold up to c lines more than wrk's 200s per wrk invocation (requests"
		echo "in flight when wrk stops are finished by the server but not counted by wrk);"
		echo "≠ marks a run outside that."
		echo "p50/p99 come from wrk's histogram with its coordinated-omission correction undone"
		echo "(bench/post.lua)."
		for c in $CONCS; do
			write_table "$c"
		done
		echo
		echo "## Pipeline instructions per request (callgrind)"
		echo
		echo "\`bench/pipeline\` runs the real functions of one accepted request over the seed"
		echo "event: reqid, time, \`sig_verify\`, \`json_parse\` (scan + minify + tree),"
		echo "\`schema_check\`, \`reqline_accept\`; the figure is (Ir($((100 + ITER))) − Ir(100)) / $ITER."
		echo
		echo "| pipeline | instructions/request |"
		echo "|---|---:|"
		awk '{ printf "| %s | %d |\n", $1 == "signed" ? "signature verified (HMAC-SHA256 of the 1 KB body)" : "no signing key", $2 }' "$T/pipeline.txt"
		echo
		echo "Signed pipeline, inclusive instructions per request by function:"
		echo
		echo "| function | instructions |"
		echo "|---|---:|"
		awk '{ printf "| `%s` | %d |\n", $1, $2 }' "$T/stages.txt"
		write_targets
		echo
		echo "## Raw runs"
		echo
		echo "contender, c, round, req/s, p50 µs, p99 µs, non-2xx, socket errors, peak RSS kB, 200s, log lines, hooks run, settle s, private kB, hooks due"
		echo
		echo '```'
		cat "$T/runs.tsv"
		echo '```'
	} >"$RESULTS.new"
	mv -f "$RESULTS.new" "$RESULTS"
	log "wrote $RESULTS"
}

# ---------------------------------------------------------------------

wait_quiet() {
	QUIET_NOTE=
	[ "$QUIET_WAIT" -gt 0 ] || return 0
	end=$(($(date +%s) + QUIET_WAIT))
	while :; do
		l=$(cut -d ' ' -f 1 /proc/loadavg)
		awk -v l="$l" 'BEGIN { exit !(l < 0.6) }' && return 0
		if [ "$(date +%s)" -ge "$end" ]; then
			QUIET_NOTE="the 1-minute load stayed at or above 0.6 for ${QUIET_WAIT} s; run anyway (load $l)"
			return 0
		fi
		log "waiting for a quiet machine (load $l)"
		sleep 30
	done
}

main() {
	install_deps
	build
	T=$(mktemp -d "${TMPDIR:-/tmp}/ekahook-bench.XXXXXX")
	chmod 0755 "$T"
	MY_SID=$(ps -o sid= -p $$ | tr -d ' ')
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	: >"$T/runs.tsv"
	: >"$T/pipeline.txt"
	log "pipeline instructions (callgrind)"
	measure_pipeline
	log "$(tr '\n' ' ' <"$T/pipeline.txt")"
	wait_quiet
	LOAD_BEFORE=$(cut -d ' ' -f 1-3 /proc/loadavg)
	# Idle CPUs that halt add a wake-up to every request: hold them awake,
	# the same for every contender (released when this shell exits).
	DMA_HELD=no
	if [ -w /dev/cpu_dma_latency ] && exec 9>/dev/cpu_dma_latency &&
	    printf 0 >&9; then
		DMA_HELD=yes
	fi
	round=1
	while [ "$round" -le "$ROUNDS" ]; do
		# Rotate the order every round: no contender always goes first.
		order=$(echo $CONTENDERS | awk -v k="$round" '{
		    for (i = 0; i < NF; i++) printf "%s ", $((i + k - 1) % NF + 1) }')
		for c in $CONCS; do
			for n in $order; do
				log "round $round/$ROUNDS c=$c $n"
				run_one "$n" "$c" "$round"
			done
		done
		round=$((round + 1))
	done
	exec 9>&-
	summarize
	write_results
}

main "$@"
