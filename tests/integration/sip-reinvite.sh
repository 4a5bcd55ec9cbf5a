#!/bin/sh
# sip-reinvite.sh: a re-INVITE inside an established call is carried to
# the other party, and its answer comes back (SPEC section 5, "Basic
# call"; RFC 3264): the media stays anchored on referd.  A puts the call
# on hold (a=sendonly) and resumes it (a=sendrecv); B receives each as a
# re-INVITE with referd's address and port, answers a=recvonly, then
# a=sendrecv, and A gets those answers with referd's address and the same
# port as in its first answer.
#
# Peers: A (caller, gateway 1) on $H_NET.2:5060, B (callee, gateway 2)
# on $H_NET.3:5060, referd on $H_NET.1:5060.  The SDP checks are in
# tests/scenarios/uac-reinvite.xml and uas-answer-reinvite.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 22 sip-reinvite
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
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

# invites NAME: the number of distinct INVITE CSeqs in NAME's messages.
invites() {
	sed -n 's/^CSeq: *\([0-9]*\) INVITE.*/\1/p' "$H_TMP/$1.msg" | sort -u |
		wc -l | tr -d ' '
}

h_referd_subagent "$conf"
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"

peer b "$B" -sf "$SC/uas-answer-reinvite.xml" -set peer_ip "$H_ADDR" -set max_fwd 69 \
	-set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1
b=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a "$A" -sf "$SC/uac-reinvite.xml" -s 5551000 -set peer_ip "$H_ADDR" \
	-m 1 "$H_ADDR:5060"
sipp_ok "A: hold answered a=recvonly, resume a=sendrecv, both with c=$H_ADDR and referd's first port" \
	a "$H_PID"
sipp_ok "B: hold and resume reach it as re-INVITEs on referd's address and port, the call ends with A's BYE" b "$b" 10
h_grep "B gets hold as a=sendonly" "$H_TMP/b.log" "^B re-INVITE 1: a=sendonly c=$H_ADDR"
h_grep "B gets resume as a=sendrecv" "$H_TMP/b.log" "^B re-INVITE 2: a=sendrecv c=$H_ADDR"
h_is "referd's two offers to B: one origin, versions one apart" \
    "$(sed -n 's/^B re-INVITE [12]: .* o=referd \([0-9]*\) \([0-9]*\) .*/\1 \2/p' "$H_TMP/b.log" |
    awk 'NR == 1 { s = $1; v = $2 } NR == 2 { print ($1 == s && $2 == v + 1) }')" 1
h_grep "A gets B's answer to hold, a=recvonly, on referd's address" \
	"$H_TMP/a.log" "^A hold answered: a=recvonly c=IN IP4 $H_ADDR m=audio [0-9]+"
h_grep "A gets B's answer to resume, a=sendrecv, on referd's address" \
	"$H_TMP/a.log" "^A resume answered: a=sendrecv c=IN IP4 $H_ADDR m=audio [0-9]+"
# Count INVITE transactions by CSeq (retransmissions repeat one CSeq).
h_is "A sent three INVITE transactions" "$(invites a)" 3
h_is "B saw three: both re-INVITEs were carried to it" "$(invites b)" 3
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
