#!/bin/sh
# ua-attended.sh: an attended transfer through referd, both calls crossing
# it (issue 14; SPEC section 5, "Transfer target: INVITE with Replaces":
# a Refer-To whose Replaces names a dialog referd itself holds joins the
# two calls inside referd; RFC 5589 section 7, RFC 3891, RFC 3515).
# B (linphonec) calls A (baresip), puts A on hold, calls C (baresip),
# then transfers A to C ('transfer 1 --to-call 2'): a REFER in its dialog
# with referd for A, Refer-To: referd's Contact ?Replaces= its dialog with
# referd for C.  On the wire: the REFER gets 202 and B a NOTIFY reporting
# 200; B's two dialogs end with BYEs answered 200, and B gets no more
# RTP; A and C keep their dialogs (no BYE) and, through referd, exchange
# RTP both ways with payload types each negotiated in its last SDP
# exchange: A, on hold until then, is taken off hold, and A (PCMU/PCMA)
# and C (which negotiated opus with B) end up with a codec both have.
#
# Peers: referd $H_NET.1, A baresip $H_NET.2 (user 100; PCMU, PCMA),
# B linphonec $H_NET.3 (user 200; opus, PCMU, PCMA), C baresip $H_NET.4
# (user 300; opus, PCMU).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 63 ua-attended
h_ua_need
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
h_ua_referd "100:$A" "200:$B" "300:$C"
h_baresip a "$A" 100 "PCMU/8000/1,PCMA/8000/1"
h_baresip c "$C" 300 "opus/48000/2,PCMU/8000/1"
h_linphonec b "$B" 200 "opus/48000 PCMU/8000 PCMA/8000"

# B calls A, and holds.
lp_cmd b "call sip:100@$H_ADDR"
h_ok "B's first call, to A, is up" lp_wait b 'Call 1 with .* connected'
bs_wait a CALL_ESTABLISHED
cidb1=$(wire_callid "$B" "$H_ADDR")
cida=$(wire_callid "$H_ADDR" "$A")
lp_cmd b pause
h_ok "B holds A: A gets the re-INVITE through referd" \
	h_wait_for 10 wire_has "$H_ADDR" "$A" '^INVITE ' "^Call-ID: $cida" '^To: .*;tag='
h_ok "B's hold is answered" lp_wait b 'Call 1 .*paused'
# B calls C.
lp_cmd b "call sip:300@$H_ADDR"
h_ok "B's second call, to C, is up" lp_wait b 'Call 2 with .* connected'
bs_wait c CALL_ESTABLISHED
cidb2=$(wire_callid "$B" "$H_ADDR" 2)
cidc=$(wire_callid "$H_ADDR" "$C")
h_ok "the four dialogs are known ($cidb1 $cida $cidb2 $cidc)" \
	test -n "$cidb1" -a -n "$cida" -a -n "$cidb2" -a -n "$cidc"
sleep 1
h_rtp_sniff 2 "$H_TMP/rtp-bc" "$H_ADDR" "$A" "$B" "$C"
h_ua_rtp_check "C, talking to B" "$C" "$H_TMP/rtp-bc" "^Call-ID: $cidc"
echo "# C negotiated with B: $H_UA_NEG; A: $(common \
	"$(wire_sdp "$A" "$H_ADDR" "^Call-ID: $cida" | sdp_fmts)" \
	"$(wire_sdp "$H_ADDR" "$A" "^Call-ID: $cida" | sdp_fmts)")"
h_ua_rtp_check "B, talking to C" "$B" "$H_TMP/rtp-bc" "^Call-ID: $cidb2"
bmedia=$H_UA_MEDIA

# B transfers A to C: REFER in dialog 1, Replaces naming dialog 2.
lp_cmd b "transfer 1 --to-call 2"
h_ok "B sends REFER in its dialog for A" \
	h_wait_for 5 wire_has "$B" "$H_ADDR" '^REFER ' "^Call-ID: $cidb1"
refer_to=$(wire_msgs "$B" "$H_ADDR" '^REFER ' | sed -n 's/^\(Refer-To\|r\): *//p' | head -n 1)
h_like "... Refer-To naming its dialog for C in ?Replaces= ($refer_to)" \
	"$refer_to" "[?&]Replaces=$(printf '%s' "$cidb2" | sed 's/[.]/[.]/g')"
h_ok "the REFER gets 202 Accepted" \
	h_wait_for 5 wire_has "$H_ADDR" "$B" '^SIP/2.0 202 ' '^CSeq: [0-9]+ REFER'
h_ok "B gets a NOTIFY reporting 200 (sipfrag)" \
	h_wait_for 10 wire_has "$H_ADDR" "$B" '^NOTIFY ' '^SIP/2.0 200'
h_ok "B's dialog for A ends: BYE and 200" h_wait_for 10 wire_bye "$B" "$cidb1"
h_ok "B's dialog for C ends: BYE and 200" h_wait_for 10 wire_bye "$B" "$cidb2"
lp_cmd b calls
h_ok "linphonec B has no call left" lp_wait b 'No active call' 5
h_is "B sent no INVITE after its two calls" \
	"$(wire_count "$B" "$H_ADDR" '^INVITE ' '^To: [^;]*$')" 2
sleep 2
h_rtp_sniff 3 "$H_TMP/rtp-ac" "$H_ADDR" "$A" "$B" "$C"
h_ua_rtp_check "A, joined to C" "$A" "$H_TMP/rtp-ac" "^Call-ID: $cida"
h_is "A is off hold (its last SDP to referd)" \
	"$(wire_sdp "$A" "$H_ADDR" "^Call-ID: $cida" | sdp_dir)" sendrecv
h_ua_rtp_check "C, joined to A" "$C" "$H_TMP/rtp-ac" "^Call-ID: $cidc"
h_is "C's last SDP to referd is sendrecv" \
	"$(wire_sdp "$C" "$H_ADDR" "^Call-ID: $cidc" | sdp_dir)" sendrecv
h_is "B gets no RTP any more" "$(rtp_count_ua "$H_TMP/rtp-ac" "$bmedia")" 0
h_is "A's dialog goes on (no BYE)" "$(wire_count "$H_ADDR" "$A" '^BYE ')" 0
h_is "C's dialog goes on (no BYE)" "$(wire_count "$H_ADDR" "$C" '^BYE ')" 0

bs_cmd a hangup
h_ok "C gets A's hang-up (baresip CALL_CLOSED)" bs_wait c CALL_CLOSED
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
