#!/bin/sh
# bench/run.sh: referd's benchmarks (issue 7), all on loopback, one table.
#
#   sh bench/run.sh            full run (about 12 minutes)
#   QUICK=1 sh bench/run.sh    short smoke run (under 3 minutes)
#
# Uses an existing build (BUILD, default build/bench: configured with plain
# ../../configure and built with make -j2; made, or brought up to date, here)
# and compiles bench/rtpblast.c with cc into the results directory.  referd
# runs standalone (-M, its own SNMP agent on udp:127.0.0.100:1161, with a
# private SNMP_PERSISTENT_DIR), a fresh one for every step.  Addresses:
#   127.0.0.100 referd   .101 A (caller)   .102 B (called)   .103 C (target)
#   127.0.0.110 SIPp uac and .111 SIPp uas for the SIPp-direct baseline
#   127.0.0.104 FreeRADIUS, accounting on port 11813 (the basic-acct row)
# ONLY=acct runs the accounting rows alone: basic calls with the call
# detail records and RADIUS accounting off, then on (the cost of billing).
# Every process started here is recorded by pid and stopped by that pid on
# every exit path.  Raw results: $OUT (default /tmp/referd-bench/<time>/).
#
# A step passes when the caller's SIPp has 0 failed calls and its achieved
# call rate is at least 95 % of the target (and the other SIPp peers have no
# failed call either).  A search runs short steps up a ladder (stopping after
# two failed steps), tries the midpoint above the best passing step, then
# confirms the best for CONFIRM seconds (>= 30 in the full run), stepping down
# 20 % when the confirmation fails.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build/bench}
QUICK=${QUICK:-0}
OUT=${OUT:-/tmp/referd-bench/$(date +%Y%m%d-%H%M%S)}
SC=$TOP/bench/scenarios
RD=127.0.0.100; A=127.0.0.101; B=127.0.0.102; C=127.0.0.103
RAD=127.0.0.104; RADPORT=11813; RADSECRET=benchsecret
ONLY=${ONLY:-}
DUAC=127.0.0.110; DUAS=127.0.0.111
SIPBUF=4194304

if [ "$QUICK" = 1 ]; then
	STEP=${STEP:-5}; CONFIRM=${CONFIRM:-10}; TRIES=1
	BASIC_LADDER=${BASIC_LADDER:-"1000 2000"}
	DIRECT_LADDER=${DIRECT_LADDER:-"4000 8000"}
	XFER_LADDER=${XFER_LADDER:-"250 500"}
	LAT_DUR=6; MEM_CALLS=${MEM_CALLS:-"1000"}; MEM_SETTLE=5; MEM_AFTER=5
	RTP_LADDER=${RTP_LADDER:-"500"}; RTP_DUR=5
else
	STEP=${STEP:-10}; CONFIRM=${CONFIRM:-30}; TRIES=4
	BASIC_LADDER=${BASIC_LADDER:-"500 1000 1500 2000 2500 3000 4000 5000 6000 8000"}
	DIRECT_LADDER=${DIRECT_LADDER:-"4000 8000 12000 16000 20000 24000"}
	XFER_LADDER=${XFER_LADDER:-"250 500 750 1000 1250 1500 2000 2500"}
	LAT_DUR=20; MEM_CALLS=${MEM_CALLS:-"1000 10000"}; MEM_SETTLE=36; MEM_AFTER=35
	RTP_LADDER=${RTP_LADDER:-"250 500 600 700 800 900 1000 1250 1500 2000"}; RTP_DUR=10
fi

mkdir -p "$OUT" || exit 2
LOG=$OUT/run.log
STEPS=$OUT/steps.tsv
PIDS=""

log() { echo "[$(date +%T)] $*" | tee -a "$LOG" >&2; }

# stop PID: TERM, up to 10 s, then KILL; reaps it.
stop() {
	local p=$1 i
	kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
	kill -TERM "$p" 2>/dev/null
	for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}
cleanup() {
	local p
	for p in $PIDS; do stop "$p"; done
	PIDS=""
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP
track() { PIDS="$PIDS $1"; }
untrack() { PIDS=$(echo " $PIDS " | sed "s/ $1 / /g"); }

# wait_exit PID SECONDS: wait for PID to end; then stop it anyway.  Status
# of the process in RC (124 when it had to be stopped).
wait_exit() {
	local p=$1 n=$(($2 * 10))
	while kill -0 "$p" 2>/dev/null && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	if kill -0 "$p" 2>/dev/null; then
		kill -USR1 "$p" 2>/dev/null; sleep 3; stop "$p"; RC=124
	else
		wait "$p" 2>/dev/null; RC=$?
	fi
	untrack "$p"
}

# ---- build -----------------------------------------------------------------
REFERD=$BUILD/agent/referd
# Built (or brought up to date: a stale build would measure old code).
[ -x "$REFERD" ] || log "no $REFERD: configuring and building $BUILD"
[ -f "$BUILD/Makefile" ] || [ -x "$TOP/configure" ] || (cd "$TOP" && ./autogen.sh) || exit 2
mkdir -p "$BUILD" &&
    (cd "$BUILD" && { [ -f Makefile ] || "$TOP/configure" -q; } && make -j2 >/dev/null) ||
    { log "build failed"; exit 2; }
RTPBLAST=$OUT/rtpblast
cc -O2 -o "$RTPBLAST" "$TOP/bench/rtpblast.c" || { log "cannot compile rtpblast"; exit 2; }
command -v sipp >/dev/null || { log "need sipp (Debian package sip-tester)"; exit 2; }

# Descriptors: referd needs 4 per call (RTP+RTCP on each leg).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
NOFILE=$(ulimit -n)

# ---- helpers ---------------------------------------------------------------
# CPU time in ns of every thread of the given processes.
# thread_ns PID: "NAME NS" per thread name of PID (CPU time, summed over
# the threads of one name: referd, referd-radius, referd-cdr, ...).
thread_ns() {
	local t
	for t in /proc/"$1"/task/*; do
		printf '%s %s\n' "$(cat "$t/comm" 2>/dev/null)" \
		    "$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)"
	done | awk 'NF == 2 { ns[$1] += $2 } END { for (n in ns) print n, ns[n] }'
}

# cpu_split BEFORE AFTER CALLS [NAME PID-BEFORE PID-AFTER]...: CPU ms per
# call of each thread name between two thread_ns snapshots.
cpu_split() {
	awk -v c="$3" 'FNR == 1 { f++ } f == 1 { a[$1] = $2; next }
	    { if (c > 0) printf "%s %.3f ", $1, ($2 - a[$1]) / 1e6 / c }' "$1" "$2"
}

cpu_ns() {
	local p t=0 v
	for p in "$@"; do
		for v in $(cat /proc/"$p"/task/*/schedstat 2>/dev/null | awk '{print $1}'); do
			t=$((t + v))
		done
	done
	echo "$t"
}
rss() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo NA; }
rcvbuf_errs() { awk '/^Udp:/{n++; if (n == 2) print $6}' /proc/net/snmp; }
# col CSV NAME: NAME's column in the last line of a SIPp statistics file.
col() {
	awk -F';' -v n="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == n) c = i}
	    END {if (c && NR > 1) print $c; else print "NA"}' "$1" 2>/dev/null || echo NA
}
bound() { ss -Huln "src $1:$2" 2>/dev/null | grep -q .; }
wait_bound() {
	local i
	for i in $(seq 100); do bound "$1" "$2" && return 0; sleep 0.1; done
	return 1
}
# gen_rate CSV CALLS: the call creation rate while generating: calls created
# over elapsed time at the last 1 s sample before all CALLS were created
# (SIPp's CallRate(C) divides by the whole run, hold time and tail
# included); CallRate(C) when there is no such sample.
gen_rate() {
	awk -F';' -v n="$2" 'NR == 1 {for (i = 1; i <= NF; i++) h[$i] = i; next}
	    {split($1, s, "\t"); split($3, t, "\t"); c = $h["TotalCallCreated"]
	     if (c > 0 && c < n && t[3] > s[3]) r = c / (t[3] - s[3]); last = $h["CallRate(C)"]}
	    END {print (r != "" ? r : (last != "" ? last : "NA"))}' "$1" 2>/dev/null || echo NA
}
# elapsed CSV: seconds from the start to the last sample (the uac's whole run).
elapsed() {
	awk -F';' 'NR > 1 {split($1, s, "\t"); split($3, t, "\t"); e = t[3] - s[3]}
	    END {printf "%.2f", e + 0}' "$1" 2>/dev/null || echo 0
}
pct() { awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN{printf "%.0f", (b - a) / 1e9 / s * 100}'; }
# percentile FILE P: the P-th percentile (nearest rank) of the numbers in FILE.
percentile() {
	sort -n "$1" | awk -v p="$2" '{v[NR] = $1} END {if (NR == 0) {print "NA"; exit}
	    r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; print v[r]}'
}

# start_referd DIR: a fresh referd for one step; REFERD_PID.
start_referd() {
	local d=$1 acct=${2:-}
	mkdir -p "$d/persist" && chmod 700 "$d/persist"
	# basic-acct: CDR files in the step's directory, RADIUS to FreeRADIUS
	[ -n "$acct" ] && cat >"$d/referd-acct.conf" <<-EOF
	cdrDirectory $d/cdr
	radiusServer $RAD
	radiusPort $RADPORT
	radiusSecret $RADSECRET
	radiusSpoolDirectory $d/spool
	EOF
	cat >"$d/referd.conf" <<-EOF
	rtpPortRange 10000 59999
	maxCalls 0
	profile 1 bench
	refer 1 support enabled
	signaling 1 $RD port 5060 transport udp profile 1
	gateway 1 a-side $A port 0
	gateway 2 b-side $B port 5060
	gateway 3 c-side $C port 5060
	route 1 default 2
	EOF
	[ -n "$acct" ] && cat "$d/referd-acct.conf" >>"$d/referd.conf"
	bound "$RD" 5060 && { log "$RD:5060 is in use"; return 1; }
	SNMP_PERSISTENT_DIR=$d/persist SNMPCONFPATH=$d/persist \
	    "$REFERD" -f -M "udp:$RD:1161" -c "$d/referd.conf" -Lf "$d/referd.log" \
	    </dev/null >"$d/referd.out" 2>&1 &
	REFERD_PID=$!; track "$REFERD_PID"
	wait_bound "$RD" 5060 || { log "referd did not start (see $d/referd.log)"; return 1; }
	sleep 0.3
}
stop_referd() { stop "$REFERD_PID"; untrack "$REFERD_PID"; }

# sipp_bg NAME DIR ARGS...: SIPp in DIR (its own working directory, so that
# -trace_rtt files land there); SPID.
sipp_bg() {
	local n=$1 d=$2
	shift 2
	(cd "$d" && exec sipp "$@" -nostdin -bind_local -p 5060 -buff_size "$SIPBUF" \
	    -trace_stat -stf "$d/$n.csv" -fd 1 </dev/null >"$d/$n.out" 2>&1) &
	SPID=$!; track "$SPID"
}

printf 'kind\ttarget\tseconds\tachieved\tsuccessful\tfailed\tretrans\tpeer_failed\treferd_cpu%%\tuac_cpu%%\tuas_cpu%%\trcvbuf_errs\tpass\tdir\n' >"$STEPS"

# ---- 1 and 2: call steps ------------------------------------------------------
# step KIND RATE SECONDS [rtt]: KIND basic (A -> referd -> B), direct (SIPp
# uac -> SIPp uas) or xfer (A -> referd -> B, B REFERs to C).  Returns 0
# when it passes.  Sets ACHIEVED and STEPDIR.
N=0
step() {
	local kind=$1 rate=$2 secs=$3 rtt=${4:-} calls d uac uas peer_failed=0 rp=""
	local extra=() e0 e1 t0 t1 c0 c1 u0 u1 s0 s1 half rc
	N=$((N + 1)); calls=$((rate * secs))
	d=$OUT/$(printf '%02d' "$N")-$kind-$rate; mkdir -p "$d"; STEPDIR=$d
	[ -n "$rtt" ] && extra=(-trace_rtt -rtt_freq 1)
	e0=$(rcvbuf_errs)
	case $kind in
	direct)
		sipp_bg uas "$d" -sn uas -i "$DUAS"; uas=$SPID
		wait_bound "$DUAS" 5060 || { log "uas did not start"; return 1; }
		sipp_bg uac "$d" "$DUAS:5060" -sn uac -i "$DUAC" -r "$rate" -m "$calls" \
		    -recv_timeout 10s -timeout "$((secs + 40))s" -timeout_error "${extra[@]}"
		uac=$SPID ;;
	basic|basic-acct)
		start_referd "$d" $([ "$kind" = basic-acct ] && echo acct) ||
		    return 1
		rp=$REFERD_PID
		sipp_bg uas "$d" -sn uas -i "$B"; uas=$SPID
		wait_bound "$B" 5060 || { log "uas did not start"; return 1; }
		sipp_bg uac "$d" "$RD:5060" -sn uac -s 5551000 -i "$A" -r "$rate" -m "$calls" \
		    -recv_timeout 10s -timeout "$((secs + 40))s" -timeout_error "${extra[@]}"
		uac=$SPID ;;
	xfer)
		start_referd "$d" || return 1; rp=$REFERD_PID
		sipp_bg c "$d" -sn uas -i "$C" -m "$calls"; local cp=$SPID
		sipp_bg uas "$d" -sf "$SC/uas-refer-rtd.xml" -set target "sip:carol@$C:5060" \
		    -i "$B" -m "$calls" -trace_rtt -rtt_freq 1; uas=$SPID
		wait_bound "$B" 5060 && wait_bound "$C" 5060 || { log "B or C did not start"; return 1; }
		sipp_bg uac "$d" "$RD:5060" -sn uac -s 5551000 -i "$A" -r "$rate" -m "$calls" \
		    -d 2000 -recv_timeout 10s -timeout "$((secs + 40))s" -timeout_error
		uac=$SPID ;;
	esac
	# CPU over the middle half of the generation time
	half=$(awk -v s="$secs" 'BEGIN{print s / 2}')
	sleep "$(awk -v s="$secs" 'BEGIN{print s / 4}')"
	t0=$(date +%s.%N); c0=$(cpu_ns $rp); u0=$(cpu_ns "$uac"); s0=$(cpu_ns "$uas")
	[ -n "$rp" ] && { thread_ns "$rp"; [ -n "${RADIUS_PID:-}" ] &&
	    echo "freeradius $(cpu_ns "$RADIUS_PID")"; } >"$d/threads.0"
	sleep "$half"
	t1=$(date +%s.%N); c1=$(cpu_ns $rp); u1=$(cpu_ns "$uac"); s1=$(cpu_ns "$uas")
	[ -n "$rp" ] && { thread_ns "$rp"; [ -n "${RADIUS_PID:-}" ] &&
	    echo "freeradius $(cpu_ns "$RADIUS_PID")"; } >"$d/threads.1"
	local el; el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')
	# CPU ms per call of each thread (and of FreeRADIUS), calls = rate x el
	[ -n "$rp" ] && echo "cpu_ms_per_call $(cpu_split "$d/threads.0" "$d/threads.1" \
	    "$(awk -v r="$rate" -v e="$el" 'BEGIN{print r * e}')")" >"$d/cpu-split.txt"
	wait_exit "$uac" $((secs + 60)); rc=$RC
	case $kind in
	xfer)
		wait_exit "$uas" 30; wait_exit "$cp" 30
		peer_failed=$(( $(col "$d/uas.csv" 'FailedCall(C)' | sed 's/NA/1/') + \
		    $(col "$d/c.csv" 'FailedCall(C)' | sed 's/NA/1/') )) ;;
	*)
		kill -USR1 "$uas" 2>/dev/null; wait_exit "$uas" 15
		peer_failed=$(col "$d/uas.csv" 'FailedCall(C)' | sed 's/NA/0/') ;;
	esac
	[ -n "$rp" ] && { echo "rss_kib_at_end $(rss "$rp")" >"$d/referd.rss"; stop_referd; }
	if [ "$kind" = basic-acct ]; then
		# what billing made of the step: records, and every call's
		# Start and Stop at the server (none spooled, none lost)
		echo "cdr_records $(cat "$d"/cdr/*.csv* 2>/dev/null | grep -vc '^session_id,')" \
		    "radius_stops $(grep -c 'Acct-Status-Type = Stop' "$OUT/radius/detail" 2>/dev/null)" \
		    "spooled $(ls "$d/spool" 2>/dev/null | wc -l)" >"$d/accounting.txt"
		: >"$OUT/radius/detail"
	fi
	e1=$(rcvbuf_errs)
	local ach ok fail retr pass=no hold=0 tail
	[ "$kind" = xfer ] && hold=2
	# the tail: how long the last calls took after generation (+ hold) ended
	tail=$(awk -v e="$(elapsed "$d/uac.csv")" -v s="$secs" -v h="$hold" 'BEGIN{printf "%.2f", e - s - h}')
	ach=$(gen_rate "$d/uac.csv" "$calls"); ok=$(col "$d/uac.csv" 'SuccessfulCall(C)')
	fail=$(col "$d/uac.csv" 'FailedCall(C)'); retr=$(col "$d/uac.csv" 'Retransmissions(C)')
	if [ "$fail" = 0 ] && [ "$peer_failed" = 0 ] && [ "$ok" = "$calls" ] &&
	    awk -v a="$ach" -v r="$rate" -v t="$tail" 'BEGIN{exit !(a + 0 >= 0.95 * r && t <= 1.0)}'; then pass=yes; fi
	ACHIEVED=$ach
	printf '%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$rate" "$secs" \
	    "$ach" "$ok" "$fail" "$retr" "$peer_failed" \
	    "$([ -n "$rp" ] && pct "$c0" "$c1" "$el" || echo -)" "$(pct "$u0" "$u1" "$el")" \
	    "$(pct "$s0" "$s1" "$el")" "$((e1 - e0))" "$pass tail ${tail}s" "$(basename "$d")" >>"$STEPS"
	log "$kind $rate/s x ${secs}s: achieved $ach, ok $ok, failed $fail, peers failed $peer_failed, retrans $retr, tail ${tail}s, rcvbuf errs $((e1 - e0)) -> $pass"
	[ "$pass" = yes ]
}

# search KIND LADDER: sets BEST (confirmed rate, 0 if none) and BESTDIR.
search() {
	local kind=$1 ladder=$2 r best=0 fail_at=0 misses=0 tries cand
	for r in $ladder; do
		if step "$kind" "$r" "$STEP"; then best=$r; misses=0; else
			[ "$fail_at" = 0 ] && fail_at=$r
			misses=$((misses + 1)); [ "$misses" -ge 2 ] && break
		fi
	done
	if [ "$best" -gt 0 ] && [ "$fail_at" -gt "$best" ]; then
		cand=$(( (best + fail_at) / 2 / 50 * 50 ))
		[ "$cand" -gt "$best" ] && step "$kind" "$cand" "$STEP" && best=$cand
	fi
	BEST=0; BESTDIR=""; SHORTBEST=$best
	[ "$best" -gt 0 ] || return 0
	cand=$best
	for tries in $(seq "$TRIES"); do
		if step "$kind" "$cand" "$CONFIRM"; then BEST=$cand; BESTDIR=$STEPDIR; return 0; fi
		cand=$((cand * 8 / 10 / 50 * 50)); [ "$cand" -gt 0 ] || break
	done
}

log "results in $OUT; QUICK=$QUICK; open files limit $NOFILE"

# FreeRADIUS for the basic-acct row, on loopback with its own configuration
# (that of the tests, tests/lib/radius.sh), writing a detail file.
radius_start() {
	command -v freeradius >/dev/null || { log "need freeradius"; return 1; }
	REFERD_SRCDIR=$TOP radius_conf "$OUT/radius" "$RAD" "$RADPORT" "$RADSECRET"
	freeradius -f -d "$OUT/radius" -n radiusd -l "$OUT/radius/radius.log" \
	    </dev/null >/dev/null 2>&1 &
	RADIUS_PID=$!; track "$RADIUS_PID"
	for i in $(seq 100); do
		grep -q 'Ready to process requests' "$OUT/radius/radius.log" \
		    2>/dev/null && return 0
		sleep 0.1
	done
	log "FreeRADIUS did not start (see $OUT/radius/radius.log)"; return 1
}
. "$TOP/tests/lib/radius.sh"

if [ "$ONLY" = acct ]; then
	log "=== basic calls through referd: accounting off"
	search basic "$BASIC_LADDER"; BASIC=$BEST; BASIC_SHORT=$SHORTBEST
	log "=== basic calls through referd: CDR files and RADIUS accounting on"
	radius_start || exit 2
	search basic-acct "$BASIC_LADDER"; BASIC_ACCT=$BEST; ACCT_SHORT=$SHORTBEST
	stop "$RADIUS_PID"; untrack "$RADIUS_PID"; RADIUS_PID=
	{
		echo "# referd benchmarks: the cost of billing"
		echo
		echo "- date: $(date -u +%FT%TZ); mode: $([ "$QUICK" = 1 ] && echo "QUICK=1 (short steps)" || echo full); ONLY=acct"
		echo "- machine: $(nproc) cores, Linux $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "- FreeRADIUS on the same cores (detail file); steps ${STEP} s, confirmation ${CONFIRM} s"
		echo
		echo "| measurement | referd | baseline (same run) | ratio | target |"
		echo "|---|---:|---:|---:|---|"
		echo "| basic calls/s with CDR files and RADIUS accounting on, sustained ${CONFIRM} s, 0 failed (best ${STEP} s step: $ACCT_SHORT) | $BASIC_ACCT | $BASIC (accounting off; best ${STEP} s step $BASIC_SHORT) | $(awk -v a="$BASIC_ACCT" -v b="$BASIC" 'BEGIN{if (b > 0) printf "%.2f", a / b; else print "n/a"}') | >= 0.90 |"
		echo
		echo "| kind | target | s | achieved | ok | failed | retrans | peers failed | referd CPU% | uac CPU% | uas CPU% | rcvbuf errs | pass |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
		awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13}' "$STEPS"
		echo
		for f in "$OUT"/*-basic-acct-*/accounting.txt; do
			[ -f "$f" ] && echo "- $(basename "$(dirname "$f")"): $(cat "$f")"
		done
		echo
		echo "CPU per call over the middle half of each step (ms; a thread's name, FreeRADIUS as a whole):"
		echo
		for f in "$OUT"/*-basic*/cpu-split.txt; do
			[ -f "$f" ] && echo "- $(basename "$(dirname "$f")"): $(cat "$f")"
		done
		echo
		echo "Raw results: $OUT"
	} | tee "$OUT/report.md"
	exit 0
fi

log "=== 1. basic calls: SIPp-direct"
search direct "$DIRECT_LADDER"; DIRECT=$BEST; DIRECT_SHORT=$SHORTBEST
log "=== 1. basic calls: through referd"
search basic "$BASIC_LADDER"; BASIC=$BEST; BASIC_SHORT=$SHORTBEST
log "=== 1. basic calls: through referd, CDR files and RADIUS accounting on"
BASIC_ACCT=NA; ACCT_SHORT=NA
if radius_start; then
	search basic-acct "$BASIC_LADDER"; BASIC_ACCT=$BEST; ACCT_SHORT=$SHORTBEST
	stop "$RADIUS_PID"; untrack "$RADIUS_PID"; RADIUS_PID=
fi
log "=== 2. blind transfers through referd"
search xfer "$XFER_LADDER"; XFER=$BEST; XFER_SHORT=$SHORTBEST

# ---- 3. REFER-to-final-NOTIFY latency at half the transfer rate ----------------
# (half the best short step when no rate held for the whole confirmation)
LAT_RATE=$(( (XFER > 0 ? XFER : XFER_SHORT) / 2 )); [ "$LAT_RATE" -gt 0 ] || LAT_RATE=50
log "=== 3. latency at $LAT_RATE transfers/s"
LP50=NA; LP99=NA; LN=0; LPASS=no
step xfer "$LAT_RATE" "$LAT_DUR" && LPASS=yes
cat "$STEPDIR"/uas-refer-rtd_*_rtt.csv 2>/dev/null | awk -F';' '$3 == "refer" {print $2}' >"$STEPDIR/refer-notify-ms.txt"
LN=$(wc -l <"$STEPDIR/refer-notify-ms.txt")
LP50=$(percentile "$STEPDIR/refer-notify-ms.txt" 50); LP99=$(percentile "$STEPDIR/refer-notify-ms.txt" 99)
# the baseline: SIPp-direct INVITE-to-200 response time at the same rate
log "=== 3. baseline: SIPp-direct INVITE-to-200 at $LAT_RATE calls/s"
step direct "$LAT_RATE" "$LAT_DUR" rtt
cat "$STEPDIR"/*_rtt.csv 2>/dev/null | awk -F';' 'NR > 0 && $2 ~ /^[0-9.]+$/ {print $2}' >"$STEPDIR/invite-200-ms.txt"
DP50=$(percentile "$STEPDIR/invite-200-ms.txt" 50); DP99=$(percentile "$STEPDIR/invite-200-ms.txt" 99)

# ---- 4. memory per held call ---------------------------------------------------
MAXCALLS=$(( (NOFILE - 200) / 4 / 100 * 100 ))
MEMROWS=""
for want in $MEM_CALLS; do
	n=$want; note=""
	if [ "$n" -gt "$MAXCALLS" ]; then
		n=$MAXCALLS; note=" (asked $want: open files limit $NOFILE allows $MAXCALLS)"
	fi
	N=$((N + 1)); d=$OUT/$(printf '%02d' "$N")-hold-$n; mkdir -p "$d"
	rate=$(( n < 1000 ? n : 1000 )); ramp=$(( (n + rate - 1) / rate ))
	hold=$(( (ramp + MEM_SETTLE + 4) * 1000 ))
	log "=== 4. memory: $n calls at $rate/s held ${hold} ms$note"
	start_referd "$d" || continue
	sleep 1; r0=$(rss "$REFERD_PID")
	sipp_bg uas "$d" -sn uas -i "$B"; uas=$SPID; wait_bound "$B" 5060
	sipp_bg uac "$d" "$RD:5060" -sn uac -s 5551000 -i "$A" -r "$rate" -m "$n" -d "$hold" \
	    -recv_timeout $((hold / 1000 + 30))s -timeout $((ramp + hold / 1000 + 60))s -timeout_error
	uac=$SPID; sleep 0.5; ua0=$(rss "$uac"); us0=$(rss "$uas")
	sleep $((ramp + 2))
	r1=$(rss "$REFERD_PID"); cur1=$(col "$d/uac.csv" CurrentCall)
	sleep "$MEM_SETTLE"
	r2=$(rss "$REFERD_PID"); cur2=$(col "$d/uac.csv" CurrentCall)
	ua2=$(rss "$uac"); us2=$(rss "$uas")
	fds=$(ls /proc/"$REFERD_PID"/fd | wc -l)
	wait_exit "$uac" $((hold / 1000 + 60))
	kill -USR1 "$uas" 2>/dev/null; wait_exit "$uas" 15
	sleep 3; r3=$(rss "$REFERD_PID")
	sleep "$MEM_AFTER"; r4=$(rss "$REFERD_PID")
	stop_referd
	ok=$(col "$d/uac.csv" 'SuccessfulCall(C)'); fail=$(col "$d/uac.csv" 'FailedCall(C)')
	kib() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN{if (n > 0) printf "%.1f", (b - a) / n; else print "NA"}'; }
	echo "calls=$n referd_rss_kib before=$r0 all_up=$r1 (current $cur1) plateau=$r2 (current $cur2) fds=$fds after3s=$r3 after$((MEM_AFTER + 3))s=$r4; sipp uac $ua0->$ua2 uas $us0->$us2; ok=$ok failed=$fail" | tee "$d/memory.txt" >>"$LOG"
	MEMROWS="$MEMROWS$n|$r0|$r1|$r2|$r3|$r4|$(kib "$r0" "$r1" "$n")|$(kib "$r0" "$r2" "$n")|$(kib "$ua0" "$ua2" "$n")|$(kib "$us0" "$us2" "$n")|$ok|$fail|$note
"
done

# ---- 5. RTP relay ----------------------------------------------------------------
# rtp_step CALLS [direct]: CALLS calls, 2 streams each (A->B and B->A) at
# 50 packets/s; rtpblast sends RTP_DUR seconds.  "direct": no referd, the
# ends send to each other (the generator's own ceiling).  RTPLINE.
rtp_step() {
	local n=$1 mode=${2:-relay} d i rate hold r0 r1 t0 t1 pass=no
	N=$((N + 1)); d=$OUT/$(printf '%02d' "$N")-rtp-$mode-$n; mkdir -p "$d"
	if [ "$mode" = direct ]; then
		for i in $(seq 0 $((n - 1))); do echo "$((30000 + 2 * i)) $((30000 + 2 * i))"; done >"$d/a.pairs"
		cp "$d/a.pairs" "$d/b.pairs"
		"$RTPBLAST" -A "$DUAC" -a "$d/a.pairs" -B "$DUAS" -b "$d/b.pairs" -R "$DUAS" -S "$DUAC" \
		    -d "$RTP_DUR" >"$d/rtpblast.out" 2>&1 &
		local bp=$!; track "$bp"; wait_exit "$bp" $((RTP_DUR + 30))
		RTPLINE="$(cat "$d/rtpblast.out") referd_cpu=-"
	else
		{ echo SEQUENTIAL; for i in $(seq 0 $((n - 1))); do echo "$((30000 + 2 * i))"; done; } >"$d/ports.inf"
		start_referd "$d" || return 1
		rate=$(( n < 500 ? n : 500 )); hold=$(( (n / rate + RTP_DUR + 8) * 1000 ))
		sipp_bg b "$d" -sf "$SC/uas-media.xml" -inf "$d/ports.inf" -i "$B" -mp 40000 -m "$n" \
		    -trace_logs -log_file "$d/b.log"; local bs=$SPID
		wait_bound "$B" 5060
		sipp_bg a "$d" "$RD:5060" -sf "$SC/uac-media.xml" -inf "$d/ports.inf" -s 5551000 -i "$A" \
		    -mp 40000 -m "$n" -r "$rate" -d "$hold" -trace_logs -log_file "$d/a.log" \
		    -timeout $((hold / 1000 + 60))s -timeout_error; local as=$SPID
		for i in $(seq $((n / rate * 10 + 100))); do
			na=$(grep -c '^A ' "$d/a.log" 2>/dev/null); nb=$(grep -c '^B ' "$d/b.log" 2>/dev/null)
			[ "${na:-0}" -ge "$n" ] && [ "${nb:-0}" -ge "$n" ] && break
			sleep 0.1
		done
		awk '$1 == "A" {print $2, $3}' "$d/a.log" >"$d/a.pairs"
		awk '$1 == "B" {print $2, $3}' "$d/b.log" >"$d/b.pairs"
		t0=$(date +%s.%N); r0=$(cpu_ns "$REFERD_PID")
		"$RTPBLAST" -A "$A" -a "$d/a.pairs" -B "$B" -b "$d/b.pairs" -R "$RD" \
		    -d "$RTP_DUR" >"$d/rtpblast.out" 2>&1 &
		local bp=$!; track "$bp"; wait_exit "$bp" $((RTP_DUR + 30))
		t1=$(date +%s.%N); r1=$(cpu_ns "$REFERD_PID")
		RTPLINE="$(cat "$d/rtpblast.out") calls_set_up=$(wc -l <"$d/a.pairs")/$(wc -l <"$d/b.pairs") referd_cpu=$(pct "$r0" "$r1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')")"
		wait_exit "$as" $((hold / 1000 + 60)); wait_exit "$bs" 20
		stop_referd
	fi
	echo "$RTPLINE" >"$d/result.txt"
	local loss sent exp
	loss=$(echo "$RTPLINE" | sed -n 's/.*loss_pct=\([0-9.]*\).*/\1/p')
	sent=$(echo "$RTPLINE" | sed -n 's/.*pps_sent=\([0-9]*\).*/\1/p')
	exp=$((n * 100))
	if [ -n "$loss" ] && awk -v l="$loss" -v s="$sent" -v e="$exp" 'BEGIN{exit !(l < 0.1 && s >= 0.98 * e)}'; then pass=yes; fi
	printf 'rtp-%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\t%s\t%s\n' "$mode" "$((n * 2)) streams" "$RTP_DUR" \
	    "$(echo "$RTPLINE" | sed -n 's/.*pps_received=\([0-9]*\).*/\1/p')" "$pass" "$(basename "$d")" >>"$STEPS"
	log "rtp $mode $n calls ($((n * 2)) streams): $RTPLINE -> $pass"
	[ "$pass" = yes ]
}
log "=== 5. RTP relay"
RTP_BEST=0; RTP_BEST_LINE=""; RTP_FAIL=0
for n in $RTP_LADDER; do
	if rtp_step "$n"; then RTP_BEST=$n; RTP_BEST_LINE=$RTPLINE; else RTP_FAIL=$n; break; fi
done
RTP_PPS=$(echo "$RTP_BEST_LINE" | sed -n 's/.*pps_received=\([0-9]*\).*/\1/p'); RTP_PPS=${RTP_PPS:-0}
RTP_CPU=$(echo "$RTP_BEST_LINE" | sed -n 's/.*referd_cpu=\([0-9]*\).*/\1/p')
# baseline: the generator alone at the same stream count (and at the failing one)
DRTP_PPS=0; DRTP_FAIL_LINE=""
if [ "$RTP_BEST" -gt 0 ]; then
	rtp_step "$RTP_BEST" direct
	DRTP_PPS=$(echo "$RTPLINE" | sed -n 's/.*pps_received=\([0-9]*\).*/\1/p')
fi
if [ "$RTP_FAIL" -gt 0 ]; then rtp_step "$RTP_FAIL" direct; DRTP_FAIL_LINE=$RTPLINE; fi

# ---- the table ----------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b + 0 > 0 && a != "NA") printf "%.2f", a / b; else print "n/a"}'; }
{
	echo "# referd benchmarks"
	echo
	echo "- date: $(date -u +%FT%TZ); mode: $([ "$QUICK" = 1 ] && echo "QUICK=1 (short steps)" || echo full)"
	echo "- machine: $(nproc) cores, $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo), Linux $(uname -r); load average at start of table: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- referd $("$REFERD" -V 2>&1 | head -n 1) ($BUILD), $(sipp -v 2>&1 | grep -o 'SIPp v[^ ]*' | head -n 1), loopback, open files limit $NOFILE"
	echo "- pass = 0 failed calls at every SIPp peer, calls created at >= 95 % of the target rate, and the last call done within 1 s after generation (+ hold) ended (no backlog); steps ${STEP} s, confirmation ${CONFIRM} s"
	echo
	echo "| measurement | referd | SIPp-direct baseline (same run) | ratio | target |"
	echo "|---|---:|---:|---:|---|"
	echo "| basic calls/s, sustained ${CONFIRM} s, 0 failed (best ${STEP} s step: $BASIC_SHORT) | $BASIC | $DIRECT | $(ratio "$BASIC" "$DIRECT") | >= 0.50 |"
	echo "| basic calls/s with CDR files and RADIUS accounting on (FreeRADIUS on the same cores), sustained ${CONFIRM} s, 0 failed (best ${STEP} s step: $ACCT_SHORT) | $BASIC_ACCT | $BASIC (accounting off, same run) | $(ratio "$BASIC_ACCT" "$BASIC") | >= 0.90 |"
	echo "| blind transfers/s (A->referd->B, B REFERs to C), sustained ${CONFIRM} s, 0 failed (best ${STEP} s step: $XFER_SHORT) | $XFER | $DIRECT (basic calls/s; best ${STEP} s step $DIRECT_SHORT) | $(ratio "$XFER" "$DIRECT") | >= 1,000/s |"
	echo "| REFER-to-final-NOTIFY ms at $LAT_RATE transfers/s ($LN samples, pass=$LPASS): p50 / p99 | $LP50 / $LP99 | $DP50 / $DP99 (INVITE-to-200, SIPp-direct at $LAT_RATE calls/s) | - | p99 < 20 ms |"
	printf '%s' "$MEMROWS" | while IFS='|' read -r n r0 r1 r2 r3 r4 k1 k2 ku ks ok fail note; do
		[ -n "$n" ] || continue
		echo "| referd VmRSS per held call, $n calls$note: KiB/call at plateau (all up +${MEM_SETTLE} s) [just after set-up] | $k2 [$k1] | uac $ku / uas $ks (SIPp's own KiB/call, same calls) | $(ratio "$k2" "$ku") (vs uac) | <= 16 KiB |"
		echo "| referd VmRSS KiB, $n calls: before / all up / plateau / 3 s after / $((MEM_AFTER + 3)) s after (ok $ok, failed $fail) | $r0 / $r1 / $r2 / $r3 / $r4 | - | - | back to baseline |"
	done
	echo "| RTP packets relayed/s, < 0.1 % loss, 20 ms packets ($((RTP_BEST * 2)) streams, $RTP_BEST calls; referd CPU ${RTP_CPU:-NA} %) | $RTP_PPS | $DRTP_PPS (rtpblast end to end, no relay, same streams) | $(ratio "$RTP_PPS" "$DRTP_PPS") | >= 100,000 |"
	echo
	[ "$RTP_FAIL" -gt 0 ] && echo "RTP: the first failing step was $RTP_FAIL calls ($((RTP_FAIL * 2)) streams); the generator alone there: $DRTP_FAIL_LINE" && echo
	echo "Steps (CPU % of one core over the middle half of each step; rcvbuf errs = UDP receive-buffer drops on the whole machine):"
	echo
	echo "| kind | target | s | achieved | ok | failed | retrans | peers failed | referd CPU% | uac CPU% | uas CPU% | rcvbuf errs | pass |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13}' "$STEPS"
	echo
	echo "Raw results: $OUT"
} | tee "$OUT/report.md"
log "report: $OUT/report.md"
