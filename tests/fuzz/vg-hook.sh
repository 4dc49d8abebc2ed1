#!/bin/sh
# A hook through the real server, for tests/fuzz/valgrind.sh: under
# FastCGI and under CGI the responder answers, starts the hook runner,
# and the runner runs the hook for a plain and a hostile event.  Run
# there with EKAHOOK_WRAPPER set, so memcheck watches the responder and
# the runner it forks (the hook itself runs natively).  Without the
# wrapper it is an ordinary test of the same behaviour.
. "$TESTLIB"

HK=$T/hk
mkdir -p "$HK/runs" "$T/state"
# The hook records its environment; a marker file would betray a shell.
cat >"$HK/hook" <<'EOF'
#!/bin/sh
env >"runs/$EKAHOOK_REQUEST_ID.tmp" && mv "runs/$EKAHOOK_REQUEST_ID.tmp" "runs/$EKAHOOK_REQUEST_ID"
EOF
chmod 0755 "$HK/hook"
cat >"$T/ekahook.conf" <<EOF
log_file = $T/events.ndjson
reject_file = $T/rejected.ndjson
state_dir = $T/state
hook = $HK/hook
hook_log = $T/hooks.ndjson
hook_timeout = 60
log_fsync = never
dedupe_window = 0
EOF

# A valid event whose partner_meta carries shell syntax in a key and in
# values, and a newline.
jq --arg t "$T" '.data.partner_meta.source = "$(touch \($t)/pwned)"
    | .data.partner_meta["`touch \($t)/pwned2`"] = "a\nb; touch \($t)/pwned3"' \
    "$SAMPLE" >"$T/hostile.json" || fail "jq could not write the event"

runs() {
	ls "$HK/runs" | grep -vc '\.tmp$' || true
}

for mode in fastcgi cgi; do
	rm -f "$HK/runs"/*
	start_lighttpd "$mode" "$T/ekahook.conf"
	post "$SAMPLE"
	expect_status 200
	post "$T/hostile.json"
	expect_status 200
	id=$(jq -r .request_id "$T/resp.body")
	# valgrind makes the runner slow to start: a generous deadline.
	wait_for 120 sh -c "[ -f '$HK/runs/$id' ] && [ \$(ls '$HK/runs' | grep -vc '\\.tmp\$') -ge 2 ]" ||
		fail "$mode: the hooks did not run ($(runs) of 2): $(cat "$T/state/hooks/runner.log" 2>/dev/null)"
	grep -qx "EKA_PARTNER_META_SOURCE=\$(touch $T/pwned)" "$HK/runs/$id" ||
		fail "$mode: the hostile value did not arrive as sent: $(grep PARTNER_META "$HK/runs/$id")"
	if [ -e "$T/pwned" ] || [ -e "$T/pwned2" ] || [ -e "$T/pwned3" ]; then
		fail "$mode: a shell ran event data"
	fi
	ok "$mode: answered, both hooks ran, the hostile value arrived as text"
	stop_lighttpd
	# The runner leaves once idle (2 s); wait for it and the responders
	# (under valgrind their command line holds $T/lighttpd/ too), so
	# each report is complete.
	# (Anchored, so that the polling shell does not match itself.)
	pat="^$T/lighttpd/|^[^ ]*valgrind[^ ]* .*$T/lighttpd/"
	wait_for 60 sh -c "! pgrep -f '$pat' >/dev/null" ||
		fail "$mode: the runner did not leave: $(pgrep -af "$pat")"
done
