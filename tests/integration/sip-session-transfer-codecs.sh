#!/bin/sh
# sip-session-transfer-codecs.sh: a blind transfer leaves the survivor and
# the target in one valid session (SPEC section 5, "Media anchoring": "C
# is offered what the survivor's session allows, and when C's answer
# differs from what the survivor has, the survivor gets a re-INVITE with
# C's media.  Each party receives only payload types it negotiated").
# A offers PCMU, PCMA and telephone-event; B transfers A to C.
#   1. B answered PCMU only: referd's INVITE to C offers PCMU only (not
#      PCMA, not telephone-event, which A did not negotiate); C answers
#      PCMU: A gets no re-INVITE, and PCMU flows between A and C while
#      the PCMA each also sends is dropped.
#   2. B answered PCMU and PCMA: C is offered both and answers PCMA only:
#      A gets a re-INVITE offering PCMA (C's media, on A's port), answers
#      PCMA, and from then on A and C receive PCMA only (each also sends
#      PCMU, negotiated by A at first, no longer).
#
# Peers: A on $H_NET.2, B on $H_NET.3, C on $H_NET.4 (gateway 3, the
# Refer-To target), media on port $MP (rtpcheck); SDP checks in
# tests/scenarios/uac-session-transfer.xml, uas-session-refer.xml and
# uas-session-answer.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 71 sip-session-transfer-codecs "refer 1 support enabled"

# transfer N B-FMTS C-OFFER C-FMTS REALIGN REOFFER: call N: B answers
# B-FMTS and transfers A to C, which must be offered C-OFFER and answers
# C-FMTS; A must get a re-INVITE offering REOFFER when REALIGN is 1.
# The peers are aN, bN, cN; their pids in APID, BPID, CPID.
transfer() {
	sess_peer "c$1" "$C" uas-session-answer.xml -m 1 -set offer "$3" \
	    -set fmts "$4"
	CPID=$H_PID
	sess_peer "b$1" "$B" uas-session-refer.xml -m 1 -set fmts "$2" \
	    -set early 0 -set target "sip:carol@$C:5060"
	BPID=$H_PID
	h_wait_for 5 listening "$B" 5060 && h_wait_for 5 listening "$C" 5060 ||
		h_bail "SIPp B or C did not start"
	sess_peer "a$1" "$A" uac-session-transfer.xml -s 5551000 -m 1 \
	    -set answer "RTP/AVP $2" -set realign "$5" -set reoffer "$6" \
	    "$H_ADDR:5060"
	APID=$H_PID
}

# 1. C answers what the survivor has: no re-INVITE.
transfer 1 0 "RTP/AVP 0" 0 0 "RTP/AVP 8"
h_ok "1: C answers referd's INVITE" h_wait_for 10 logged c1 offer
h_ok "1: B's transfer ends (final NOTIFY)" h_wait_for 10 grep -q \
	"^B notify|frag=SIP/2.0 200" "$H_TMP/b1.log"
pa=$(logval a1 "A answer" port)
pc=$(logval c1 offer port)
h_is "1: C is offered what A negotiated: PCMU, no PCMA, no telephone-event" \
	"$(logsdp c1 offer)" "$H_ADDR $pc RTP/AVP 0"
h_ok "1: C's port is referd's ($pc)" in_range "$pc"
# PCMU between A and C; PCMA (A negotiated it with nobody) dropped.
rtp_exchange 0 A "$pa" 8 C "$pc" 8
sipp_ok "1: A: the call, no re-INVITE, A's BYE" a1 "$APID"
sipp_ok "1: B: REFER, 202, NOTIFYs, its BYE" b1 "$BPID" 10
sipp_ok "1: C: the INVITE as checked, A's BYE" c1 "$CPID" 10
h_is "1: A got no INVITE from referd" \
	"$(sip_msgs a1 | awk '$2 == "recv" && $3 == "INVITE"' | wc -l | tr -d ' ')" 0
h_ok "1: referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# 2. C answers PCMA only, A had PCMU and PCMA: A is re-INVITEd.
transfer 2 "0 8" "RTP/AVP 0 8" 8 1 "RTP/AVP 8"
h_ok "2: A gets referd's re-INVITE with C's media" \
	h_wait_for 10 logged a2 "A realign"
pa=$(logval a2 "A answer" port)
pc=$(logval c2 offer port)
h_is "2: C is offered what A negotiated: PCMU and PCMA" \
	"$(logsdp c2 offer)" "$H_ADDR $pc RTP/AVP 0 8"
h_is "2: A's re-INVITE offers C's PCMA on A's port" \
	"$(logsdp a2 "A realign")" "$H_ADDR $pa RTP/AVP 8"
h_ok "2: referd ACKs A's answer" h_wait_for 5 sip_got a2 ACK
# PCMA between A and C; PCMU (A had it before the re-INVITE) dropped.
rtp_exchange 8 A "$pa" 0 C "$pc" 0
sipp_ok "2: A: the call, the re-INVITE answered, A's BYE" a2 "$APID"
sipp_ok "2: B: REFER, 202, NOTIFYs, its BYE" b2 "$BPID" 10
sipp_ok "2: C: the INVITE as checked, A's BYE" c2 "$CPID" 10
h_ok "2: referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
