#!/bin/sh
# The built programs carry the hardened defaults of configure
# (m4/ekahook_hardening.m4), read back from the ELF files:
#   PIE          ELF type DYN and DT_FLAGS_1 PIE
#   full RELRO   a GNU_RELRO segment and BIND_NOW
#   canaries     __stack_chk_fail imported (-fstack-protector-strong)
#   fortify      checked libc calls (__*_chk) imported (_FORTIFY_SOURCE);
#                not expected in the sanitizer build, whose interceptors
#                replace them, nor when CFLAGS turn optimisation off
#   no build     neither the source nor the build directory named in
#   path         them (configure's -ffile-prefix-map, where the compiler
#                has it): they are installed as they are
set -eu
: "${TOP_BUILDDIR:?run through make check}"
command -v readelf >/dev/null 2>&1 || { echo "SKIP: no readelf" >&2; exit 77; }

# The flags this build was configured with.
mk="$TOP_BUILDDIR/Makefile"
harden=$(sed -n 's/^HARDEN_CFLAGS = //p' "$mk")
cflags=$(sed -n 's/^CFLAGS = //p' "$mk")
prefix_map=$(sed -n 's/^PREFIX_MAP_CFLAGS = //p' "$mk")
srcdir=$(cd "${TOP_SRCDIR:-$TOP_BUILDDIR}" && pwd -P)
builddir=$(cd "$TOP_BUILDDIR" && pwd -P)

rc=0
bad() {
	echo "FAIL: $1: $2" >&2
	rc=1
}

for p in src/ekahook src/ekahookctl; do
	f="$TOP_BUILDDIR/$p"
	[ -f "$f" ] || { bad "$p" "not built"; continue; }
	hdr=$(readelf -h "$f")
	dyn=$(readelf -d "$f")
	seg=$(readelf -lW "$f")
	syms=$(readelf --dyn-syms -W "$f" | awk '$7 == "UND" { print $8 }')

	echo "$hdr" | grep -q 'Type: *DYN' || bad "$p" "not position-independent (ELF type is not DYN)"
	echo "$dyn" | grep -q 'FLAGS_1.*PIE' || bad "$p" "no PIE in DT_FLAGS_1"
	echo "$seg" | grep -q 'GNU_RELRO' || bad "$p" "no GNU_RELRO segment"
	echo "$dyn" | grep -Eq '\(BIND_NOW\)|FLAGS.*BIND_NOW|FLAGS_1.*NOW' ||
		bad "$p" "not bound at start (no BIND_NOW): RELRO is only partial"
	echo "$syms" | grep -q '^__stack_chk_fail' || bad "$p" "no stack protector (__stack_chk_fail not imported)"

	chk=$(echo "$syms" | grep -E '^__[a-z0-9_]+_chk(@|$)' | grep -v '^__stack_chk_fail' | sed 's/@.*//' | sort -u | tr '\n' ' ')
	if echo "$syms" | grep -q '^__asan_init'; then
		echo "note: $p: sanitizer build, _FORTIFY_SOURCE not expected"
	elif [ -z "$chk" ]; then
		# The last -O of CFLAGS decides; none or -O0: no optimisation.
		opt=$(printf '%s\n' $cflags | grep '^-O' | tail -n 1)
		case " $harden " in
		*_FORTIFY_SOURCE=*)
			bad "$p" "built with _FORTIFY_SOURCE but imports no __*_chk function" ;;
		*)
			if [ -n "$opt" ] && [ "$opt" != -O0 ]; then
				bad "$p" "optimising ($opt) but configure dropped _FORTIFY_SOURCE"
			else
				echo "note: $p: CFLAGS without optimisation ($cflags): _FORTIFY_SOURCE needs it"
			fi ;;
		esac
	else
		echo "ok - $p: fortified calls: $chk"
	fi
	if [ -z "$prefix_map" ]; then
		echo "note: $p: the compiler has no -ffile-prefix-map"
	elif grep -aqF -e "$srcdir" -e "$builddir" "$f"; then
		bad "$p" "names $srcdir or $builddir"
	else
		echo "ok - $p: no path of the build in it"
	fi
	[ $rc -eq 0 ] && echo "ok - $p: PIE, full RELRO, stack protector"
done
exit $rc
