#!/bin/sh
# sip-refer-redirect.sh: a 3xx from a transfer target (issue 16): the
# INVITE referd sends to C after a REFER is redirected.  It is followed
# under the rule of a called side's 3xx (sip-redirect.sh), per C's
# profile (referdSgpRedirect, referdSgpMaxRedirects): only to a Contact
# that reaches a configured gateway, at most referdSgpMaxRedirects times
# in the transfer.  When it is not followed the transfer fails with that
# status in the final NOTIFY's sipfrag, and the call stays as it was.
#   1. followed: C (profile follow, at most 1) answers 302 with a
#      Contact at gateway D; D gets the INVITE (Request-URI the Contact's
#      user at D, C's Call-ID and From tag, the next CSeq) and answers
#      PCMA only: B's final NOTIFY is 200, A is re-INVITEd with D's media
#      and A and D talk (PCMA both ways through referd).
#   2. past the limit: C redirects to itself: referd follows once
#      (CSeq 1, 2), then the transfer fails 302.
#   3. no Contact at a configured gateway: the transfer fails 302; the
#      unknown host is never called.
#   4. C's profile relays 3xx (referdSgpRedirect relay): the transfer
#      fails 302 although the Contact is D's; D gets nothing.
# In 2-4 A and B still exchange RTP after the failure, and A's BYE ends
# the call (as sip-refer-fail.sh).
#
# Peers: A on $H_NET.2, B on $H_NET.3, C on $H_NET.4 (gateway 3, the
# Refer-To target), D on $H_NET.5 (gateway 4), all on profile 1 (REFER
# enabled; follow, at most 1).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
D=127.0.56.5    # $H_NET.5: sess_init sets H_NET, and D's row goes in first
sess_init 56 sip-refer-redirect "refer 1 support enabled" \
    "gateway 4 d-side $D port 5060"
# Every peer is on profile 1: it follows redirections, one per transfer.
h_set_ok "referdSgpRedirect.1 = follow(2), referdSgpMaxRedirects.1 = 1" \
    "$SGP.10.1" i 2 "$SGP.11.1" u 1
h_rtp_setup

# redirector NAME CONTACT: C (uas-redirect.xml) answering every INVITE
# 302 with CONTACT; its pid in RPID.
redirector() {
	peer "$1" "$C" -sf "$SC/uas-redirect.xml" -set contact "$2" -m 1
	RPID=$H_PID
	h_wait_for 5 listening "$C" 5060 || h_bail "SIPp C did not start"
}
# redirects NAME: "INVITES ACKS" C received as peer NAME.
redirects() {
	h_wait_exit "$RPID" 10 || h_stop "$RPID"
	echo "$(grep -c '^R INVITE' "$H_TMP/$1.log") $(grep -c '^ACK ' "$H_TMP/$1.msg")"
}

# 1. followed: C -> 302 -> D, which answers PCMA only.
redirector c1 "<sip:8881000@$D:5060>"
sess_peer d1 "$D" uas-session-answer.xml -set offer "RTP/AVP 0 8" \
    -set fmts 8 -m 1
DPID=$H_PID
sess_peer b1 "$B" uas-session-refer.xml -set fmts "0 8" -set early 0 \
    -set target "sip:carol@$C:5060" -m 1
BPID=$H_PID
h_wait_for 5 listening "$B" 5060 && h_wait_for 5 listening "$D" 5060 ||
	h_bail "SIPp B or D did not start"
sess_peer a1 "$A" uac-session-transfer.xml -s 5551000 -m 1 \
    -set answer "RTP/AVP 0 8" -set realign 1 -set reoffer "RTP/AVP 8" \
    "$H_ADDR:5060"
APID=$H_PID
h_ok "1: B's transfer ends (final NOTIFY)" h_wait_for 10 grep -q \
	"^B notify|frag=SIP/2.0 [2-6]" "$H_TMP/b1.log"
h_grep "1: ... 200 OK: D answered" "$H_TMP/b1.log" \
	"^B notify\\|frag=SIP/2.0 200 OK\\|state=terminated\$"
h_not "1: B never hears of the 302" grep -q "^B notify|frag=SIP/2.0 302" \
	"$H_TMP/b1.log"
h_is "1: C redirected one INVITE and got the ACK" "$(redirects c1)" "1 1"
h_is "1: D's INVITE goes to the Contact's user at D" \
	"$(sip_nth d1 recv INVITE 1 | head -n 1 | tr -d '\r')" \
	"INVITE sip:8881000@$D:5060 SIP/2.0"
h_is "1: ... on C's Call-ID, the next CSeq" \
	"$(sip_nth_hdr d1 recv INVITE 1 Call-ID) $(sip_nth_hdr d1 recv INVITE 1 CSeq)" \
	"$(sip_nth_hdr c1 recv INVITE 1 Call-ID) 2 INVITE"
h_is "1: ... with C's From (its tag)" \
	"$(sip_nth_hdr d1 recv INVITE 1 From)" "$(sip_nth_hdr c1 recv INVITE 1 From)"
h_is "1: ... and C's Referred-By" \
	"$(sip_nth_hdr d1 recv INVITE 1 Referred-By)" \
	"$(sip_nth_hdr c1 recv INVITE 1 Referred-By)"
h_is "1: D's 200 is ACKed with the INVITE's CSeq" \
	"$(sip_nth_hdr d1 recv ACK 1 CSeq)" "2 ACK"
h_ok "1: A gets referd's re-INVITE with D's media" \
	h_wait_for 10 logged a1 "A realign"
pa=$(logval a1 "A answer" port)
pd=$(logval d1 offer port)
h_is "1: D is offered what A negotiated: PCMU and PCMA" \
	"$(logsdp d1 offer)" "$H_ADDR $pd RTP/AVP 0 8"
h_is "1: A's re-INVITE offers D's PCMA on A's port" \
	"$(logsdp a1 "A realign")" "$H_ADDR $pa RTP/AVP 8"
# PCMA between A and D; PCMU dropped.
rtp_exchange 8 A "$pa" 0 D "$pd" 0
sipp_ok "1: A: the call, the re-INVITE answered, A's BYE" a1 "$APID"
sipp_ok "1: B: REFER, 202, NOTIFYs, its BYE" b1 "$BPID" 10
sipp_ok "1: D: the INVITE as checked, A's BYE" d1 "$DPID" 10
h_is "1: referdSgpTransfersCompleted.1" "$(sget "$STATS.4.1")" 1
h_ok "1: the call is over" h_wait_for 5 calls_idle

# failed N CONTACT INVITES: C answers 302 with CONTACT, the transfer
# fails 302 after C got INVITES INVITEs (and as many ACKs); the call A-B
# goes on with RTP both ways; D must get nothing.
failed() {
	local n=$1 fails apid bpid dpid
	fails=$(sget "$STATS.5.1")
	redirector "c$n" "$2"
	peer "d$n" "$D" -sn uas -m 1
	dpid=$H_PID
	peer "b$n" "$B" -sf "$SC/uas-refer-fail-rtp.xml" -mp $MP \
	    -set target "sip:carol@$C:5060" -m 1
	bpid=$H_PID
	h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
	peer "a$n" "$A" -sf "$SC/uac-rtp-late.xml" -d 4000 -mp $MP \
	    -s 5551000 -m 1 "$H_ADDR:5060"
	apid=$H_PID
	h_ok "$n: B gets the final NOTIFY" \
	    h_wait_for 10 grep -q '^B: final' "$H_TMP/b$n.log"
	h_grep "$n: its sipfrag is C's 302, terminated" "$H_TMP/b$n.log" \
	    "^B: final SIP/2.0 302 Moved Temporarily terminated"
	h_is "$n: C got $3 INVITE(s), each ACKed" "$(redirects "c$n")" "$3 $3"
	h_ok "$n: the call survives: RTP from A reaches B through referd" \
	    h_wait_for 8 rtp_in "$B" $MP
	h_ok "$n: ... and RTP from B reaches A through referd" \
	    h_wait_for 3 rtp_in "$A" $MP
	sipp_ok "$n: A hangs up (BYE, 200)" "a$n" "$apid"
	sipp_ok "$n: B gets A's BYE and answers 200" "b$n" "$bpid"
	h_stop "$dpid"
	h_is "$n: D got no INVITE" "$(grep -c '^INVITE ' "$H_TMP/d$n.msg")" 0
	h_is "$n: referdSgpTransfersFailed counts it" "$(sget "$STATS.5.1")" \
	    $((fails + 1))
	h_ok "$n: the call is over" h_wait_for 5 calls_idle
}

# 2. a loop: C redirects to itself; followed once (maxRedirects 1).
failed 2 "<sip:8882000@$C:5060>" 2
h_is "2: C's INVITEs: CSeq 1, 2" \
	"$(sed -n 's/^R INVITE //p' "$H_TMP/c2.log" | paste -sd ' ' -)" "1 2"
# 3. a Contact reaching no configured gateway.
failed 3 "<sip:9993000@192.0.2.9:5060>" 1
# 4. C's profile relays redirections: even D's Contact is not followed.
h_set_ok "referdSgpRedirect.1 = relay(1)" "$SGP.10.1" i 1
failed 4 "<sip:8884000@$D:5060>" 1
h_is "referdSgpTransfersCompleted.1: only the first" "$(sget "$STATS.4.1")" 1
h_done
