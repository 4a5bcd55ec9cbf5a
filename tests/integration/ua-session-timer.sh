#!/bin/sh
# ua-session-timer.sh: real user agents and RFC 4028 session timers through
# referd (issue 16, item 4), Session-Expires 90 on the profile.
# linphonec 5.1 does session timers (linphonerc [sip] session_expires_*):
# its INVITE says Supported: timer, Session-Expires 90, and referd's 200
# makes it the refresher (refresher=uac); it refreshes with an UPDATE
# without SDP at half the interval, which referd answers 200 with the
# interval (Session-Expires, Require: timer: RFC 4028 9; before, the 200
# carried none, which tells a UA the timer is off, 7.4).  baresip 1.0
# does none (no Session-Expires in its 200): referd refreshes towards it,
# a re-INVITE with its last SDP unchanged (same o= version) 45 s after the
# answer.  Past the point where a session without a refresh would have
# expired (60 s: 90 - 30), the call is still up (no BYE on the wire,
# baresip has not closed it, referdSgpSessionExpired is 0), and RTP flows
# both ways with the negotiated payload types, from referd's address.
# About 80 s.
#
# Peers: referd $H_NET.1, A linphonec $H_NET.2 (user 100; PCMU, PCMA),
# B baresip $H_NET.3 (user 200; PCMU, PCMA).  See the real user agents
# section of tests/lib/harness.sh.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 57 ua-session-timer
h_ua_need
A=$H_NET.2
B=$H_NET.3
h_ua_referd "100:$A" "200:$B"
h_set_ok "referdSgpSessionExpires.1 = 90" "$SGP.6.1" u 90
h_baresip b "$B" 200 "PCMU/8000/1,PCMA/8000/1"
h_linphonec a "$A" 100 "PCMU/8000 PCMA/8000" "session_expires_enabled=1
session_expires_value=90"

lp_cmd a "call sip:200@$H_ADDR"
h_ok "B answers A's call (baresip CALL_ESTABLISHED)" bs_wait b CALL_ESTABLISHED
h_ok "A is connected (linphonec)" lp_wait a 'Call 1 with .* connected'
cid=$(wire_callid "$A" "$H_ADDR")
cidb=$(wire_callid "$H_ADDR" "$B")
h_ok "A's INVITE and referd's INVITE to B are on the wire ($cid, $cidb)" \
	test -n "$cid" -a -n "$cidb"
inv=$(wire_msgs "$A" "$H_ADDR" '^INVITE ' "^Call-ID: $cid")
h_like "linphonec does session timers: Supported: timer" \
	"$(printf '%s\n' "$inv" | msg_hdr Supported)" '(^|[ ,])timer($|[ ,])'
h_is "... and asks for Session-Expires 90" \
	"$(printf '%s\n' "$inv" | msg_hdr Session-Expires)" 90
ok_a=$(wire_msgs "$H_ADDR" "$A" '^SIP/2.0 200 ' "^Call-ID: $cid" '^CSeq: [0-9]+ INVITE')
h_is "referd's 200 to A: A refreshes (Session-Expires 90;refresher=uac)" \
	"$(printf '%s\n' "$ok_a" | msg_hdr Session-Expires)" "90;refresher=uac"
h_is "... Require: timer" "$(printf '%s\n' "$ok_a" | msg_hdr Require)" timer
invb=$(wire_msgs "$H_ADDR" "$B" '^INVITE ' "^Call-ID: $cidb" '^CSeq: 1 INVITE')
h_is "referd's INVITE to B asks for Session-Expires 90" \
	"$(printf '%s\n' "$invb" | msg_hdr Session-Expires)" 90
okb=$(wire_msgs "$B" "$H_ADDR" '^SIP/2.0 200 ' "^Call-ID: $cidb" '^CSeq: 1 INVITE')
h_is "baresip does no session timers: its 200 has no Session-Expires" \
	"$(printf '%s\n' "$okb" | msg_hdr Session-Expires)" ""
t0=$(wire_time "$B" "$H_ADDR" '^SIP/2.0 200 ' "^Call-ID: $cidb" '^CSeq: 1 INVITE')
o1=$(printf '%s\n' "$invb" | awk '/^o=/ { print; exit }')

# ---- the refreshes, at half the interval -----------------------------------
h_ok "referd refreshes B: a re-INVITE (CSeq 2) within 55 s of B's answer" \
	h_wait_for 55 wire_has "$H_ADDR" "$B" '^INVITE ' "^Call-ID: $cidb" '^CSeq: 2 INVITE'
reinv=$(wire_msgs "$H_ADDR" "$B" '^INVITE ' "^Call-ID: $cidb" '^CSeq: 2 INVITE')
t1=$(wire_time "$H_ADDR" "$B" '^INVITE ' "^Call-ID: $cidb" '^CSeq: 2 INVITE')
h_ok "... 45 s after the answer (half the interval: $t0 -> $t1)" \
	awk -v a="$t0" -v b="$t1" 'BEGIN { d = b - a; exit !(d >= 44 && d <= 47) }'
h_is "... with referd as refresher (Session-Expires 90;refresher=uac)" \
	"$(printf '%s\n' "$reinv" | msg_hdr Session-Expires)" "90;refresher=uac"
h_is "... and B's SDP unchanged (the same o= line)" \
	"$(printf '%s\n' "$reinv" | awk '/^o=/ { print; exit }')" "$o1"
h_ok "B answers referd's refresh 200" h_wait_for 5 wire_has "$B" "$H_ADDR" \
	'^SIP/2.0 200 ' "^Call-ID: $cidb" '^CSeq: 2 INVITE'
h_ok "... and referd ACKs it" h_wait_for 5 wire_has "$H_ADDR" "$B" \
	'^ACK ' "^Call-ID: $cidb" '^CSeq: 2 ACK'
h_ok "A (linphonec) refreshes: an UPDATE with Session-Expires 90;refresher=uac" \
	h_wait_for 10 wire_has "$A" "$H_ADDR" '^UPDATE ' "^Call-ID: $cid" \
	'^Session-Expires: 90;refresher=uac'
upd=$(wire_msgs "$A" "$H_ADDR" '^UPDATE ' "^Call-ID: $cid")
h_like "... a refresh only: no SDP" "$(printf '%s\n' "$upd" | msg_hdr Content-Length)" '^(0)?$'
h_ok "referd answers A's UPDATE 200" h_wait_for 5 wire_has "$H_ADDR" "$A" \
	'^SIP/2.0 200 ' "^Call-ID: $cid" '^CSeq: [0-9]+ UPDATE'
ok_u=$(wire_msgs "$H_ADDR" "$A" '^SIP/2.0 200 ' "^Call-ID: $cid" '^CSeq: [0-9]+ UPDATE')
h_is "... with the interval: Session-Expires 90;refresher=uac" \
	"$(printf '%s\n' "$ok_u" | msg_hdr Session-Expires)" "90;refresher=uac"
h_is "... and Require: timer" "$(printf '%s\n' "$ok_u" | msg_hdr Require)" timer
h_is "A's UPDATE did not reach B (baresip's Allow has no UPDATE)" \
	"$(wire_count "$H_ADDR" "$B" '^UPDATE ')" 0

# ---- past the expiry of an unrefreshed session (60 s) -----------------------
while awk -v a="$t0" -v n="$(date +%s.%N)" 'BEGIN { exit !(n - a < 66) }'; do
	sleep 1
done
h_is "66 s after the answer: no BYE on the wire" \
	"$(($(wire_count "$H_ADDR" "$A" '^BYE ') + $(wire_count "$A" "$H_ADDR" '^BYE ') +
	    $(wire_count "$H_ADDR" "$B" '^BYE ') + $(wire_count "$B" "$H_ADDR" '^BYE ')))" 0
h_is "... baresip has not closed the call" "$(bs_events b CALL_CLOSED)" 0
h_is "... referdActiveCalls is 1" "$(sget "$RO.1.3.0")" 1
h_is "... referdSgpSessionExpired.1 is 0" "$(sget "$STATS.14.1")" 0
h_rtp_sniff 3 "$H_TMP/rtp" "$H_ADDR" "$A" "$B"
h_ua_rtp_check "A (linphonec), after the refreshes" "$A" "$H_TMP/rtp" "^Call-ID: $cid"
h_ua_rtp_check "B (baresip), after the refreshes" "$B" "$H_TMP/rtp" "^Call-ID: $cidb"

lp_cmd a terminate
h_ok "B gets the BYE (baresip CALL_CLOSED)" bs_wait b CALL_CLOSED
h_ok "the BYE reached B in its dialog and got 200" wire_bye "$B" "$cidb"
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
