#!/bin/sh
# sip-session-ack.sh: no ACK storm (RFC 3261 17.1.1.3: an ACK is never
# answered, so a "response" to it is not one of the INVITE's responses
# and is not ACKed; RFC 3261 8.1.1.6: every request referd sends carries
# Max-Forwards).  A cancels while referd's INVITE to B rings; B answers
# the CANCEL 200 and the INVITE 487; referd ACKs the 487; B answers that
# ACK with a 400 (and answers any ACK that comes again the same way, as
# SIPp does): referd must send exactly one ACK, and the CANCEL and the
# ACK carry Max-Forwards.
#
# Peers: A on $H_NET.2 (tests/scenarios/uac-cancel.xml), B on $H_NET.3
# (uas-session-ack400.xml).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 74 sip-session-ack

sess_peer b "$B" uas-session-ack400.xml -m 1
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a "$A" -sf "$SC/uac-cancel.xml" -s 5551000 -m 1 "$H_ADDR:5060"
sipp_ok "A: CANCEL answered 200, its INVITE 487" a "$H_PID"
sipp_ok "B: the CANCEL and the ACK as checked" b "$bpid" 15
h_like "referd's CANCEL carries Max-Forwards" "$(logval b "B cancel" mf)" '^[0-9]+$'
h_like "referd's ACK carries Max-Forwards" "$(logval b "B ack" mf)" '^[0-9]+$'
h_is "the ACK is for the INVITE's 487" "$(logval b "B ack" cseq)" "1 ACK"
h_ok "B answered the ACK with 400" \
	test "$(sip_count b sent "SIP/2.0 400" "1 ACK")" -ge 1
h_is "referd sent exactly one ACK: the 400 was not ACKed" \
	"$(sip_count b recv ACK "1 ACK")" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
