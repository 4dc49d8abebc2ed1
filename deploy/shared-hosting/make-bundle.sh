#!/bin/sh
# make-bundle.sh PROGRAM SRCDIR OUTDIR VERSION -- assembles the
# shared-hosting bundle (`make shared-hosting` runs it):
#
#   OUTDIR/README                this directory's README
#   OUTDIR/BUILD-INFO            version, architecture, oldest C library
#   OUTDIR/licenses/             ekahook's and every library's licence
#   OUTDIR/eka/ekahook.fcgi      PROGRAM (libfcgi, nettle linked in)
#   OUTDIR/eka/libcjson.so.1     each shared library PROGRAM needs that is
#                                not part of the C library, found through
#                                the program's $ORIGIN run path
#   OUTDIR/eka/.htaccess         deploy/apache-fcgid/.htaccess
#   OUTDIR/eka/ekahook.conf      deploy/apache-fcgid/ekahook.conf
#   OUTDIR/eka/schemas/          the event schemas, found beside PROGRAM
#
# and checks the result: every library the bundled program loads is in
# eka/ or belongs to the C library.
set -eu

[ $# -eq 4 ] || { echo "usage: $0 PROGRAM SRCDIR OUTDIR VERSION" >&2; exit 2; }
prog=$1
src=$2
out=$3
version=$4
eka="$out/eka"

# The C library's own objects: present on every Linux host, never bundled.
is_libc() {
	case ${1##*/} in
	linux-vdso.so.* | ld-linux*.so.* | libc.so.* | libm.so.* | \
	libpthread.so.* | libdl.so.* | librt.so.* | libresolv.so.* | \
	libutil.so.*)
		return 0 ;;
	esac
	return 1
}

# copyright FILE: the Debian copyright file of the package owning FILE.
copyright() {
	command -v dpkg >/dev/null 2>&1 || return 1
	pkg=$(dpkg -S "$(readlink -f "$1")" 2>/dev/null | sed -n '1s/:.*//p')
	[ -n "$pkg" ] && [ -f "/usr/share/doc/$pkg/copyright" ] || return 1
	echo "/usr/share/doc/$pkg/copyright"
}

rm -rf "$out"
mkdir -p "$eka" "$out/licenses"
cp "$prog" "$eka/ekahook.fcgi"
chmod 0755 "$eka/ekahook.fcgi"
cp "$src/deploy/apache-fcgid/.htaccess" "$src/deploy/apache-fcgid/ekahook.conf" "$eka/"
mkdir -p "$eka/schemas"
cp "$src"/schemas/*.json "$eka/schemas/"
chmod 0755 "$eka/schemas"
chmod 0644 "$eka"/schemas/*.json
cp "$src/deploy/shared-hosting/README" "$out/README"
cp "$src/COPYING" "$out/licenses/ekahook"
chmod 0644 "$eka/.htaccess" "$out/README" "$out/licenses/ekahook"
# It will hold the signing key: readable by its owner only.
chmod 0600 "$eka/ekahook.conf"

# Shared libraries beside the program, under the names it asks for.
ldd "$prog" | while read -r name arrow path rest; do
	is_libc "$name" && continue
	[ "$arrow" = "=>" ] && [ -f "$path" ] ||
		{ echo "$0: $prog: cannot place $name ($path)" >&2; exit 1; }
	cp -L "$path" "$eka/$name"
	chmod 0644 "$eka/$name"
	if c=$(copyright "$path"); then
		cp "$c" "$out/licenses/${name%%.so*}"
	else
		echo "$0: no licence file found for $name; add it to $out/licenses" >&2
	fi
done

# The libraries linked in: their licences travel with the program.
for a in libfcgi.a libnettle.a; do
	f=$(${CC:-cc} -print-file-name="$a")
	if c=$(copyright "$f"); then
		cp "$c" "$out/licenses/${a%.a}"
	else
		echo "$0: no licence file found for $a; add it to $out/licenses" >&2
	fi
done

# Check: nothing is loaded from outside eka/ but the C library.
bad=$(ldd "$eka/ekahook.fcgi" | while read -r name arrow path rest; do
	is_libc "$name" && continue
	[ "$arrow" = "=>" ] && [ "$(dirname "$(readlink -f "$path")")" = \
	    "$(cd "$eka" && pwd -P)" ] && continue
	echo "$name"
done)
if [ -n "$bad" ]; then
	echo "$0: the bundle loads libraries from outside it: $bad" >&2
	exit 1
fi

# The oldest C library the program and its bundled libraries run with.
glibc=$(objdump -T "$eka/ekahook.fcgi" "$eka"/lib*.so* 2>/dev/null |
	sed -n 's/.*GLIBC_\([0-9][0-9.]*\).*/\1/p' |
	sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
{
	echo "ekahook $version shared-hosting bundle"
	echo "architecture: $(uname -m)"
	echo "needs: Linux, GNU C library ${glibc:-(unknown)} or newer"
	echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -sr)"
	echo "loads:"
	ldd "$eka/ekahook.fcgi" | sed "s/ (0x[0-9a-f]*)\$//; s/^[[:space:]]*/  /;
	    s|$(cd "$eka" && pwd -P)/|eka/|"
} >"$out/BUILD-INFO"
