#!/bin/sh
# sip-session-latch.sh: media latching survives a re-INVITE (issue 14,
# item 6; SPEC section 5, "Media anchoring"): A is behind NAT: its SDP
# names port $MP, but its RTP leaves from another port ($NAT).  referd
# latches A's stream to that source and sends B's RTP there.  A's
# re-INVITE (a codec change, A's SDP address unchanged) must not undo the
# latch: afterwards B's RTP still reaches A at $NAT, and nothing goes to
# the port A's SDP names, although A sends nothing more after the
# re-INVITE (a fresh latch would need a packet from A).  Before the fix,
# a re-INVITE reset the stream to the SDP address (every caller behind
# NAT lost its audio after a hold or a codec change).
#
# Peers: A on $H_NET.2 (scenario uac-session-codec.xml, waiting 3 s
# before its re-INVITE), B on $H_NET.3 (uas-session-codec.xml); the media
# are tests/tools/rtpcheck.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 76 sip-session-latch

NAT=$((MP + 10))
sess_peer b "$B" uas-session-codec.xml -m 1
BPID=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
sess_peer a "$A" uac-session-codec.xml -s 5551000 -m 1 -set wait 3000 "$H_ADDR:5060"
APID=$H_PID
h_ok "A is answered" h_wait_for 10 logged a "A answer"
h_ok "B is offered A's call" h_wait_for 10 logged b "B offer"
pa=$(logval a "A answer" port)
pb=$(logval b "B offer" port)

# Before the re-INVITE: A sends PCMU from $NAT, B from its SDP's port.
rtp_start a1 "$A:$NAT" "$pa" -t 0 -s 1000 -w 1500
rtp_start b1 "$B" "$pb" -t 0 -s 1000 -w 1500
rtp_done
h_ok "the re-INVITE had not been answered yet during the first exchange" \
	sh -c "! grep -q '^A reanswer|' '$H_TMP/a.log'"
rtp_flows "A, behind NAT, gets B's PCMU at the port it sends from" \
	a1 "$H_ADDR:$pa" "pt 0" 20
rtp_flows "B gets A's PCMU" b1 "$H_ADDR:$pb" "pt 0" 20

h_ok "A's re-INVITE (PCMA) is answered" h_wait_for 10 logged a "A reanswer"
h_is "... with A's port on referd unchanged" "$(logval a "A reanswer" port)" "$pa"

# After it: A only listens, at $NAT and at its SDP's port; B sends PCMA.
rtp_start a2 "$A:$NAT" - -w 2500
rtp_start a2sdp "$A" - -w 2500
rtp_start b2 "$B" "$pb" -t 8 -s 2000 -w 2500
rtp_done
rtp_only "after the re-INVITE B's PCMA still reaches A where it sends from" \
	a2 "$H_ADDR:$pa" "pt 8"
h_is "... and nothing goes to the port A's SDP names" "$(rtp_kinds a2sdp)" ""

sipp_ok "A: the call and the codec change as checked, then A's BYE" a "$APID" 15
sipp_ok "B: both offers as checked, the call ends with A's BYE" b "$BPID" 15
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
