#!/bin/sh
# sip-reinvite.sh: a re-INVITE inside an established call is answered by
# referd itself; the media stays anchored on referd (SPEC section 5,
# "Basic call": "re-INVITE (answered locally; media stays anchored)").
# A puts the call on hold (a=sendonly) and resumes it (a=sendrecv);
# referd answers a=recvonly, then a=sendrecv, with c= its own address
# and the same port as in its first answer, and B never sees a
# re-INVITE.
#
# Peers: A (caller, gateway 1) on $H_NET.2:5060, B (callee, gateway 2)
# on $H_NET.3:5060, referd on $H_NET.1:5060.  The SDP checks are in
# tests/scenarios/uac-reinvite.xml; B runs uas-answer.xml, whose call
# fails on any request other than ACK and BYE.
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

peer b "$B" -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" -set max_fwd 69 \
	-set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1
b=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a "$A" -sf "$SC/uac-reinvite.xml" -s 5551000 -set peer_ip "$H_ADDR" \
	-m 1 "$H_ADDR:5060"
sipp_ok "A: hold answered a=recvonly, resume a=sendrecv, both with c=$H_ADDR and referd's first port" \
	a "$H_PID"
sipp_ok "B: the call goes on undisturbed and ends with A's BYE" b "$b" 10
h_grep "referd answers hold with a=recvonly on its own address" \
	"$H_TMP/a.log" "^A hold answered: a=recvonly c=IN IP4 $H_ADDR m=audio [0-9]+"
h_grep "referd answers resume with a=sendrecv on its own address" \
	"$H_TMP/a.log" "^A resume answered: a=sendrecv c=IN IP4 $H_ADDR m=audio [0-9]+"
# Count INVITE transactions by CSeq (retransmissions repeat one CSeq).
h_is "A sent three INVITE transactions" "$(invites a)" 3
h_is "B saw one: the re-INVITEs stay on A's leg" "$(invites b)" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
