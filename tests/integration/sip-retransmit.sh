#!/bin/sh
# sip-retransmit.sh: retransmissions that reach a transaction after its
# final response (RFC 3261 17.1.1.2, 17.2.2).  referd keeps only what a
# retransmission gets back once a transaction merely waits out Timer J or
# Timer D (sip/stack.c, "settled"), so these are what that must keep:
#   - a non-INVITE request sent again, byte for byte from the same port,
#     gets the same final response again, byte for byte (the same To tag:
#     it is not answered as a new request);
#   - a 486 that B sends again after referd's ACK gets the ACK again, with
#     the INVITE's Via branch.
# Peers: A (gateway 1) on $H_NET.2, B (gateway 2) on $H_NET.3.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 50 sip-retransmit
SC=${REFERD_SRCDIR:-.}/tests/scenarios
SIPSEND=${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 transport udp profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 555 2
EOF2
h_referd_subagent "$conf"
h_wait_for 5 listening "$H_ADDR" 5060 ||
	h_bail "referd does not listen on $H_ADDR:5060"

# twice FILE: send the message in $H_TMP/m (lines ended with CRLF) from A
# twice, 0.5 s apart, from one port; the responses, separated by "--"
# lines, in FILE.
twice() {
	sed 's/$/\r/' "$H_TMP/m" | "$SIPSEND" "$A" "$H_ADDR" 5060 500 2 >"$1"
}
# nth FILE N: the Nth response in FILE.
nth() {
	awk -v n="$2" '/^--$/ {i++; next} i == n - 1' "$1"
}
V="Via: SIP/2.0/UDP $A:5060;branch=z9hG4bK"

# --- a non-INVITE server transaction: 200 and 405 ---------------------------------
printf "OPTIONS sip:$H_ADDR SIP/2.0\n$V-r1\nFrom: <sip:a@$A>;tag=1\nTo: <sip:b@$H_ADDR>\nCall-ID: r1@x\nCSeq: 1 OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"
twice "$H_TMP/options.out"
h_is "an OPTIONS sent twice gets two responses" "$(grep -c '^--$' "$H_TMP/options.out")" 2
nth "$H_TMP/options.out" 1 >"$H_TMP/o1"
nth "$H_TMP/options.out" 2 >"$H_TMP/o2"
h_like "... the first is 200" "$(head -n 1 "$H_TMP/o1")" '^SIP/2\.0 200 '
h_like "... with a To tag" "$(grep '^To:' "$H_TMP/o1")" ';tag=[^;]+'
h_ok "... and the retransmission gets the same 200, byte for byte" cmp -s "$H_TMP/o1" "$H_TMP/o2"

printf "FOOBAR sip:$H_ADDR SIP/2.0\n$V-r2\nFrom: <sip:a@$A>;tag=1\nTo: <sip:b@$H_ADDR>\nCall-ID: r2@x\nCSeq: 1 FOOBAR\nMax-Forwards: 70\nContent-Length: 0\n\n" >"$H_TMP/m"
twice "$H_TMP/foobar.out"
nth "$H_TMP/foobar.out" 1 >"$H_TMP/f1"
nth "$H_TMP/foobar.out" 2 >"$H_TMP/f2"
h_like "an unknown method gets 405" "$(head -n 1 "$H_TMP/f1")" '^SIP/2\.0 405 '
h_ok "... and its retransmission the same 405, byte for byte" cmp -s "$H_TMP/f1" "$H_TMP/f2"

# --- an INVITE client transaction: the 486 again, the ACK again -----------------------
h_sipp busy-b "$B" 5060 -sf "$SC/uas-busy-twice.xml" -set peer_ip "$H_ADDR" -m 1 \
	-trace_logs -log_file "$H_TMP/busy-b.log" -trace_msg -message_file "$H_TMP/busy-b.msg"
b=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
h_sipp busy-a "$A" 5060 -sf "$SC/uac-reject.xml" -s 5551000 \
	-set expect_code 486 -m 1 "$H_ADDR:5060"
sipp_ok "A gets B's 486" busy-a "$H_PID"
sipp_ok "B's 486 sent again after referd's ACK is ACKed again" busy-b "$b" 10
b1=$(sed -n 's/^B ack1 branch=//p' "$H_TMP/busy-b.log")
b2=$(sed -n 's/^B ack2 branch=//p' "$H_TMP/busy-b.log")
h_like "... the first ACK has a branch" "$b1" '^z9hG4bK'
h_is "... and the second ACK the same branch (the INVITE's)" "$b2" "$b1"

h_ok "referdActiveCalls is 0" h_wait_for 5 calls_idle
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
