#!/bin/sh
# ua-blind-held.sh: a blind transfer of a party on hold, between real user
# agents (issue 14; RFC 5589 section 6.1: the transferor usually holds the
# transferee before the REFER; the transferee then calls the target with
# a session of its own, sendrecv).  A (linphonec) calls B (baresip); B
# holds A (A answers recvonly), then transfers A to C (linphonec,
# preferring opus) with a REFER.  referd calls C on A's behalf: on the
# wire C is offered a two-way session (not the direction A gave B's hold),
# A is taken off hold by a re-INVITE from referd, and afterwards RTP flows
# both ways between A and C through referd with payload types each
# negotiated; B's dialog ends and B gets no more RTP.
#
# Peers: referd $H_NET.1, A linphonec $H_NET.2 (user 100; opus, PCMU,
# PCMA), B baresip $H_NET.3 (user 200; PCMU, PCMA), C linphonec $H_NET.4
# (user 300; opus, PCMU).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 64 ua-blind-held
h_ua_need
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
h_ua_referd "100:$A" "200:$B" "300:$C"
h_baresip b "$B" 200 "PCMU/8000/1,PCMA/8000/1"
h_linphonec a "$A" 100 "opus/48000 PCMU/8000 PCMA/8000"
h_linphonec c "$C" 300 "opus/48000 PCMU/8000"
lp_cmd c "autoanswer enable"

lp_cmd a "call sip:200@$H_ADDR"
h_ok "the call A-B is up" lp_wait a 'Call 1 with .* connected'
bs_wait b CALL_ESTABLISHED
cida=$(wire_callid "$A" "$H_ADDR")
cidb=$(wire_callid "$H_ADDR" "$B")
sleep 1
h_rtp_sniff 2 "$H_TMP/rtp-ab" "$H_ADDR" "$A" "$B" "$C"
h_ua_rtp_check "B, before the hold" "$B" "$H_TMP/rtp-ab" "^Call-ID: $cidb"
bmedia=$H_UA_MEDIA

bs_cmd b hold
h_ok "B holds A: A gets referd's re-INVITE" \
	h_wait_for 10 wire_has "$H_ADDR" "$A" '^INVITE ' "^Call-ID: $cida"
h_ok "A answers it recvonly" \
	h_wait_for 5 wire_dir_is recvonly "$A" "$H_ADDR" "^Call-ID: $cida"
h_ok "A shows the call paused by B" lp_wait a 'Call 1 .*paused by'

bs_cmd b transfer "sip:300@$H_ADDR"
h_ok "C answers referd's INVITE (linphonec)" lp_wait c 'Call 1 with .* connected' 15
cidc=$(wire_callid "$H_ADDR" "$C")
h_ok "B gets a NOTIFY reporting C's 200 (sipfrag)" \
	h_wait_for 10 wire_has "$H_ADDR" "$B" '^NOTIFY ' '^SIP/2.0 200'
coffer=$(wire_sdp "$H_ADDR" "$C" "^Call-ID: $cidc" '^INVITE ')
h_like "C's INVITE carries referd's address" "$coffer" "c=IN IP4 $H_ADDR"
h_is "C is offered a two-way session (RFC 5589 6.1: the transferee's own INVITE)" \
	"$(printf '%s\n' "$coffer" | sdp_dir)" sendrecv
h_ok "B's dialog ends: BYE and 200" h_wait_for 15 wire_bye "$B" "$cidb"
h_ok "A is taken off hold: a re-INVITE from referd offering sendrecv" \
	h_wait_for 10 wire_dir_is sendrecv "$H_ADDR" "$A" "^Call-ID: $cida" '^INVITE '
h_ok "... which A answers sendrecv" \
	h_wait_for 5 wire_dir_is sendrecv "$A" "$H_ADDR" "^Call-ID: $cida"
sleep 1
h_rtp_sniff 3 "$H_TMP/rtp-ac" "$H_ADDR" "$A" "$B" "$C"
h_ua_rtp_check "A, talking to C" "$A" "$H_TMP/rtp-ac" "^Call-ID: $cida"
h_ua_rtp_check "C, talking to A" "$C" "$H_TMP/rtp-ac" "^Call-ID: $cidc"
h_is "B gets no RTP any more" "$(rtp_count_ua "$H_TMP/rtp-ac" "$bmedia")" 0

lp_cmd a terminate
h_ok "C gets the BYE (linphonec: call ended)" lp_wait c 'Call 1 .*(ended|terminated)'
h_ok "no call is left" h_wait_for 5 calls_idle
h_done
