#!/bin/sh
# Installs what building and testing ekahook needs (Debian 12), once.
# Safe to run again: packages already present are left alone.
set -eu

PKGS="build-essential autoconf automake libtool pkg-config
libfcgi-dev libcjson-dev check nettle-dev libcurl4-openssl-dev
lighttpd apache2 libapache2-mod-fcgid nginx spawn-fcgi systemd mandoc
curl jq procps psmisc util-linux valgrind clang libclang-rt-14-dev
cppcheck clang-tidy wrk webhook php-fpm patchelf logrotate
rsyslog rsyslog-relp rsyslog-kafka
dpkg-dev debhelper fakeroot lintian git"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
# The packaged servers must not keep running on their default ports.
for s in lighttpd apache2 nginx php8.2-fpm webhook; do
	$SUDO systemctl stop "$s" 2>/dev/null || $SUDO service "$s" stop 2>/dev/null || true
done
# The tests run rsyslogd instances of their own (tests/deploy/multi-host.sh)
# and need no system one: stop it only if it came with this install, so a
# system logger that was there before is left alone.
case "$missing " in
*" rsyslog "*)
	$SUDO systemctl stop rsyslog 2>/dev/null ||
		$SUDO service rsyslog stop 2>/dev/null || true
	;;
esac
exit 0
