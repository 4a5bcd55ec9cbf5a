#!/bin/sh
# sip-refer.sh: REFER with referd as transferee (SPEC section 5; RFC 3515,
# 3892; flows of RFC 5589): B, the called party, transfers A to C.
# Asserted on the wire: 202, NOTIFY 100 then 200 (Event: refer,
# Subscription-State, message/sipfrag), the INVITE to C (Request-URI, To,
# Referred-By copied, From user per referdReferFromHeader), Release REFER
# Session, Refer Support disabled (403, call untouched), a busy target
# (NOTIFY 486, the call intact, counter and trap).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 29 sip-refer
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
TARGET="sip:carol@$C:5060"

# transfer NAME A-ARGS B-SCENARIO C-ARGS: one call A -> B, B REFERs to C.
# Sets APID, BPID, CPID; traces in $H_TMP/NAME-{a,b,c}.*.
transfer() {
	local n=$1 aargs=$2 bsc=$3 cargs=$4
	h_sipp "$n-c" "$C" 5060 $cargs -m 1 \
	    -trace_msg -message_file "$H_TMP/$n-c.msg"
	CPID=$H_PID
	h_sipp "$n-b" "$B" 5060 -sf "$SC/$bsc" -set target "$TARGET" -m 1 -trace_msg -message_file "$H_TMP/$n-b.msg" \
	    -trace_logs -log_file "$H_TMP/$n-b.log"
	BPID=$H_PID
	h_sipp "$n-a" "$A" 5060 $aargs -s 5551000 -m 1 \
	    -trace_msg -message_file "$H_TMP/$n-a.msg" "$H_ADDR:5060"
	APID=$H_PID
}

# 1. Blind transfer; B hangs up itself (Release REFER Session disabled).
transfer t1 "-sn uac -d 3000" uas-refer.xml "-sn uas"
h_wait_exit "$BPID" 20
h_is "t1: B (transferor) completes: 202, NOTIFY 100 checked, BYE" "$H_RC" 0
h_grep "t1: the REFER got 202" "$H_TMP/t1-b.log" "REFER to $TARGET answered 202"
h_grep "t1: NOTIFY 1 is Event: refer, active, sipfrag 100 Trying" "$H_TMP/t1-b.log" \
	'NOTIFY 1 +refer +active.* +message/sipfrag; *version=2.0 SIP/2.0 100 Trying'
h_grep "t1: C's ringing is reported (NOTIFY 180, active)" "$H_TMP/t1-b.log" \
	'NOTIFY SIP/2.0 180 Ringing active'
h_grep "t1: the final NOTIFY is 200 OK, terminated" "$H_TMP/t1-b.log" \
	'final SIP/2.0 200 OK terminated'
h_grep "t1: the final NOTIFY says reason=noresource" "$H_TMP/t1-b.msg" \
	'^Subscription-[Ss]tate: terminated;reason=noresource'
h_grep "t1: C's INVITE goes to the Refer-To URI" "$H_TMP/t1-c.msg" \
	"^INVITE $TARGET SIP/2.0"
h_grep "t1: C's To is the Refer-To URI" "$H_TMP/t1-c.msg" "^To: <$TARGET>"
h_grep "t1: C's INVITE carries B's Referred-By" "$H_TMP/t1-c.msg" \
	"^Referred-[Bb]y: <sip:transferor@$B>"
h_grep "t1: C's From user is the Referred-By user (referredBy)" "$H_TMP/t1-c.msg" \
	'^From: <sip:transferor@'
h_wait_exit "$APID" 20
h_is "t1: A stays in the call, now with C, and hangs up" "$H_RC" 0
h_wait_exit "$CPID" 20
h_is "t1: C gets A's hang-up (BYE) and completes" "$H_RC" 0
h_is "t1: referdSgpReferReceived" "$(sget "$STATS.1.1")" 1
h_is "t1: referdSgpReferAccepted" "$(sget "$STATS.2.1")" 1
h_is "t1: referdSgpTransfersCompleted" "$(sget "$STATS.4.1")" 1
sleep 0.6
h_is "t1: no call is left" "$(sget "$RO.1.3.0")" 0

# 2. From Header originalCaller: B sent the REFER, so C sees A's user.
h_set_ok "t2: referdReferFromHeader.1 = originalCaller" "$REFER.2.1" i 2
transfer t2 "-sn uac -d 3000" uas-refer.xml "-sn uas"
h_wait_exit "$APID" 20
h_is "t2: the call completes" "$H_RC" 0
h_grep "t2: C's From user is A's user (sipp)" "$H_TMP/t2-c.msg" '^From: <sip:sipp@'
h_wait_exit "$CPID" 20
h_is "t2: C gets A's BYE" "$H_RC" 0
h_set_ok "t2: back to referredBy" "$REFER.2.1" i 1

# 3. Release REFER Session enabled: referd hangs up the transferor.
h_set_ok "t3: referdReferReleaseSession.1 = enabled" "$REFER.5.1" i 2
transfer t3 "-sn uac -d 3000" uas-refer-released.xml "-sn uas"
h_wait_exit "$BPID" 20
h_is "t3: B waits for and gets referd's BYE after the final NOTIFY" "$H_RC" 0
h_grep "t3: B's log shows the BYE from referd" "$H_TMP/t3-b.log" 'BYE from referd'
h_wait_exit "$APID" 20
h_is "t3: A's call with C completes" "$H_RC" 0
h_wait_exit "$CPID" 20
h_is "t3: C gets A's BYE" "$H_RC" 0
h_set_ok "t3: Release REFER Session back to disabled" "$REFER.5.1" i 1

# 4. Refer Support disabled: 403, the call untouched (B hangs up later).
h_set_ok "t4: referdReferSupport.1 = disabled" "$REFER.1.1" i 1
transfer t4 "-sf $SC/uac-call-wait-bye.xml" uas-refer-refused.xml "-sn uas"
h_wait_exit "$BPID" 20
h_is "t4: the REFER is refused with 403 and B hangs up normally" "$H_RC" 0
h_wait_exit "$APID" 20
h_is "t4: A's call with B was untouched and ends with B's BYE" "$H_RC" 0
h_not "t4: C received no INVITE" grep -q '^INVITE' "$H_TMP/t4-c.msg"
h_stop "$CPID"
h_is "t4: referdSgpReferRejected counts it" "$(sget "$STATS.3.1")" 1
h_set_ok "t4: Refer Support enabled again" "$REFER.1.1" i 2

# 5. The target is busy: NOTIFY 486, the original call intact.
transfer t5 "-sf $SC/uac-call-wait-bye.xml" uas-refer.xml "-sf $SC/uas-busy.xml"
h_wait_exit "$BPID" 20
h_is "t5: B gets the failure and hangs up" "$H_RC" 0
h_grep "t5: the final NOTIFY carries C's 486 Busy Here" "$H_TMP/t5-b.log" \
	'final SIP/2.0 486 Busy Here terminated'
h_wait_exit "$APID" 20
h_is "t5: A was still with B and gets B's BYE" "$H_RC" 0
h_is "t5: referdSgpTransfersFailed" "$(sget "$STATS.5.1")" 1
h_ok "t5: referdTransferFailed reaches snmptrapd" \
	h_wait_for 5 grep -q "$R.0.1" "$H_TRAPLOG"
h_grep "t5: the trap names the target" "$H_TRAPLOG" "$RO.9.4.0 = STRING: \"$TARGET\""
h_grep "t5: the trap carries status 486" "$H_TRAPLOG" "$RO.9.5.0 = Gauge32: 486"
h_grep "t5: the trap carries the profile" "$H_TRAPLOG" "$RO.9.1.0 = Gauge32: 1"
h_done
