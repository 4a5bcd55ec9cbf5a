#!/bin/sh
# sip-refer-values.sh: no value from one message reaches another unchecked
# (issue 15, 4, 5, 8; SPEC 5).  B, the transferor, sends REFERs in its
# call with A through referd:
#   v1 (first: a transfer that fails, so that the others find none
#       running): a Referred-By whose URI user unescapes to a line break
#       and header lines: 202, and the INVITE to C carries that user
#       escaped, in its From and Contact, with no header of the REFER's
#       author (before: C got X-Injected and Y header lines).  C answers
#       486: the transfer fails and A stays with B;
#   v2-v4: a Refer-To whose ?Replaces= is not a Replaces value once
#       unescaped (an escaped CR LF with a header after it, an escaped
#       NUL, a Call-ID with a space): 400 before anything is sent (before:
#       202, and a transfer that could not be built);
#   v5: a sips: Refer-To: 416, referd has no TLS to reach it (before:
#       202 and an INVITE over UDP);
#   v6: a Referred-By holding a NUL: 400 (before: no answer at all).
# And A's INVITE with a sips: Request-URI: 416 (before: a call over UDP).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/sipforge.sh"
h_init 83 sip-refer-values
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
D=$H_NET.9
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 0
gateway 3 c-side $C port 5060
gateway 4 d-side $D port 5060
route 1 555 2
route 2 444 3
route 3 777 4
EOF2
h_referd_subagent "$conf"

h_sipp c "$C" 5060 -sf "$SC/uas-busy.xml" -m 1 \
	-trace_msg -message_file "$H_TMP/c.msg"
cpid=$H_PID
call_up 9000
sleep 0.5

# refer N [HEADER...]: B's REFER with CSeq N in its dialog; RESP.
refer() {
	local n=$1
	shift
	sip_request "$B" REFER "$n" "$bcid" "$btag" "$rbtag" "$@"
}
refer 10 "Refer-To: <sip:4440001@$C:5060>" "Refer-Sub: false" \
	"Referred-By: <sip:x%3E%0D%0AX-Injected%3A%20yes%0D%0AY%3A%20%3Csip%3Az@$B>"
h_is "v1: a Referred-By whose user unescapes to header lines: 202" "$RESP" 202
h_wait_exit "$cpid" 20
h_is "v1: C got the INVITE, answered 486, got the ACK" "$H_RC" 0
h_is "v1: C got one INVITE" "$(grep -c '^INVITE ' "$H_TMP/c.msg")" 1
h_not "v1: ... with no header line of the REFER's author" \
	grep -qE '^(X-Injected|Y):' "$H_TMP/c.msg"
h_grep "v1: ... its From user is the Referred-By user, escaped" "$H_TMP/c.msg" \
	'^From: <sip:x%3E%0D%0AX-Injected%3A%20yes%0D%0AY%3A%20%3Csip%3Az@'
refer 11 "Refer-To: <sip:4440001@$C?Replaces=k1%0D%0AX-Injected%3A%20yes%3Bto-tag%3D1%3Bfrom-tag%3D2>"
h_is "v2: a Replaces holding an escaped CR LF and a header: 400" "$RESP" 400
refer 12 "Refer-To: <sip:4440001@$C?Replaces=k2%00x%3Bto-tag%3D1%3Bfrom-tag%3D2>"
h_is "v3: a Replaces holding an escaped NUL: 400" "$RESP" 400
refer 13 "Refer-To: <sip:4440001@$C?Replaces=k3%20x%3Bto-tag%3D1%3Bfrom-tag%3D2>"
h_is "v4: a Replaces whose Call-ID has a space: 400" "$RESP" 400
refer 14 "Refer-To: <sips:4440001@$C>"
h_is "v5: a sips: Refer-To: 416" "$RESP" 416
refer 15 "Refer-To: <sip:4440001@$C:5060>" "Referred-By: <sip:b@$B>@x00@"
h_is "v6: a Referred-By holding a NUL: 400" "$RESP" 400
h_is "v2-v5 counted in referdSgpReferRejected" "$(sget "$STATS.3.1")" 4
h_is "v1 is the one REFER accepted" "$(sget "$STATS.2.1")" 1
h_is "the call A-B is still up" "$(sget "$RO.1.3.0")" 1

# A's INVITE to a sips: Request-URI (it would go to D over UDP).
RURI=sips:7770001@$H_ADDR sip_request "$A" INVITE 1 sips1@$A a1 ""
h_is "an INVITE with a sips: Request-URI: 416" "$RESP" 416

h_wait_exit "$apid" 30
h_is "A stayed with B and hung up" "$H_RC" 0
h_wait_exit "$bpid" 30
h_is "B saw no request but A's BYE" "$H_RC" 0
h_ok "no call is left" h_wait_for 10 calls_idle
h_done
