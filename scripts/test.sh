#!/bin/sh
# test.sh: run referd's whole test suite (the README's second command).
#
# Installs what is missing (scripts/deps.sh, needs root the first time),
# then builds and runs `make check` twice, in out-of-tree builds:
#   build/default     the default build (warnings are errors)
#   build/sanitizers  --enable-sanitizers (AddressSanitizer + UBSan)
# runs each libFuzzer target for FUZZ_SECONDS (default 20) in
#   build/fuzz        --enable-fuzzing CC=clang (fuzz/README.md)
# then `make distcheck` in build/default, and finally the Debian package's
# test (tests/package.sh: build, lintian, install, upgrade, purge, as
# root; it leaves the machine as it found it).  The last line printed is
# "N passed, N failed", counted from the test logs (every TAP result of
# every test program), with distcheck counted as one result and the
# package test's TAP results counted one each (skips not counted).
#
#   sh scripts/test.sh               everything
#   sh scripts/test.sh default       one build only (default|sanitizers|fuzz|distcheck|package)
#   KEEP_GOING=1 ...                 do not stop at the first failed build
set -u
cd "$(dirname "$0")/.."
top=$PWD
builds=${1:-"default sanitizers fuzz distcheck package"}

sh scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt configure ] || [ ! -f build-aux/tap-driver.sh ]; then
	./autogen.sh || { echo "0 passed, 1 failed"; exit 1; }
fi

passed=0
failed=0

# count LOGDIR: add the TAP results of the suite's logs to the totals.
count() {
	local log=$1/test-suite.log p f
	if [ ! -f "$log" ]; then
		echo "test.sh: no $log: the suite did not run" >&2
		failed=$((failed + 1))
		return
	fi
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -n 1)
	f=0
	for k in FAIL XPASS ERROR; do
		n=$(sed -n "s/^# $k: *//p" "$log" | head -n 1)
		f=$((f + ${n:-0}))
	done
	passed=$((passed + ${p:-0}))
	failed=$((failed + f))
	echo "test.sh: $1: ${p:-0} passed, $f failed"
}

# suite NAME CONFIGURE-ARGS...: configure (once), build, make check.
suite() {
	local name=$1 dir=build/$1
	shift
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ]; then
		(cd "$dir" && "$top/configure" -q "$@") || {
			echo "test.sh: configure failed for $name" >&2
			failed=$((failed + 1)); return 1; }
	fi
	(cd "$dir" && make -j2 >/dev/null) || {
		echo "test.sh: build failed for $name" >&2
		(cd "$dir" && make 2>&1 | tail -n 30) >&2
		failed=$((failed + 1)); return 1; }
	rm -f "$dir/test-suite.log"
	if [ "$name" = fuzz ]; then
		(cd "$dir" && make -j1 check TESTS="fuzz/fuzz-sip_receive.sh \
		    fuzz/fuzz-headers.sh fuzz/fuzz-sdp.sh fuzz/fuzz-conffile.sh" \
		    >check.out 2>&1)
	else
		(cd "$dir" && make -j2 check >check.out 2>&1)
	fi
	grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$dir/check.out" |
		grep -v '^PASS' >&2
	count "$dir"
	# A failed test's log, for CI readers.
	for l in $(grep -lE '^(not ok|Bail out!)' "$dir"/tests/*/*.log 2>/dev/null); do
		echo "==== $l" >&2
		grep -E -A8 '^(not ok|Bail out!)' "$l" | head -n 60 >&2
	done
}

for b in $builds; do
	case $b in
	default) suite default ;;
	sanitizers)
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
		# Leaks inside third-party libraries, each explained in the file.
		LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
		export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
		suite sanitizers --enable-sanitizers --enable-debug ;;
	fuzz)
		# Only the fuzz targets: the rest of the suite ran above.
		FUZZ_SECONDS=${FUZZ_SECONDS:-20}
		export FUZZ_SECONDS
		suite fuzz --enable-fuzzing CC=clang ;;
	distcheck)
		[ -f build/default/Makefile ] || suite default
		if (cd build/default && make -j2 distcheck >distcheck.out 2>&1); then
			echo "test.sh: make distcheck: passed"
			passed=$((passed + 1))
		else
			echo "test.sh: make distcheck failed:" >&2
			tail -n 40 build/default/distcheck.out >&2
			failed=$((failed + 1))
		fi ;;
	package)
		mkdir -p build
		sh tests/package.sh >build/package.out 2>&1
		rc=$?
		p=$(grep -c '^ok ' build/package.out | head -n 1)
		s=$(grep -c '^ok .*# SKIP' build/package.out | head -n 1)
		f=$(grep -c '^not ok ' build/package.out | head -n 1)
		p=$((p - s))
		# An exit without a failed result (a bail-out) is a failure too.
		[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
		passed=$((passed + p))
		failed=$((failed + f))
		echo "test.sh: package: $p passed, $f failed, $s skipped"
		[ "$f" = 0 ] || grep -E -A6 '^(not ok|Bail out!)' build/package.out |
			head -n 60 >&2 ;;
	*) echo "test.sh: unknown build '$b'" >&2; failed=$((failed + 1)) ;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
