#!/bin/sh
# The whole test suite, from a clean checkout: installs what is missing,
# builds with -Werror, runs `make shared-hosting` (whose program a test
# bundles), `make check`, `make lint`, `make fuzz`, the valgrind run and
# `make distcheck`, then runs the test suite again in an ASan+UBSan
# build.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh tests/install-deps.sh
autoreconf -fi
jobs=$(nproc 2>/dev/null || echo 2)

rm -rf _build && mkdir _build && cd _build
# Check and libcurl are optional to configure, required here: CI runs
# every test.
../configure --enable-werror --with-check --with-curl
make -j"$jobs"
# The static program tests/deploy/apache-fcgid.sh bundles.
make -j"$jobs" shared-hosting
# VERBOSE=yes: on a failure automake prints test-suite.log, which holds
# the logs of the tests that did not pass.
make -j"$jobs" check VERBOSE=yes
# Hostile input (tests/fuzz/): static analysis, each fuzz harness for
# FUZZ_SECONDS (60), and valgrind under the integration tests.
make lint
make fuzz
sh ../tests/fuzz/valgrind.sh .
# The full suite ran above; distcheck proves the tarball builds, installs
# and passes the unit tests from a read-only source tree.
make -j"$jobs" distcheck \
	DISTCHECK_CONFIGURE_FLAGS='--enable-werror --with-check --with-curl' \
	TESTS=tests/check_ekahook
cd "$top"

rm -rf _build-san && mkdir _build-san && cd _build-san
../configure --enable-werror --enable-sanitizers --with-check --with-curl
make -j"$jobs"
make -j"$jobs" shared-hosting
# Under ASan each hook attempt costs twice the CPU: the burst tests run
# a thousand events there instead of 1500, and the reject-log abuse test
# 250 requests of each kind instead of 1000 (its bound is per line).
# The Debian package is built from the source by dpkg-buildpackage,
# whatever this build's flags: its test ran above and is not repeated.
BURST_EVENTS=1000 ABUSE_REQUESTS=250 DEB_PACKAGE_TEST=no \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	make -j"$jobs" check VERBOSE=yes
pass=$(cat "$top"/_build/test-suite.log "$top"/_build-san/test-suite.log |
	awk '/^# (PASS|XFAIL):/ { n += $3 } END { print n + 0 }')
skip=$(cat "$top"/_build/test-suite.log "$top"/_build-san/test-suite.log |
	awk '/^# SKIP:/ { n += $3 } END { print n + 0 }')
echo "run-all: $pass passed, 0 failed, $skip skipped"
