# Helpers for the tests of deploy/ (source after tests/lib.sh):
#   . "$TESTLIB"; . "$TOP_SRCDIR/tests/deploy/deploylib.sh"
#
# Each test runs a real server from the files in deploy/ with only ports
# and paths replaced (deploy_file), plus what a README has the user add
# (a signing key, a hook), inside a frame standing in for the
# distribution's own server configuration (what Debian's main config and
# a2enmod / lighty-enable-mod provide).  Servers run as $RUN_USER:
# "nobody" when the tests run as root (ekahook never needs root).

DEPLOY="$TOP_SRCDIR/deploy"

if [ "$(id -u)" -eq 0 ]; then
	RUN_USER=$TEST_USER
	RUN_GROUP=$(id -gn "$TEST_USER")
else
	RUN_USER=$(id -un)
	RUN_GROUP=$(id -gn)
fi

# The system layout of deploy/README, moved under $T.
D_BIN="$T/bin/ekahook"
D_ETC="$T/config"
D_LOG="$T/logs"
D_STATE="$T/statedir"
D_RUN="$T/sock"
D_WWW="$T/www"
BACKEND_PORT=$(free_port)

# deploy_file SRC DEST: deploy/SRC with its default paths and ports
# replaced by the test's, nothing else.  Fails when a default is left
# on a line that is not a comment, so no test can reach the real system.
deploy_file() {
	deploy_subst "$DEPLOY/$1" "$2"
	[ ! -x "$DEPLOY/$1" ] || chmod 0755 "$2"
}

# deploy_subst FILE DEST: the same for any file (a line of a README).
deploy_subst() {
	mkdir -p "$(dirname "$2")"
	sed -e "s|/usr/local/bin/ekahook|$D_BIN|g" \
	    -e "s|/etc/default/ekahook|$D_ETC/default-ekahook|g" \
	    -e "s|/etc/ekahook|$D_ETC|g" \
	    -e "s|/var/log/ekahook|$D_LOG|g" \
	    -e "s|/var/lib/ekahook|$D_STATE|g" \
	    -e "s|/run/ekahook|$D_RUN|g" \
	    -e "s|/run/lighttpd|$D_RUN|g" \
	    -e "s|/home/example/public_html|$D_WWW|g" \
	    -e "s|127\.0\.0\.1:9071|127.0.0.1:$BACKEND_PORT|g" \
	    "$1" >"$2"
	if grep -v '^[[:space:]]*#' "$2" | sed "s|$T/||g" | grep -En \
	    '/usr/local/|/etc/ekahook|/etc/default/|/var/(log|lib)/ekahook|/run/|/home/example|:9071' >&2; then
		fail "$1: a default path is left after substitution"
	fi
}

# deploy_system: the program, the configuration (deploy/ekahook.conf)
# and the log and state directories, writable by $RUN_USER only.
deploy_system() {
	install_ekahook "$T/bin"
	deploy_file ekahook.conf "$D_ETC/ekahook.conf"
	mkdir -p "$D_LOG" "$D_STATE" "$D_RUN"
	chmod 0750 "$D_LOG" "$D_STATE"
	chmod 0755 "$D_RUN"
	own "$D_LOG" "$D_STATE"
}

# own PATH...: hands PATHs to $RUN_USER (when running as root).
own() {
	[ "$(id -u)" -ne 0 ] || chown -R "$RUN_USER:$RUN_GROUP" "$@"
}

# as_run_user CMD...: runs CMD as $RUN_USER with an empty environment.
as_run_user() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --clear-groups \
		    -- "$@"
	else
		"$@"
	fi
}

# expect_sample_logged LOG [CURL_ARGS...]: POSTs the sample event to $URL
# and checks the answer (200, not a duplicate) and that LOG holds exactly
# one line for it: the same request id, the event minified, written by
# $RUN_USER.
expect_sample_logged() {
	log=$1
	shift
	post "$SAMPLE" "$@"
	set -- "$log"
	expect_status 200
	[ "$(json .ok)" = true ] || fail "answer: $BODY"
	[ "$(json .duplicate)" = false ] || fail "answer: $BODY"
	rid=$(jq -r .request_id "$T/resp.body")
	[ -f "$1" ] || fail "no log file $1"
	[ "$(lines "$1")" = 1 ] || fail "$1: expected 1 line, got $(lines "$1")"
	[ "$(jq -r .request_id "$1")" = "$rid" ] ||
		fail "$1: request_id is not $rid: $(cat "$1")"
	minify "$SAMPLE" >"$T/sample.min"
	jq -e .event "$1" >/dev/null || fail "$1: no event: $(cat "$1")"
	# The logged event is the body's bytes, whitespace removed.
	grep -qF "\"event\":$(cat "$T/sample.min")" "$1" ||
		fail "$1: the event is not the minified body"
	[ "$(stat -c %U "$1")" = "$RUN_USER" ] ||
		fail "$1 was written by $(stat -c %U "$1"), not $RUN_USER"
	ok "sample event: 200, one log line, written by $RUN_USER"
}

# expect_health: GET answers ekahook's health.
expect_health() {
	request GET "$URL"
	expect_status 200
	[ "$(jq -r .service "$T/resp.body")" = ekahook ] || fail "health: $BODY"
	ok "GET $URL: health"
}

## lighttpd -----------------------------------------------------------

# start_lighttpd_frame FRAGMENT: lighttpd on 127.0.0.1:$PORT with
# Debian's default modules, the conf-available files FRAGMENT's
# "depends:" line names (what lighty-enable-mod would enable), then
# FRAGMENT itself.
start_lighttpd_frame() {
	d="$T/lighttpd"
	mkdir -p "$d" "$D_WWW"
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT/eka/webhook"
	: >"$d/error.log"
	own "$d/error.log" "$D_RUN"
	{
		echo 'server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )'
		echo "server.document-root = \"$D_WWW\""
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $PORT"
		echo "server.errorlog = \"$d/error.log\""
		echo "server.pid-file = \"$d/lighttpd.pid\""
		if [ "$(id -u)" -eq 0 ]; then
			echo "server.username = \"$RUN_USER\""
			echo "server.groupname = \"$RUN_GROUP\""
		fi
		for dep in $(sed -n 's/^# -\*- depends: \(.*\) -\*-$/\1/p' "$1"); do
			f=$(ls /etc/lighttpd/conf-available/*-"$dep".conf 2>/dev/null | head -n 1)
			[ -n "$f" ] || fail "no lighttpd module configuration for $dep"
			echo "include \"$f\""
		done
		echo "include \"$1\""
	} >"$d/lighttpd.conf"
	lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.log" 2>&1 ||
		fail "lighttpd rejects the configuration: $(cat "$d/check.log")"
	lighttpd -D -f "$d/lighttpd.conf" >"$d/stdout.log" 2>&1 &
	SERVER_PID=$!
	echo $! >>"$T/pids"
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/" ||
		fail "lighttpd did not start: $(cat "$d/error.log" "$d/stdout.log")"
}

## Apache -------------------------------------------------------------

# start_apache_frame MODULES INCLUDE [DIRECTORY_BLOCK]: a private Apache
# on 127.0.0.1:$PORT standing in for Debian's apache2.conf: "/" denied,
# the document root $D_WWW granted (with DIRECTORY_BLOCK's lines), the
# MODULES enabled as a2enmod would (mods-available/NAME.load and .conf),
# then INCLUDE.  Started as root it serves as $RUN_USER.
start_apache_frame() {
	mods=$1
	inc=$2
	dirblock=${3:-}
	d="$T/apache"
	mkdir -p "$d/run/socks" "$d/lock" "$D_WWW"
	own "$d/run" "$d/lock"
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT/eka/webhook"
	: >"$d/error.log"
	{
		echo "Define APACHE_RUN_DIR $d/run"
		echo "Define APACHE_LOCK_DIR $d/lock"
		echo "Define APACHE_LOG_DIR $d"
		echo "ServerRoot \"$d\""
		echo "ServerName 127.0.0.1"
		echo "Listen 127.0.0.1:$PORT"
		echo "PidFile \"$d/run/apache2.pid\""
		echo "DefaultRuntimeDir \"$d/run\""
		echo "Mutex file:$d/lock default"
		echo "ErrorLog \"$d/error.log\""
		echo "LogLevel warn"
		echo "User $RUN_USER"
		echo "Group $RUN_GROUP"
		echo "AccessFileName .htaccess"
		echo "FcgidIPCDir \"$d/run/fcgid\"" >"$d/fcgid-paths.conf"
		echo "FcgidProcessTableFile \"$d/run/fcgid-shm\"" >>"$d/fcgid-paths.conf"
		# Debian's default modules, then the test's.
		seen=" "
		for m in mpm_event authz_core authz_host alias autoindex dir env \
		    mime setenvif $mods; do
			case $seen in *" $m "*) continue ;; esac
			seen="$seen$m "
			a=/etc/apache2/mods-available
			[ -f "$a/$m.load" ] || fail "no Apache module $m"
			echo "Include $a/$m.load"
			[ ! -f "$a/$m.conf" ] || echo "Include $a/$m.conf"
			[ "$m" != fcgid ] || echo "Include $d/fcgid-paths.conf"
		done
		echo "<Directory />"
		echo "	Options FollowSymLinks"
		echo "	AllowOverride None"
		echo "	Require all denied"
		echo "</Directory>"
		echo "DocumentRoot \"$D_WWW\""
		echo "<Directory \"$D_WWW\">"
		echo "	AllowOverride None"
		echo "	Require all granted"
		[ -z "$dirblock" ] || printf '%s\n' "$dirblock"
		echo "</Directory>"
		echo "<FilesMatch \"^\\.ht\">"
		echo "	Require all denied"
		echo "</FilesMatch>"
		[ -z "$inc" ] || echo "Include \"$inc\""
	} >"$d/apache2.conf"
	apache2 -t -f "$d/apache2.conf" >"$d/check.log" 2>&1 ||
		fail "Apache rejects the configuration: $(cat "$d/check.log")"
	apache2 -f "$d/apache2.conf" -DFOREGROUND >"$d/stdout.log" 2>&1 &
	echo $! >>"$T/pids"
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/" ||
		fail "Apache did not start: $(cat "$d/error.log" "$d/stdout.log")"
}

## nginx --------------------------------------------------------------

# start_nginx_frame SNIPPET: nginx on 127.0.0.1:$PORT with a server { }
# block that includes SNIPPET (deploy/nginx/ekahook.conf), as Debian's
# /etc/nginx with its fastcgi_params would.
start_nginx_frame() {
	d="$T/nginx"
	mkdir -p "$d/tmp"
	own "$d/tmp"
	cp /etc/nginx/fastcgi_params "$d/fastcgi_params"
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT/eka/webhook"
	{
		[ "$(id -u)" -ne 0 ] || echo "user $RUN_USER $RUN_GROUP;"
		echo "worker_processes 1;"
		echo "daemon off;"
		echo "pid $d/nginx.pid;"
		echo "error_log $d/error.log warn;"
		echo "events { worker_connections 64; }"
		echo "http {"
		echo "	access_log off;"
		for p in client_body fastcgi proxy uwsgi scgi; do
			echo "	${p}_temp_path $d/tmp/$p;"
		done
		echo "	server {"
		echo "		listen 127.0.0.1:$PORT;"
		echo "		include $1;"
		echo "	}"
		echo "}"
	} >"$d/nginx.conf"
	nginx -t -e "$d/error.log" -p "$d" -c "$d/nginx.conf" >"$d/check.log" 2>&1 ||
		fail "nginx rejects the configuration: $(cat "$d/check.log")"
	nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf" >"$d/stdout.log" 2>&1 &
	echo $! >>"$T/pids"
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/" ||
		fail "nginx did not start: $(cat "$d/error.log" "$d/stdout.log")"
}

## systemd ------------------------------------------------------------

# unit_value FILE KEY: the values of KEY= in a unit file, one a line.
unit_value() {
	sed -n "s/^$2=//p" "$1"
}

# verify_units FILE...: systemd-analyze verify accepts the units and
# says nothing about them (it only warns about a bad value).
verify_units() {
	command -v systemd-analyze >/dev/null 2>&1 ||
		fail "systemd-analyze is missing (tests/install-deps.sh installs systemd)"
	(cd "$(dirname "$1")" && systemd-analyze verify --man=no "$@") \
	    >"$T/verify.log" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$T/verify.log")"
	[ ! -s "$T/verify.log" ] ||
		fail "systemd-analyze verify complains: $(cat "$T/verify.log")"
	ok "systemd-analyze verify accepts $*"
}

# unit_env UNIT: the unit's Environment= assignments as words for env(1).
unit_env() {
	unit_value "$1" Environment
}

# tcp_open PORT: something listens on 127.0.0.1:PORT.
tcp_open() {
	perl -MIO::Socket::INET -e \
	    'IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) or exit 1' "$1"
}

# start_unit_listen UNIT: runs the ExecStart= of a service that opens
# its own socket (EKAHOOK_LISTEN) the way systemd would: as the service's
# user ($RUN_USER here: the tests cannot create "ekahook"), with only the
# unit's Environment=, standard input from /dev/null.
start_unit_listen() {
	# shellcheck disable=SC2046
	as_run_user env -i $(unit_env "$1") $(unit_value "$1" ExecStart) \
	    </dev/null >>"$T/ekahook.log" 2>&1 &
	echo $! >>"$T/pids"
}

# start_unit_socket SOCKET_UNIT SERVICE_UNIT: holds the socket unit's
# ListenStream= the way systemd does and, on the first connection,
# starts the service's ExecStart= with the listening socket as standard
# input (StandardInput=socket, Accept=no): systemd-socket-activate
# --inetd without --accept does exactly that.  The socket gets the
# unit's SocketMode= and its group ($RUN_GROUP standing in for
# SocketGroup=); the service runs as $RUN_USER with only the unit's
# Environment=.
start_unit_socket() {
	command -v systemd-socket-activate >/dev/null 2>&1 ||
		fail "systemd-socket-activate is missing (tests/install-deps.sh installs systemd)"
	sock=$(unit_value "$1" ListenStream)
	mode=$(unit_value "$1" SocketMode)
	[ "$(unit_value "$1" Accept)" = no ] || fail "$1: expected Accept=no"
	[ "$(unit_value "$2" StandardInput)" = socket ] ||
		fail "$2: expected StandardInput=socket"
	mkdir -p "$(dirname "$sock")"
	envs=
	for e in $(unit_env "$2"); do
		envs="$envs -E $e"
	done
	if [ "$(id -u)" -eq 0 ]; then
		run="setpriv --reuid=$RUN_USER --regid=$RUN_GROUP --clear-groups --"
	else
		run=
	fi
	# shellcheck disable=SC2086
	env -i PATH="$PATH" systemd-socket-activate --inetd -l "$sock" $envs \
	    $run $(unit_value "$2" ExecStart) >>"$T/ekahook.log" 2>&1 &
	UNIT_PID=$!
	echo $! >>"$T/pids"
	wait_for 10 test -S "$sock" ||
		fail "no socket $sock: $(cat "$T/ekahook.log")"
	chgrp "$RUN_GROUP" "$sock"
	chmod "$mode" "$sock"
}

# is_ekahook PID: PID runs our ekahook with a socket on standard input.
is_ekahook() {
	[ "$(readlink "/proc/$1/exe")" = "$D_BIN" ] &&
	    case $(readlink "/proc/$1/fd/0") in socket:*) true ;; *) false ;; esac
}

# deploy_hook CONF: a hook for the configuration CONF (what a user adds
# by uncommenting its hook line): it records its PID, the request id, the
# event name and an EKA_ variable in $T/hook.out, then waits for
# $T/hooks/go (which expect_hook_ran makes once the answer is in) and
# records the request id in $T/hook.done, so an answer that waited for it
# would never come.
deploy_hook() {
	mkdir -p "$T/hooks"
	: >"$T/hook.out"
	: >"$T/hook.done"
	own "$T/hook.out" "$T/hook.done"
	cat >"$T/hooks/on-event" <<HOOK
#!/bin/sh
echo "\$\$ \$EKAHOOK_REQUEST_ID \$1 \$EKA_APPOINTMENT_ID" >>"$T/hook.out"
while [ ! -e "$T/hooks/go" ]; do sleep 0.05; done
echo "\$EKAHOOK_REQUEST_ID" >>"$T/hook.done"
HOOK
	chmod 0755 "$T/hooks" "$T/hooks/on-event"
	echo "hook = $T/hooks/on-event" >>"$1"
}

# expect_hook_ran: the hook ran for the last answer's request, with the
# event's fields, and ended only after the answer: it waits for
# $T/hooks/go, made here.
expect_hook_ran() {
	rid=$(jq -r .request_id "$T/resp.body")
	want=" $rid appointment.created $(jq -r .data.appointment_id "$SAMPLE")"
	wait_for 20 grep -qF "$want" "$T/hook.out" ||
		fail "the hook did not run for $rid: $(cat "$T/hook.out")"
	# The waiting hook is ours to stop.
	cut -d ' ' -f 1 "$T/hook.out" >>"$T/pids"
	! grep -qx "$rid" "$T/hook.done" ||
		fail "the hook for $rid ended before its answer"
	touch "$T/hooks/go"
	wait_for 20 grep -qx "$rid" "$T/hook.done" ||
		fail "the hook for $rid did not end once let go"
	ok "the hook ran, and ended after its answer (200) had come"
}
