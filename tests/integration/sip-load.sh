#!/bin/sh
# sip-load.sh: 2,000 calls in a row, 100 a second and at most 10 at
# once, between A and B through referd; afterwards nothing is left
# (SPEC section 5, "Limits": every call, transaction, timer, socket and
# relay port is released when the call ends): referdActiveCalls is 0 and
# referd has no more open file descriptors than before the first call.
#
# Peers: A (caller, gateway 1) on $H_NET.2:5060, B (callee, gateway 2)
# on $H_NET.3:5060, referd on $H_NET.1:5060.  Every call runs the same
# wire checks as sip-basic.sh (uac-call.xml, uas-answer.xml).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 24 sip-load
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
CALLS=2000
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
route 1 default 2
EOF2

# fds: the number of referd's open file descriptors.
fds() {
	ls "/proc/$H_REFERD_PID/fd" | wc -l | tr -d ' '
}

# fds_at_most N: referd has no more than N.
fds_at_most() {
	[ "$(fds)" -le "$1" ]
}

h_referd_subagent "$conf"
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"
before=$(fds)
echo "# referd has $before open file descriptors before the calls"

# SIPp's default -timeout 30s (from h_sipp) is raised: the later option wins.
h_sipp b "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" \
	-m $CALLS -timeout 150s
b=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
h_sipp a "$A" 5060 -sf "$SC/uac-call.xml" -s 5551000 -set peer_ip "$H_ADDR" \
	-set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" \
	-m $CALLS -r 100 -l 10 -timeout 150s "$H_ADDR:5060"
sipp_ok "A: $CALLS calls at 100 a second, at most 10 at once, all succeed" \
	a "$H_PID" 160
h_grep "... $CALLS successful calls in A's statistics" "$H_TMP/a.screen" \
	"Successful call +\\| +[0-9]+ +\\| +$CALLS "
sipp_ok "B: $CALLS calls answered, each INVITE and ACK as in a single call" \
	b "$b" 20
h_ok "referdActiveCalls is back to 0" h_wait_for 10 calls_idle
# Transactions may linger for their timers (Timer J/K: at most 32 s),
# but hold no descriptor; every socket of a call must be closed.
h_wait_for 40 fds_at_most "$before"
h_ok "referd's open file descriptors: $(fds) after the calls, $before before" \
	fds_at_most "$before"
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
