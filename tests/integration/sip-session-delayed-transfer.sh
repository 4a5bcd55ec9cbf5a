#!/bin/sh
# sip-session-delayed-transfer.sh: a blind transfer of a call that began
# with a delayed offer (issue 14, item 4: "handle it also where the
# transfer needs it"; RFC 3261 13.2.1, RFC 3264).  A's INVITE has no
# SDP; B offers PCMU, PCMA and telephone-event in its 200, A answers PCMU
# and telephone-event in its ACK.  B then transfers A to C.  referd calls
# C on A's behalf with an offer built from A's session as negotiated in
# that ACK (PCMU and telephone-event only: not B's PCMA, which A did not
# take), C answers what A has, so A gets no re-INVITE; PCMU then flows
# between A and C, and PCMA each also sends is dropped.
#
# Peers: A on $H_NET.2 (uac-session-delayed-offer.xml), B on $H_NET.3
# (uas-session-delayed-refer.xml), C on $H_NET.4 (uas-session-answer.xml,
# gateway 3, the Refer-To target); media on port $MP (rtpcheck).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 77 sip-session-delayed-transfer "refer 1 support enabled"

sess_peer c "$C" uas-session-answer.xml -m 1 -set offer "RTP/AVP 0 101" \
    -set fmts "0 101"
CPID=$H_PID
sess_peer b "$B" uas-session-delayed-refer.xml -m 1 \
    -set target "sip:carol@$C:5060"
BPID=$H_PID
h_wait_for 5 listening "$B" 5060 && h_wait_for 5 listening "$C" 5060 ||
	h_bail "SIPp B or C did not start"
sess_peer a "$A" uac-session-delayed-offer.xml -s 5551000 -m 1 "$H_ADDR:5060"
APID=$H_PID

h_ok "B gets A's answer in referd's ACK" h_wait_for 10 logged b "B answer"
h_is "B's INVITE has no body" "$(logval b "B invite" length)" 0
h_ok "C answers referd's INVITE" h_wait_for 10 logged c offer
h_ok "B's transfer ends (final NOTIFY)" h_wait_for 10 grep -q \
	"^B notify|frag=SIP/2.0 200" "$H_TMP/b.log"
pa=$(logval a "A offer" port)
pc=$(logval c offer port)
h_is "C is offered A's session from its ACK: PCMU and telephone-event, not PCMA" \
	"$(logsdp c offer)" "$H_ADDR $pc RTP/AVP 0 101"
h_ok "C's port is referd's ($pc)" in_range "$pc"
h_ok "... not A's" test "$pc" != "$pa"

rtp_exchange 0 A "$pa" 8 C "$pc" 8

sipp_ok "A: B's offer in referd's 200, no re-INVITE, A's BYE" a "$APID"
sipp_ok "B: delayed offer, REFER, 202, NOTIFYs, its BYE" b "$BPID" 10
sipp_ok "C: the INVITE as checked, A's BYE" c "$CPID" 10
h_is "A got no INVITE from referd" \
	"$(sip_msgs a | awk '$2 == "recv" && $3 == "INVITE"' | wc -l | tr -d ' ')" 0
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
