# Helpers for the hook's integration tests (tests/hook/*.sh), on top of
# tests/lib.sh.  Source it:  . "$TOP_SRCDIR/tests/hook/hooklib.sh"

. "$TESTLIB"

HK=$T/hk			# the hook, its records and its switches
STATE=$T/state
EVENTS=$T/events.ndjson
HOOKLOG=$T/hooks.ndjson
CONF=$T/ekahook.conf
mkdir -p "$HK/runs"

# hk_stop: kills the runner and its attempts (started from the
# test's ekahook, so named $T/...), then the hooks' process groups,
# which lib.sh does not know about; on exit too, before lib.sh's cleanup.
hk_stop() {
	pkill -KILL -f "^$T/" 2>/dev/null || true
	for g in $(ps -eo pgid=,args= | awk -v h="$HK/hook" \
	    '$2 == "/bin/sh" && $3 == h { print $1 }' | sort -u); do
		kill -KILL "-$g" 2>/dev/null || true
	done
}
# crash_all: the machine dies: the server first (so that it starts no
# new responder, which would resume the hooks at once), then every
# process of ours and every hook.
crash_all() {
	kill -KILL "$LIGHTTPD_PID" 2>/dev/null || true
	hk_stop
	stop_lighttpd
}
# sanitizer_clean: nothing from ASan or UBSan in what the runner and
# its attempts wrote (their stderr is runner.log).
sanitizer_clean() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$STATE"/hooks/runner.log* 2>/dev/null
}
trap 'rc=$?; set +e; hk_stop
if [ $rc -eq 0 ] && ! sanitizer_clean; then
	cat "$STATE"/hooks/runner.log* >&2
	echo "FAIL: a sanitizer spoke in runner.log" >&2
	rc=1
fi
(exit $rc); cleanup' EXIT

# write_recorder: $HK/hook records what it was given into
# $HK/runs/<request_id>.<attempt>/ (environ, argv, stdin, cwd, fds),
# appends "<request_id> <attempt>" to $HK/ran, then, while $HK/hold
# exists, waits for $HK/go (a file the test makes when it wants the
# hooks to go on), sleeps $HK/sleep seconds and exits with $HK/exit
# (when those files exist).  The record moves to
# $HK/runs/<request_id>.<attempt>/ only at the end.
# A request id listed in $HK/fail makes it exit 1 instead, and so does
# an attempt numbered below the event's data.partner_meta.pass_at.
write_recorder() {
	cat >"$HK/hook" <<'EOF'
#!/bin/sh
here=$(dirname "$0")
out=$here/runs/$EKAHOOK_REQUEST_ID.$EKAHOOK_ATTEMPT
mkdir "$out.tmp" || exit 99
cat /proc/$$/environ >"$out.tmp/environ"
printf '%s\0' "$0" "$@" >"$out.tmp/argv"
cat >"$out.tmp/stdin"
pwd >"$out.tmp/cwd"
ls -l /proc/$$/fd/ >"$out.tmp/fds"
stat -L -c %F /proc/$$/fd/0 >"$out.tmp/stdin.type"
date +%s%3N >"$out.tmp/start"
# How many hooks run at once, as each one sees it when it starts.
mkdir -p "$here/active"
: >"$here/active/$EKAHOOK_REQUEST_ID.$EKAHOOK_ATTEMPT"
ls "$here/active" | wc -l >>"$here/concurrency"
echo "$EKAHOOK_REQUEST_ID $EKAHOOK_ATTEMPT" >>"$here/ran"
echo "hook output for $EKAHOOK_REQUEST_ID"
if [ -f "$here/hold" ]; then
	while [ ! -e "$here/go" ]; do sleep 0.05; done
fi
[ -f "$here/sleep" ] && sleep "$(cat "$here/sleep")"
rm -f "$here/active/$EKAHOOK_REQUEST_ID.$EKAHOOK_ATTEMPT"
mv "$out.tmp" "$out"
if [ -f "$here/fail" ] && grep -qx "$EKAHOOK_REQUEST_ID" "$here/fail"; then
	echo "failing on purpose" >&2
	exit 1
fi
if [ -n "${EKA_PARTNER_META_PASS_AT:-}" ] &&
    [ "$EKAHOOK_ATTEMPT" -lt "$EKA_PARTNER_META_PASS_AT" ]; then
	echo "attempt $EKAHOOK_ATTEMPT fails" >&2
	exit 1
fi
[ -f "$here/exit" ] && exit "$(cat "$here/exit")"
exit 0
EOF
	chmod 0755 "$HK/hook"
}

# write_hook_conf [LINE...]: $CONF with the hook and these lines.
write_hook_conf() {
	{
		echo "log_file = $EVENTS"
		echo "hook_log = $HOOKLOG"
		echo "state_dir = $STATE"
		echo "reject_file ="
		echo "hook = $HK/hook"
		for l in "$@"; do
			echo "$l"
		done
	} >"$CONF"
}

# event_with KEY VALUE: the sample event with data.partner_meta.KEY set
# (a new body each time, so no duplicate), into $T/event.json.
event_with() {
	jq -c --arg k "$1" --arg v "$2" '.data.partner_meta[$k] = $v' \
	    "$SAMPLE" >"$T/event.json"
}

# post_numbered N: N events, $T/event.<i>.json with data.partner_meta.n
# = i for i = 1 … N, posted one after another, each answered 200; their
# request ids, in order, into $T/ids.
post_numbered() {
	: >"$T/ids"
	i=1
	while [ $i -le "$1" ]; do
		event_with n "$i"
		cp "$T/event.json" "$T/event.$i.json"
		post "$T/event.json"
		expect_status 200
		jq -r .request_id "$T/resp.body" >>"$T/ids"
		i=$((i + 1))
	done
}

# quiet: no runner holds its lock and no attempt holds an event of
# the spool (state_dir/hooks/new/).
quiet() {
	[ -d "$STATE/hooks" ] || return 0
	flock -n "$STATE/hooks/runner.lock" true 2>/dev/null || return 1
	for s in "$STATE"/hooks/new/*; do
		[ -e "$s" ] || continue
		flock -n "$s" true || return 1
	done
	return 0
}

# spool_count BOX: files in state_dir/hooks/BOX (new, failed).
spool_count() {
	ls "$STATE/hooks/$1" 2>/dev/null | wc -l | tr -d ' '
}

# wait_quiet SECS: until the runner has left and no attempt is running.
wait_quiet() {
	wait_for "$1" quiet || fail "the hook runner is still busy after $1 s"
}

# hook_lines: the number of lines in hook_log (rotated ones included).
hook_lines() {
	cat "$HOOKLOG"* 2>/dev/null | wc -l | tr -d ' '
}

# wait_hook_lines N SECS: until hook_log has N lines.
wait_hook_lines() {
	wait_for "$2" sh -c "[ \$(cat '$HOOKLOG'* 2>/dev/null | wc -l) -ge $1 ]" ||
		fail "hook_log has $(hook_lines) lines after $2 s, want $1"
	[ "$(hook_lines)" -eq "$1" ] ||
		fail "hook_log has $(hook_lines) lines, want exactly $1"
}

# proc_counts: "HOOKS ATTEMPTS RUNNERS ALL" running now, from one ps(1).
# A hook is a process group led by a child of one of this test's
# attempts (whatever it has exec'd since: a shell, sleep); ALL counts
# this test's ekahook processes (named $T/...) and every member of a
# hook's group.  A child just forked bears its parent's name until it
# execs or renames itself: it is not a hook yet, and a runner's child is
# not a runner.
proc_counts() {
	ps -eo pid=,ppid=,pgid=,stat=,comm=,args= | awk -v t="$T/" '
	    $4 ~ /^Z/ { next }
	    { ppid[$1] = $2; pgid[$1] = $3; comm[$1] = $5
	      ours[$1] = index($6, t) == 1 }
	    END {
		for (p in comm)
			if (ours[ppid[p]] && comm[ppid[p]] == "ekahook-attempt" &&
			    pgid[p] == p && comm[p] != "ekahook-attempt")
				lead[p] = 1
		for (p in comm) {
			if (p in lead)
				hooks++
			if (ours[p] && comm[p] == "ekahook-attempt")
				att++
			if (ours[p] && comm[p] == "ekahook-runner" &&
			    comm[ppid[p]] != "ekahook-runner")
				run++
			if (ours[p] || (pgid[p] in lead))
				all++
		}
		print hooks + 0, att + 0, run + 0, all + 0
	    }'
}

# max_concurrency: the most hooks the recorder ever saw running at once.
max_concurrency() {
	sort -n "$HK/concurrency" 2>/dev/null | tail -n 1
}

# env_value FILE NAME: the value of NAME in a NUL-separated environ file.
env_value() {
	perl -e 'my ($f, $n) = @ARGV; open(my $h, "<", $f) or die "$f: $!";
	    local $/ = "\0"; while (<$h>) { chomp;
	    print substr($_, length($n) + 1) if index($_, "$n=") == 0 }' \
	    "$1" "$2"
}

# run_env_test MODE: ekahook(8) "The hook" through lighttpd in MODE
# (fastcgi, cgi): the answer does not wait for the hook, and the hook
# gets exactly its argv, stdin, directory, descriptors and environment.
run_env_test() {
	mode=$1
	write_recorder
	: >"$HK/hold"
	write_hook_conf
	start_lighttpd "$mode" "$CONF"

	# The hook waits for $HK/go, made only once the answer is in: an
	# answer that waited for the hook could not come (or only once
	# hook_timeout had killed it, after curl's 30 s).
	post "$SAMPLE" -H 'Eka-Test-Header: leak-me' -H 'Cookie: secret=1'
	expect_status 200
	id=$(jq -r .request_id "$T/resp.body")
	[ ! -e "$HK/runs/$id.1" ] && [ "$(hook_lines)" -eq 0 ] ||
		fail "$mode: the hook ended before its answer"
	touch "$HK/go"
	wait_hook_lines 1 20
	run=$HK/runs/$id.1
	[ -d "$run" ] || fail "$mode: the hook left no record for $id"
	jq -e '.exit == 0 and .timed_out == false' "$HOOKLOG" >/dev/null ||
		fail "$mode: the hook did not end on its own: $(cat "$HOOKLOG")"
	ok "$mode: answered 200 while the hook waited; it ended on its own after the answer"

	rcv=$(jq -r .received_at "$EVENTS")
	printf '%s\0' \
	    "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" \
	    "EKAHOOK_REQUEST_ID=$id" "EKAHOOK_RECEIVED_AT=$rcv" \
	    "EKAHOOK_ATTEMPT=1" "EKAHOOK_LOG_FILE=$(realpath "$EVENTS")" \
	    "EKA_SERVICE=appointment" "EKA_EVENT=appointment.created" \
	    "EKA_TRANSACTION_ID=b7e1c2d4-5a6f-4e3b-9c8d-1f2e3a4b5c6d:appointment.created:1763929242123" \
	    "EKA_EVENT_TIME=1763929242123" \
	    "EKA_TIMESTAMP=2026-11-23T20:20:42.123Z" \
	    "EKA_CLIENT_ID=ekacare-partner-7f3a" "EKA_BUSINESS_ID=b-23535342" \
	    "EKA_APPOINTMENT_ID=ap-5f2b9c1e-8d7a-4c3b-a1e2-9f8d7c6b5a40" \
	    "EKA_PARTNER_APPOINTMENT_ID=PA-2026-000123" \
	    "EKA_DOCTOR_ID=161467756044203" "EKA_PARTNER_DOCTOR_ID=DR-0042" \
	    "EKA_PATIENT_ID=176392924212345" "EKA_PARTNER_PATIENT_ID=PT-88231" \
	    "EKA_CLINIC_ID=6742984" "EKA_PARTNER_CLINIC_ID=CL-07" \
	    "EKA_STATUS=BK" "EKA_ACTION=created" "EKA_CREATED_AT=1763929242" \
	    "EKA_MODIFIED_AT=2026-11-23T20:20:42+05:30" \
	    "EKA_PARTNER_META_VISIT_ID=V-12345" "EKA_PARTNER_META_SOURCE=web" \
	    "EKA_SA_IDS=sa-001
sa-002" "EKA_CUSTOM_ATTRIBUTES_LABEL=first-visit
priority" | sort -z >"$T/env.want"
	sort -z "$run/environ" >"$T/env.got"
	cmp -s "$T/env.want" "$T/env.got" ||
		fail "$mode: environment differs: $(diff "$T/env.want" "$T/env.got" | tr '\0' ' ')"
	ok "$mode: the environment is exactly ekahook(8)'s, no server or header variable"

	printf '%s\0' "$HK/hook" appointment.created >"$T/argv.want"
	cmp -s "$T/argv.want" "$run/argv" || fail "$mode: argv: $(tr '\0' ' ' <"$run/argv")"
	{ minify "$SAMPLE"; echo; } >"$T/stdin.want"
	cmp -s "$T/stdin.want" "$run/stdin" || fail "$mode: stdin is not the logged event"
	[ "$(cat "$run/stdin.type")" = "regular file" ] ||
		fail "$mode: stdin is a $(cat "$run/stdin.type")"
	[ "$(cat "$run/cwd")" = "$(realpath "$HK")" ] ||
		fail "$mode: working directory $(cat "$run/cwd")"
	# 0 is the event (an unlinked file in state_dir); 1 and 2 the output.
	! grep -v ' 0 -> ' "$run/fds" | grep -q -e 'socket:' -e "$STATE" \
	    -e "$EVENTS" -e "$T/lighttpd" ||
		fail "$mode: the hook inherited descriptors: $(cat "$run/fds")"
	ok "$mode: argv, stdin (a regular file), working directory, descriptors"

	jq -e --arg id "$id" --arg hook "$HK/hook" '
	    (keys_unsorted == ["finished_at","request_id","event","hook",
	      "attempt","exit","signal","timed_out","duration_ms","output"])
	    and .request_id == $id and .event == "appointment.created"
	    and .hook == $hook and .attempt == 1 and .exit == 0
	    and .signal == null and .timed_out == false
	    and (.duration_ms | type) == "number" and .duration_ms >= 0
	    and .output == "hook output for \($id)\n"' "$HOOKLOG" >/dev/null ||
		fail "$mode: hook_log line: $(cat "$HOOKLOG")"
	ok "$mode: one hook_log line with ekahook(8)'s fields"

	# Hostile values: data only, never code.
	rm -f "$HK/hold"
	event_with note "\$(touch $T/pwned1)\`touch $T/pwned2\`;touch $T/pwned3 'q' \"dq\" \\ \${HOME}
second line नमस्ते ✓"
	jq -c --arg k "x;touch $T/pwned4;\$(touch $T/pwned5)" \
	    '.data.partner_meta[$k] = "v"' "$T/event.json" >"$T/hostile.json"
	post "$T/hostile.json"
	expect_status 200
	hid=$(jq -r .request_id "$T/resp.body")
	wait_hook_lines 2 20
	for n in 1 2 3 4 5; do
		[ ! -e "$T/pwned$n" ] || fail "$mode: a hostile value ran as code ($n)"
	done
	jq -j .data.partner_meta.note "$T/hostile.json" >"$T/note.want"
	env_value "$HK/runs/$hid.1/environ" EKA_PARTNER_META_NOTE >"$T/note.got"
	cmp -s "$T/note.want" "$T/note.got" ||
		fail "$mode: the hostile value changed: $(cat "$T/note.got")"
	name=$(printf 'EKA_PARTNER_META_X_TOUCH_%s_PWNED4___TOUCH_%s_PWNED5_' \
	    "$(echo "$T" | tr 'a-z' 'A-Z' | tr -c 'A-Z0-9\n' '_')" \
	    "$(echo "$T" | tr 'a-z' 'A-Z' | tr -c 'A-Z0-9\n' '_')")
	[ "$(env_value "$HK/runs/$hid.1/environ" "$name")" = v ] ||
		fail "$mode: hostile key not named $name"
	ok "$mode: hostile values and keys create no file and arrive byte for byte"

	wait_quiet 15
	ok "$mode: the runner left once idle"
}

# run_burst N [kill]: N events from ab(1), 8 at a time, at a hook slower
# than they arrive (hook_max_running = 4, 15 ms each, and the first ones
# held until every answer is in); every answer is a 200 that came before
# any hook ended, processes stay bounded, and hook_log ends with exactly
# one successful line per event.  With "kill", the runner is killed with
# SIGKILL once a third of the hooks have run.
run_burst() {
	# BURST_EVENTS: fewer events, for a machine busy with other work.
	n=${BURST_EVENTS:-$1}
	cat >"$HK/hook" <<HOOK
#!/bin/sh
echo "\$EKAHOOK_REQUEST_ID" >>"$HK/ran"
while [ ! -e "$HK/go" ]; do sleep 0.05; done
exec sleep 0.015
HOOK
	chmod 0755 "$HK/hook"
	# hook_timeout: the first hooks wait out the whole burst.
	write_hook_conf "hook_max_running = 4" "log_fsync = never" \
	    "dedupe_window = 0" "log_max_bytes = 150000" "log_keep = 20" \
	    "hook_timeout = 3600"
	start_lighttpd fastcgi "$CONF" 2

	: >"$T/samples"
	(
		while [ ! -e "$T/stop" ]; do
			proc_counts >>"$T/samples"
			sleep 0.1
		done
	) &
	echo $! >>"$T/pids"

	ab -q -n "$n" -c 8 -p "$SAMPLE" -T application/json "$URL" \
	    >"$T/ab.out" 2>&1 &
	ab=$!
	wait "$ab" || fail "ab failed: $(cat "$T/ab.out")"
	grep -q "^Complete requests: *$n$" "$T/ab.out" &&
	    grep -q "^Failed requests: *0$" "$T/ab.out" &&
	    ! grep -q "^Non-2xx" "$T/ab.out" ||
		fail "not all answers were 200: $(cat "$T/ab.out")"
	# Every hook waits for $HK/go, made only now: had an answer waited
	# for a hook (or for a free slot), ab could not have finished.
	[ "$(hook_lines)" -eq 0 ] ||
		fail "$(hook_lines) hooks ended before the last answer"
	started=$(cat "$HK/ran" 2>/dev/null | wc -l | tr -d " ")
	[ "$started" -le 4 ] || fail "$started hooks started (cap 4)"
	ok "$n answers, all 200, before any hook ended ($started started, held)"
	[ "$(cat "$EVENTS"* | wc -l)" -eq "$n" ] || fail "events missing"
	touch "$HK/go"
	if [ "${2:-}" = kill ]; then
		# Halfway through the hooks, with no event left to come: only
		# the attempts in flight can see that the runner is gone.
		wait_for 60 sh -c "[ \$(cat '$HOOKLOG'* 2>/dev/null | wc -l) -ge $((n / 3)) ]" ||
			fail "hooks did not run"
		pid=$(cat "$STATE/hooks/runner.lock")
		kill -KILL "$pid" || fail "no runner $pid to kill"
		ok "runner $pid killed with SIGKILL after $(hook_lines) hooks"
	fi

	# A deadline, not a speed test: the bound is what a stalled runner fails.
	wait_hook_lines "$n" "${BURST_DEADLINE:-300}"
	touch "$T/stop"
	wait_quiet 20
	read -r mh ma mr mall <<EOF2
$(awk '{ for (i = 1; i <= 4; i++) if ($i > m[i]) m[i] = $i }
    END { print m[1] + 0, m[2] + 0, m[3] + 0, m[4] + 0 }' "$T/samples")
EOF2
	[ "$mh" -le 4 ] || fail "$mh hooks ran at once (cap 4)"
	[ "$mr" -le 1 ] || fail "$mr runners at once"
	# 2 responders, 1 runner, 4 attempts (each with a hook about to
	# exec for a moment) and 4 hooks (a shell forks before it execs).
	[ "$mall" -le 19 ] || fail "$mall processes at once"
	ok "at most $mh hooks, $ma attempts, $mr runner, $mall processes at once ($(wc -l <"$T/samples") samples)"

	jq -r 'select(.exit == 0 and .signal == null and .timed_out == false)
	    | .request_id' "$HOOKLOG"* | sort >"$T/ok.ids"
	jq -r .request_id "$EVENTS"* | sort >"$T/all.ids"
	[ "$(wc -l <"$T/ok.ids")" -eq "$n" ] && [ "$(hook_lines)" -eq "$n" ] &&
	    cmp -s "$T/ok.ids" "$T/all.ids" ||
		fail "hook_log is not one successful line per event"
	sort "$HK/ran" >"$T/ran.ids"
	cmp -s "$T/ran.ids" "$T/all.ids" ||
		fail "the hook did not run exactly once per event ($(wc -l <"$T/ran.ids") runs)"
	ok "hook_log: exactly one successful line per event; each hook ran once"
	if [ "${2:-}" = kill ]; then
		[ "$(cat "$STATE/hooks/runner.lock")" != "$pid" ] ||
			fail "no new runner took over"
		ok "a new runner took over from runner $pid"
	fi
	[ "$(spool_count new)" -eq 0 ] && [ "$(spool_count failed)" -eq 0 ] ||
		fail "events left in the spool: $(ls "$STATE/hooks/new" "$STATE/hooks/failed")"
	ls "$EVENTS".1 >/dev/null 2>&1 || fail "the log never rotated"
}
