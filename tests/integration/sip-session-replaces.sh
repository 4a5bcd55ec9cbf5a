#!/bin/sh
# sip-session-replaces.sh: the 200 to an INVITE with Replaces answers the
# new party's own offer (SPEC section 5, "Transfer target": "its 200
# answers the new party's own offer"; RFC 3264 6, RFC 3891): A calls B
# with PCMU, PCMA and telephone-event, B takes PCMU and PCMA.  C replaces
# B's dialog with an offer of PCMA, PCMU, G.729 and telephone-event, in
# that order: referd's 200 to C has C's m= line in C's order with the
# codecs A has among C's (PCMA, PCMU: no G.729, no telephone-event, which
# A did not negotiate), referd's address and origin; not A's SDP (PCMU,
# PCMA).  The codecs A and C end up with are the same, so A gets no
# re-INVITE; B gets referd's BYE.  Then PCMA flows between A and C, and
# what the other did not negotiate (C's G.729, A's telephone-event
# payload type) is dropped.
#
# Peers: A on $H_NET.2, B on $H_NET.3, C on $H_NET.4 (gateway 3), media
# on port $MP (rtpcheck); SDP checks in tests/scenarios/
# uac-session-transfer.xml (A), uas-session-answer.xml (B) and
# uac-session-replaces.xml (C).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
sess_init 72 sip-session-replaces "refer 1 support enabled"
# C is in no dialog of the call and no REFER named it: its gateway must be
# allowed to replace referd's dialogs (referdGwReplaces enabled(2)).
h_set_ok "gateway 3 may replace any dialog" "$GW.9.3" i 2

sess_peer b "$B" uas-session-answer.xml -m 1 -set offer "RTP/AVP 0 8 101" \
	-set fmts "0 8"
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
sess_peer a "$A" uac-session-transfer.xml -s 5551000 -m 1 \
	-set answer "RTP/AVP 0 8" -set realign 0 -set reoffer - "$H_ADDR:5060"
apid=$H_PID
h_ok "the call A-B is up" h_wait_for 5 sip_got b ACK
# referd's dialog with B: its Call-ID, referd's tag (the INVITE's From
# tag) and B's tag (the To tag of B's 200).
cid=$(sed -n 's/^Call-ID: *//p' "$H_TMP/b.msg" | head -n 1 | tr -d '\r')
rtag=$(sed -n 's/^From:.*;tag=\([^;]*\).*/\1/p' "$H_TMP/b.msg" | head -n 1 | tr -d '\r')
btag=$(sed -n 's/^To:.*;tag=\([^;]*\).*/\1/p' "$H_TMP/b.msg" | head -n 1 | tr -d '\r')
h_ok "B's dialog identifiers were read ($cid $rtag $btag)" \
	test -n "$cid" -a -n "$rtag" -a -n "$btag"

sess_peer c "$C" uac-session-replaces.xml -s 5551000 -m 1 \
	-set answer "RTP/AVP 8 0" -set replaces "$cid;to-tag=$rtag;from-tag=$btag" \
	"$H_ADDR:5060"
cpid=$H_PID
h_ok "C gets referd's 200" h_wait_for 10 logged c "C answer"
pa=$(logval a "A answer" port)
pc=$(logval c "C answer" port)
h_is "C's 200 answers C's offer: its order, the codecs A has, referd's address" \
	"$(logsdp c "C answer")" "$H_ADDR $pc RTP/AVP 8 0"
h_ok "... on a port of referd's relay range ($pc)" in_range "$pc"
h_ok "... not A's" test "$pc" != "$pa"
h_like "... with referd's origin" "$(logval c "C answer" o)" \
	"^referd [0-9]+ [0-9]+ IN IP4 $H_ADDR\$"
h_wait_exit "$bpid" 10
h_is "the replaced dialog gets referd's BYE (B completes)" "$H_RC" 0

rtp_exchange 8 A "$pa" 101 C "$pc" 18

sipp_ok "A: no re-INVITE (same codecs), A's BYE reaches C" a "$apid"
sipp_ok "C: the answer as checked, A's BYE" c "$cpid" 10
h_is "A got no INVITE from referd" \
	"$(sip_msgs a | awk '$2 == "recv" && $3 == "INVITE"' | wc -l | tr -d ' ')" 0
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle
h_done
