#!/bin/sh
# sip-session-delayed-offer.sh: a call set up with a delayed offer is
# carried end to end (SPEC section 5, "Basic call": "an INVITE without
# SDP (delayed offer)"; RFC 3261 13.2.1, RFC 3264): A's INVITE without
# SDP reaches B without SDP; B's offer, in its 200, reaches A in
# referd's 200 on referd's address; A's answer, in its ACK, reaches B in
# referd's ACK on referd's address, one ACK, sent only once A's came.
# Then PCMU, the codec A chose, flows both ways through referd, and PCMA
# (offered by B, not taken) is dropped both ways.
#
# Peers: A on $H_NET.2, B on $H_NET.3, media on port $MP (rtpcheck); SDP
# checks in tests/scenarios/uac-session-delayed-offer.xml and
# uas-session-delayed-offer.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 70 sip-session-delayed-offer

sess_ab uas-session-delayed-offer.xml uac-session-delayed-offer.xml
h_ok "B gets A's answer in referd's ACK" h_wait_for 10 logged b "B answer"
pa=$(logval a "A offer" port)
pb=$(logval b "B answer" port)
h_is "B's INVITE has no body" "$(logval b "B invite" length)" 0
h_is "A's 200: B's offer on referd's address" \
	"$(logval a "A offer" c) $(logval a "A offer" fmts)" "$H_ADDR RTP/AVP 0 8 101"
h_ok "... and a port of referd's relay range ($pa)" in_range "$pa"
h_like "... with referd's origin" "$(logval a "A offer" o)" \
	"^referd [0-9]+ [0-9]+ IN IP4 $H_ADDR\$"
h_is "B's ACK: A's answer on referd's address" \
	"$(logval b "B answer" c) $(logval b "B answer" fmts)" "$H_ADDR RTP/AVP 0 101"
h_ok "... and a port of referd's relay range ($pb)" in_range "$pb"
h_ok "... not A's" test "$pb" != "$pa"
h_is "B gets one ACK" "$(sip_count b recv ACK "1 ACK")" 1
h_before "... sent only once A's ACK came" "$(sip_time a sent ACK "1 ACK")" \
	"$(sip_time b recv ACK "1 ACK")"

# PCMU both ways; every 10th packet PCMA, which A did not take.
rtp_exchange 0 A "$pa" 8 B "$pb" 8

sipp_ok "A: B's offer in referd's 200 as checked, then A's BYE" a "$APID"
sipp_ok "B: an INVITE without SDP, the answer in the ACK" b "$BPID" 10
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
