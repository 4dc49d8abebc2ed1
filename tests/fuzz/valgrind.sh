#!/bin/sh
# valgrind memcheck of the responder under the lighttpd integration
# tests, and of the fuzz harnesses replaying their corpora (valgrind sees
# reads of uninitialised memory, which ASan does not).  Fails unless
# every report shows 0 errors and 0 bytes definitely lost.
#
#   sh tests/fuzz/valgrind.sh [BUILDDIR [TEST.sh...]]
#
# BUILDDIR is a configured and built tree where `make check` has built
# the replay programs (default: the current directory); the tests
# default to $VALGRIND_TESTS or the list below.  Run by tests/run-all.sh.
# lighttpd starts ekahook through a wrapper script (EKAHOOK_WRAPPER in
# tests/lib.sh) that execs valgrind on the real binary; each process,
# the hook runners it forks included, writes its own report.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
[ $# -gt 0 ] && shift
VG=$(command -v valgrind) || { echo "valgrind: not installed" >&2; exit 1; }
[ -x "$build/src/ekahook" ] || { echo "valgrind: $build/src/ekahook is not built" >&2; exit 1; }

# The request rows, signatures, logs and CGI through the real server,
# and hooks started from the responder (vg-hook.sh; the tests of
# tests/hook/ time the answer, which valgrind slows).  Paths under
# tests/.  (disk-full.sh mounts a tiny tmpfs and config.sh restarts the
# server per case; they run without valgrind in `make check`.)
: "${VALGRIND_TESTS:=it/answers.sh it/json-intake.sh it/schema.sh it/signature.sh it/duplicates.sh it/allow-from.sh it/allow-from-ipv6.sh it/log-lines.sh it/cgi.sh fuzz/vg-hook.sh}"
if [ $# -eq 0 ]; then
	for t in $VALGRIND_TESTS; do
		set -- "$@" "$top/tests/$t"
	done
fi

vgdir=$(mktemp -d "${TMPDIR:-/tmp}/ekahook-valgrind.XXXXXX")
chmod 0755 "$vgdir"
# Kills, by the pid in its report's name, a valgrind process of ours
# still running (a hook runner, a server's child), then removes the dir.
finish() {
	for f in "$vgdir"/vg.*.log; do
		[ -f "$f" ] || continue
		pid=${f##*/vg.}
		pid=${pid%.log}
		if grep -q "$vgdir" "/proc/$pid/cmdline" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	[ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$vgdir"
}
trap finish EXIT
trap 'exit 130' INT TERM

opts="--tool=memcheck --leak-check=full --errors-for-leak-kinds=definite"
opts="$opts --show-leak-kinds=definite --error-exitcode=99"
opts="$opts --child-silent-after-fork=no --num-callers=30"
export EKAHOOK_WRAPPER="$VG $opts --log-file=$vgdir/vg.%p.log"
export EKAHOOK_BIN="$build/src/ekahook" EKAHOOKCTL="$build/src/ekahookctl"
export FIXTURES="$top/tests/fixtures" TESTLIB="$top/tests/lib.sh"
export TOP_SRCDIR="$top" TOP_BUILDDIR="$build"

failed=
start=$(date +%s)
for t in "$@"; do
	name=$(basename "$t")
	log="$vgdir/$name.out"
	rc=0
	t0=$(date +%s)
	timeout 300 sh "$t" >"$log" 2>&1 || rc=$?
	case $rc in
	0) echo "valgrind: $name: passed under valgrind ($(($(date +%s) - t0)) s)" ;;
	77) echo "valgrind: $name: skipped" ;;
	*)
		echo "valgrind: $name: FAILED under valgrind (exit $rc):" >&2
		tail -n 30 "$log" >&2
		failed="$failed $name" ;;
	esac
done

# The harnesses over every committed input.
for h in request sig conf; do
	bin="$build/tests/fuzz/replay_$h"
	[ -x "$bin" ] || { echo "valgrind: $bin is not built (make check)" >&2; failed="$failed replay_$h"; continue; }
	set -- "$top/tests/fuzz/corpus/$h"
	[ -d "$top/tests/fuzz/regress/$h" ] && set -- "$@" "$top/tests/fuzz/regress/$h"
	# shellcheck disable=SC2086
	"$VG" $opts --log-file="$vgdir/vg.replay-$h.log" "$bin" "$@" \
	    >"$vgdir/replay-$h.out" 2>&1 || {
		echo "valgrind: replay_$h failed:" >&2
		tail -n 20 "$vgdir/replay-$h.out" >&2
		failed="$failed replay_$h"
	}
done

# Every process has ended (or is a silent child of a fork): wait for
# the reports still being written by processes that are going away.
end=$(($(date +%s) + 30))
for f in "$vgdir"/vg.*.log; do
	[ -s "$f" ] || continue
	while ! grep -q 'ERROR SUMMARY' "$f" && [ "$(date +%s)" -le "$end" ]; do
		sleep 0.2
	done
done

reports=0
servers=0
execs=0
bad=0
for f in "$vgdir"/vg.*.log; do
	[ -s "$f" ] || continue
	reports=$((reports + 1))
	case $f in */vg.replay-*) ;; *) servers=$((servers + 1)) ;; esac
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -n 1)
	lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tail -n 1 | tr -d ,)
	ppid=$(sed -n 's/.*Parent PID: \([0-9]*\).*/\1/p' "$f" | head -n 1)
	if [ -z "$errors" ] && [ -f "$vgdir/vg.$ppid.log" ] &&
	    ! sed '1,/Parent PID:/d' "$f" | grep -qv '^==[0-9]*== *$'; then
		# A child forked from a watched process that then ran execve
		# (a hook): valgrind stops there, with nothing to report.
		execs=$((execs + 1))
	elif [ -z "$errors" ]; then
		echo "valgrind: $(basename "$f"): no summary (the process was killed?):" >&2
		cat "$f" >&2
		bad=$((bad + 1))
	elif [ "$errors" != 0 ] || [ "${lost:-0}" != 0 ]; then
		echo "valgrind: $(basename "$f"): $errors errors, ${lost:-0} bytes definitely lost:" >&2
		grep -v '^==[0-9]*== *$' "$f" | head -n 80 >&2
		bad=$((bad + 1))
	fi
done
echo "valgrind: $reports reports ($servers from ekahook under lighttpd and the runners it forked, $execs of children that ran a hook), $bad with errors or leaks, in $(($(date +%s) - start)) s"
if [ "$servers" -eq 0 ]; then
	echo "valgrind: no report from ekahook: did it run under valgrind?" >&2
	exit 1
fi
if [ -n "$failed" ] || [ "$bad" -ne 0 ]; then
	echo "valgrind: FAILED:$failed (and $bad bad reports)" >&2
	exit 1
fi
echo "valgrind: 0 errors, 0 bytes definitely lost"
