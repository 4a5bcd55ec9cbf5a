#!/bin/sh
# sip-tcp-blackhole.sh: a TCP gateway whose connect never completes (a
# black-holed peer, made on loopback by tests/tools/tcphold) does not
# stall referd: while the connect is pending, an OPTIONS is answered at
# once and a call to another gateway completes; the call towards the
# black hole ends with 408 when inviteTimeout expires.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 48 sip-tcp-blackhole
SC=${REFERD_SRCDIR:-.}/tests/scenarios
TOOLS=$REFERD_BUILDDIR/tests/tools
A=$H_NET.2
B=$H_NET.3
HOLE=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
inviteTimeout 3
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 hole $HOLE port 5060 transport tcp
gateway 3 b-side $B port 5060
route 1 666 2
route 2 555 3
EOF2
h_referd_subagent "$conf"
h_spawn tcphold "$TOOLS/tcphold" "$HOLE" 5060
h_ok "the black hole is ready" h_wait_for 5 grep -q holding "$H_TMP/tcphold.out"

h_sipp a1 "$A" 5060 -sf "$SC/uac-reject.xml" -s 6661000 -set expect_code 408 \
	-m 1 -trace_msg -message_file "$H_TMP/a1.msg" "$H_ADDR:5060"
a1=$H_PID
sleep 0.5
printf "OPTIONS sip:$H_ADDR SIP/2.0\nVia: SIP/2.0/UDP $A:5070;branch=z9hG4bK-bh1\nFrom: <sip:a@$A>;tag=1\nTo: <sip:r@$H_ADDR>\nCall-ID: bh1@x\nCSeq: 1 OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n" |
	sed 's/$/\r/' | "$TOOLS/sipsend" "$A" "$H_ADDR" 5060 300 >"$H_TMP/opt.out"
h_ok "while the connect is pending, an OPTIONS is answered within 0.3 s" \
	grep -q '^SIP/2.0 200 ' "$H_TMP/opt.out"
h_sipp b "$B" 5060 -sn uas -m 1
h_sipp a2 "$A" 5061 -sn uac -s 5551000 -m 1 "$H_ADDR:5060"
a2=$H_PID
h_wait_exit "$a2" 10
h_is "meanwhile a call to another gateway completes" "$H_RC" 0
h_wait_exit "$a1" 15
h_is "the call towards the black hole ends with 408 (inviteTimeout)" "$H_RC" 0
h_grep "... on the wire" "$H_TMP/a1.msg" '^SIP/2.0 408 '
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
