#!/bin/sh
# ua-prack.sh: a real user agent with 100rel (RFC 3262) through referd
# (issue 16, item 1).  linphonec A, with 100rel supported, calls a SIPp B
# that answers a reliable 183 with SDP (baresip 1.0, the suite's other
# UA, has no 100rel).  On the wire: A's INVITE says Supported: 100rel,
# referd PRACKs B's 183 and sends A a reliable 183 (Require: 100rel,
# RSeq) with referd's address, A PRACKs it (RAck: that RSeq, its INVITE's
# CSeq, INVITE)
# and referd answers 200; then the 200 OK connects the call, and A's BYE
# ends it.
#
# Peers: referd $H_NET.1, A linphonec $H_NET.2 (user 100; PCMU),
# B SIPp $H_NET.3 (user 200; tests/scenarios/uas-prack.xml).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 108 ua-prack
h_ua_need
A=$H_NET.2
B=$H_NET.3
SC=$(cd "${REFERD_SRCDIR:-.}/tests/scenarios" && pwd)
h_ua_referd "100:$A" "200:$B"
h_linphonec a "$A" 100 "PCMU/8000" "100rel_support_level=1"
peer b "$B" -sf "$SC/uas-prack.xml" -set peer_ip "$H_ADDR" \
    -set rtp_lo $((20000 + H_SLOT * 100)) -set rtp_hi $((20099 + H_SLOT * 100)) \
    -set mport 7000 -m 1
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"

lp_cmd a "call sip:200@$H_ADDR"
h_ok "A is connected (linphonec)" lp_wait a 'Call 1 with .* connected'
cid=$(wire_callid "$A" "$H_ADDR")
h_ok "A's INVITE is on the wire ($cid)" test -n "$cid"
h_ok "A's INVITE supports 100rel" \
	wire_has "$A" "$H_ADDR" '^INVITE ' "^Call-ID: $cid" '^(Supported|k): .*100rel'
h_ok "referd sends A a reliable 183 (Require: 100rel, RSeq)" \
	wire_has "$H_ADDR" "$A" '^SIP/2.0 183 ' "^Call-ID: $cid" '^Require: 100rel' '^RSeq: [0-9]+$'
h_like "... with referd's address" \
	"$(wire_sdp "$H_ADDR" "$A" "^Call-ID: $cid" '^SIP/2.0 183 ')" "c=IN IP4 $H_ADDR"
rseq=$(wire_msgs "$H_ADDR" "$A" '^SIP/2.0 183 ' "^Call-ID: $cid" | awk '$1 == "RSeq:" { print $2; exit }')
cseq=$(wire_msgs "$A" "$H_ADDR" '^INVITE ' "^Call-ID: $cid" | awk '$1 == "CSeq:" { print $2; exit }')
h_ok "A PRACKs it: RAck $rseq $cseq INVITE" \
	wire_has "$A" "$H_ADDR" '^PRACK ' "^Call-ID: $cid" "^RAck: $rseq $cseq INVITE"
h_ok "referd answers A's PRACK 200" \
	wire_has "$H_ADDR" "$A" '^SIP/2.0 200 ' "^Call-ID: $cid" '^CSeq: [0-9]+ PRACK'
h_ok "the 200 OK to A's INVITE follows" \
	wire_has "$H_ADDR" "$A" '^SIP/2.0 200 ' "^Call-ID: $cid" "^CSeq: $cseq INVITE"
lp_cmd a terminate
sipp_ok "B: referd PRACKed its 183 (RAck 41 1 INVITE), then the call and A's BYE" b "$bpid" 20
h_ok "the BYE reached B's leg from A's dialog" wire_bye "$A" "$cid"
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
