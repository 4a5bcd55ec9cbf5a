#!/bin/sh
# sip-failures.sh: calls that do not connect (SPEC section 5, "Trust and
# routing" and "Basic call"): B busy (486 relayed), B never answers
# (inviteTimeout: CANCEL to B, 408 to A), A cancels (200 and 487 to A,
# CANCEL to B), a request from an unknown source (403), a number no
# route matches (404), and referdMaxCalls reached (503 with Retry-After).
#
# Peers: A (caller, gateway 1) on $H_NET.2, B (callee, gateway 2) on
# $H_NET.3, a stranger on $H_NET.9, referd on $H_NET.1:5060.  The only
# route is prefix 555 to B.  The final response A must get is checked by
# tests/scenarios/uac-reject.xml (-set expect_code); a wrong code makes
# A's call fail, so SIPp exits non-zero and its error log says why.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 21 sip-failures
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
STRANGER=$H_NET.9
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
inviteTimeout 4
rtpPortRange $RTP_LO $RTP_HI
profile 1 p
signaling 1 $H_ADDR port 5060 transport udp profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 555 2
EOF2

# peer NAME ADDR PORT ARGS...: a SIPp peer on ADDR:PORT; its <log> lines
# go to $H_TMP/NAME.log, its messages to $H_TMP/NAME.msg.
peer() {
	local name="$1" addr="$2" port="$3"
	shift 3
	h_sipp "$name" "$addr" "$port" -trace_logs -log_file "$H_TMP/$name.log" \
	    -trace_msg -message_file "$H_TMP/$name.msg" "$@"
}

# active_calls N: referdActiveCalls is N.
active_calls() {
	[ "$(sget "$RO.1.3.0")" = "$1" ]
}

# callee NAME SCENARIO ARGS...: B on $B:5060, listening before A starts.
callee() {
	local name="$1" sf="$2"
	shift 2
	peer "$name" "$B" 5060 -sf "$SC/$sf" -m 1 "$@"
	h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
}

# reject NAME ADDR PORT NUMBER CODE: A calls NUMBER from ADDR:PORT and
# expects the final response CODE.
reject() {
	peer "$1" "$2" "$3" -sf "$SC/uac-reject.xml" -s "$4" \
	    -set expect_code "$5" -m 1 "$H_ADDR:5060"
}

# between LO HI N: LO <= N <= HI.
between() {
	[ "$3" -ge "$1" ] && [ "$3" -le "$2" ]
}

# now_ms: the time in milliseconds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

h_referd_subagent "$conf"
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"

# --- B busy -----------------------------------------------------------------------
callee busy-b uas-busy.xml
b=$H_PID
reject busy-a "$A" 5060 5551000 486
sipp_ok "B's 486 Busy Here is relayed to A" busy-a "$H_PID"
sipp_ok "referd ACKs B's 486 on B's leg" busy-b "$b" 10

# --- B never answers: inviteTimeout (4 s) ------------------------------------------
callee noans-b uas-ring-until-cancel.xml
b=$H_PID
t0=$(now_ms)
reject noans-a "$A" 5060 5551000 408
sipp_ok "B rings and never answers: A gets 408" noans-a "$H_PID"
t1=$(now_ms)
sipp_ok "... and referd CANCELs B's INVITE, and ACKs B's 487" noans-b "$b" 10
h_ok "... after inviteTimeout: the 408 comes 4 to 8 s after the INVITE ($((t1 - t0)) ms)" \
	between 4000 8000 $((t1 - t0))

# --- A cancels ----------------------------------------------------------------------
callee cancel-b uas-ring-until-cancel.xml
b=$H_PID
peer cancel-a "$A" 5060 -sf "$SC/uac-cancel.xml" -s 5551000 -m 1 "$H_ADDR:5060"
sipp_ok "A's CANCEL: 200 for the CANCEL, then 487 for the INVITE" cancel-a "$H_PID"
sipp_ok "... and referd CANCELs B's INVITE, and ACKs B's 487" cancel-b "$b" 10
h_ok "referdActiveCalls is back to 0" h_wait_for 5 active_calls 0

# --- requests that must never reach B ------------------------------------------------
# B listens for the next two calls; it must see nothing.
callee quiet-b uas-answer.xml -set peer_ip "$H_ADDR" -set max_fwd 69 \
	-set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI"
b=$H_PID
reject stranger "$STRANGER" 5060 5551000 403
sipp_ok "an INVITE from an address that is no gateway gets 403" stranger "$H_PID"
reject noroute "$A" 5060 9990000 404
sipp_ok "an INVITE to a number no route matches gets 404" noroute "$H_PID"
sleep 0.5
h_stop "$b"
h_not "... and neither INVITE reached B" grep -q '^INVITE ' "$H_TMP/quiet-b.msg"

# --- referdMaxCalls ------------------------------------------------------------------
# One call holds for 8 s; with referdMaxCalls 1 the next INVITE gets 503
# and the call in progress goes on.
callee hold-b uas-answer.xml -set peer_ip "$H_ADDR" -set max_fwd 69 \
	-set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI"
b=$H_PID
peer hold-a "$A" 5060 -sf "$SC/uac-call.xml" -s 5551000 -set peer_ip "$H_ADDR" \
	-set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1 -d 8000 "$H_ADDR:5060"
a=$H_PID
h_ok "one call in progress: referdActiveCalls is 1" h_wait_for 5 active_calls 1
h_set_ok "referdMaxCalls set to 1" "$RO.1.2.0" u 1
reject full "$A" 5062 5551001 503
sipp_ok "a second call while referdMaxCalls (1) calls are up: 503 with Retry-After" \
	full "$H_PID"
h_is "... the call in progress is still up" "$(sget "$RO.1.3.0")" 1
sipp_ok "... and ends normally (A)" hold-a "$a" 20
sipp_ok "... and ends normally (B)" hold-b "$b" 10
h_set_ok "referdMaxCalls back to 0 (no limit)" "$RO.1.2.0" u 0

h_ok "referdActiveCalls is back to 0" h_wait_for 5 active_calls 0
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
