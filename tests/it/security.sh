#!/bin/sh
# What a stranger without the key must not be able to do (ekahook(8)
# "Security"): fill the disk through the reject log, choose the
# configuration (and so the hook) over the FastCGI socket, keep
# duplicate markers forever, or go unnoticed on an endpoint with no key;
# and signing_key_file, which keeps the key out of the web root.
. "$TESTLIB"
umask 022

N=${ABUSE_REQUESTS:-1000}
mkdir -p "$T/etc" "$T/b"
CONF="$T/etc/ekahook.conf"
REJECTS="$T/etc/rejected.ndjson"
KEY=abuse-test-key-7c1d

# cgi FILE TYPE [LENGTH]: one request to the built ekahook as plain CGI
# (the interface every server speaks), FILE as the body; LENGTH, when
# given, is the Content-Length claimed.  Sets STATUS.
cgi() {
	STATUS=$(REQUEST_METHOD=POST CONTENT_TYPE=$2 \
	    CONTENT_LENGTH=${3:-$(wc -c <"$1")} REMOTE_ADDR=203.0.113.9 \
	    EKAHOOK_CONFIG="$CONF" "$EKAHOOK_BIN" <"$1" 2>>"$T/cgi.err" |
	    sed -n '1s/^Status: \([0-9]*\).*/\1/p')
}

# abuse NAME WANT TYPE [LENGTH] BOUND: N requests of a 64 KiB body; each
# answered WANT, and the reject log grows by at most BOUND bytes a line.
abuse() {
	before=$(stat -c %s "$REJECTS" 2>/dev/null || echo 0)
	i=0
	while [ $i -lt "$N" ]; do
		cgi "$T/b/$1" "$3" ${4:+"$4"}
		[ "$STATUS" = "$2" ] || fail "$1: status $STATUS, want $2"
		i=$((i + 1))
	done
	grew=$(($(stat -c %s "$REJECTS") - before))
	[ "$(lines "$REJECTS")" -ge "$N" ] || fail "$1: rejects not all kept"
	[ $((grew / N)) -le "$5" ] ||
		fail "$1: $N requests grew the reject log by $grew bytes ($((grew / N)) a line, bound $5)"
	echo "  $1: $N x 64 KiB -> $((grew / N)) bytes a line"
}

# 64 KiB of \x01 (each stored as "\u0001" it would be 6 bytes), and an
# event as large whose fields are wrong.
perl -e 'print "\x01" x 65536' >"$T/b/ctl"
perl -e 'print "{\"event\":\"appointment.created\",\"data\":{\"pad\":\"",
    "\\u0001" x 10914, "\"}}"' >"$T/b/event"
head -c 60000 "$T/b/ctl" >"$T/b/short"

# --- With a signing key: nothing unverified is stored.
printf 'signing_key = %s\nlog_fsync = never\ndedupe_window = 0\n' "$KEY" >"$CONF"
abuse ctl 415 text/plain "" 300
abuse short 400 application/json 65536 300
abuse event 401 application/json "" 300
tail -n 1 "$REJECTS" | jq -e 'has("body") or has("body_base64") | not' \
    >/dev/null || fail "an unsigned body was stored: $(tail -c 300 "$REJECTS")"
tail -n 1 "$REJECTS" | jq -e --argjson n "$(wc -c <"$T/b/event")" '.body_bytes == $n and (.body_sha256 | length) == 64' \
    >/dev/null || fail "no size and hash: $(tail -n 1 "$REJECTS")"
ok "a key set: $N unsigned 64 KiB requests of each kind (415, cut short, 401) store ~300 bytes each"

# --- Without a key: at most reject_body_max bytes (6 each escaped).
printf 'log_fsync = never\ndedupe_window = 0\nlog_max_bytes = 0\n' >"$CONF"
bound=$((4096 * 6 + 300))
abuse ctl 415 text/plain "" $bound
abuse short 400 application/json 65536 $bound
abuse ctl 400 application/json "" $bound
abuse event 422 application/json "" $bound
tail -n 1 "$REJECTS" | jq -e '.body_truncated == true and (.body | length) <= 4096' \
    >/dev/null || fail "not truncated: $(tail -c 300 "$REJECTS")"
ok "no key: each 64 KiB reject keeps at most reject_body_max bytes (bound $bound a line)"

# Control, separator and bidi characters never reach a line raw.
printf '{"x":"a\302\205b\342\200\250c\342\200\256d"' >"$T/b/bidi"
cgi "$T/b/bidi" application/json
[ "$STATUS" = 400 ] || fail "bidi: $STATUS"
tail -n 1 "$REJECTS" | grep -qF 'a\u0085b\u2028c\u202ed' ||
	fail "not escaped: $(tail -n 1 "$REJECTS")"
ok "C1, U+2028 and bidi controls in a stored body are \\u escapes"

# --- Duplicate markers go under CGI too (every process is new): 300
# events within a long window, then the window shortened.
printf 'log_fsync = never\ndedupe_window = 3600\n' >"$CONF"
i=0
while [ $i -lt 300 ]; do
	printf '{"event":"lab.x","data":{"n":%d}}' $i >"$T/b/ev"
	cgi "$T/b/ev" application/json
	[ "$STATUS" = 200 ] || fail "event $i: $STATUS"
	i=$((i + 1))
done
markers() {
	find "$T/etc/state/seen" -type f ! -name .pruned | wc -l
}
[ "$(markers)" -eq 300 ] || fail "$(markers) markers after 300 events"
find "$T/etc/state/seen" -type f ! -name .pruned >"$T/old-markers"
printf 'log_fsync = never\ndedupe_window = 1\n' >"$CONF"
# One more event now and then, until the old markers are gone.
old_left() {
	n=0
	while read -r m; do
		[ -e "$m" ] && n=$((n + 1))
	done <"$T/old-markers"
	echo $n
}
pruned() {
	printf '{"event":"lab.x","data":{"t":"%s"}}' "$(date +%s%N)" >"$T/b/ev"
	cgi "$T/b/ev" application/json
	[ "$(old_left)" -eq 0 ]
}
wait_for 20 pruned || fail "$(old_left) of 300 markers left under CGI"
ok "CGI: 300 duplicate markers older than dedupe_window are removed"

# --- No key: a FastCGI process says so once at start; CGI never.
[ ! -s "$T/cgi.err" ] || fail "CGI wrote to stderr: $(head -n 3 "$T/cgi.err")"
printf 'dedupe_window = 0\n' >"$CONF"
start_lighttpd fastcgi "$CONF"
for i in 1 2 3; do
	post "$SAMPLE"
	expect_status 200
done
[ "$(grep -c 'no signing_key is set' "$LIGHTTPD_ERRLOG")" -eq 1 ] ||
	fail "the open endpoint was said $(grep -c 'no signing_key is set' "$LIGHTTPD_ERRLOG") times: $(cat "$LIGHTTPD_ERRLOG")"
ok "no signing_key: one line on the server's error log, none from CGI"
stop_lighttpd

# --- signing_key_file: the key outside the web root, read by its owner.
mkdir -p "$T/private"
printf '# Eka Care subscription key\n%s\n' "$KEY" >"$T/private/keys"
chmod 0600 "$T/private/keys"
printf 'signing_key_file = %s\ndedupe_window = 0\n' "$T/private/keys" >"$CONF"
: >"$LIGHTTPD_ERRLOG"
start_lighttpd fastcgi "$CONF"
post "$SAMPLE"
expect_error 401 signature_missing
post "$SAMPLE" -H "Eka-Webhook-Signature: $("$EKAHOOKCTL" sign --key "$KEY" "$SAMPLE")"
expect_status 200
[ "$(last_line "$T/etc/events.ndjson" | jq -r .signature)" = verified ] ||
	fail "not verified with the key file's key"
! grep -q "$KEY" "$LIGHTTPD_ERRLOG" "$T/etc/events.ndjson" "$REJECTS" ||
	fail "the key reached a log"
"$EKAHOOKCTL" check-config "$CONF" >"$T/cc.out" 2>&1 || true
! grep -q "readable by others" "$T/cc.out" || fail "check-config: $(cat "$T/cc.out")"
chmod 0644 "$T/private/keys"
"$EKAHOOKCTL" check-config "$CONF" >"$T/cc.out" 2>&1 || true
grep -q "signing_key_file $T/private/keys is readable by others" "$T/cc.out" ||
	fail "check-config does not warn: $(cat "$T/cc.out")"
mv "$T/private/keys" "$T/private/keys.gone"
post "$SAMPLE"
expect_error 500 config_error
grep -q "signing_key_file: cannot read $T/private/keys" "$LIGHTTPD_ERRLOG" ||
	fail "no stderr line: $(cat "$LIGHTTPD_ERRLOG")"
ok "signing_key_file: its key verifies; check-config warns when others can read it; gone: 500"
printf 'dedupe_window = 0\n' >"$CONF"
"$EKAHOOKCTL" check-config "$CONF" >"$T/cc.out" 2>&1 || true
grep -q "warning: no signing_key is set" "$T/cc.out" ||
	fail "check-config does not warn of an open endpoint: $(cat "$T/cc.out")"
ok "check-config warns when no signing_key is set"
stop_lighttpd

# --- EKAHOOK_LISTEN: the socket is 0660 whatever the umask, and a
# configuration path sent as a request parameter is used only from a
# place no one else can write.
sock="$T/ekahook.sock"
(umask 000; EKAHOOK_LISTEN=$sock exec "$EKAHOOK_BIN" 2>>"$T/listen.err") &
echo $! >>"$T/pids"
wait_for 10 test -S "$sock" || fail "no socket: $(cat "$T/listen.err")"
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode $(stat -c %a "$sock")"
ok "EKAHOOK_LISTEN's unix socket is 0660 under umask 000"

# A lighttpd that talks to that socket and sends EKAHOOK_CONFIG=$1.
listen_lighttpd() {
	LIGHTTPD_EXTRA_CONF="server.modules += ( \"mod_setenv\" )
\$HTTP[\"url\"] =~ \"^/ext\" {
  setenv.add-environment = ( \"EKAHOOK_CONFIG\" => \"$1\" )
}
fastcgi.server += ( \"/ext\" => ( ( \"socket\" => \"$sock\", \"check-local\" => \"disable\" ) ) )"
	start_lighttpd fastcgi ""
	LIGHTTPD_EXTRA_CONF=
	URL="http://127.0.0.1:$PORT/ext"
}
mkdir -p "$T/evil" "$T/good"
chmod 0777 "$T/evil"
printf '#!/bin/sh\ntouch %s/evil/ran\n' "$T" >"$T/evil/hook"
chmod 0755 "$T/evil/hook"
printf 'hook = %s/evil/hook\ndedupe_window = 0\n' "$T" >"$T/evil/ekahook.conf"
listen_lighttpd "$T/evil/ekahook.conf"
post "$SAMPLE"
expect_error 500 config_error
grep -q "EKAHOOK_CONFIG from the request: its directory $T/evil is writable by its group or others" \
    "$T/listen.err" || fail "no reason on stderr: $(cat "$T/listen.err")"
[ ! -e "$T/evil/ran" ] && [ ! -e "$T/evil/events.ndjson" ] ||
	fail "the untrusted configuration was used"
stop_lighttpd
cp "$T/evil/ekahook.conf" "$T/good/ekahook.conf"
listen_lighttpd "$T/good/ekahook.conf"
post "$SAMPLE"
expect_status 200
[ "$(lines "$T/good/events.ndjson")" = 1 ] || fail "the trusted configuration was not used"
ok "EKAHOOK_CONFIG from a request: refused (500) in a world-writable directory, used in the owner's"
