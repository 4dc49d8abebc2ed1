#!/bin/sh
# Builds ekahook and runs it under lighttpd on 127.0.0.1:8080 at
# /eka/webhook, writing its logs into ./ekahook-demo/ (in the current
# directory).  Stop it with Ctrl-C.
#
#   sh deploy/demo/run-demo.sh
#   curl -H 'Content-Type: application/json' \
#        --data-binary @tests/fixtures/appointment.created.json \
#        http://127.0.0.1:8080/eka/webhook
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
demo=$(pwd)/ekahook-demo
port=${PORT:-8080}

sh "$top/tests/install-deps.sh"
if [ ! -x "$top/_build/src/ekahook" ]; then
	(cd "$top" && autoreconf -fi)
	mkdir -p "$top/_build"
	(cd "$top/_build" && ../configure && make -j"$(nproc)")
fi

mkdir -p "$demo/bin" "$demo/www" "$demo/logs" "$demo/hooks"
cp "$top/_build/src/ekahook" "$demo/bin/ekahook"
# The event schemas, found beside the program.
mkdir -p "$demo/bin/schemas"
cp "$top"/schemas/*.json "$demo/bin/schemas/"
cat >"$demo/hooks/on-event" <<'HOOK'
#!/bin/sh
# Demo hook: one line per booked appointment.
echo "$(date -u +%FT%TZ) $EKA_EVENT appointment=$EKA_APPOINTMENT_ID patient=$EKA_PATIENT_ID status=$EKA_STATUS" >>bookings.txt
HOOK
chmod 0755 "$demo/hooks/on-event"
[ -f "$demo/ekahook.conf" ] || cat >"$demo/ekahook.conf" <<'CONF'
# ekahook demo configuration; paths are relative to this file.
log_file = logs/events.ndjson
reject_file = logs/rejected.ndjson
hook_log = logs/hooks.ndjson
state_dir = state
hook = hooks/on-event
log_fsync = always
CONF
cat >"$demo/lighttpd.conf" <<CONF
server.document-root = "$demo/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$demo/logs/lighttpd-error.log"
server.modules += ( "mod_fastcgi" )
fastcgi.server = ( "/eka/webhook" => ( (
	"socket" => "$demo/ekahook.sock",
	"bin-path" => "$demo/bin/ekahook",
	"max-procs" => 2,
	"check-local" => "disable",
	"bin-environment" => ( "EKAHOOK_CONFIG" => "$demo/ekahook.conf" )
) ) )
CONF
echo "ekahook demo: http://127.0.0.1:$port/eka/webhook (logs in $demo/logs; Ctrl-C stops)"
echo "try:  curl -H 'Content-Type: application/json' --data-binary @$top/tests/fixtures/appointment.created.json http://127.0.0.1:$port/eka/webhook"
exec lighttpd -D -f "$demo/lighttpd.conf"
