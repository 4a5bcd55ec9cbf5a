#!/bin/sh
# sip-delayed-media.sh: Delayed Answer's early media (SPEC section 5,
# "Delayed Answer": "B's early media is relayed, so an IVR prompt is
# heard"): B has answered referd, A is held in 183 Session Progress with
# referd's SDP, and while A waits the relay already runs both ways: the
# RTP B sends (its IVR prompt) reaches A's media port, and A's reaches
# B's, through referd, with no 200 to A.  A then cancels: 487, and B gets
# a BYE.
# How RTP is seen: see sip-media.sh and h_rtp_setup.  A sends from the
# 183 on; B only from 2 s after its ACK, so A's media port must stay
# empty at first.  A and B never learn each other's address.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 36 sip-delayed-media
SC=$(cd "${REFERD_SRCDIR:-.}/tests/scenarios" && pwd)
A=$H_NET.2
B=$H_NET.3
MP=6000
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
profile 1 a-side
profile 2 ivr
refer 2 support enabled delayedAnswer enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060 profile 2
route 1 555 2
EOF2
h_referd_subagent "$conf"
h_rtp_setup

# answered_invite NAME: peer NAME's trace has a 200 whose CSeq is INVITE.
answered_invite() {
	awk '/^-----/ { r = 0 } /^SIP\/2\.0 200/ { r = 1 }
	    r && /^CSeq:.*INVITE/ { f = 1 } END { exit !f }' "$H_TMP/$1.msg"
}

peer b "$B" -sf "$SC/uas-rtp.xml" -mp $MP -m 1
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a "$A" -sf "$SC/uac-delayed-rtp.xml" -mp $MP -s 5551000 -m 1 \
	"$H_ADDR:5060"
apid=$H_PID
h_ok "A hears 183 Session Progress with SDP" \
	h_wait_for 5 grep -q '^A: 183 with c=IN IP4' "$H_TMP/a.log"
h_not "... and nothing has reached A's media port yet (B is still silent)" \
	rtp_in "$A" $MP
to=$(sed -n 's/^A sends RTP to //p' "$H_TMP/a.log")
pa=${to#* }
h_is "the 183's SDP is referd's address" "${to% *}" "$H_ADDR"
h_ok "... with a port of referd's relay range ($pa)" \
	test "${pa:-0}" -ge "$RTP_LO" -a "${pa:-0}" -le "$RTP_HI"
h_ok "referdCallState is delayedAnswer(3)" h_wait_for 3 sh -c \
	"snmpwalk -v2c -c public -Oqv -t 1 -r 0 $H_AGENT $CALLS.2 | grep -qx 3"
h_ok "while A waits, A's RTP reaches B's media port through referd" \
	h_wait_for 5 rtp_in "$B" $MP
h_ok "while A waits, B's early media (sent after its answer) reaches A" \
	h_wait_for 5 rtp_in "$A" $MP
h_is "referdCallState is still delayedAnswer(3)" \
	"$(snmpwalk -v2c -c public -Oqv -t 1 -r 0 "$H_AGENT" "$CALLS.2")" 3
sipp_ok "A cancels: 200 to the CANCEL, 487 to its INVITE" a "$apid"
h_not "A never got a 200 for its INVITE" answered_invite a
sipp_ok "B, which had answered, gets a BYE" b "$bpid" 10
h_is "referdSgpDelayedAnswerTimeouts stays 0" "$(sget "$STATS.8.2")" 0
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
