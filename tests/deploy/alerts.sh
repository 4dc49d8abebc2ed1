#!/bin/sh
# deploy/alerts/: the shipped alert_command examples, run by a real
# ekahook under lighttpd for a signature_rejected alert: mail-alert
# hands sendmail a mail for ADMIN, chat-alert hands curl {"text": …};
# and the cron line of ekahook-status.cron, run as written (paths
# replaced), is silent for a healthy receiver and names a problem.
. "$TESTLIB"

A=$TOP_SRCDIR/deploy/alerts
KEY=alerts-test-key-0123456789
mkdir -p "$T/alerts" "$T/state"
cp "$A/mail-alert" "$A/chat-alert" "$T/alerts/"
# Stand-ins that record what they were given (no mail, no network).
cat >"$T/fake-sendmail" <<FAKE
#!/bin/sh
printf '%s\n' "\$*" >"$T/sendmail.args"
cat >"$T/sendmail.in"
FAKE
cat >"$T/fake-curl" <<FAKE
#!/bin/sh
printf '%s\n' "\$@" >"$T/curl.args"
cat >"$T/curl.in"
FAKE
chmod 0755 "$T/fake-sendmail" "$T/fake-curl"
sed -e "s|^ADMIN=.*|ADMIN=admin@example.org|" \
    -e "s|^# SENDMAIL=.*|SENDMAIL=$T/fake-sendmail|" \
    -e "s|^CHAT_URL=.*|CHAT_URL=http://127.0.0.1:9/hooks/x\nCURL=$T/fake-curl|" \
    "$A/alert.conf.example" >"$T/alerts/alert.conf"

conf() {
	write_conf "$T/ekahook.conf" <<CONF
log_file = $T/events.ndjson
reject_file = $T/rejected.ndjson
hook_log = $T/hooks.ndjson
state_dir = $T/state/$1
signing_key = $KEY
alert_command = $T/alerts/$1
CONF
}
bad_post() {
	post "$SAMPLE" -H "Eka-Webhook-Signature: $("$EKAHOOKCTL" sign --key wrong-key-0123456789 "$SAMPLE")"
	expect_status 401
}

conf mail-alert
start_lighttpd fastcgi "$T/ekahook.conf"
bad_post
wait_for 15 test -s "$T/sendmail.in" || fail "mail-alert did not hand sendmail a mail: $(cat "$T/hooks.ndjson" 2>/dev/null)"
grep -q '^To: admin@example.org$' "$T/sendmail.in" &&
    grep -q '^Subject: ekahook on .*: signature_rejected$' "$T/sendmail.in" &&
    grep -q 'refused with 401 signature_invalid' "$T/sendmail.in" &&
    grep -q '"kind":"signature_rejected"' "$T/sendmail.in" ||
	fail "the mail: $(cat "$T/sendmail.in")"
grep -q -- '-t -i' "$T/sendmail.args" || fail "sendmail args: $(cat "$T/sendmail.args")"
wait_for 10 sh -c "grep -q '\"alert\":\"signature_rejected\".*mailed signature_rejected' '$T/hooks.ndjson'" ||
	fail "hook_log: $(cat "$T/hooks.ndjson")"
ok "mail-alert: a mail to ADMIN with the kind, the sentence and the details"

conf chat-alert
bad_post
wait_for 15 test -s "$T/curl.in" || fail "chat-alert did not call curl: $(cat "$T/hooks.ndjson")"
jq -e '.text | test("signature_rejected: A request was refused with 401 signature_invalid")' \
    "$T/curl.in" >/dev/null || fail "the chat message: $(cat "$T/curl.in")"
[ "$(tail -n 1 "$T/curl.args")" = "http://127.0.0.1:9/hooks/x" ] ||
	fail "curl args: $(cat "$T/curl.args")"
ok "chat-alert: {\"text\": …} posted to CHAT_URL"

# The cron line, as written but for the paths.
line=$(grep -v '^#' "$A/ekahook-status.cron" | grep -v '^MAILTO' | grep .)
cmd=$(echo "$line" | cut -d' ' -f7- | sed -e "s|/usr/local/bin/ekahookctl|$EKAHOOKCTL|" \
    -e "s|/etc/ekahook/ekahook.conf|$T/ekahook.conf|")
conf mail-alert
post "$SAMPLE" -H "Eka-Webhook-Signature: $("$EKAHOOKCTL" sign --key "$KEY" "$SAMPLE")"
expect_status 200
out=$(sh -c "$cmd" 2>&1) || fail "the cron command failed for a healthy receiver: $out"
[ -z "$out" ] || fail "the cron command printed for a healthy receiver: $out"
# A dead letter, as the runner leaves one.
mkdir -p "$T/state/mail-alert/hooks/failed"
minify "$SAMPLE" >"$T/state/mail-alert/hooks/failed/01a2487927c7-001609-e91e3324-000009"
rc=0; out=$(sh -c "$cmd" 2>&1) || rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q '^dead letters: 1' ||
	fail "the cron command with a dead letter: rc $rc: $out"
ok "ekahook-status.cron: silent when healthy, one line per problem otherwise"
