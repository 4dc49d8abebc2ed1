#!/bin/sh
# `make fuzz`: builds the libFuzzer harnesses with clang (library
# sources with -fsanitize=fuzzer-no-link,address,undefined, harnesses
# linked with -fsanitize=fuzzer,address,undefined) and runs each for
# FUZZ_SECONDS on a working copy of its corpus.  Prints executions and
# speed per target; any crash, leak, timeout or broken invariant fails
# and names the input that did it, to be added to tests/fuzz/regress/.
#
# Called from tests/fuzz/fuzz.am from the build directory with the
# preprocessor flags as arguments and, in the environment:
#   CLANG FUZZ_SECONDS FUZZ_TARGETS SRCDIR BUILDDIR LIB_SOURCES FUZZ_LIBS
set -eu
: "${CLANG:=clang}"
: "${FUZZ_SECONDS:=60}"
: "${FUZZ_TARGETS:=request sig conf}"
: "${SRCDIR:?}" "${BUILDDIR:?}" "${LIB_SOURCES:?}"
: "${FUZZ_LIBS:=}"

out="$BUILDDIR/tests/fuzz"
obj="$out/obj"
mkdir -p "$obj" "$out/work" "$out/artifacts"
command -v "$CLANG" >/dev/null 2>&1 || {
	echo "fuzz: clang not found (CLANG=$CLANG); install clang and libclang-rt-14-dev" >&2
	exit 1
}

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-g -O1 -std=c11 -Wall -Wextra -Werror $SAN"
# Only -I, -D and -U of the arguments: the build's other flags are gcc's.
for a in "$@"; do
	case $a in -I* | -D* | -U*) set -- "$@" "$a" ;; esac
	shift
done
# (Word-split again below: paths with blanks are not supported.)
CPPFLAGS="$* -I$BUILDDIR -I$SRCDIR/src -I$SRCDIR/tests/fuzz"

# The newest header: any change to one rebuilds every object.
newest_h=$(ls -t "$SRCDIR"/src/*.h "$SRCDIR"/tests/fuzz/*.h "$BUILDDIR/config.h" | head -n 1)

# compile SOURCE OBJECT
compile() {
	if [ -f "$2" ] && [ "$2" -nt "$1" ] && [ "$2" -nt "$newest_h" ]; then
		return 0
	fi
	echo "  CLANG    $2"
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS -fsanitize=fuzzer-no-link $CPPFLAGS -c "$1" -o "$2"
}

lib_objs=
for s in $LIB_SOURCES; do
	case $s in *.c) ;; *) continue ;; esac
	o="$obj/$(basename "$s" .c).o"
	compile "$SRCDIR/$s" "$o"
	lib_objs="$lib_objs $o"
done
compile "$SRCDIR/tests/fuzz/fuzz_util.c" "$obj/fuzz_util.o"
for t in $FUZZ_TARGETS; do
	compile "$SRCDIR/tests/fuzz/fuzz_$t.c" "$obj/fuzz_$t.o"
	echo "  CLANGLD  $out/fuzz_$t"
	# shellcheck disable=SC2086
	"$CLANG" -fsanitize=fuzzer $SAN "$obj/fuzz_$t.o" "$obj/fuzz_util.o" \
	    $lib_objs $FUZZ_LIBS -o "$out/fuzz_$t"
done

# Bounded runs, one target after the other (the machine is shared).
failed=
total=0
for t in $FUZZ_TARGETS; do
	work="$out/work/$t"
	art="$out/artifacts/$t"
	log="$out/fuzz_$t.log"
	mkdir -p "$work" "$art"
	rm -f "$art"/*
	seeds="$SRCDIR/tests/fuzz/corpus/$t"
	regress="$SRCDIR/tests/fuzz/regress/$t"
	[ -d "$regress" ] || regress=
	echo "fuzz: $t for ${FUZZ_SECONDS}s (corpus: $seeds${regress:+ $regress})"
	rc=0
	# New inputs go to the first directory; the committed ones stay.
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$out/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
	    "$work" "$seeds" $regress >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
	cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
	echo "fuzz: $t: ${runs:-?} runs, ${speed:-?} exec/s, ${added:-?} new inputs, ${cov:-cov: ?}"
	total=$((total + ${runs:-0}))
	if [ "$rc" -ne 0 ]; then
		failed="$failed $t"
		echo "fuzz: $t FAILED (exit $rc); the end of $log:" >&2
		grep -a -v '^#[0-9]' "$log" | tail -n 60 >&2
		for a in "$art"/*; do
			[ -f "$a" ] || continue
			echo "fuzz: input that failed: $a" >&2
			echo "      keep it: cp '$a' $SRCDIR/tests/fuzz/regress/$t/<name>" >&2
		done
	fi
done
echo "fuzz: $total runs in all"
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
