#!/bin/sh
# sip-update.sh: UPDATE (RFC 3311) carried end to end as a session change,
# in the early and the confirmed dialog (issue 16, item 2).
#
# A offers PCMU, PCMA and telephone-event; B rings with a 183 with SDP
# (PCMU) whose Allow lists UPDATE.  During the 183, A's UPDATE offering
# PCMA reaches B with referd's address and B's port, and B's answer comes
# back to A on referd's address and A's port.  After the 200, A's UPDATE
# offering PCMU does the same, and PCMU flows both ways through referd,
# while A's PCMA and B's PCMA (the old codec) are dropped.  Then B puts the
# call on hold by UPDATE; A's own UPDATE while referd's is pending gets
# 491 and stays at referd; A's answer (a=recvonly) reaches B.  A's UPDATE
# without SDP (a target refresh) reaches B without SDP, and B's 200 comes
# back.
# Then, with a B whose Allow does not list UPDATE, A's UPDATE in the
# confirmed dialog reaches B as a re-INVITE (with referd's address and
# exactly A's codecs), and B's answer comes back in the 200 to the UPDATE.
# During the 183 of such a B, A's UPDATE with an offer gets 488 with a
# Warning (no re-INVITE may go in an early dialog) and B never sees it.
#
# Peers: A on $H_NET.2, B on $H_NET.3 (tests/scenarios/uac-update.xml,
# uas-update.xml); media on port $MP (tests/tools/rtpcheck).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 107 sip-update

sess_ab uas-update.xml uac-update.xml
h_ok "A gets B's answer to its UPDATE in the confirmed dialog" \
	h_wait_for 15 logged a "A update"
pa=$(logval a "A 183" port)
pb=$(logval b "B offer" port)
h_ok "A's port on referd is in the relay range ($pa)" in_range "$pa"
h_ok "B's port on referd is in the relay range ($pb), not A's" \
	test "$pb" != "$pa"
h_is "early UPDATE: B gets A's PCMA offer on referd's address and B's port" \
	"$(logsdp b "B early")" "$H_ADDR $pb RTP/AVP 8 101"
h_is "early UPDATE: A gets B's answer on referd's address and A's port" \
	"$(logsdp a "A early")" "$H_ADDR $pa RTP/AVP 8 101"
h_is "the 200 OK to A: PCMA, as the early UPDATE left it" \
	"$(logsdp a "A 200")" "$H_ADDR $pa RTP/AVP 8 101"
h_is "confirmed UPDATE: B gets A's PCMU offer on referd's address and B's port" \
	"$(logsdp b "B update")" "$H_ADDR $pb RTP/AVP 0 101"
h_is "confirmed UPDATE: A gets B's answer on referd's address and A's port" \
	"$(logsdp a "A update")" "$H_ADDR $pa RTP/AVP 0 101"

# PCMU both ways; each also sends PCMA (8), the codec of before: dropped.
rtp_exchange 0 A "$pa" 8 B "$pb" 8

sipp_ok "A: both UPDATEs answered, 491 to its UPDATE in glare, B's hold answered" a "$APID"
sipp_ok "B: both UPDATEs as checked, its hold answered a=recvonly" b "$BPID" 10
h_is "B's hold reaches A by UPDATE, a=sendonly, on A's port" \
	"$(logsdp a "A held") $(logval a "A held" dir)" "$H_ADDR $pa RTP/AVP 0 101 sendonly"
h_is "A's UPDATE while referd's is pending: 491" "$(logval a "A glare" code)" 491
h_is "B got three UPDATEs (A's early, confirmed and refresh ones): the refused one stayed at referd" \
	"$(sip_msgs b | awk '$2 == "recv" && $3 == "UPDATE"' | wc -l | tr -d ' ')" 3
h_is "B's hold answered by A: a=recvonly on B's port" \
	"$(logsdp b "B held") $(logval b "B held" dir)" "$H_ADDR $pb RTP/AVP 0 101 recvonly"
h_ok "A's UPDATE without SDP reaches B without SDP" logged b "B refresh"
h_ok "... and B's 200 reaches A" logged a "A refresh"
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- B without UPDATE: the UPDATE goes to it as a re-INVITE -------------------
sess_call 2 uas-session-codec.xml uac-update-reinvite.xml
sipp_ok "A: its UPDATE answered 200 with B's answer (RTP/AVP 8 101)" a2 "$APID"
sipp_ok "B (no UPDATE in its Allow): a re-INVITE with A's new codecs, as checked" b2 "$BPID" 10
pa=$(logval a2 "A answer" port)
pb=$(logval b2 "B offer" port)
h_is "B's re-INVITE: referd's address, B's port, A's new codecs" \
	"$(logsdp b2 "B reoffer")" "$H_ADDR $pb RTP/AVP 8 18 101"
h_is "A's 200 to its UPDATE: referd's address, A's port, B's answer" \
	"$(logsdp a2 "A reanswer")" "$H_ADDR $pa RTP/AVP 8 101"
h_is "B got no UPDATE" \
	"$(sip_msgs b2 | awk '$2 == "recv" && $3 == "UPDATE"' | wc -l | tr -d ' ')" 0
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- an early UPDATE to a B without UPDATE: 488 ------------------------------
sess_call 3 uas-early-noupdate.xml uac-update-early.xml
sipp_ok "A: its early UPDATE refused with 488, the call then answered" a3 "$APID"
sipp_ok "B (no UPDATE in its Allow): no UPDATE reaches it" b3 "$BPID" 10
h_like "... the 488 says why" "$(logval a3 "A early update" warning)" "does not accept UPDATE"
h_is "B got no UPDATE" \
	"$(sip_msgs b3 | awk '$2 == "recv" && $3 == "UPDATE"' | wc -l | tr -d ' ')" 0
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
