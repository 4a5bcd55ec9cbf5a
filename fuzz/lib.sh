# lib.sh: run one libFuzzer target for a short time as a TAP test (sourced
# by fuzz/fuzz-*.sh; make check runs those only with --enable-fuzzing).
#
# fuzz_run TARGET: seeds from make-corpus.sh, then the target for
# FUZZ_SECONDS (default 20) under ASan+UBSan; the test fails on any crash,
# leak or undefined behaviour, and the input is saved in the test's log.
set -u

fuzz_run() {
	t=$1
	src=${REFERD_SRCDIR:-.}
	bin=${REFERD_BUILDDIR:-.}/fuzz/fuzz_$t
	secs=${FUZZ_SECONDS:-20}
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/referd-fuzz-$t.XXXXXX") ||
		{ echo "Bail out! cannot make a temp dir"; exit 1; }
	trap 'rm -rf "$tmp"' EXIT
	echo "# fuzz_$t for $secs s, corpus in $tmp"
	if ! sh "$src/fuzz/make-corpus.sh" "$src" "$tmp/seeds" >"$tmp/seeds.log" 2>&1; then
		sed 's/^/# /' "$tmp/seeds.log"
		echo "not ok 1 - fuzz_$t: seed corpus"
		echo "1..1"
		exit 1
	fi
	echo "ok 1 - fuzz_$t: seed corpus ($(ls "$tmp/seeds/$t" | wc -l) inputs)"
	mkdir -p "$tmp/corpus"
	dict= regress=
	[ "$t" = sip_receive ] && dict=-dict=$src/fuzz/sip.dict
	[ -d "$src/fuzz/regress/$t" ] && regress=$src/fuzz/regress/$t
	# The saved regressions first, then the seeds, then new inputs.
	if "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$tmp/" $dict \
	    "$tmp/corpus" "$tmp/seeds/$t" $regress \
	    >"$tmp/run.log" 2>&1; then
		grep -E '^(#[0-9]+ +DONE|stat::)' "$tmp/run.log" | sed 's/^/# /'
		echo "ok 2 - fuzz_$t: $secs s clean under ASan+UBSan"
	else
		tail -n 60 "$tmp/run.log" | sed 's/^/# /'
		for a in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
			[ -f "$a" ] || continue
			echo "# input $(basename "$a") (base64):"
			base64 "$a" | sed 's/^/# /'
		done
		echo "not ok 2 - fuzz_$t: $secs s clean under ASan+UBSan"
	fi
	echo "1..2"
}
