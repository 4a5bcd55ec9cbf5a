#!/bin/sh
# sip-session-reinvite.sh: a codec change by re-INVITE is carried end to
# end (SPEC section 5, "Basic call" and "Media anchoring"; RFC 3264 8,
# RFC 6337): A, in a PCMU call, re-INVITEs with PCMA, G.729 and
# telephone-event; B gets a re-INVITE with referd's address and port and
# exactly A's codecs, and picks PCMA; A gets B's answer on referd's
# address and its first port.  Then PCMA flows both ways through referd,
# and payload types the receiver did not negotiate are dropped: A's
# G.729 (offered, not taken) never reaches B, B's PCMU (the old codec)
# never reaches A.
#
# Peers: A on $H_NET.2, B on $H_NET.3, each with its media on port $MP
# (tests/tools/rtpcheck); SDP checks in tests/scenarios/uac-session-codec.xml
# and uas-session-codec.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 65 sip-session-reinvite

sess_ab uas-session-codec.xml uac-session-codec.xml
h_ok "A gets B's answer to its codec change" \
	h_wait_for 10 logged a "A reanswer"
pa=$(logval a "A answer" port)
pb=$(logval b "B offer" port)
h_ok "A's port on referd is in the relay range ($pa)" in_range "$pa"
h_ok "B's port on referd is in the relay range ($pb)" in_range "$pb"
h_ok "... and not A's" test "$pa" != "$pb"
h_is "B's re-INVITE: referd's address, B's port, A's new codecs" "$(logsdp b "B reoffer")" \
	"$H_ADDR $pb RTP/AVP 8 18 101"
h_is "A's 200: referd's address, A's first port, B's answer" "$(logsdp a "A reanswer")" \
	"$H_ADDR $pa RTP/AVP 8 101"
h_is "referd's offers to B: one origin, the version one up" \
	"$(printf '%s\n%s\n' "$(logval b "B offer" o)" "$(logval b "B reoffer" o)" |
	awk 'NR == 1 { u = $1; s = $2; v = $3 }
	    NR == 2 { print ($1 == u && u == "referd" && $2 == s && $3 == v + 1) }')" 1

# PCMA both ways; A also sends G.729 (18, offered, not taken), B PCMU
# (0, the old codec): neither may pass.
rtp_exchange 8 A "$pa" 18 B "$pb" 0

sipp_ok "A: the call and the codec change as checked, then A's BYE" a "$APID"
sipp_ok "B: both offers as checked, the call ends with A's BYE" b "$BPID" 10
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
