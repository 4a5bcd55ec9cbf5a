#!/bin/sh
# ua-basic.sh: real user agents call each other through referd (issue 14):
# linphonec (A) calls baresip (B), then B calls A.  On the wire: each
# INVITE reaches the other UA with referd's address in its SDP, each
# answer comes back with referd's address; RTP flows both ways; what each
# UA receives (captured at the media address it signalled) has only
# payload types that UA negotiated, and comes from referd's address.
#
# Peers: referd $H_NET.1, A linphonec $H_NET.2 (user 100; opus, PCMU,
# PCMA), B baresip $H_NET.3 (user 200; PCMU, PCMA).  See the real user
# agents section of tests/lib/harness.sh for how they run headless.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 60 ua-basic
h_ua_need
A=$H_NET.2
B=$H_NET.3
h_ua_referd "100:$A" "200:$B"
h_baresip b "$B" 200 "PCMU/8000/1,PCMA/8000/1"
h_linphonec a "$A" 100 "opus/48000 PCMU/8000 PCMA/8000"

# ---- A calls B ----------------------------------------------------------
lp_cmd a "call sip:200@$H_ADDR"
h_ok "B answers A's call (baresip CALL_ESTABLISHED)" bs_wait b CALL_ESTABLISHED
h_ok "A is connected (linphonec)" lp_wait a 'Call 1 with .* connected'
cid1=$(wire_callid "$A" "$H_ADDR")
cidb1=$(wire_callid "$H_ADDR" "$B")
h_ok "A's INVITE and referd's INVITE to B are on the wire ($cid1, $cidb1)" \
	test -n "$cid1" -a -n "$cidb1" -a "$cid1" != "$cidb1"
offer=$(wire_sdp "$H_ADDR" "$B" "^Call-ID: $cidb1")
h_like "B gets an offer with referd's address" "$offer" "c=IN IP4 $H_ADDR"
h_is "B is offered A's payload types" "$(printf '%s\n' "$offer" | sdp_fmts)" \
	"$(wire_sdp "$A" "$H_ADDR" "^Call-ID: $cid1" | sdp_fmts)"
answer=$(wire_sdp "$H_ADDR" "$A" "^Call-ID: $cid1")
h_like "A gets B's answer with referd's address" "$answer" "c=IN IP4 $H_ADDR"
h_is "A's answer has B's payload types" "$(printf '%s\n' "$answer" | sdp_fmts)" \
	"$(wire_sdp "$B" "$H_ADDR" "^Call-ID: $cidb1" | sdp_fmts)"
sleep 1
h_rtp_sniff 3 "$H_TMP/rtp1" "$H_ADDR" "$A" "$B"
h_ua_rtp_check "A (linphonec)" "$A" "$H_TMP/rtp1" "^Call-ID: $cid1"
h_ua_rtp_check "B (baresip)" "$B" "$H_TMP/rtp1" "^Call-ID: $cidb1"

lp_cmd a terminate
h_ok "B gets the BYE (baresip CALL_CLOSED)" bs_wait b CALL_CLOSED
h_ok "the BYE reached B in its dialog and got 200" wire_bye "$B" "$cidb1"
h_ok "no call is left" h_wait_for 5 calls_idle

# ---- B calls A ----------------------------------------------------------
lp_cmd a "autoanswer enable"
bs_cmd b dial "sip:100@$H_ADDR"
h_ok "A answers B's call (linphonec)" lp_wait a 'Call 2 with .* connected'
h_ok "B is connected (baresip CALL_ESTABLISHED)" bs_wait b CALL_ESTABLISHED 2
cid2=$(wire_callid "$B" "$H_ADDR")
cida2=$(wire_callid "$H_ADDR" "$A")
h_like "A gets B's offer with referd's address" \
	"$(wire_sdp "$H_ADDR" "$A" "^Call-ID: $cida2")" "c=IN IP4 $H_ADDR"
h_like "B gets A's answer with referd's address" \
	"$(wire_sdp "$H_ADDR" "$B" "^Call-ID: $cid2")" "c=IN IP4 $H_ADDR"
sleep 1
h_rtp_sniff 3 "$H_TMP/rtp2" "$H_ADDR" "$A" "$B"
h_ua_rtp_check "A (linphonec, called)" "$A" "$H_TMP/rtp2" "^Call-ID: $cida2"
h_ua_rtp_check "B (baresip, caller)" "$B" "$H_TMP/rtp2" "^Call-ID: $cid2"
bs_cmd b hangup
h_ok "A gets B's hang-up (linphonec: call ended)" lp_wait a 'Call 2 .*(ended|terminated)'
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
