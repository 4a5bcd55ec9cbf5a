#!/bin/sh
# sip-session-t38.sh: a switch to fax (T.38) by re-INVITE is carried end
# to end and its UDPTL relayed (SPEC section 5, "Basic call": "a
# re-INVITE ... (hold, codec change, T.38) goes to the other side with
# referd's media addresses"): A, in a PCMU call, re-INVITEs with its
# audio stream replaced by m=image udptl t38 and the usual T38
# attributes; B gets it with referd's address and a port of referd's on
# the image line, every attribute intact and no audio; B's T.38 answer
# reaches A the same way.  Then UDPTL datagrams (not RTP: no payload type
# to filter) sent by each side reach the other through referd.
#
# Peers: A on $H_NET.2, B on $H_NET.3, media on port $MP (rtpcheck -u);
# SDP checks in tests/scenarios/uac-session-t38.xml, uas-session-t38.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 68 sip-session-t38

sess_ab uas-session-t38.xml uac-session-t38.xml
h_ok "A gets B's T.38 answer" h_wait_for 10 logged a "A t38"
pa=$(logval a "A t38" port)
pb=$(logval b "B t38" port)
h_is "B's re-INVITE: m=image udptl t38 on referd's address" \
	"$(logval b "B t38" c) $(logval b "B t38" fmts)" "$H_ADDR udptl t38"
h_ok "... on a port of referd's relay range ($pb)" in_range "$pb"
h_is "A's 200: B's m=image udptl t38 on referd's address" \
	"$(logval a "A t38" c) $(logval a "A t38" fmts)" "$H_ADDR udptl t38"
h_ok "... on a port of referd's relay range ($pa)" in_range "$pa"
h_ok "... not B's" test "$pa" != "$pb"

rtp_start a_fax "$A" "$pa" -u
rtp_start b_fax "$B" "$pb" -u
rtp_done
rtp_only "B receives A's UDPTL from referd's port" b_fax "$H_ADDR:$pb" other
rtp_only "A receives B's UDPTL from referd's port" a_fax "$H_ADDR:$pa" other

sipp_ok "A: the switch to T.38 answered as checked, then A's BYE" a "$APID"
sipp_ok "B: the T.38 offer as checked, the call ends with A's BYE" b "$BPID" 10
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
