#!/bin/sh
# ekahookctl(1) check-config: loads the config as ekahook would
# and checks paths, permissions and the hook: exit 0 or 1 with one line
# per problem.  What it calls good, ekahook can run with, as the same
# user: the permission cases run as an unprivileged user.
. "$TESTLIB"
umask 022

C="$T/etc/ekahook.conf"
mkdir -p "$T/etc/logs"
printf '#!/bin/sh\nexit 0\n' >"$T/etc/hook.sh"
chmod 0755 "$T/etc/hook.sh"

# check [AS_USER]: runs check-config on $C; output in $T/out, rc in $RC.
check() {
	if [ -n "${1:-}" ]; then
		setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups \
		    -- "$EKAHOOKCTL" check-config "$C" >"$T/out" 2>&1 &&
		    RC=0 || RC=$?
	else
		"$EKAHOOKCTL" check-config "$C" >"$T/out" 2>&1 && RC=0 || RC=$?
	fi
}

# has TEXT: a line of the output holds TEXT.
has() {
	grep -qF -e "$1" "$T/out" || fail "no line with '$1' in: $(cat "$T/out")"
}

write_conf "$C" <<CONF
log_file = logs/events.ndjson
reject_file = logs/rejected.ndjson
state_dir = state/deep/below
hook = hook.sh
hook_log = logs/hooks.ndjson
CONF
check
[ "$RC" -eq 0 ] || fail "a good config: rc $RC: $(cat "$T/out")"
has "config: $C"
[ "$(tail -n 1 "$T/out")" = ok ] || fail "no 'ok' line: $(cat "$T/out")"
ok "a good config (state_dir to be made below a missing directory): ok, exit 0"

# Every bad line of the file and every bad variable, one line each.
write_conf "$C" <<CONF
bogus = 1
log_keep = ten
hook_timeout = 0
log_file = logs/events.ndjson
CONF
EKAHOOK_VALIDATION=lax check
[ "$RC" -eq 1 ] || fail "a bad config: rc $RC"
has "$C:1: bogus: unknown key"
has "$C:2: log_keep:"
has "$C:3: hook_timeout:"
has "environment EKAHOOK_VALIDATION: validation:"
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "not one line per problem: $(cat "$T/out")"
ok "a bad config: one line per problem (file and environment), exit 1"

# Paths ekahook could not use.
mkdir -p "$T/etc/logs/isdir" "$T/etc/hookdir"
write_conf "$C" <<CONF
log_file = logs/isdir
reject_file = nowhere/rejected.ndjson
hook = hookdir
hook_log = logs/hooks.ndjson
state_dir = state
CONF
check
[ "$RC" -eq 1 ] || fail "bad paths: rc $RC: $(cat "$T/out")"
has "log_file: $T/etc/logs/isdir is not a regular file"
has "reject_file: directory $T/etc/nowhere is not writable"
has "hook: $T/etc/hookdir is not a regular file"
[ "$(grep -c . "$T/out")" -eq 6 ] || fail "lines: $(cat "$T/out")"
ok "a directory as log_file or hook, a missing directory: one line each"

# The event schemas: the shipped ones and schema_dir's, each file read.
mkdir -p "$T/etc/schemas"
printf '{"type":"object","required":["data"]}\n' >"$T/etc/schemas/a.b.json"
printf '{"type":"object","minLength":2}\n' >"$T/etc/schemas/c.d.json"
printf '{"type":' >"$T/etc/schemas/e.f.json"
write_conf "$C" <<CONF
log_file = logs/events.ndjson
schema_dir = schemas
CONF
check
[ "$RC" -eq 1 ] || fail "broken schemas: rc $RC: $(cat "$T/out")"
has "schemas: 30 shipped in "
has "schema $T/etc/schemas/c.d.json: keyword \"minLength\" is not supported"
has "schema $T/etc/schemas/e.f.json: not valid JSON"
rm "$T/etc/schemas/c.d.json" "$T/etc/schemas/e.f.json"
check
[ "$RC" -eq 0 ] || fail "good schemas: rc $RC: $(cat "$T/out")"
has "schemas: 1 in schema_dir $T/etc/schemas"
rmdir "$T/etc/logs/isdir"
write_conf "$C" <<CONF
log_file = logs/events.ndjson
schema_dir = missing
CONF
check
[ "$RC" -eq 1 ] || fail "missing schema_dir: rc $RC: $(cat "$T/out")"
has "$T/etc/missing: No such file or directory"
ok "schema_dir: a file with a keyword not supported, one not JSON, a missing directory: one line each"

# As the user the server runs ekahook as: what only root could write.
[ "$(id -u)" -eq 0 ] || { ok "(not root: the permission cases need another user)"; exit 0; }
mkdir -p "$T/etc/state/seen" "$T/etc/state/hooks"
chown -R "$TEST_USER" "$T/etc"
: >"$T/etc/logs/events.ndjson"
chown root "$T/etc/logs/events.ndjson"
chmod 0644 "$T/etc/logs/events.ndjson"
chown root "$T/etc/state/seen"
chmod 0755 "$T/etc/state/seen"
chmod 0644 "$T/etc/hook.sh"
write_conf "$C" <<CONF
log_file = logs/events.ndjson
reject_file =
hook = hook.sh
hook_log = logs/hooks.ndjson
state_dir = state
CONF
chown "$TEST_USER" "$C"
check "$TEST_USER"
[ "$RC" -eq 1 ] || fail "as $TEST_USER: rc $RC: $(cat "$T/out")"
has "log_file: $T/etc/logs/events.ndjson is not writable"
has "state_dir: $T/etc/state/seen is not a writable directory"
has "hook: $T/etc/hook.sh is not executable"
[ "$(grep -c . "$T/out")" -eq 6 ] || fail "lines: $(cat "$T/out")"
ok "as $TEST_USER: a root-owned log file, state_dir/seen and a hook without x: one line each"

# alert_command is held to the hook's rules.
write_conf "$C" <<CONF
reject_file =
alert_command = hook.sh
CONF
check
[ "$RC" -eq 1 ] || fail "alert_command not executable: rc $RC: $(cat "$T/out")"
has "alert_command: $T/etc/hook.sh is not executable"
write_conf "$C" <<CONF
reject_file =
alert_command = no-such-alert
CONF
check
has "alert_command: $T/etc/no-such-alert: No such file or directory"
ok "alert_command missing or not executable: named"
