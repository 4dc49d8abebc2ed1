#!/bin/sh
# `make lint`: cppcheck and clang-tidy over the C sources of src/, with
# the flags they are built with.  The clang-tidy checks are the list in
# .clang-tidy at the top of the tree; tests/fuzz/LINT.md gives the
# reason for each check left out.  Any finding fails.
#
# Called from tests/fuzz/fuzz.am in the build directory with the build's
# preprocessor and compiler flags as arguments and, in the environment,
# SRCDIR and LINT_SOURCES (paths relative to SRCDIR).
set -eu
: "${SRCDIR:?}" "${LINT_SOURCES:?}"

# -I, -D and -U serve both tools; clang-tidy also gets -std.
flags=
for a in "$@"; do
	case $a in -I* | -D* | -U*) flags="$flags $a" ;; esac
done
srcs=
for s in $LINT_SOURCES; do
	case $s in *.c) srcs="$srcs $SRCDIR/$s" ;; esac
done
srcs=$(printf '%s\n' $srcs | sort -u)
rc=0

if command -v cppcheck >/dev/null 2>&1; then
	echo "lint: cppcheck $(cppcheck --version | sed 's/^Cppcheck //')"
	# shellcheck disable=SC2086
	cppcheck --enable=warning,performance,portability --std=c11 \
	    --error-exitcode=1 --inline-suppr --quiet \
	    --suppress=missingIncludeSystem $flags $srcs || rc=1
else
	echo "lint: cppcheck is not installed" >&2
	rc=1
fi

tidy=
for c in clang-tidy clang-tidy-14; do
	command -v $c >/dev/null 2>&1 && { tidy=$c; break; }
done
if [ -n "$tidy" ]; then
	echo "lint: $($tidy --version | grep -i version | head -n 1 | sed 's/^ *//')"
	out=$(mktemp)
	trap 'rm -f "$out"' EXIT
	# One process per file: clang-tidy 14's analyzer carries state from
	# one file to the next when given several (a va_list in buf.c is
	# "uninitialized" only after answer.c).  --quiet drops the "N
	# warnings suppressed" chatter; the checks and WarningsAsErrors come
	# from $SRCDIR/.clang-tidy.
	for f in $srcs; do
		# shellcheck disable=SC2086
		if ! nice "$tidy" --quiet --config-file="$SRCDIR/.clang-tidy" \
		    "$f" -- -std=c11 $flags >"$out" 2>&1 ||
		    grep -q 'warning:\|error:' "$out"; then
			cat "$out"
			rc=1
		fi
	done
else
	echo "lint: clang-tidy is not installed" >&2
	rc=1
fi

if [ $rc -eq 0 ]; then
	echo "lint: clean ($(echo "$srcs" | wc -l) files)"
fi
exit $rc
