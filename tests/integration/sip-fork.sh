#!/bin/sh
# sip-fork.sh: a called side that forks (issue 16 item 8, RFC 3261
# 13.2.2.4): B's two phones answer one INVITE, each in an early dialog of
# its own (180 from fork 1, 183 from fork 2, different To tags), then
# both with 200.  The caller gets one 200; referd ACKs each 200 with that
# fork's own To tag, and ends the second fork's dialog with a BYE carrying
# its tag; the call goes on with the first fork and ends, when A hangs
# up, with a BYE in fork 1's dialog.  (Before: the second 200 was ACKed
# with the first fork's tag and never BYEd.)
#
# Peers: A on $H_NET.2 (SIPp's built-in uac, hangs up 3 s after its
# ACK), B on $H_NET.3 (tests/scenarios/uas-fork.xml).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 117 sip-fork
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
cat >"$H_TMP/referd.conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 555 2
EOF2
h_referd_subagent "$H_TMP/referd.conf"
h_wait_for 5 listening "$H_ADDR" 5060 || h_bail "referd does not listen"

peer b "$B" -sf "$SC/uas-fork.xml" -m 1
BPID=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a "$A" -sn uac -s 5551000 -m 1 -d 3000 "$H_ADDR:5060"
APID=$H_PID
sipp_ok "A: one call, answered, hung up after 3 s" a "$APID"
sipp_ok "B: two ACKs, a BYE, then the BYE of A's hang-up" b "$BPID"

tag() {
	sed -n "s/^B $1 //p" "$H_TMP/b.log" | head -n 1
}
pid=$(sed -n 's/^B ack1 \([0-9]*\)F.*/\1/p' "$H_TMP/b.log")
h_is "the first 200 is ACKed with fork 1's tag" "$(tag ack1)" "${pid}F1"
h_is "the second 200 is ACKed with its own tag, fork 2's" "$(tag ack2)" "${pid}F2"
h_is "fork 2's dialog is ended at once: BYE with its tag" "$(tag bye1)" "${pid}F2"
h_is "the call went on with fork 1: A's hang-up ends it" "$(tag bye2)" "${pid}F1"
h_is "fork 2's BYE goes to its Contact" \
    "$(sip_nth b recv BYE 1 | head -n 1 | tr -d '\r')" "BYE sip:f2@$B:5060 SIP/2.0"
h_is "A got one 200" "$(sip_count a recv "SIP/2.0 200" "1 INVITE")" 1
h_is "A got 180 and 183 (both forks' early dialogs)" \
    "$(sip_count a recv "SIP/2.0 180" "1 INVITE") $(sip_count a recv "SIP/2.0 183" "1 INVITE")" "1 1"
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
