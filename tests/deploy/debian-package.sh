#!/bin/sh
# debian/: dpkg-buildpackage builds the package from a copy of the
# source, lintian finds no error in it, and on this machine the README's
# three commands give a working endpoint: apt-get install ./ekahook_*.deb,
# lighty-enable-mod ekahook, and the system's own lighttpd configuration
# (only its port, address, pid file and error log moved, to 127.0.0.1)
# serves /eka/webhook into /var/log/ekahook/.  logrotate with the
# package's file while events flow loses none; an upgrade keeps the
# edited configuration.  The packaged Apache
# configuration (mod_fcgid, and mod_proxy_fcgi to the socket unit) and
# the systemd units (behind nginx) serve too.
# dpkg --remove keeps the logs, dpkg --purge leaves nothing behind.
#
# It installs into the system, so it needs root and refuses to touch an
# ekahook package already installed; whatever it changed is undone on
# exit, on failure too.  DEB_PACKAGE_TEST=no skips it (tests/run-all.sh
# does in its second, sanitizer build: the package is built the same).
. "$TESTLIB"
. "$TOP_SRCDIR/tests/deploy/deploylib.sh"

[ "${DEB_PACKAGE_TEST:-yes}" != no ] || skip "DEB_PACKAGE_TEST=no"
[ "$(id -u)" -eq 0 ] || skip "installs a package: needs root"
command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 ||
	skip "not a Debian system"
# One run at a time on a machine (lighttpd's conf-enabled/ is the lock).
[ -d /etc/lighttpd/conf-enabled ] ||
	fail "lighttpd is missing (tests/install-deps.sh installs it)"
exec 9</etc/lighttpd/conf-enabled
flock -w 900 9 || skip "another run of this test holds the machine"
if dpkg-query -W -f='${Status}' ekahook 2>/dev/null |
    grep -q 'installed\|config-files\|unpacked'; then
	skip "an ekahook package is on this machine already; this test would purge it"
fi
need=
command -v dpkg-buildpackage >/dev/null 2>&1 || need="$need dpkg-dev"
command -v dh >/dev/null 2>&1 || need="$need debhelper"
command -v lintian >/dev/null 2>&1 || need="$need lintian"
if [ -n "$need" ]; then
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $need >"$T/apt-tools.log" 2>&1 ||
		skip "cannot install$need: $(tail -n 3 "$T/apt-tools.log")"
fi
for c in lighttpd lighty-enable-mod logrotate; do
	command -v "$c" >/dev/null 2>&1 ||
		fail "$c is missing (tests/install-deps.sh installs it)"
done

# ekahook runs as the web server's user, as the package sets it up.
RUN_USER=www-data
RUN_GROUP=www-data
PKGBIN=/usr/libexec/ekahook/ekahook
LOG=/var/log/ekahook
CONF=/etc/ekahook/ekahook.conf
ENABLED=/etc/lighttpd/conf-enabled
EKAHOOKCTL=/usr/bin/ekahookctl		# the packaged one, from here on
INSTALLED=0
MADE_RUN_LIGHTTPD=0
MADE_RUN_EKAHOOK=0
LIGHTTPD_PID=
ls -A "$ENABLED" >"$T/enabled.before"

# The processes of the packaged program (the path carries " (deleted)"
# once the package is gone).
package_procs() {
	for d in /proc/[0-9]*; do
		case $(readlink "$d/exe" 2>/dev/null) in
		"$PKGBIN" | "$PKGBIN (deleted)") echo "${d#/proc/}" ;;
		esac
	done
}

# gone PID: the process has ended (a zombie child of ours counts).
gone() {
	! kill -0 "$1" 2>/dev/null ||
	    grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

no_package_procs() {
	[ -z "$(package_procs)" ]
}

stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	wait_for 10 gone "$1" || kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# stop_server PIDFILE: stops the server whose pid is in PIDFILE, if any.
stop_server() {
	[ -f "$1" ] || return 0
	stop_pid "$(cat "$1")"
	rm -f "$1"
}

# Back to the system as it was: the servers and ekahook stopped, the
# package purged, lighttpd's conf-enabled/ and /run as they were.  Run
# from the trap, or as "restore_system || true" (no errexit inside).
restore_system() {
	stop_pid "$LIGHTTPD_PID"
	LIGHTTPD_PID=
	stop_server "$T/apache/run/apache2.pid"
	stop_server "$T/nginx/nginx.pid"
	for p in $(package_procs); do
		kill -TERM "$p" 2>/dev/null
	done
	wait_for 10 no_package_procs ||
		for p in $(package_procs); do kill -KILL "$p" 2>/dev/null; done
	if [ "$INSTALLED" = 1 ]; then
		dpkg --purge ekahook >>"$T/purge.log" 2>&1
		INSTALLED=0
	fi
	ls -A "$ENABLED" | while read -r f; do
		grep -qxF "$f" "$T/enabled.before" || rm -f "$ENABLED/$f"
	done
	[ "$MADE_RUN_LIGHTTPD" = 0 ] || rm -rf /run/lighttpd
	[ "$MADE_RUN_EKAHOOK" = 0 ] || rm -rf /run/ekahook
	MADE_RUN_LIGHTTPD=0
	MADE_RUN_EKAHOOK=0
}

deb_cleanup() {
	rc=$?
	set +e
	restore_system
	(exit $rc)
	cleanup
}
trap deb_cleanup EXIT

expect_mode() {
	got=$(stat -c '%a %U:%G' "$1" 2>/dev/null) || fail "no $1"
	[ "$got" = "$2" ] || fail "$1 is $got, not $2"
}

since() {
	echo $(($(date +%s) - $1))
}

## Build, lintian ----------------------------------------------------

t0=$(date +%s)
SRC="$T/build/ekahook"
mkdir -p "$SRC"
top=$(cd "$TOP_SRCDIR" && pwd -P)
if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	# The files of the checkout as they are now, not the build trees.
	(cd "$top" && git ls-files -z -co --exclude-standard |
	    tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$SRC"
else
	# A release tarball: all of it but the build directories.
	(cd "$top" && tar --exclude='./_build*' \
	    --exclude=./autom4te.cache -cf - .) | tar -xf - -C "$SRC"
fi
[ -f "$SRC/debian/control" ] || fail "no debian/ in $TOP_SRCDIR"
VER=$(cd "$SRC" && dpkg-parsechangelog -S Version)
ARCH=$(dpkg --print-architecture)
DEB="ekahook_${VER}_$ARCH.deb"
# Nothing of the make running this test reaches the package's own.
(cd "$SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    dpkg-buildpackage -us -uc -b -j1) >"$T/build.log" 2>&1 ||
	fail "dpkg-buildpackage: $(tail -n 40 "$T/build.log")"
[ -f "$T/build/$DEB" ] || fail "no $DEB: $(ls "$T/build")"
grep -q '^PASS: tests/check_ekahook' "$T/build.log" ||
	fail "the build did not run the unit tests"
ok "dpkg-buildpackage -us -uc -b: $DEB in $(since "$t0") s, unit tests passed"

t0=$(date +%s)
lintian --fail-on error --show-overrides "$T/build/ekahook_${VER}_$ARCH.changes" \
    >"$T/lintian.log" 2>&1 || fail "lintian: $(cat "$T/lintian.log")"
! grep -q '^E:' "$T/lintian.log" || fail "lintian: $(cat "$T/lintian.log")"
ok "lintian: no error, $(grep -c '^W:' "$T/lintian.log") warnings, $(grep -c '^O:' "$T/lintian.log") overridden ($(since "$t0") s)"

## apt install -------------------------------------------------------

INSTALLED=1
(cd "$T/build" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "./$DEB") >"$T/install.log" 2>&1 ||
	fail "apt-get install ./$DEB: $(tail -n 20 "$T/install.log")"
dpkg-query -W -f='${Status}' ekahook | grep -q 'install ok installed' ||
	fail "ekahook is not installed: $(cat "$T/install.log")"

expect_mode "$PKGBIN" "755 root:root"
expect_mode /etc/ekahook "750 root:www-data"
expect_mode "$CONF" "640 root:www-data"
expect_mode "$LOG" "750 www-data:www-data"
expect_mode /var/lib/ekahook "750 www-data:www-data"
[ "$(command -v ekahookctl)" = /usr/bin/ekahookctl ] ||
	fail "ekahookctl is not on the PATH in /usr/bin"
for p in man1/ekahookctl.1 man5/ekahook.conf.5 man7/ekahook-events.7 \
    man8/ekahook.8; do
	[ -f "/usr/share/man/$p.gz" ] || fail "no manual page $p"
done
zcat /usr/share/man/man5/ekahook.conf.5.gz | grep -q '/etc/ekahook/ekahook\.conf' ||
	fail "ekahook.conf(5) does not name /etc/ekahook/ekahook.conf"
dpkg-query -W -f='${Conffiles}\n' ekahook | awk 'NF { print $1 }' | sort \
    >"$T/conffiles"
printf '%s\n' /etc/apache2/conf-available/ekahook.conf "$CONF" \
    /etc/lighttpd/conf-available/50-ekahook.conf /etc/logrotate.d/ekahook |
    sort | cmp -s - "$T/conffiles" ||
	fail "conffiles: $(cat "$T/conffiles")"
for u in ekahook.socket ekahook.service; do
	[ -f "/lib/systemd/system/$u" ] || fail "no unit $u"
	! ls /etc/systemd/system/*/"$u" >/dev/null 2>&1 ||
		fail "$u is enabled: $(ls /etc/systemd/system/*/"$u")"
done
# The configuration opens with the signing key, not yet set.
[ "$(grep -m 1 -E '^#?[a-z_]+[[:space:]]*=' "$CONF")" = '#signing_key = ...' ] ||
	fail "$CONF does not open with the signing key"
ok "installed: the layout, modes, manual pages, conffiles; units not enabled"

# check-config, as the web server's user, with no file named: it finds
# the configuration, everything is writable, and it warns of the key.
as_run_user env -i PATH=/usr/bin:/bin ekahookctl check-config \
    >"$T/check-config.out" 2>&1 ||
	fail "check-config: $(cat "$T/check-config.out")"
grep -qx "config: $CONF" "$T/check-config.out" &&
    grep -q '^warning: no signing_key is set' "$T/check-config.out" &&
    grep -qx ok "$T/check-config.out" ||
	fail "check-config: $(cat "$T/check-config.out")"
ok "ekahookctl check-config as www-data: $CONF ok, warns that no signing_key is set"

## lighty-enable-mod, the system's lighttpd ---------------------------

lighty-enable-mod ekahook >"$T/enable.log" 2>&1 ||
	fail "lighty-enable-mod ekahook: $(cat "$T/enable.log")"
for f in 50-ekahook.conf 10-fastcgi.conf; do
	[ -e "$ENABLED/$f" ] || fail "$f not enabled: $(cat "$T/enable.log")"
done
SYSCONF=/etc/lighttpd/lighttpd.conf
grep -q '^include "/etc/lighttpd/conf-enabled/\*\.conf"' "$SYSCONF" ||
    grep -q '^include_shell .*include-conf-enabled' "$SYSCONF" ||
	fail "$SYSCONF does not include conf-enabled/"
d="$T/lighttpd"
mkdir -p "$d"
PORT=$(free_port)
URL="http://127.0.0.1:$PORT/eka/webhook"
LIGHTTPD_ERRLOG="$d/error.log"
: >"$LIGHTTPD_ERRLOG"
own "$LIGHTTPD_ERRLOG"
# The system's file, but on 127.0.0.1:$PORT only (no IPv6 socket on the
# system's port) and with its pid file and error log here.
sed -e "s|^server\.port[[:space:]]*=.*|server.port = $PORT|" \
    -e "s|^server\.pid-file[[:space:]]*=.*|server.pid-file = \"$d/lighttpd.pid\"|" \
    -e "s|^server\.errorlog[[:space:]]*=.*|server.errorlog = \"$LIGHTTPD_ERRLOG\"|" \
    -e '/^server\.bind[[:space:]]*=/d' \
    -e '/use-ipv6\.pl/d' \
    "$SYSCONF" >"$d/lighttpd.conf"
echo 'server.bind = "127.0.0.1"' >>"$d/lighttpd.conf"
for k in "server.port = $PORT" "server.pid-file = \"$d/" \
    "server.errorlog = \"$d/"; do
	grep -qF "$k" "$d/lighttpd.conf" || fail "$SYSCONF: cannot set $k"
done
# What systemd-tmpfiles makes at boot (lighttpd's tmpfiles.d file).
if [ ! -d /run/lighttpd ]; then
	install -d -o www-data -g www-data -m 0750 /run/lighttpd
	MADE_RUN_LIGHTTPD=1
fi
lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.log" 2>&1 ||
	fail "lighttpd rejects the system configuration: $(cat "$d/check.log")"
lighttpd -D -f "$d/lighttpd.conf" >"$d/stdout.log" 2>>"$LIGHTTPD_ERRLOG" &
LIGHTTPD_PID=$!
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/" ||
	fail "lighttpd did not start: $(cat "$LIGHTTPD_ERRLOG" "$d/stdout.log")"

expect_health
expect_sample_logged "$LOG/events.ndjson"
echo "0 1 200 $(jq -r .request_id "$T/resp.body") -" >"$T/first.out"
# max-procs 8, as www-data, from the package's path; each said at start
# that no signing key is set.
wait_for 10 sh -c "[ \$(pgrep -P $LIGHTTPD_PID | wc -l) -ge 8 ]" ||
	fail "lighttpd did not start 8 ekahook processes"
for p in $(pgrep -P "$LIGHTTPD_PID"); do
	[ "$(readlink "/proc/$p/exe")" = "$PKGBIN" ] ||
		fail "lighttpd runs $(readlink "/proc/$p/exe"), not $PKGBIN"
	[ "$(stat -c %U "/proc/$p")" = www-data ] ||
		fail "ekahook runs as $(stat -c %U "/proc/$p"), not www-data"
done
wait_for 10 grep -q 'warning: no signing_key is set' "$LIGHTTPD_ERRLOG" ||
	fail "no warning about the signing key in the error log"
ok "the system's lighttpd serves $PKGBIN as www-data; its error log warns of the key"

## logrotate while events flow ----------------------------------------

# Events flow from 8 senders while logrotate runs the package's file
# each time the current log has 100 new lines (at most six times, well
# within its "rotate 30").
. "$TOP_SRCDIR/tests/stress/stress-lib.sh"
stress_bodies "$T/bodies"
t0=$(date +%s)
(
	# shellcheck disable=SC2086
	"$LOADGEN" -u "$URL" -n 3000 -c 8 -t 180 -o "$T/load.out" \
	    $STRESS_BODIES >"$T/loadgen.log" 2>&1
	echo $? >"$T/load.rc"
) &
echo $! >>"$T/pids"
rot=0
while [ $rot -lt 6 ] && [ ! -e "$T/load.rc" ]; do
	wait_for 120 sh -c "[ -e '$T/load.rc' ] ||
	    [ \$(cat '$LOG/events.ndjson' 2>/dev/null | wc -l) -ge 100 ]" ||
		fail "no 100 new lines in 120 s: $(tail -n 5 "$LIGHTTPD_ERRLOG")"
	[ ! -e "$T/load.rc" ] || break
	logrotate -s "$T/logrotate.state" -f /etc/logrotate.d/ekahook \
	    >>"$T/logrotate.log" 2>&1 ||
		fail "logrotate: $(cat "$T/logrotate.log")"
	rot=$((rot + 1))
done
wait_for 180 test -e "$T/load.rc" || fail "the senders did not finish"
[ "$(cat "$T/load.rc")" = 0 ] ||
	fail "loadgen did not finish its requests: $(cat "$T/loadgen.log")"
[ $rot -ge 3 ] || fail "only $rot rotations while the events flowed"
cat "$T/first.out" "$T/load.out" >"$T/all.out"
stress_only_statuses "$T/all.out" "200 400 422"
stress_verify "$LOG" 0
stress_check "$LOG" "$T/all.out" exact
[ "$(stress_rotated_ok "$LOG" events.ndjson 30)" = $rot ] ||
	fail "expected events.ndjson.1 .. .$rot: $(ls "$LOG")"
# ekahook made the files (nocreate): the log, or, when the last rotation
# came after the last line, the newest rotated one.
f=$LOG/events.ndjson
[ -e "$f" ] || f=$LOG/events.ndjson.1
expect_mode "$f" "640 www-data:www-data"
ok "$(stress_status_count "$T/all.out" 200) events answered 200 while logrotate ran $rot times: each logged exactly once ($(since "$t0") s)"

# The key set: check-config is content, unsigned events are refused.
KEY=debian-package-test-key
sed -i "s|^#signing_key = \.\.\.\$|signing_key = $KEY|" "$CONF"
expect_mode "$CONF" "640 root:www-data"
as_run_user env -i PATH=/usr/bin:/bin ekahookctl check-config \
    >"$T/check-config.out" 2>&1 ||
	fail "check-config: $(cat "$T/check-config.out")"
! grep -q '^warning' "$T/check-config.out" ||
	fail "check-config warns with the key set: $(cat "$T/check-config.out")"
post "$SAMPLE"
expect_status 401
post "$SAMPLE" -H "Eka-Webhook-Signature: $(ekahookctl sign --key "$KEY" "$SAMPLE")"
expect_status 200
ok "signing_key set: check-config does not warn, unsigned 401, signed 200"

# An upgrade (the same package as a later version) while lighttpd
# serves: the edited configuration, its mode and the module stay.
dpkg-deb -R "$T/build/$DEB" "$T/up"
sed -i "s/^Version: .*/Version: $VER+up1/" "$T/up/DEBIAN/control"
dpkg-deb -b "$T/up" "$T/build/ekahook_up.deb" >"$T/upgrade.log" 2>&1 &&
    dpkg -i "$T/build/ekahook_up.deb" >>"$T/upgrade.log" 2>&1 ||
	fail "upgrade: $(cat "$T/upgrade.log")"
[ "$(dpkg-query -W -f='${Version}' ekahook)" = "$VER+up1" ] ||
	fail "not upgraded: $(cat "$T/upgrade.log")"
grep -qx "signing_key = $KEY" "$CONF" ||
	fail "the upgrade lost the edited configuration: $(cat "$T/upgrade.log")"
expect_mode "$CONF" "640 root:www-data"
expect_mode "$LOG" "750 www-data:www-data"
[ -e "$ENABLED/50-ekahook.conf" ] || fail "the upgrade disabled ekahook in lighttpd"
post "$SAMPLE" -H "Eka-Webhook-Signature: $(ekahookctl sign --key "$KEY" "$SAMPLE")"
expect_status 200
ok "an upgrade keeps the edited configuration, the modes and the lighttpd module"
stop_pid "$LIGHTTPD_PID"
LIGHTTPD_PID=

## Apache mod_fcgid; the socket unit behind nginx and mod_proxy_fcgi ----

if [ -f /etc/apache2/mods-available/fcgid.load ]; then
	# A private Apache standing in for Debian's (deploylib.sh) with
	# mod_fcgid and the packaged configuration, as a2enconf would.
	start_apache_frame fcgid /etc/apache2/conf-available/ekahook.conf
	expect_health
	post "$SAMPLE" -H "Eka-Webhook-Signature: $(ekahookctl sign --key "$KEY" "$SAMPLE")"
	expect_status 200
	[ "$(json .duplicate)" = true ] || fail "answer: $BODY"
	stop_server "$T/apache/run/apache2.pid"
	ok "Apache mod_fcgid with conf-available/ekahook.conf: ekahook finds $CONF itself"
else
	echo "# no mod_fcgid: the Apache configuration is not tried" >&2
fi
if command -v nginx >/dev/null 2>&1 &&
    command -v systemd-socket-activate >/dev/null 2>&1; then
	verify_units /lib/systemd/system/ekahook.socket \
	    /lib/systemd/system/ekahook.service
	if [ ! -d /run/ekahook ]; then
		MADE_RUN_EKAHOOK=1
	fi
	start_unit_socket /lib/systemd/system/ekahook.socket \
	    /lib/systemd/system/ekahook.service
	start_nginx_frame /usr/share/doc/ekahook/examples/nginx-ekahook.conf
	post "$SAMPLE" -H "Eka-Webhook-Signature: $(ekahookctl sign --key "$KEY" "$SAMPLE")"
	expect_status 200
	stop_server "$T/nginx/nginx.pid"
	ok "nginx with examples/nginx-ekahook.conf and the packaged socket unit"
	if [ -f /etc/apache2/mods-available/proxy_fcgi.load ]; then
		start_apache_frame "proxy proxy_fcgi" \
		    /etc/apache2/conf-available/ekahook.conf
		post "$SAMPLE" -H "Eka-Webhook-Signature: $(ekahookctl sign --key "$KEY" "$SAMPLE")"
		expect_status 200
		stop_server "$T/apache/run/apache2.pid"
		ok "Apache mod_proxy_fcgi with conf-available/ekahook.conf and the socket unit"
	fi
	stop_pid "$UNIT_PID"
	wait_for 10 no_package_procs || fail "ekahook outlived its socket unit"
	# systemd would remove the socket with the unit.
	[ "$MADE_RUN_EKAHOOK" = 0 ] || rm -rf /run/ekahook
	MADE_RUN_EKAHOOK=0
else
	echo "# no nginx or systemd-socket-activate: the units are not tried" >&2
fi

## remove, purge -----------------------------------------------------

for p in $(package_procs); do
	kill -TERM "$p" 2>/dev/null || true
done
dpkg --remove ekahook >"$T/remove.log" 2>&1 ||
	fail "dpkg --remove: $(cat "$T/remove.log")"
[ ! -e "$PKGBIN" ] && [ ! -e /usr/bin/ekahookctl ] ||
	fail "dpkg --remove left the programs"
[ -s "$LOG/events.ndjson" ] && [ -f "$CONF" ] && [ -d /var/lib/ekahook ] ||
	fail "dpkg --remove took the logs, the configuration or the state: $(ls -la "$LOG" /etc/ekahook)"
[ ! -e "$ENABLED/50-ekahook.conf" ] ||
	fail "dpkg --remove left ekahook enabled in lighttpd"
ok "dpkg --remove: the programs gone, the configuration, logs and state kept, lighttpd's ekahook disabled"

dpkg --purge ekahook >"$T/purge.log" 2>&1 ||
	fail "dpkg --purge: $(cat "$T/purge.log")"
INSTALLED=0
! dpkg-query -W -f='${Status}' ekahook 2>/dev/null | grep -q 'installed\|config-files' ||
	fail "ekahook is still known to dpkg"
# Every path the package had with ekahook in its name, and what ekahook,
# lighttpd, lighty-enable-mod and the maintainer scripts made.
dpkg-deb -c "$T/build/$DEB" | awk '{ print substr($6, 2) }' |
    grep ekahook | sed 's|/$||' >"$T/paths"
{
	echo /var/log/ekahook
	echo /var/lib/ekahook
	echo /etc/ekahook
	echo "$ENABLED/50-ekahook.conf"
	echo /etc/apache2/conf-enabled/ekahook.conf
	echo /run/ekahook
} >>"$T/paths"
left=
while read -r p; do
	[ ! -e "$p" ] && [ ! -L "$p" ] || left="$left $p"
done <"$T/paths"
for p in /var/lib/dpkg/info/ekahook.* /run/lighttpd/ekahook.sock* \
    /etc/systemd/system/*/ekahook.* /var/lib/systemd/deb-systemd-helper-*/*ekahook* \
    /var/lib/apache2/*/*/ekahook*; do
	[ ! -e "$p" ] && [ ! -L "$p" ] || left="$left $p"
done
[ -z "$left" ] || fail "left after dpkg --purge:$left"
ok "dpkg --purge: nothing left ($(wc -l <"$T/paths") paths looked at)"

restore_system || true
ls -A "$ENABLED" | cmp -s - "$T/enabled.before" ||
	fail "conf-enabled/ is not as it was: $(ls -A "$ENABLED")"
ok "lighttpd's conf-enabled/ as it was"
