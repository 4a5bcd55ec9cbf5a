#!/bin/sh
# sip-refer-flows.sh: more REFER flows (SPEC section 5, steps 5, 8, 9,
# 10, 11), with a transferor B that stays in the call and answers every
# NOTIFY until referd sends it a BYE:
#   Refer-Sub: false (202 echoes it, no NOTIFY at all);
#   the transferor never hangs up (its leg is released when the call ends);
#   the survivor hangs up while the target rings (CANCEL to the target,
#   BYE to the transferor);
#   the target never answers (CANCEL at inviteTimeout, NOTIFY 408, the
#   original call intact, TransfersFailed);
#   attended transfer (Refer-To with ?Replaces= gives C a Replaces header).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 33 sip-refer-flows
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
inviteTimeout 3
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
TARGET="sip:carol@$C:5060"

# flow NAME EXTRA-HEADERS A-HOLD-MS C-ARGS...: A calls B (A hangs up after
# A-HOLD-MS), B REFERs to C and waits.  Sets APID BPID CPID.
flow() {
	local n=$1 extra=$2 hold=$3
	shift 3
	sed -e "s|@EXTRA_HEADERS@|$extra|" "$SC/uas-refer-wait.xml.in" \
	    >"$H_TMP/$n-b.xml"
	h_sipp "$n-c" "$C" 5060 "$@" -m 1 -trace_msg -message_file "$H_TMP/$n-c.msg"
	CPID=$H_PID
	h_sipp "$n-b" "$B" 5060 -sf "$H_TMP/$n-b.xml" -set target "${T:-$TARGET}" \
	    -m 1 -trace_msg -message_file "$H_TMP/$n-b.msg" \
	    -trace_logs -log_file "$H_TMP/$n-b.log"
	BPID=$H_PID
	h_sipp "$n-a" "$A" 5060 -sn uac -d "$hold" -s 5551000 -m 1 "$H_ADDR:5060"
	APID=$H_PID
}

# 1. Refer-Sub: false.
flow f1 "      Refer-Sub: false" 4000 -sn uas
h_wait_exit "$APID" 30
h_is "f1: A's call (transferred to C) completes" "$H_RC" 0
h_wait_exit "$CPID" 20
h_is "f1: C answered and got A's hang-up" "$H_RC" 0
h_wait_exit "$BPID" 20
h_is "f1: B, which never hung up, is released when the call ends" "$H_RC" 0
h_grep "f1: the 202 echoes Refer-Sub: false" "$H_TMP/f1-b.msg" '^Refer-[Ss]ub: false'
h_is "f1: no NOTIFY at all reached B" "$(grep -c '^NOTIFY' "$H_TMP/f1-b.msg")" 0
h_is "f1: the transfer completed" "$(sget "$STATS.4.1")" 1

# 2. The transferor never hangs up: NOTIFYs, then BYE when the call ends.
flow f2 "" 4000 -sn uas
h_wait_exit "$BPID" 30
h_is "f2: B gets its NOTIFYs and a BYE when A and C end" "$H_RC" 0
h_grep "f2: B got the final NOTIFY 200" "$H_TMP/f2-b.log" 'NOTIFY SIP/2.0 200 OK'
h_grep "f2: B got referd's BYE" "$H_TMP/f2-b.log" 'BYE from referd'
h_wait_exit "$APID" 20
h_is "f2: A's call completes" "$H_RC" 0
h_wait_exit "$CPID" 20
h_is "f2: C gets A's hang-up" "$H_RC" 0

# 3. The survivor hangs up while C rings.
flow f3 "" 1500 -sf "$SC/uas-ring-until-cancel.xml"
h_wait_exit "$CPID" 20
h_is "f3: C, ringing, is cancelled when A hangs up" "$H_RC" 0
h_wait_exit "$BPID" 20
h_is "f3: B, the transferor, is released with a BYE" "$H_RC" 0
h_wait_exit "$APID" 20
h_is "f3: A's hang-up completes" "$H_RC" 0

# 4. C never answers: inviteTimeout (3 s) cancels it; the call is intact.
failed=$(sget "$STATS.5.1")
flow f4 "" 8000 -sf "$SC/uas-ring-until-cancel.xml"
h_wait_exit "$CPID" 20
h_is "f4: C is cancelled at inviteTimeout" "$H_RC" 0
h_wait_exit "$APID" 30
h_is "f4: A stays with B until it hangs up" "$H_RC" 0
h_wait_exit "$BPID" 20
h_is "f4: B gets A's hang-up" "$H_RC" 0
h_grep "f4: the final NOTIFY carries 408" "$H_TMP/f4-b.log" 'NOTIFY SIP/2.0 408'
h_is "f4: referdSgpTransfersFailed counts it" "$(sget "$STATS.5.1")" $((failed + 1))
# 5. Attended transfer: Refer-To carries ?Replaces=, which referd puts in
#    the INVITE to C as a Replaces header, unescaped.
T="$TARGET?Replaces=dlg42%40$C%3Bto-tag%3Dctag%3Bfrom-tag%3Dbtag"
flow f5 "" 3000 -sn uas
T=
h_wait_exit "$APID" 30
h_is "f5: the attended transfer completes" "$H_RC" 0
h_grep "f5: C's INVITE carries Replaces, unescaped" "$H_TMP/f5-c.msg" \
	"^Replaces: dlg42@$C;to-tag=ctag;from-tag=btag"
h_grep "f5: C's Request-URI has no URI headers" "$H_TMP/f5-c.msg" \
	"^INVITE $TARGET SIP/2.0"
h_wait_exit "$BPID" 20
h_is "f5: B is released when the call ends" "$H_RC" 0
h_wait_exit "$CPID" 20
h_is "f5: C gets A's hang-up" "$H_RC" 0
# 6. A REFER without Referred-By: referd builds one from the transferor's
#    identity (B's URI in its dialog), and with referredBy the From user
#    is that identity's user.
flow f6 "" 3000 -sn uas
h_wait_exit "$APID" 30
h_is "f6: the transfer completes" "$H_RC" 0
h_grep "f6: C's INVITE has a Referred-By built from B's identity" \
	"$H_TMP/f6-c.msg" '^Referred-[Bb]y: .*<sip:5551000@'
h_grep "f6: C's From user is that identity's user" "$H_TMP/f6-c.msg" \
	'^From: <sip:5551000@'
h_wait_exit "$BPID" 20
h_wait_exit "$CPID" 20
# 7. The caller A transfers (From Header originalCaller): B is the
#    survivor, and C's From user is the literal "unavailable".
h_set_ok "f7: referdReferFromHeader.1 = originalCaller" "$REFER.2.1" i 2
h_sipp f7-c "$C" 5060 -sf "$SC/uas-answer-bye.xml" -d 2000 -m 1 \
	-trace_msg -message_file "$H_TMP/f7-c.msg"
CPID=$H_PID
h_sipp f7-b "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$((RTP_LO + 99))" -m 1
BPID=$H_PID
h_sipp f7-a "$A" 5060 -sf "$SC/uac-refer.xml" -set target "$TARGET" \
	-s 5551000 -m 1 -trace_logs -log_file "$H_TMP/f7-a.log" "$H_ADDR:5060"
APID=$H_PID
h_wait_exit "$APID" 30
h_is "f7: A's REFER gets 202, NOTIFYs to the final one, and A hangs up" "$H_RC" 0
h_grep "f7: A's final NOTIFY is 200 OK" "$H_TMP/f7-a.log" 'NOTIFY SIP/2.0 200 OK terminated'
h_grep "f7: C's From user is unavailable (A sent the REFER)" "$H_TMP/f7-c.msg" \
	'^From: <sip:unavailable@'
h_wait_exit "$CPID" 20
h_is "f7: C talks with B and hangs up" "$H_RC" 0
h_wait_exit "$BPID" 20
h_is "f7: B, the survivor, gets C's hang-up" "$H_RC" 0
sleep 0.6
h_is "no call is left" "$(sget "$RO.1.3.0")" 0
h_done
