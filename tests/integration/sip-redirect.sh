#!/bin/sh
# sip-redirect.sh: a 3xx from the called side (issue 16 item 7): relayed
# to the caller with every Contact it carried (referdSgpRedirect relay,
# the default), or followed by referd (follow) to the first Contact that
# reaches a configured gateway, never to another one, and at most
# referdSgpMaxRedirects times in a call, the Contacts by q-value (a redirection loop ends there,
# the caller getting the last 3xx).
#
# Peers: A on $H_NET.2 (SIPp's built-in uac, or uac-redirected.xml);
# B on $H_NET.3 (profile 1, relay), D on $H_NET.5 (profile 2, follow, at
# most 2): both tests/scenarios/uas-redirect.xml; C on $H_NET.4 (SIPp's
# built-in uas), the destination of a followed redirection.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 118 sip-redirect
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
D=$H_NET.5
RTP_LO=$((20000 + H_SLOT * 100))
cat >"$H_TMP/referd.conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 relaying
profile 2 following redirect follow maxRedirects 2
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060 profile 1
gateway 3 c-side $C port 5060 profile 1
gateway 4 d-side $D port 5060 profile 2
route 1 555 2
route 2 666 4
route 3 777 3
EOF2
h_referd_subagent "$H_TMP/referd.conf"
h_wait_for 5 listening "$H_ADDR" 5060 || h_bail "referd does not listen"
h_is "referdSgpRedirect.1 is relay(1) by default" "$(sget "$SGP.10.1")" 1
h_is "referdSgpMaxRedirects.1 is 5 by default" "$(sget "$SGP.11.1")" 5
h_is "referdSgpRedirect.2 is follow(2)" "$(sget "$SGP.10.2")" 2
h_is "referdSgpMaxRedirects.2 is 2" "$(sget "$SGP.11.2")" 2
h_set_err "referdSgpMaxRedirects.2 = 11 is refused: wrongValue" wrongValue "$SGP.11.2" \
    "$SGP.11.2" u 11
h_set_err "referdSgpRedirect.2 = 3 is refused: wrongValue" wrongValue "$SGP.10.2" \
    "$SGP.10.2" i 3

# redirector NAME ADDR CONTACT: uas-redirect.xml on ADDR answering 302
# with CONTACT.
redirector() {
	rm -f "$H_TMP/$1.msg" "$H_TMP/$1.log"
	peer "$1" "$2" -sf "$SC/uas-redirect.xml" -set contact "$3" -m 1
	RPID=$H_PID
	h_wait_for 5 listening "$2" 5060 || h_bail "SIPp $1 did not start"
}
# redirected NUMBER: A calls NUMBER and must get a 302, which it ACKs.
redirected() {
	rm -f "$H_TMP/a.msg"
	peer a "$A" -sf "$SC/uac-redirected.xml" -s "$1" -m 1 "$H_ADDR:5060"
	APID=$H_PID
}
# contacts NAME: the Contact values of the 302s peer NAME received.
contacts() {
	awk '/^-----/ { s = 0 } /^SIP\/2.0 302/ { s = 1 }
	    s && /^Contact:/ { sub(/^Contact: */, ""); sub(/\r$/, ""); print }' \
	    "$H_TMP/$1.msg" | awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $0 } END { print "" }'
}
# redirects NAME: "INVITES ACKS" peer NAME received (its scenario ends by
# waiting in vain for one more INVITE: SIPp's status is not looked at).
redirects() {
	h_wait_exit "$RPID" 10 || h_stop "$RPID"
	echo "$(grep -c '^R INVITE' "$H_TMP/$1.log") $(grep -c '^ACK ' "$H_TMP/$1.msg")"
}

# relay: B's 302 reaches A with both its Contacts.
redirector b "$B" "<sip:7771000@$C:5060>, <sip:5559999@192.0.2.9:5060>;q=0.5"
redirected 5551000
sipp_ok "relay: A gets B's 302" a "$APID"
h_is "relay: B redirected one INVITE and got the ACK" "$(redirects b)" "1 1"
h_is "relay: A's 302 carries B's Contacts, both" "$(contacts a)" \
    "<sip:7771000@$C:5060>, <sip:5559999@192.0.2.9:5060>;q=0.5"

# follow: D's 302 to a gateway (C) is followed, to the Contact of highest
# q-value of those that reach a gateway (not the unknown host's, q 1):
# C answers, A talks to C.
redirector d "$D" "<sip:7773000@$C:5060>;q=0.2, <sip:9990000@192.0.2.9:5060>, <sip:7772000@$C:5060>;q=0.9"
peer c "$C" -sn uas -m 1
CPID=$H_PID
h_wait_for 5 listening "$C" 5060 || h_bail "SIPp C did not start"
rm -f "$H_TMP/a.msg"
peer a "$A" -sn uac -s 6661000 -m 1 -d 1000 "$H_ADDR:5060"
APID=$H_PID
sipp_ok "follow: A's call is answered (by C)" a "$APID"
sipp_ok "follow: C got the INVITE and A's BYE" c "$CPID"
h_is "follow: D redirected one INVITE, ACKed" "$(redirects d)" "1 1"
h_is "follow: C's INVITE goes to the reachable Contact of highest q, its user at C" \
    "$(sip_nth c recv INVITE 1 | head -n 1 | tr -d '\r')" "INVITE sip:7772000@$C:5060 SIP/2.0"
h_is "follow: on D's Call-ID, the next CSeq" \
    "$(sip_nth_hdr c recv INVITE 1 Call-ID) $(sip_nth_hdr c recv INVITE 1 CSeq)" \
    "$(sip_nth_hdr d recv INVITE 1 Call-ID) 2 INVITE"
h_is "follow: C's 200 is ACKed with the INVITE's CSeq" \
    "$(sip_nth_hdr c recv ACK 1 CSeq)" "2 ACK"
h_is "follow: A got no 302" "$(sip_count a recv "SIP/2.0 302" "1 INVITE")" 0
h_ok "follow: the call is over" h_wait_for 5 calls_idle

# not followed: a Contact that reaches no configured gateway.
redirector d "$D" "<sip:9991000@192.0.2.9:5060>"
redirected 6661000
sipp_ok "unconfigured: A gets the 302" a "$APID"
h_is "unconfigured: D redirected one INVITE, no other came" "$(redirects d)" "1 1"
h_is "unconfigured: with D's Contact" "$(contacts a)" "<sip:9991000@192.0.2.9:5060>"

# a loop: D redirects to itself; referd follows twice (maxRedirects 2).
redirector d "$D" "<sip:6662000@$D:5060>"
redirected 6661000
sipp_ok "loop: A gets the 302 in the end" a "$APID"
h_is "loop: D got 1 + 2 INVITEs, each 302 ACKed" "$(redirects d)" "3 3"
h_is "loop: CSeq 1, 2, 3" \
    "$(sed -n 's/^R INVITE //p' "$H_TMP/d.log" | paste -sd ' ' -)" "1 2 3"
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
