#!/bin/sh
# sip-release-order.sh: Release REFER Session (issue 19, 4): referd's BYE
# to the transferor goes out only once the final NOTIFY has been answered
# (or its transaction failed), never before (RFC 6665 4.2.2 keeps NOTIFYs
# in order; a BYE that overtakes the final NOTIFY leaves the transferor
# without the outcome: behind a front with several workers it did, 19-34
# times in 100).  B, the transferor, holds its answer to the final NOTIFY
# for 1.5 s: a BYE in that time fails B's scenario.  Then B answers the
# final NOTIFY 200, 481 and 500: the BYE follows each.  The order is also
# read on the wire (B's message trace: the BYE after B's answer).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 87 sip-release-order
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
refer 1 support enabled releaseSession enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 5060
route 1 555 2
EOF2
h_referd_subagent "$conf"
TARGET="sip:carol@$C:5060"

# late NAME FINAL: A calls B, B REFERs A to C and answers the final
# NOTIFY with FINAL after 1.5 s.
late() {
	local n=$1 final=$2
	h_sipp "$n-c" "$C" 5060 -sn uas -m 1
	CPID=$H_PID
	h_template "$SC/uas-refer-late-final.xml.in" "$H_TMP/$n-b.xml" \
	    CODE="$final"
	h_sipp "$n-b" "$B" 5060 -sf "$H_TMP/$n-b.xml" \
	    -set target "$TARGET" -set wait 1500 -m 1 \
	    -trace_msg -message_file "$H_TMP/$n-b.msg" \
	    -trace_logs -log_file "$H_TMP/$n-b.log"
	BPID=$H_PID
	h_sipp "$n-a" "$A" 5060 -sn uac -d 4000 -s 5551000 -m 1 "$H_ADDR:5060"
	APID=$H_PID
	h_wait_exit "$BPID" 20
	h_is "$n: B answers the final NOTIFY $final 1.5 s late, and only then gets BYE" \
	    "$H_RC" 0
	h_grep "$n: B's log: the final NOTIFY (200 OK, terminated) answered $final" \
	    "$H_TMP/$n-b.log" "final SIP/2.0 200 OK terminated answered $final"
	# On the wire: B's answer to the final NOTIFY is sent before the BYE
	# is received (the trace's messages in order).
	h_is "$n: in B's trace, the BYE comes after B's $final to the final NOTIFY" \
	    "$(grep -E '^(SIP/2.0 [0-9]+ Final NOTIFY answered late|BYE sip)' \
	        "$H_TMP/$n-b.msg" | sed 's/ .*//' | tr '\n' ' ')" "SIP/2.0 BYE "
	h_wait_exit "$APID" 20
	h_is "$n: A's call goes on with C and completes" "$H_RC" 0
	h_wait_exit "$CPID" 20
	h_is "$n: C gets A's BYE" "$H_RC" 0
}

late t1 200
late t2 481
late t3 500
h_is "three transfers completed (referdSgpTransfersCompleted.1)" \
	"$(sget "$STATS.4.1")" 3
h_done
