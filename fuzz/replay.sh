# replay.sh: the fuzz targets' code without libFuzzer, in every build: the
# seed corpus (fuzz/make-corpus.sh) and the saved regressions
# (fuzz/regress/<target>/, inputs that once crashed referd) each go
# through their target.  A sanitizer build catches what they would break.
set -u
src=${REFERD_SRCDIR:-.}
build=${REFERD_BUILDDIR:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/referd-replay.XXXXXX") ||
	{ echo "Bail out! cannot make a temp dir"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
if ! sh "$src/fuzz/make-corpus.sh" "$src" "$tmp/seeds" >"$tmp/seeds.log" 2>&1; then
	sed 's/^/# /' "$tmp/seeds.log"
	echo "Bail out! make-corpus.sh failed"
	exit 1
fi
for t in sip_receive headers sdp conffile; do
	for set in seeds regress; do
		if [ $set = seeds ]; then dir=$tmp/seeds/$t; else dir=$src/fuzz/regress/$t; fi
		[ -d "$dir" ] || continue
		count=$(ls "$dir" | wc -l)
		[ "$count" -gt 0 ] || continue
		n=$((n + 1))
		if "$build/fuzz/replay_$t" "$dir" >"$tmp/out" 2>&1 &&
		    [ "$(grep -c '^ok ' "$tmp/out")" -eq "$count" ]; then
			echo "ok $n - replay_$t: $count $set inputs"
		else
			failed=$((failed + 1))
			tail -n 40 "$tmp/out" | sed 's/^/# /'
			echo "not ok $n - replay_$t: $count $set inputs"
		fi
	done
done
echo "1..$n"
[ "$failed" -eq 0 ]
