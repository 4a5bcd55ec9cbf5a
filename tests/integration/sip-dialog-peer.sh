#!/bin/sh
# sip-dialog-peer.sh: who may act on a dialog (issue 15, 2; SPEC 5): an
# in-dialog request, a CANCEL or an ACK is taken only from the dialog's
# peer (its transport address, the configured gateway at that address,
# or a gateway on its route set).  While A and B are in a call through
# referd, X (no gateway) and C (a gateway, not in the call) send BYE,
# REFER, re-INVITE, INFO, UPDATE, PRACK, CANCEL and ACK carrying the
# call's Call-IDs and tags: each gets 403 (the ACK is dropped), referdSgpDialogRequestsRefused
# counts them, and nothing changes: B gets no BYE, no INVITE, no REFER's
# call, no UPDATE; A and B stay in the call until A hangs up, and then the BYE goes
# through as usual.  (Before: X's BYE got 200 and referd sent BYE to B;
# the REFER got 202, the re-INVITE reached B.)
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/sipforge.sh"
h_init 81 sip-dialog-peer
SC=${REFERD_SRCDIR:-.}/tests/scenarios
SIPSEND=${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
X=$H_NET.9
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 0
route 1 555 2
EOF2
h_referd_subagent "$conf"

call_up 9000

# The ones that end the call come last (before the fix each worked).
sip_request "$X" REFER 20 "$acid" "$atag" "$rtag" "Refer-To: <sip:5551000@$B>"
h_is "X's REFER in A's dialog: 403" "$RESP" 403
sip_request "$X" INVITE 21 "$acid" "$atag" "$rtag"
h_is "X's re-INVITE in A's dialog: 403" "$RESP" 403
sip_request "$X" INFO 22 "$acid" "$atag" "$rtag"
h_is "X's INFO in A's dialog: 403" "$RESP" 403
sip_request "$X" UPDATE 28 "$acid" "$atag" "$rtag"
h_is "X's UPDATE (an offer, its Contact) in A's dialog: 403" "$RESP" 403
sip_request "$C" UPDATE 29 "$bcid" "$btag" "$rbtag"
h_is "C's UPDATE in B's dialog: 403" "$RESP" 403
sip_request "$X" PRACK 30 "$acid" "$atag" "$rtag" "RAck: 1 1 INVITE"
h_is "X's PRACK in A's dialog: 403" "$RESP" 403
sip_request "$C" PRACK 31 "$bcid" "$btag" "$rbtag" "RAck: 1 1 INVITE"
h_is "C's PRACK in B's dialog: 403" "$RESP" 403
sip_request "$X" CANCEL 1 "$acid" "$atag" ""
h_is "X's CANCEL of A's INVITE: 403" "$RESP" 403
sip_request "$X" ACK 1 "$acid" "$atag" "$rtag"
h_is "X's ACK in A's dialog: no answer" "$RESP" ""
sip_request "$C" REFER 23 "$bcid" "$btag" "$rbtag" "Refer-To: <sip:5551000@$B>"
h_is "C (a gateway in no dialog of the call) sends REFER in B's dialog: 403" \
	"$RESP" 403
sip_request "$X" BYE 24 "$bcid" "$btag" "$rbtag"
h_is "X's BYE in B's dialog: 403" "$RESP" 403
sip_request "$C" BYE 25 "$acid" "$atag" "$rtag"
h_is "C's BYE in A's dialog: 403" "$RESP" 403
sip_request "$X" BYE 26 "$acid" "$atag" "$rtag"
h_is "X's BYE in A's dialog: 403" "$RESP" 403
h_is "referdSgpDialogRequestsRefused counts the thirteen" "$(sget "$STATS.11.1")" 13
h_grep "referd logs who was refused" "$H_TMP/referd.log" \
	"BYE from $X:[0-9]+ refused: not the peer of dialog $acid"
# The peer itself (A's gateway, another port) is heard: referd answers
# an in-dialog OPTIONS itself (an INFO would now go on to B).
sip_request "$A" OPTIONS 27 "$acid" "$atag" "$rtag"
h_is "A's own OPTIONS (from another port of its gateway) is taken: 200" "$RESP" 200
h_is "... and not counted" "$(sget "$STATS.11.1")" 13
h_is "the call is still up" "$(sget "$RO.1.3.0")" 1

h_wait_exit "$apid" 30
h_is "A stayed in the call and its own BYE got 200" "$H_RC" 0
h_wait_exit "$bpid" 30
h_is "B got the ACK and then A's BYE, nothing else (no BYE, INVITE or REFER's call before)" \
	"$H_RC" 0
h_is "B received one INVITE and one BYE, no UPDATE and no PRACK" \
	"$(grep -c '^INVITE ' "$H_TMP/b.msg") $(grep -c '^BYE ' "$H_TMP/b.msg") $(grep -c '^UPDATE ' "$H_TMP/b.msg") $(grep -c '^PRACK ' "$H_TMP/b.msg")" \
	"1 1 0 0"
h_ok "no call is left" h_wait_for 10 calls_idle
h_done
