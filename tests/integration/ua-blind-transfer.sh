#!/bin/sh
# ua-blind-transfer.sh: a blind transfer between real user agents whose
# codecs differ (issue 14; SPEC section 5, "Media anchoring" and "REFER,
# referd as transferee"; RFC 3515, RFC 5589 section 6).  A (linphonec,
# offering opus, PCMU and PCMA) calls B (baresip, PCMU and PCMA only)
# through referd; B transfers A to C (baresip preferring opus, also PCMU)
# with a REFER.  On the wire: B's REFER gets 202 and a NOTIFY reporting
# 200; C is offered only what A negotiated with B; when C's answer differs
# from B's, A is re-INVITEd with C's media; B's dialog ends and B gets no
# more RTP; afterwards RTP flows both ways between A and C through
# referd, and every packet A and C receive has a payload type each
# negotiated in its final SDP exchange (read from the SIP on the wire).
#
# Peers: referd $H_NET.1, A linphonec $H_NET.2 (user 100), B baresip
# $H_NET.3 (user 200), C baresip $H_NET.4 (user 300).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 61 ua-blind-transfer
h_ua_need
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
h_ua_referd "100:$A" "200:$B" "300:$C"
h_baresip b "$B" 200 "PCMU/8000/1,PCMA/8000/1"
h_baresip c "$C" 300 "opus/48000/2,PCMU/8000/1"
h_linphonec a "$A" 100 "opus/48000 PCMU/8000 PCMA/8000"

lp_cmd a "call sip:200@$H_ADDR"
h_ok "the call A-B is up" lp_wait a 'Call 1 with .* connected'
h_ok "B is in the call" bs_wait b CALL_ESTABLISHED
cida=$(wire_callid "$A" "$H_ADDR")
cidb=$(wire_callid "$H_ADDR" "$B")
h_like "A offered opus, PCMU and PCMA" \
	"$(wire_sdp "$A" "$H_ADDR" "^Call-ID: $cida")" 'a=rtpmap:[0-9]+ opus/48000'
sleep 1
h_rtp_sniff 2 "$H_TMP/rtp-ab" "$H_ADDR" "$A" "$B" "$C"
h_ua_rtp_check "A, before the transfer" "$A" "$H_TMP/rtp-ab" "^Call-ID: $cida"
nega=$H_UA_NEG
h_ua_rtp_check "B, before the transfer" "$B" "$H_TMP/rtp-ab" "^Call-ID: $cidb"
bmedia=$H_UA_MEDIA
banswer=$(wire_sdp "$B" "$H_ADDR" "^Call-ID: $cidb" | sdp_fmts)

# B transfers A to C.
bs_cmd b transfer "sip:300@$H_ADDR"
h_ok "C answers referd's INVITE (baresip CALL_ESTABLISHED)" bs_wait c CALL_ESTABLISHED 1 15
cidc=$(wire_callid "$H_ADDR" "$C")
h_ok "B's REFER is on the wire" wire_has "$B" "$H_ADDR" '^REFER ' "^Call-ID: $cidb"
h_ok "B's REFER gets 202 Accepted" wire_has "$H_ADDR" "$B" '^SIP/2.0 202 ' '^CSeq: [0-9]+ REFER'
h_ok "B gets a NOTIFY reporting C's 200 (sipfrag)" \
	h_wait_for 10 wire_has "$H_ADDR" "$B" '^NOTIFY ' '^SIP/2.0 200'
coffer=$(wire_sdp "$H_ADDR" "$C" "^Call-ID: $cidc")
h_like "C's INVITE carries referd's address" "$coffer" "c=IN IP4 $H_ADDR"
h_ok "C is offered only what A negotiated ($(printf '%s\n' "$coffer" | sdp_fmts) of $nega)" \
	subset "$(printf '%s\n' "$coffer" | sdp_fmts)" "$nega"
canswer=$(wire_sdp "$C" "$H_ADDR" "^Call-ID: $cidc" | sdp_fmts)
echo "# B answered A with: $banswer; C answered referd with: $canswer"
if [ "$canswer" != "$banswer" ]; then
	h_ok "C's answer differs from B's: A gets a re-INVITE" \
	    h_wait_for 10 wire_has "$H_ADDR" "$A" '^INVITE ' "^Call-ID: $cida"
	sleep 1
	h_is "... offering C's payload types ($canswer)" \
	    "$(wire_sdp "$H_ADDR" "$A" "^Call-ID: $cida" | sdp_fmts)" "$canswer"
fi
h_ok "B's dialog ends (baresip CALL_CLOSED)" bs_wait b CALL_CLOSED 1 15
h_ok "a BYE ends B's dialog and gets 200" h_wait_for 5 wire_bye "$B" "$cidb"
sleep 1
h_rtp_sniff 3 "$H_TMP/rtp-ac" "$H_ADDR" "$A" "$B" "$C"
h_ua_rtp_check "A, talking to C" "$A" "$H_TMP/rtp-ac" "^Call-ID: $cida"
h_ua_rtp_check "C, talking to A" "$C" "$H_TMP/rtp-ac" "^Call-ID: $cidc"
h_is "B gets no RTP any more" "$(rtp_count_ua "$H_TMP/rtp-ac" "$bmedia")" 0
h_is "A never got a BYE: its call goes on with C" \
	"$(wire_count "$H_ADDR" "$A" '^BYE ')" 0

lp_cmd a terminate
h_ok "C gets the BYE (baresip CALL_CLOSED)" bs_wait c CALL_CLOSED
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
