#!/bin/sh
# sip-session-glare.sh: re-INVITEs that cross or pile up are refused as
# RFC 3261 14.1 and 14.2 say, and the session carries on (SPEC section 5;
# STYLE "Sessions and dialogs"): B puts the call on hold; while referd's
# re-INVITE relaying it to A is pending, A's own re-INVITE gets 491, and
# A then answers referd's (a=recvonly, which reaches B).  Later A resumes
# and, while B has not answered yet (it takes 2 s), sends another
# re-INVITE: 500 with Retry-After; B's answer to the resume then reaches
# A.  Neither refused re-INVITE reaches B.
#
# Peers: A on $H_NET.2, B on $H_NET.3; the checks on each message are in
# tests/scenarios/uac-session-glare.xml and uas-session-glare.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 67 sip-session-glare

sess_ab uas-session-glare.xml uac-session-glare.xml
sipp_ok "A: 491 in glare, 500 with Retry-After while its re-INVITE is open, each SDP as checked" \
	a "$APID"
sipp_ok "B: its hold answered a=recvonly, A's resume relayed, as checked" \
	b "$BPID" 10
pa=$(logval a "A answer" port)
pb=$(logval b "B offer" port)
h_is "A gets B's hold on referd's address and its port, a=sendonly" \
	"$(logsdp a "A held") $(logval a "A held" dir)" "$H_ADDR $pa RTP/AVP 0 101 sendonly"
h_is "A's re-INVITE sent while referd's was pending: 491" \
	"$(logval a "A glare" code)" 491
h_is "B gets A's answer to its hold, a=recvonly, on its port" \
	"$(logsdp b "B held") $(logval b "B held" dir)" "$H_ADDR $pb RTP/AVP 0 101 recvonly"
h_is "A's second re-INVITE while the first is open: 500" \
	"$(logval a "A second" code)" 500
h_like "... with Retry-After" "$(logval a "A second" retry)" '^[0-9]+$'
h_is "A's resume reaches B" "$(logsdp b "B resume") $(logval b "B resume" dir)" \
	"$H_ADDR $pb RTP/AVP 0 101 sendrecv"
h_is "B's answer to it reaches A" "$(logsdp a "A resumed") $(logval a "A resumed" dir)" \
	"$H_ADDR $pa RTP/AVP 0 101 sendrecv"
# INVITE transactions by CSeq (retransmissions repeat one CSeq).
h_is "B got two INVITEs (the call, the resume): the refused ones stayed at referd" \
	"$(sip_msgs b | awk '$2 == "recv" && $3 == "INVITE" { print $(NF - 1) }' |
	sort -u | wc -l | tr -d ' ')" 2
h_is "A got one INVITE from referd (B's hold), sent once it answered 100" \
	"$(sip_msgs a | awk '$2 == "recv" && $3 == "INVITE"' | wc -l | tr -d ' ')" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
