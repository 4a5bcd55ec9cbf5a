#!/bin/sh
# sip-session-pending.sh: a party's re-INVITE still pending when the call
# ends is answered (RFC 3261 15.1.2: the dialog's pending requests get a
# final response, 487 Request Terminated recommended).  A puts the call
# on hold; referd relays the re-INVITE to B, which answers only 100 and
# hangs up: A gets referd's BYE and then 487 to its re-INVITE, which it
# ACKs, and referd holds no call.  (Before: A's re-INVITE was never
# answered; A retransmitted it until its own Timer B.)
#
# Peers: A on $H_NET.2, B on $H_NET.3; the checks on each message are in
# tests/scenarios/uac-session-pending-bye.xml and uas-session-pending-bye.xml.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 113 sip-session-pending

sess_ab uas-session-pending-bye.xml uac-session-pending-bye.xml
sipp_ok "A: BYE from referd, then a final response to its pending re-INVITE" \
	a "$APID" 20
sipp_ok "B: its BYE answered 200" b "$BPID" 10
h_is "B got A's hold while the call was up" "$(logval b "B reinvite" dir)" sendonly
h_is "A's re-INVITE is answered 487 (CSeq 2 INVITE)" \
	"$(logval a "A final" code) $(logval a "A final" cseq)" "487 2 INVITE"
h_is "referd answered A's re-INVITE once (its 487 not repeated: the ACK came)" \
	"$(sip_msgs a | awk '$2 == "recv" && $4 == "487"' | wc -l | tr -d ' ')" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
