#!/bin/sh
# sip-session-streams.sh: every m= line is anchored on its own (SPEC
# section 5, "Media anchoring"; RFC 3264 6, 8; RFC 5761): A offers audio,
# video and a second audio, each with a=rtcp-mux.  Each stream gets a
# port pair of referd's own on each leg (five distinct ports, all in
# rtpPortRange), B gets the m= lines in A's order with A's formats and
# a=rtcp-mux, and refuses the second audio (port 0), which is port 0 in
# A's answer too.  Then RTP on each stream reaches the other party's
# matching stream only, from referd's port of that stream, and RTCP,
# multiplexed by both, arrives on the RTP port; A's video sends
# reduced-size RTCP (RFC 5506: an 8-byte receiver report), which must
# pass as well.  The refused stream's sockets get nothing.
#
# Peers: A on $H_NET.2, B on $H_NET.3; each party's audio on port $MP,
# video on $MP+2, second audio on $MP+4 (rtpcheck); SDP checks in
# tests/scenarios/uac-session-streams.xml and uas-session-streams.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 69 sip-session-streams
VP=$((MP + 2))
AP2=$((MP + 4))

sess_ab uas-session-streams.xml uac-session-streams.xml \
	-set vport "$VP" -set aport2 "$AP2"
h_ok "A gets B's answer" h_wait_for 10 logged a "A answer"
a1=$(logval a "A answer" audio)
a2=$(logval a "A answer" video)
a3=$(logval a "A answer" audio2)
b1=$(logval b "B offer" audio)
b2=$(logval b "B offer" video)
b3=$(logval b "B offer" audio2)
h_is "B's offer: referd's address" "$(logval b "B offer" c)" "$H_ADDR"
h_is "A's answer: referd's address" "$(logval a "A answer" c)" "$H_ADDR"
for p in "$a1" "$a2" "$b1" "$b2" "$b3"; do
	h_ok "port $p is in referd's relay range" in_range "$p"
done
h_is "each stream of each leg has a port of its own" \
	"$(printf '%s\n' "$a1" "$a2" "$b1" "$b2" "$b3" | sort -u | wc -l | tr -d ' ')" 5
h_is "the stream B refused is refused in A's answer (port 0)" "$a3" 0

# Each stream sends its own payload type and an RTCP report a second,
# multiplexed (A's video a reduced-size one); the refused streams only
# listen.
rtp_start a_audio "$A" "$a1" -t 0 -R
rtp_start a_video "$A:$VP" "$a2" -t 96 -r
rtp_start a_audio2 "$A:$AP2" -
rtp_start b_audio "$B" "$b1" -t 0 -R
rtp_start b_video "$B:$VP" "$b2" -t 96 -R
rtp_start b_audio2 "$B:$AP2" -
rtp_done
rtp_flows "B's audio gets A's PCMU from referd's audio port" \
	b_audio "$H_ADDR:$b1" "pt 0" 50
rtp_flows "B's video gets A's H.264 from referd's video port" \
	b_video "$H_ADDR:$b2" "pt 96" 50
rtp_flows "A's audio gets B's PCMU from referd's audio port" \
	a_audio "$H_ADDR:$a1" "pt 0" 50
rtp_flows "A's video gets B's H.264 from referd's video port" \
	a_video "$H_ADDR:$a2" "pt 96" 50
h_is "B's audio gets that and the RTCP on the same port, nothing else" \
	"$(rtp_kinds b_audio)" "$H_ADDR:$b1 pt 0; $H_ADDR:$b1 rtcp"
h_is "B's video gets that and the RTCP on the same port, nothing else" \
	"$(rtp_kinds b_video)" "$H_ADDR:$b2 pt 96; $H_ADDR:$b2 rtcp"
h_is "A's audio gets that and the RTCP on the same port, nothing else" \
	"$(rtp_kinds a_audio)" "$H_ADDR:$a1 pt 0; $H_ADDR:$a1 rtcp"
h_is "A's video gets that and the RTCP on the same port, nothing else" \
	"$(rtp_kinds a_video)" "$H_ADDR:$a2 pt 96; $H_ADDR:$a2 rtcp"
h_is "A's refused stream gets nothing" "$(rtp_kinds a_audio2)" ""
h_is "B's refused stream gets nothing" "$(rtp_kinds b_audio2)" ""

sipp_ok "A: three streams answered as checked, then A's BYE" a "$APID"
sipp_ok "B: three streams offered as checked, the call ends with A's BYE" b "$BPID" 10
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
