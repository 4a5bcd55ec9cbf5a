#!/bin/sh
# ua-update.sh: a real user agent's UPDATE (RFC 3311) carried end to end
# by referd (issue 16, item 2).  linphonec 5.1 sends UPDATE for a session
# refresh (RFC 4028, linphonerc [sip] session_expires_*): an UPDATE
# without SDP in the confirmed dialog at half the interval.  Two
# linphonecs call each other through referd, Session-Expires 90 on the
# profile; A is the refresher of its leg (referd's 200: refresher=uac), B
# of its own (its 200: refresher=uas).  About 45 s after the answer each
# sends its UPDATE: referd sends an UPDATE to the other party in that
# party's dialog (its Call-ID and tags, no SDP; both Allow UPDATE), and
# answers the sender 200 only after the other's 200, with the sender's
# interval (Session-Expires 90;refresher=uac, Require: timer).  The call
# stays up and RTP flows both ways afterwards, from referd's address.
# No linphonec command was found that makes it send an UPDATE with an
# offer (an early-dialog or confirmed-dialog session change): that case is
# sip-update.sh's, with SIPp.  About 65 s.
#
# Peers: referd $H_NET.1, A linphonec $H_NET.2 (user 100; PCMU, PCMA),
# B linphonec $H_NET.3 (user 200; PCMU, PCMA).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 58 ua-update
h_ua_need
A=$H_NET.2
B=$H_NET.3
h_ua_referd "100:$A" "200:$B"
h_set_ok "referdSgpSessionExpires.1 = 90" "$SGP.6.1" u 90
h_linphonec b "$B" 200 "PCMU/8000 PCMA/8000" "session_expires_enabled=1
session_expires_value=90"
h_linphonec a "$A" 100 "PCMU/8000 PCMA/8000" "session_expires_enabled=1
session_expires_value=90"
lp_cmd b "autoanswer enable"

lp_cmd a "call sip:200@$H_ADDR"
h_ok "A is connected (linphonec)" lp_wait a 'Call 1 with .* connected'
h_ok "B answered (linphonec)" lp_wait b 'Call 1 with .* connected'
cid=$(wire_callid "$A" "$H_ADDR")
cidb=$(wire_callid "$H_ADDR" "$B")
h_ok "A's INVITE and referd's INVITE to B are on the wire ($cid, $cidb)" \
	test -n "$cid" -a -n "$cidb"
h_like "A's INVITE allows UPDATE" \
	"$(wire_msgs "$A" "$H_ADDR" '^INVITE ' "^Call-ID: $cid" | msg_hdr Allow)" \
	'(^|[ ,])UPDATE($|[ ,])'
okb=$(wire_msgs "$B" "$H_ADDR" '^SIP/2.0 200 ' "^Call-ID: $cidb" '^CSeq: 1 INVITE')
h_like "B's 200 allows UPDATE" "$(printf '%s\n' "$okb" | msg_hdr Allow)" \
	'(^|[ ,])UPDATE($|[ ,])'
h_is "B refreshes its leg (its 200: Session-Expires 90;refresher=uas)" \
	"$(printf '%s\n' "$okb" | msg_hdr Session-Expires)" "90;refresher=uas"
h_is "A refreshes its leg (referd's 200: Session-Expires 90;refresher=uac)" \
	"$(wire_msgs "$H_ADDR" "$A" '^SIP/2.0 200 ' "^Call-ID: $cid" '^CSeq: [0-9]+ INVITE' |
	msg_hdr Session-Expires)" "90;refresher=uac"
btag=$(printf '%s\n' "$okb" | msg_hdr To | sed -n 's/.*;tag=\([^;]*\).*/\1/p')
atag=$(wire_msgs "$A" "$H_ADDR" '^INVITE ' "^Call-ID: $cid" | msg_hdr From |
	sed -n 's/.*;tag=\([^;]*\).*/\1/p')

# updated NAME FROM FCID TO TCID TTAG: FROM's UPDATE in its dialog FCID
# reaches TO as referd's UPDATE in TO's dialog TCID (To tag TTAG), without
# SDP; TO's 200 comes back, then referd's 200 to FROM with FROM's interval.
updated() {
	local n=$1 from=$2 fcid=$3 to=$4 tcid=$5 ttag=$6 up rel ok t1 t2 t3
	h_ok "$n: the UPDATE goes from $from within 55 s of the answer" \
	    h_wait_for 55 wire_has "$from" "$H_ADDR" '^UPDATE ' "^Call-ID: $fcid"
	up=$(wire_msgs "$from" "$H_ADDR" '^UPDATE ' "^Call-ID: $fcid")
	h_like "$n: ... a session refresh without SDP" \
	    "$(printf '%s\n' "$up" | msg_hdr Session-Expires) $(printf '%s\n' "$up" |
	    msg_hdr Content-Length)" '^90;refresher=uac 0?$'
	h_ok "$n: referd sends $to an UPDATE in $to's dialog" \
	    h_wait_for 5 wire_has "$H_ADDR" "$to" '^UPDATE ' "^Call-ID: $tcid"
	rel=$(wire_msgs "$H_ADDR" "$to" '^UPDATE ' "^Call-ID: $tcid")
	h_like "$n: ... to $to's tag, without SDP" \
	    "$(printf '%s\n' "$rel" | msg_hdr To) $(printf '%s\n' "$rel" | msg_hdr Content-Length)" \
	    ";tag=$ttag 0$"
	h_ok "$n: $to answers it 200" h_wait_for 5 wire_has "$to" "$H_ADDR" \
	    '^SIP/2.0 200 ' "^Call-ID: $tcid" '^CSeq: [0-9]+ UPDATE'
	h_ok "$n: referd answers $from 200" h_wait_for 5 wire_has "$H_ADDR" "$from" \
	    '^SIP/2.0 200 ' "^Call-ID: $fcid" '^CSeq: [0-9]+ UPDATE'
	t1=$(wire_time "$H_ADDR" "$to" '^UPDATE ' "^Call-ID: $tcid")
	t2=$(wire_time "$to" "$H_ADDR" '^SIP/2.0 200 ' "^Call-ID: $tcid" '^CSeq: [0-9]+ UPDATE')
	t3=$(wire_time "$H_ADDR" "$from" '^SIP/2.0 200 ' "^Call-ID: $fcid" '^CSeq: [0-9]+ UPDATE')
	h_before "$n: ... after $to's 200 ($t1, $t2, $t3)" "$t2" "$t3"
	ok=$(wire_msgs "$H_ADDR" "$from" '^SIP/2.0 200 ' "^Call-ID: $fcid" '^CSeq: [0-9]+ UPDATE')
	h_is "$n: ... with $from's interval (Session-Expires 90;refresher=uac)" \
	    "$(printf '%s\n' "$ok" | msg_hdr Session-Expires)" "90;refresher=uac"
	h_is "$n: ... and Require: timer" "$(printf '%s\n' "$ok" | msg_hdr Require)" timer
}
updated a "$A" "$cid" "$B" "$cidb" "$btag"
updated b "$B" "$cidb" "$A" "$cid" "$atag"

h_is "no BYE on the wire" \
	"$(($(wire_count "$H_ADDR" "$A" '^BYE ') + $(wire_count "$A" "$H_ADDR" '^BYE ') +
	    $(wire_count "$H_ADDR" "$B" '^BYE ') + $(wire_count "$B" "$H_ADDR" '^BYE ')))" 0
h_is "referdActiveCalls is 1" "$(sget "$RO.1.3.0")" 1
h_rtp_sniff 3 "$H_TMP/rtp" "$H_ADDR" "$A" "$B"
h_ua_rtp_check "A (linphonec), after the UPDATEs" "$A" "$H_TMP/rtp" "^Call-ID: $cid"
h_ua_rtp_check "B (linphonec), after the UPDATEs" "$B" "$H_TMP/rtp" "^Call-ID: $cidb"

lp_cmd a terminate
h_ok "the BYE reached B in its dialog and got 200" h_wait_for 5 wire_bye "$B" "$cidb"
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
