#!/bin/sh
# sip-session-offerless.sh: a re-INVITE without an offer is carried end
# to end (SPEC section 5; RFC 3264 8, RFC 6337 5.1): A re-INVITEs without
# SDP; B gets a re-INVITE without SDP and makes its offer in its 200; A
# gets that offer in referd's 200, on referd's address and A's port; A's
# ACK (sent 1.5 s later) holds the answer, and B gets it in referd's ACK,
# on referd's address and B's port.  referd ACKs B only once A's answer
# is there: B's 200, resent meanwhile, gets no ACK before that, and
# exactly one ACK in all.  Then PCMA, the codec A chose, flows both ways,
# and PCMU (offered by B, not taken by A) is dropped both ways.
#
# Peers: A on $H_NET.2, B on $H_NET.3, media on port $MP (rtpcheck);
# SDP checks in tests/scenarios/uac-session-offerless.xml and
# uas-session-offerless.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 66 sip-session-offerless

sess_ab uas-session-offerless.xml uac-session-offerless.xml
h_ok "B gets A's answer in referd's ACK" h_wait_for 10 logged b "B answer"
pa=$(logval a "A answer" port)
pb=$(logval b "B offer" port)
h_ok "A's port on referd is in the relay range ($pa)" in_range "$pa"
h_ok "B's port on referd is in the relay range ($pb)" in_range "$pb"
h_is "B's re-INVITE has no body" "$(logval b "B reinvite" length)" 0
h_is "A's 200: B's offer, on referd's address and A's port" "$(logsdp a "A offer")" \
	"$H_ADDR $pa RTP/AVP 0 8 101"
h_like "... with referd's origin" "$(logval a "A offer" o)" \
	"^referd [0-9]+ [0-9]+ IN IP4 $H_ADDR\$"
h_is "B's ACK: A's answer, on referd's address and B's port" "$(logsdp b "B answer")" \
	"$H_ADDR $pb RTP/AVP 8 101"
h_like "... with referd's origin" "$(logval b "B answer" o)" \
	"^referd [0-9]+ [0-9]+ IN IP4 $H_ADDR\$"

# The ACK towards B waits for A's: B's 200 is resent meanwhile, unACKed.
cs=$(sip_msgs b | awk '$2 == "recv" && $3 == "INVITE" && $(NF - 1) != 1 {
	print $(NF - 1); exit }')
h_is "B gets one ACK for its 200 to the re-INVITE (CSeq $cs)" \
	"$(sip_count b recv ACK "$cs ACK")" 1
h_ok "B's 200 was resent while referd waited for A's answer" \
	test "$(sip_count b sent "SIP/2.0 200" "$cs INVITE")" -ge 2
h_before "B's ACK came after A sent its own" "$(sip_time a sent ACK "2 ACK")" \
	"$(sip_time b recv ACK "$cs ACK")"

# PCMA both ways; every 10th packet PCMU, which nobody negotiated.
rtp_exchange 8 A "$pa" 0 B "$pb" 0

sipp_ok "A: the offer in referd's 200 as checked, then A's BYE" a "$APID"
sipp_ok "B: a re-INVITE without SDP, the answer in the ACK" b "$BPID" 10
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
