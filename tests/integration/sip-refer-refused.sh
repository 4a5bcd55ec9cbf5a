#!/bin/sh
# sip-refer-refused.sh: REFERs referd must refuse (SPEC section 5, REFER
# steps 1 to 4), each leaving the call untouched: several Refer-To
# headers (400), a tel: URI (416), a method other than INVITE (403), a
# target no gateway or route names (403), a REFER outside any dialog
# (403).  Each refusal counts in referdSgpReferRejected.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 30 sip-refer-refused
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 5060
route 1 555 2
EOF2
h_referd_subagent "$conf"
n=0

# refused NAME CODE REFER-HEADERS DESC: B's REFER must get CODE; A's call
# stays up and ends with B's BYE.
refused() {
	local name=$1 code=$2 hdrs=$3 desc=$4
	sed -e "s|@CODE@|$code|g" -e "s|@REFER_HEADERS@|$hdrs|" \
	    "$SC/uas-refer-bad.xml.in" >"$H_TMP/$name.xml"
	h_sipp "$name-b" "$B" 5060 -sf "$H_TMP/$name.xml" \
	    -set target "sip:carol@$C:5060" -m 1 \
	    -trace_msg -message_file "$H_TMP/$name-b.msg"
	bpid=$H_PID
	h_sipp "$name-a" "$A" 5060 -sf "$SC/uac-call-wait-bye.xml" -s 5551000 \
	    -m 1 "$H_ADDR:5060"
	apid=$H_PID
	h_wait_exit "$bpid" 20
	h_is "$desc: $code, and B hangs up normally" "$H_RC" 0
	h_wait_exit "$apid" 20
	h_is "$desc: A's call was untouched" "$H_RC" 0
	n=$((n + 1))
	h_is "$desc: referdSgpReferRejected is $n" "$(sget "$STATS.3.1")" "$n"
}

refused two 400 "      Refer-To: <sip:carol@$C:5060>\\
      Refer-To: <sip:dave@$C:5060>" "two Refer-To headers"
refused tel 416 "      Refer-To: <tel:+15551234>" "a tel: Refer-To"
refused method 403 "      Refer-To: <sip:carol@$C:5060;method=BYE>" \
	"a Refer-To asking for BYE"
refused unknown 403 "      Refer-To: <sip:nobody@127.0.30.99:5060>" \
	"a target no gateway or route names"
refused none 400 "      X-No-Refer-To: none" "no Refer-To header"
h_sipp outside "$A" 5060 -sf "$SC/uac-refer-outside.xml" -s carol -m 1 \
	"$H_ADDR:5060"
h_wait_exit "$H_PID" 20
h_is "a REFER outside any dialog gets 403" "$H_RC" 0
h_is "referdSgpCallsOut counts only the five calls to B: none to C" "$(sget "$STATS.10.1")" 5
h_is "no transfer was accepted" "$(sget "$STATS.2.1")" 0
h_is "referdSgpReferReceived counts them all" "$(sget "$STATS.1.1")" 5
h_done
