#!/bin/sh
# sip-tcp.sh: SIP over TCP (RFC 3261 section 18): a 1,500-byte INVITE
# received on a TCP signaling endpoint and sent on over TCP, and a large
# INVITE received over UDP that referd sends on over TCP (18.1.1: a
# request larger than 1300 bytes goes over TCP when the peer takes it).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 26 sip-tcp
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 transport tcp profile 1
signaling 2 $H_ADDR port 5060 transport udp profile 1
gateway 1 a-side $A port 0 transport tcp
gateway 2 b-side $B port 5060 transport tcp
route 1 default 2
EOF2
h_referd_subagent "$conf"

# B takes calls over TCP only; its message trace shows the transport.
h_sipp b "$B" 5060 -sn uas -t t1 -trace_msg -message_file "$H_TMP/b.msg"
bpid=$H_PID
h_sipp a "$A" 5060 -sf "$SC/uac-large-invite.xml" -t t1 -s 5551000 -m 1 \
	-trace_msg -message_file "$H_TMP/a.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 30
h_is "a large INVITE over TCP from A completes a call through referd" "$H_RC" 0
size=$(sed -n 's/^TCP message sent (\([0-9]*\) bytes).*/\1/p' "$H_TMP/a.msg" | head -n 1)
h_ok "A's INVITE was over 1500 bytes on TCP ($size)" test "${size:-0}" -gt 1500
h_grep "B received the INVITE over TCP" "$H_TMP/b.msg" '^TCP message received'
h_grep "B's INVITE has a TCP Via from referd" "$H_TMP/b.msg" \
	"^Via: SIP/2.0/TCP $H_ADDR:5060;"

# The same large INVITE from A over UDP: referd sends it on over TCP.
h_sipp a2 "$A" 5062 -sf "$SC/uac-large-invite.xml" -t u1 -s 5551000 -m 1 \
	-trace_msg -message_file "$H_TMP/a2.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 30
h_is "a large INVITE over UDP completes a call to a TCP-only B" "$H_RC" 0
h_grep "A sent it over UDP" "$H_TMP/a2.msg" '^UDP message sent \(1[5-9][0-9][0-9] bytes\)'
n=$(grep -c '^TCP message received' "$H_TMP/b.msg")
h_ok "B received both INVITEs over TCP ($n TCP messages)" test "$n" -ge 4
sleep 0.5
h_is "no call is left" "$(sget "$RO.1.3.0")" 0
h_done
