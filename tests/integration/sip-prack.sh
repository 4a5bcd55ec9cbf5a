#!/bin/sh
# sip-prack.sh: reliable provisional responses (RFC 3262, 100rel) on each
# leg on its own (issue 16, item 1).
#
# 1. A (Supported: 100rel) calls B, which answers a reliable 183 with SDP
#    (Require: 100rel, RSeq 41) and sends it once more: referd PRACKs it
#    once (RAck "41 1 INVITE", in B's early dialog), and A gets a
#    reliable 183 (Require: 100rel, RSeq) with referd's SDP.  A's PRACK
#    naming CSeq 99 gets 481; its right PRACK gets 200; the 200 OK then
#    completes the call (no second answer in it).  Early RTP flows through
#    referd both ways while the call is in 183.
# 2. A without 100rel gets the same 183 unreliably (no Require, no RSeq);
#    referd still PRACKs B.
#    An offer in A's PRACK reaches B as an UPDATE in its early dialog and
#    B's answer comes back in the 200 to the PRACK (RFC 3262 5); B's 200 OK
#    without SDP keeps the answer it sent reliably.
# 3. A requires 100rel and never PRACKs: referd resends its 183 with T1
#    doubling (0.5, 1, 2, 4, ... s), and refuses the INVITE with 500 64*T1
#    (32 s) after the first; B is cancelled.
# 4. referdSgp100rel, set over SNMP and with referctl: disabled(1), an
#    INVITE requiring 100rel gets 420 with Unsupported: 100rel and the
#    OPTIONS answer lists neither PRACK nor 100rel; required(3), an INVITE
#    without 100rel gets 421 with Require: 100rel.
#
# Peers: A on $H_NET.2, B on $H_NET.3 (tests/scenarios/uac-prack*.xml,
# uas-prack*.xml); media on port $MP (tests/tools/rtpcheck).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
SIPSEND=${SIPSEND:-$REFERD_BUILDDIR/tests/tools/sipsend}
REFERCTL=${REFERCTL:-$REFERD_BUILDDIR/cli/referctl}
# Timer C (inviteTimeout) longer than the 32 s of case 3
sess_init 106 sip-prack "inviteTimeout 60"

# --- 1. both sides 100rel, early media ----------------------------------------
sess_call 1 uas-prack.xml uac-prack.xml -set badrack 1
h_ok "A gets a 183 from referd" h_wait_for 10 logged a1 "A 183"
pa=$(logval a1 "A 183" port)
pb=$(logval b1 "B offer" port)
h_ok "B's INVITE from referd says Supported: 100rel" \
	grep -qi '^\(Supported\|k\):.*100rel' "$H_TMP/b1.msg"
h_is "A's 183 requires 100rel" "$(logval a1 "A 183" require)" 100rel
h_ok "A's 183 has an RSeq ($(logval a1 "A 183" rseq))" \
	test -n "$(logval a1 "A 183" rseq)"
h_ok "A's 183 carries referd's SDP: a port in the relay range ($pa)" in_range "$pa"
h_ok "B is offered referd's port ($pb), not A's" test "$pb" != "$pa"

# early media, both ways, while the call is in 183
rtp_start A1 "$A" "$pa" -t 0
rtp_start B1 "$B" "$pb" -t 0
rtp_done
rtp_flows "early media: A receives B's PCMU from referd's port $pa" A1 "$H_ADDR:$pa" "pt 0" 50
rtp_flows "early media: B receives A's PCMU from referd's port $pb" B1 "$H_ADDR:$pb" "pt 0" 50

sipp_ok "A: reliable 183, 481 to a wrong RAck, 200 to its PRACK, then the 200 OK" a1 "$APID"
sipp_ok "B: PRACK for its 183 with RAck 41 1 INVITE, then the call" b1 "$BPID" 15
h_is "referd's PRACK to B: RAck 41 1 INVITE" "$(logval b1 "B prack" rack)" "41 1 INVITE"
h_is "B's retransmitted 183 is not PRACKed again: one PRACK" \
	"$(sip_msgs b1 | awk '$2 == "recv" && $3 == "PRACK"' | wc -l | tr -d ' ')" 1
h_ok "A's PRACK with a wrong RAck gets 481" logged a1 "A badrack"
h_ok "A's PRACK gets 200" logged a1 "A prack"
h_is "the 200 OK to A repeats no answer (it came in the reliable 183)" \
	"$(logval a1 "A 200" body)" 0
h_is "B's retransmitted 183 is no new reliable 183 to A: one RSeq" \
	"$(tr -d '\r' <"$H_TMP/a1.msg" | awk 'tolower($1) == "rseq:" { print $2 }' | sort -u | wc -l | tr -d ' ')" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- 2. A without 100rel --------------------------------------------------------
sess_call 2 uas-prack.xml uac-prack-none.xml
sipp_ok "A without 100rel: an unreliable 183 with referd's SDP (no Require, no RSeq), then 200" a2 "$APID"
sipp_ok "B: its reliable 183 PRACKed all the same" b2 "$BPID" 15
h_is "... RAck 41 1 INVITE" "$(logval b2 "B prack" rack)" "41 1 INVITE"
h_is "A got one 183 (it is not resent: it is not reliable)" \
	"$(sip_msgs a2 | awk '$2 == "recv" && $4 == 183' | wc -l | tr -d ' ')" 1
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- an offer in A's PRACK ----------------------------------------------------
sess_call 5 uas-prack-update.xml uac-prack-offer.xml
sipp_ok "A: an offer in its PRACK, answered in the 200 to the PRACK; a 200 OK without SDP" a5 "$APID"
sipp_ok "B: that offer as an UPDATE in its early dialog; its 200 OK without SDP keeps its answer" b5 "$BPID" 15
pa=$(logval a5 "A 183" port)
pb=$(logval b5 "B offer" port)
h_is "B's UPDATE: referd's address, B's port, A's PRACK's codecs" \
	"$(logsdp b5 "B update")" "$H_ADDR $pb RTP/AVP 8 101"
h_is "A's 200 to its PRACK: referd's address, A's port, B's answer" \
	"$(logsdp a5 "A prack")" "$H_ADDR $pa RTP/AVP 8 101"
h_is "the 200 OK to A repeats no answer" "$(logval a5 "A 200" body)" 0
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- 3. A never PRACKs --------------------------------------------------------
sess_call 3 uas-prack-cancel.xml uac-prack-silent.xml -timeout 50s -- -timeout 50s
sipp_ok "A without PRACK: its INVITE refused with 500" a3 "$APID" 45
sipp_ok "B: cancelled once referd gives up" b3 "$BPID" 15
# the times of the 183s A received, in seconds
times=$(sip_msgs a3 | awk '$2 == "recv" && $4 == 183 { split($1, t, "T"); split(t[2], h, ":"); print h[1] * 3600 + h[2] * 60 + h[3] }')
n=$(echo "$times" | grep -c .)
h_is "A received the reliable 183 7 times (at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s)" "$n" 7
h_is "... at intervals of T1 doubling (0.5 1 2 4 8 16 s, 20% either way)" \
	"$(echo "$times" | awk 'NR > 1 { d = $1 - p; e = 0.5 * 2 ^ (NR - 2)
	    printf "%s%s", (NR > 2 ? " " : ""), (d > 0.8 * e && d < 1.2 * e) ? e : "off(" d ")" } { p = $1 }')" \
	"0.5 1 2 4 8 16"
final=$(sip_msgs a3 | awk '$2 == "recv" && $4 == 500 { split($1, t, "T"); split(t[2], h, ":"); print h[1] * 3600 + h[2] * 60 + h[3]; exit }')
first=$(echo "$times" | head -n 1)
h_ok "... and the 500 came 64*T1 (32 s) after the first" \
	awk -v f="$first" -v l="$final" 'BEGIN { exit !(l - f > 31 && l - f < 33.5) }'
h_ok "referdActiveCalls is back to 0" h_wait_for 5 calls_idle

# --- 4. the profile's setting -----------------------------------------------
# request METHOD N EXTRA: a request from A (CSeq N) with header line EXTRA
request() {
	printf '%s\r\n' "$1 sip:5551000@$H_ADDR:5060 SIP/2.0" \
	    "Via: SIP/2.0/UDP $A:5099;branch=z9hG4bK-prack4-$2" \
	    "Max-Forwards: 70" "From: <sip:1000@$A>;tag=p4$2" \
	    "To: <sip:5551000@$H_ADDR>" "Call-ID: prack4-$2@$A" \
	    "CSeq: $2 $1" "Contact: <sip:1000@$A:5099>" "$3" \
	    "Content-Length: 0" ""
}
# refused DESC CODE HEADER VALUE: $out (referd's answer) is CODE, with
# HEADER: VALUE (two results)
refused() {
	h_is "$1 gets $2" "$(echo "$out" | awk '/^SIP\/2.0 [2-6]/ { print $2; exit }')" "$2"
	h_is "... with $3: $4" "$(echo "$out" |
	    awk -v h="$3:" 'tolower($1) == tolower(h) { print $2; exit }')" "$4"
}
h_set_ok "referdSgp100rel.1 = disabled(1)" "$SGP.5.1" i 1
out=$(request INVITE 1 "Require: 100rel" | "$SIPSEND" "$A" "$H_ADDR" 5060 1000 | tr -d '\r')
refused "disabled: an INVITE requiring 100rel" 420 Unsupported 100rel
out=$(request OPTIONS 2 "Accept: application/sdp" | "$SIPSEND" "$A" "$H_ADDR" 5060 1000 | tr -d '\r')
h_is "disabled: OPTIONS lists no PRACK in Allow and no 100rel in Supported" \
	"$(echo "$out" | grep -ci '^allow:.*PRACK\|^supported:.*100rel')" 0
h_is "... and UPDATE in Allow" "$(echo "$out" | grep -ci '^allow:.*UPDATE')" 1
h_ok "referctl profile set 1 100rel=required" \
	"$REFERCTL" -v2c -c private -t 3 -r 0 "$H_AGENT" profile set 1 100rel=required
h_like "referctl profile show 1 says it" \
	"$("$REFERCTL" -v2c -c public -t 3 -r 0 "$H_AGENT" profile show 1)" \
	"Reliable provisional responses \\(100rel\\) +Required"
out=$(request INVITE 3 "Supported: timer" | "$SIPSEND" "$A" "$H_ADDR" 5060 1000 | tr -d '\r')
refused "required: an INVITE without 100rel" 421 Require 100rel
h_is "referdSgp100rel.1 reads required(3)" "$(sget "$SGP.5.1")" 3
h_done
