#!/bin/sh
# Replays every committed fuzz input -- the seed corpora and the inputs
# that once crashed or broke an invariant (tests/fuzz/regress/) --
# through the harnesses built with the normal compiler, so `make check`
# (and its sanitizer build) keeps each finding fixed without clang.
set -eu
: "${TOP_SRCDIR:?run through make check}" "${TOP_BUILDDIR:?run through make check}"
rc=0
for t in request sig conf; do
	bin="$TOP_BUILDDIR/tests/fuzz/replay_$t"
	set -- "$TOP_SRCDIR/tests/fuzz/corpus/$t"
	[ -d "$TOP_SRCDIR/tests/fuzz/regress/$t" ] &&
		set -- "$@" "$TOP_SRCDIR/tests/fuzz/regress/$t"
	n=$(ls "$@" | grep -c . || true)
	[ "$n" -gt 0 ] || { echo "FAIL: no inputs for $t" >&2; rc=1; continue; }
	if "$bin" "$@"; then
		echo "ok - $t: corpus and regressions replayed"
	else
		echo "FAIL: $t: an input crashed or broke an invariant" >&2
		rc=1
	fi
done
exit $rc
