#!/bin/sh
# sip-loss.sh: 5% of the SIP messages lost on the way (SIPp -lost 5 at A,
# which loses 5% of what it sends and of what it receives): every call
# still completes, through retransmissions on the caller's leg (INVITE and
# its absorbed retransmissions, 2xx until ACK, BYE), and nothing is left in
# referd afterwards.  B runs without loss: SIPp's built-in uas aborts a call
# when an INVITE retransmission (its 180 and 200 lost) arrives after its
# 200 ("unexpected message while expecting ACK"), a limit of the peer, not
# of referd.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 46 sip-loss
A=$H_NET.2
B=$H_NET.3
CALLS=300
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 999))
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2
h_referd_subagent "$conf"

h_sipp b "$B" 5060 -sn uas -timeout 120s
h_sipp a "$A" 5060 -sn uac -s 5551000 -r 30 -l 60 -m "$CALLS" -lost 5 \
	-timeout 120s -trace_stat -stf "$H_TMP/a.csv" -fd 1 "$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$apid" 110
h_is "SIPp A ends with every call successful" "$H_RC" 0
stats=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++){if($i=="SuccessfulCall(C)")s=i;if($i=="FailedCall(C)")f=i;if($i=="Retransmissions(C)")r=i}} END{print $s" "$f" "$r}' "$H_TMP/a.csv")
h_is "all $CALLS calls completed, none failed" "${stats% *}" "$CALLS 0"
h_ok "loss really happened: A retransmitted (${stats##* } times)" \
	test "${stats##* }" -gt 0
h_ok "no call is left in referd" h_wait_for 40 sh -c \
	"[ \"\$(snmpget -v2c -c public -Oqv -t 1 -r 0 $H_AGENT $RO.1.3.0)\" = 0 ]"
h_done
