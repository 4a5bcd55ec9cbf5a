#!/bin/sh
# sip-shutdown.sh: SIGTERM with a call up (SPEC section 3): referd
# releases the call with BYE towards both sides, exits 0, and a call in
# progress but not yet answered is ended too.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 28 sip-shutdown
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2
h_referd_subagent "$conf"

# B answers and waits for a BYE; A calls and waits for a BYE.
h_sipp b "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1 \
	-trace_msg -message_file "$H_TMP/b.msg"
bpid=$H_PID
h_sipp a "$A" 5060 -sf "$SC/uac-call-wait-bye.xml" -s 5551000 -m 1 \
	-trace_msg -message_file "$H_TMP/a.msg" "$H_ADDR:5060"
apid=$H_PID
h_ok "the call is up" h_wait_for 5 sh -c \
	"[ \"\$(snmpget -v2c -c public -Oqv -t 1 -r 0 $H_AGENT $RO.1.3.0)\" = 1 ]"
sleep 0.5
kill -TERM "$H_REFERD_PID"
h_wait_exit "$H_REFERD_PID" 10
h_is "referd exits 0 on SIGTERM with a call up" "$H_RC" 0
h_wait_exit "$apid" 10
h_is "A got a BYE in its dialog and the call ended cleanly" "$H_RC" 0
h_wait_exit "$bpid" 10
h_is "B got a BYE and the call ended cleanly" "$H_RC" 0
h_grep "A's trace has the BYE" "$H_TMP/a.msg" '^BYE sip:'
h_grep "B's trace has the BYE" "$H_TMP/b.msg" '^BYE sip:'
h_done
