#!/bin/sh
# sip-info.sh: requests the parties of a call exchange in their dialog are
# carried end to end (issue 16 item 3; RFC 6086, RFC 3428, RFC 6665):
# an INFO from A reaches B with its body byte for byte under its
# Content-Type and the headers describing it (Info-Package,
# Content-Disposition), in B's dialog with referd; B's final status
# (200, or a refusal with its reason) comes back to A, with its body
# under its Content-Type (and Content-Disposition).  MESSAGE likewise.
# A NOTIFY of a package referd does not know gets 489, one of `refer`
# (referd sent no REFER) 481.  During a transfer, an INFO goes to the party
# its sender is still connected to: the transferor while the target
# rings, the target once it answered.
#
# Peers: A on $H_NET.2 (tests/scenarios/uac-info.xml), B on $H_NET.3
# (uas-info.xml); for the transfer A (uac-info-xfer.xml), B
# (uas-refer-info.xml), C on $H_NET.4 (uas-ring-info.xml).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 114 sip-info "refer 1 support enabled"

# ab B-SCENARIO A-SCENARIO: B answers with B-SCENARIO, A calls 5551000.
ab() {
	peer b "$B" -sf "$SC/$1" -m 1
	BPID=$H_PID
	h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
	peer a "$A" -sf "$SC/$2" -s 5551000 -m 1 "$H_ADDR:5060"
	APID=$H_PID
}

ab uas-info.xml uac-info.xml
sipp_ok "A: INFO 200, INFO 415, INFO 200, MESSAGE 200, NOTIFY 489, 481, 400, INFO 420" a "$APID"
sipp_ok "B: three INFOs and a MESSAGE relayed, nothing else" b "$BPID"

for n in 1 2 3; do
	h_is "INFO $n: B gets A's body byte for byte" \
	    "$(sip_nth_body b recv INFO $n | od -c)" "$(sip_nth_body a sent INFO $n | od -c)"
	h_is "INFO $n: B gets A's Content-Type" \
	    "$(sip_nth_hdr b recv INFO $n Content-Type)" "$(sip_nth_hdr a sent INFO $n Content-Type)"
	h_is "INFO $n: Content-Length matches" \
	    "$(sip_nth_hdr b recv INFO $n Content-Length)" "$(sip_nth_hdr a sent INFO $n Content-Length)"
done
h_is "INFO 2: Info-Package relayed" "$(sip_nth_hdr b recv INFO 2 Info-Package)" dtmf
h_is "INFO 2: Content-Disposition relayed" \
    "$(sip_nth_hdr b recv INFO 2 Content-Disposition)" Info-Package
h_is "INFO 3: Content-Disposition relayed" \
    "$(sip_nth_hdr b recv INFO 3 Content-Disposition)" "signal; handling=optional"
h_is "INFO 1 goes in B's dialog: B's Call-ID, not A's" \
    "$(sip_nth_hdr b recv INFO 1 Call-ID)" "$(sip_nth_hdr b recv INVITE 1 Call-ID)"
h_is "INFO 1: CSeq 2 in B's dialog (referd's INVITE was 1)" \
    "$(sip_nth_hdr b recv INFO 1 CSeq)" "2 INFO"
h_is "A gets B's refusal with B's reason phrase" \
    "$(sip_nth a recv "SIP/2.0" 4 | head -n 1 | tr -d '\r')" "SIP/2.0 415 Dtmf Not Here"
h_is "... and B's Accept" "$(sip_nth_hdr a recv "SIP/2.0" 4 Accept)" application/dtmf-relay
h_is "... and the body of B's 415, byte for byte" \
    "$(sip_nth_body a recv "SIP/2.0 415" 1 | od -c)" \
    "$(sip_nth_body b sent "SIP/2.0 415" 1 | od -c)"
# (a response referd sends is printed by oSIP2, which writes a space
# after each ';' of a media type: the same type and parameters.)
h_is "... under its Content-Type" \
    "$(sip_nth_hdr a recv "SIP/2.0 415" 1 Content-Type | tr -d ' ')" \
    "text/plain;charset=UTF-8"
h_is "INFO 3: A's 200 carries the body of B's 200, byte for byte" \
    "$(sip_nth_body a recv "SIP/2.0 200" 3 | od -c)" \
    "$(sip_nth_body b sent "SIP/2.0 200" 3 | od -c)"
h_is "INFO 3: ... its Content-Type" \
    "$(sip_nth_hdr a recv "SIP/2.0 200" 3 Content-Type)" application/x-isup-ack
h_is "INFO 3: ... its Content-Disposition" \
    "$(sip_nth_hdr a recv "SIP/2.0 200" 3 Content-Disposition)" "signal; handling=optional"
h_is "INFO 3: ... and a Content-Length that matches" \
    "$(sip_nth_hdr a recv "SIP/2.0 200" 3 Content-Length)" \
    "$(sip_nth_hdr b sent "SIP/2.0 200" 3 Content-Length)"
h_is "MESSAGE: B gets A's text" "$(sip_nth_body b recv MESSAGE 1 | tr -d '\r')" \
    "Hello B, this is A."
h_is "MESSAGE: with its Content-Type" "$(sip_nth_hdr b recv MESSAGE 1 Content-Type)" \
    "text/plain;charset=UTF-8"
h_is "A's Recv-Info reaches B in referd's INVITE" \
    "$(sip_nth_hdr b recv INVITE 1 Recv-Info)" "dtmf, x-isup"
h_is "B's Recv-Info reaches A in referd's 200" \
    "$(sip_nth_hdr a recv "SIP/2.0 200" 1 Recv-Info)" "dtmf"
h_is "A's 200 to the MESSAGE" "$(sip_count a recv "SIP/2.0 200" "5 MESSAGE")" 1
h_is "NOTIFY Event: dialog gets 489" "$(sip_count a recv "SIP/2.0 489" "6 NOTIFY")" 1
h_is "NOTIFY Event: refer gets 481" "$(sip_count a recv "SIP/2.0 481" "7 NOTIFY")" 1
h_is "NOTIFY without Event gets 400" "$(sip_count a recv "SIP/2.0 400" "8 NOTIFY")" 1
h_is "INFO with Require: x-unknown-ext gets 420 naming it; B got three INFOs, not it" \
    "$(sip_nth_hdr a recv "SIP/2.0 420" 1 Unsupported) $(grep -c '^INFO ' "$H_TMP/b.msg")" "x-unknown-ext 3"
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# During a transfer: B refers A to C (no subscription), C rings 3 s.
mv "$H_TMP/a.msg" "$H_TMP/a1.msg"
mv "$H_TMP/b.msg" "$H_TMP/b1.msg"
peer c "$C" -sf "$SC/uas-ring-info.xml" -m 1
CPID=$H_PID
h_wait_for 5 listening "$C" 5060 || h_bail "SIPp C did not start"
peer b "$B" -sf "$SC/uas-refer-info.xml" -set target "sip:c@$C:5060" -m 1
BPID=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a "$A" -sf "$SC/uac-info-xfer.xml" -s 5551000 -m 1 "$H_ADDR:5060"
APID=$H_PID
sipp_ok "A: both digits answered 200 during and after the transfer" a "$APID"
sipp_ok "B (transferor): the digit sent while C rang" b "$BPID"
sipp_ok "C (target): the digit sent after it answered" c "$CPID"
h_is "B got the first digit" "$(sip_nth_body b recv INFO 1 | tr -d '\r' | head -n 1)" \
    Signal=1
h_is "C got the second digit, and only it" \
    "$(sip_nth_body c recv INFO 1 | tr -d '\r' | head -n 1) $(sip_count c recv INFO "2 INFO")" \
    "Signal=2 1"
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
