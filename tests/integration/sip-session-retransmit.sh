#!/bin/sh
# sip-session-retransmit.sh: a re-INVITE that comes again after referd
# answered it (a retransmission: same branch, CSeq and body, sent by a
# party that has not seen the 200 yet) is the same transaction, not a new
# re-INVITE (RFC 3261 17.2.1 and 13.3.1.4; RFC 6026 7.1: the INVITE
# server transaction absorbs it in the Accepted state, and the 2xx keeps
# being resent until the ACK): B gets one re-INVITE, and A gets no
# response but referd's 200 (the same 200 again, at most).
#
# Peers: A on $H_NET.2 (tests/scenarios/uac-session-codec.xml with
# -set again 1), B on $H_NET.3 (uas-session-codec.xml, which fails on an
# INVITE it does not expect).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 75 sip-session-retransmit

sess_peer b "$B" uas-session-codec.xml -m 1
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
sess_peer a "$A" uac-session-codec.xml -s 5551000 -m 1 -set again 1 \
	"$H_ADDR:5060"
sipp_ok "A: the re-INVITE sent again gets nothing but the same 200" a "$H_PID"
sipp_ok "B: one re-INVITE, as checked, the call ends with A's BYE" b "$bpid" 10
h_ok "A sent its re-INVITE more than once" \
	test "$(sip_count a sent INVITE "2 INVITE")" -ge 2
h_is "... with one branch: one transaction" \
	"$(sip_branches a sent INVITE "2 INVITE" | wc -l | tr -d ' ')" 1
h_is "B got two INVITE transactions (the call, one re-INVITE)" \
	"$(sip_msgs b | awk '$2 == "recv" && $3 == "INVITE" { print $(NF - 1) }' |
	sort -u | wc -l | tr -d ' ')" 2
h_is "A got no 491 or 500" \
	"$(sip_msgs a | awk '$2 == "recv" && ($4 == 491 || $4 == 500)' | wc -l | tr -d ' ')" 0
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
