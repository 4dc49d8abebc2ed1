#!/bin/sh
# ekahook.conf(5) through lighttpd mod_fastcgi: where the config is found
# (EKAHOOK_CONFIG from "bin-environment", ekahook.conf beside the
# executable), relative paths, EKAHOOK_<KEY> overrides, configuration
# errors (500 for every request, a line on the server's error log),
# reloading on change without a restart, and a missing log directory
# (503).
. "$TESTLIB"
umask 022

CONF="$T/etc/sub/ekahook.conf"
mkdir -p "$T/etc/sub" "$T/etc/logs" "$T/etc/sub/rej"

# errlog_has WHAT...: the server's error log has a line holding every
# WHAT (fixed strings).
errlog_has() {
	cp "$LIGHTTPD_ERRLOG" "$T/errlog.match"
	for eh_what; do
		grep -F -e "$eh_what" "$T/errlog.match" >"$T/errlog.next" || return 1
		mv "$T/errlog.next" "$T/errlog.match"
	done
}

# every_request_is STATUS CODE [PUT]: GET and POST (and PUT) all answer
# so.
every_request_is() {
	request GET "$URL"
	expect_error "$1" "$2"
	post "$SAMPLE"
	expect_error "$1" "$2"
	if [ "${3:-}" = PUT ]; then
		request PUT "$URL"
		expect_error "$1" "$2"
	fi
	return 0
}

# --- Relative paths are relative to the config file's directory.
write_conf "$CONF" <<EOF
# comments and blank lines are fine

log_file = ../logs/events.ndjson   # a comment after a value
reject_file = rej/rejected.ndjson
state_dir = st
EOF
start_lighttpd fastcgi "$CONF"
post "$SAMPLE"
expect_accepted false
[ "$(lines "$T/etc/logs/events.ndjson")" = 1 ] || fail "no ../logs/events.ndjson"
[ "$(stat -c %a "$T/etc/sub/st")" = 750 ] || fail "state_dir st not made 0750"
printf '[]' >"$T/array.json"
post "$T/array.json"
expect_error 400 not_an_object
[ "$(lines "$T/etc/sub/rej/rejected.ndjson")" = 1 ] || fail "no rej/rejected.ndjson"
ok "EKAHOOK_CONFIG through bin-environment; ../logs, rej/, st relative to the file"

# --- Configuration errors: every request 500, the file, line and key
# named on the error log.
n=0
while IFS='|' read -r key line; do
	n=$((n + 1))
	# The bad line is line 3 of each file.
	write_conf "$CONF" <<EOF
# case $n
log_file = ../logs/events.ndjson
$line
EOF
	every_request_is 500 config_error $([ $n = 1 ] && echo PUT)
	errlog_has "$CONF" ":3" "$key" ||
		fail "case $n ($line): no error log line naming $CONF, line 3 and $key:
$(tail -n 5 "$LIGHTTPD_ERRLOG")"
done <<'EOF'
log_flie|log_flie = x
max_body_bytes|max_body_bytes = ten
max_body_bytes|max_body_bytes = 0
log_keep|log_keep = -1
dedupe_window|dedupe_window = 1e3
log_fsync|log_fsync = sometimes
validation|validation = loose
allow_from|allow_from = 127.0.0.0/33
allow_from|allow_from = 300.1.2.3
log_file|log_file = again.ndjson
signing_key|signing_key =
EOF
ok "unknown key, 9 bad values, a repeated key: GET, POST (PUT) 500; file:3 and key on the error log"

write_conf "$CONF" <<EOF
log_file = ../logs/events.ndjson
this line has no equals sign
EOF
every_request_is 500 config_error PUT
errlog_has "$CONF" ":2" || fail "a line without '=': not named on the error log"
ok "a line without '=': 500, named on the error log"

# --- Fixed by a new file (rename over it): the next request sees it.
write_conf "$CONF" <<EOF
log_file = ../logs/events.ndjson
EOF
request GET "$URL"
expect_status 200
ok "fixed by renaming a new file over it: the next request is 200"

# --- Broken and fixed in place (same inode, new mtime and size).
ino=$(stat -c %i "$CONF")
echo "no_such_key = 1" >>"$CONF"
every_request_is 500 config_error PUT
printf 'log_file = ../logs/events.ndjson\nmax_body_bytes = 100\n' >"$CONF"
[ "$(stat -c %i "$CONF")" = "$ino" ] || fail "the edit changed the inode"
post "$SAMPLE"
expect_error 413 body_too_large
printf 'log_file = ../logs/events.ndjson\n' >"$CONF"
jq -c '.data.partner_meta.visit_id = "in-place"' "$SAMPLE" >"$T/in-place.json"
post "$T/in-place.json"
expect_accepted false
ok "edited in place: broken (500), a new limit (413), fixed (200), no restart"

# --- A missing log directory: 503 storage_unavailable, GET too; named
# on the error log; creating it is enough.
write_conf "$CONF" <<EOF
log_file = ../nolog/events.ndjson
EOF
every_request_is 503 storage_unavailable
[ "$(header Retry-After)" = 60 ] || fail "503 without Retry-After: 60"
request GET "$URL"
[ "$(header Retry-After)" = 60 ] || fail "GET 503 without Retry-After: 60"
errlog_has "$T/etc/sub/../nolog/events.ndjson" ||
	errlog_has "$T/etc/nolog" || fail "the missing directory is not named"
mkdir "$T/etc/nolog"
request GET "$URL"
expect_status 200
post "$SAMPLE"
expect_accepted false
[ "$(lines "$T/etc/nolog/events.ndjson")" = 1 ] || fail "no line once the directory exists"
ok "missing log directory: GET, POST 503 with Retry-After: 60; named; mkdir fixes it"
stop_lighttpd

# --- EKAHOOK_<KEY> in the environment wins over the file.
write_conf "$CONF" <<EOF
log_file = ../logs/events.ndjson
max_body_bytes = 65536
dedupe_window = 0
EOF
mkdir -p "$T/envlog"
start_lighttpd fastcgi "$CONF" 1 \
    ", \"EKAHOOK_MAX_BODY_BYTES\" => \"500\", \"EKAHOOK_LOG_FILE\" => \"$T/envlog/events.ndjson\""
post "$SAMPLE"
expect_error 413 body_too_large
printf '{"event":"x.y","data":{}}' >"$T/small.json"
post "$T/small.json"
expect_accepted false
[ "$(lines "$T/envlog/events.ndjson")" = 1 ] || fail "EKAHOOK_LOG_FILE not used"
ok "EKAHOOK_MAX_BODY_BYTES and EKAHOOK_LOG_FILE win over the file"
stop_lighttpd

start_lighttpd fastcgi "$CONF" 1 ', "EKAHOOK_VALIDATION" => "lenient"'
every_request_is 500 config_error PUT
errlog_has EKAHOOK_VALIDATION || fail "the bad variable is not named"
ok "a bad EKAHOOK_VALIDATION: 500, the variable named"
stop_lighttpd

# --- No EKAHOOK_CONFIG: ekahook.conf beside the executable.
BIN_DIR="$T/lighttpd/bin"
mkdir -p "$BIN_DIR"
write_conf "$BIN_DIR/ekahook.conf" <<EOF
log_file = beside.ndjson
EOF
start_lighttpd fastcgi ""
post "$SAMPLE"
expect_accepted false
[ "$(lines "$BIN_DIR/beside.ndjson")" = 1 ] || fail "ekahook.conf beside the executable not used"
ok "no EKAHOOK_CONFIG: ekahook.conf beside the executable, paths relative to it"

# No file at all: every key has its default, relative to the executable.
# (Unless $(sysconfdir)/ekahook.conf exists on this machine.)
rm "$BIN_DIR/ekahook.conf"
jq -c '.data.partner_meta.visit_id = "no-file"' "$SAMPLE" >"$T/no-file.json"
sysconf=$(grep -ao '/[[:alnum:]/._-]*/ekahook\.conf' "$EKAHOOK_BIN" | head -n 1)
if [ -n "$sysconf" ] && [ -e "$sysconf" ]; then
	echo "# $sysconf exists: the no-file case is not checked"
else
	post "$T/no-file.json"
	expect_accepted false
	[ "$(lines "$BIN_DIR/events.ndjson")" = 1 ] || fail "defaults: no events.ndjson beside the executable"
	[ -d "$BIN_DIR/state" ] || fail "defaults: no state beside the executable"
	ok "no config file: 200, defaults beside the executable"
fi
