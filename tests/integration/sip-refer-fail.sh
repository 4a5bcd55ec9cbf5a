#!/bin/sh
# sip-refer-fail.sh: transfers that fail (SPEC section 5, REFER step 9):
# the final NOTIFY carries the failure status in its sipfrag,
# referdSgpTransfersFailed counts it, a referdTransferFailed trap reaches
# snmptrapd, and the original call A-B is left as it was: RTP sent by
# both sides only after the failure still crosses referd's relay, and
# A's BYE still ends the call at B.
#   f1: the target's gateway is a UDP address where nothing listens: no
#       answer at all, inviteTimeout (2 s) ends it: 408;
#   f2: the target rings, then answers 488 Not Acceptable Here: 488;
#   f3: the target's gateway is TCP and refuses the connection: the
#       INVITE cannot be sent: 503.
#   f4: f3's failure, then at once a second REFER in the same dialog, to a
#       target that rings before answering: that transfer completes.
#   f5: the target rings and never answers in time: 408, and referd's
#       CANCEL crosses the target's 200: that 200 gets an ACK and a BYE.
# How RTP is seen: see sip-media.sh and h_rtp_setup.  A starts sending 4 s
# after its ACK, B as soon as it has the final NOTIFY, both towards the
# SDP referd gave them; A and B never learn each other's address.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 35 sip-refer-fail
SC=$(cd "${REFERD_SRCDIR:-.}/tests/scenarios" && pwd)
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
DEAD_UDP=$H_NET.9
DEAD_TCP=$H_NET.10
MP=6000
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
inviteTimeout 2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 5060
gateway 4 dead-udp $DEAD_UDP port 5060
gateway 5 dead-tcp $DEAD_TCP port 5060 transport tcp
route 1 555 2
EOF2
h_referd_subagent "$conf"
h_rtp_setup
# h_not_listening ADDR PORT: no UDP socket on ADDR:PORT.
h_not_listening() {
	! listening "$1" "$2"
}
h_ok "nothing listens on the UDP gateway $DEAD_UDP:5060" \
	h_not_listening "$DEAD_UDP" 5060

# failed NAME TARGET CODE REASON NOTIFIES: A calls B, B transfers to
# TARGET, which fails with CODE REASON (B gets NOTIFIES NOTIFYs in all);
# then RTP both ways and A's BYE.
failed() {
	local n=$1 target=$2 code=$3 reason=$4 nn=$5 fails traps trap apid bpid
	fails=$(sget "$STATS.5.1")
	traps=$(grep -c "$R.0.1\b" "$H_TRAPLOG")
	peer "$n-b" "$B" -sf "$SC/uas-refer-fail-rtp.xml" -mp $MP \
	    -set target "$target" -m 1
	bpid=$H_PID
	peer "$n-a" "$A" -sf "$SC/uac-rtp-late.xml" -d 4000 -mp $MP \
	    -s 5551000 -m 1 "$H_ADDR:5060"
	apid=$H_PID
	h_ok "$n: B gets the final NOTIFY" \
	    h_wait_for 10 grep -q '^B: final' "$H_TMP/$n-b.log"
	h_not "$n: ... before A sent any RTP (B's media port is empty)" \
	    rtp_in "$B" $MP
	h_grep "$n: the final NOTIFY's sipfrag is $code $reason, terminated" \
	    "$H_TMP/$n-b.log" "^B: final SIP/2.0 $code $reason terminated"
	h_is "$n: B got $nn NOTIFYs (100 Trying, [180,] the failure)" \
	    "$(grep -c '^NOTIFY ' "$H_TMP/$n-b.msg")" "$nn"
	h_grep "$n: ... with a message/sipfrag body" "$H_TMP/$n-b.msg" \
	    '^Content-Type: *message/sipfrag; *version=2.0'
	h_ok "$n: the call survives: RTP from A reaches B through referd" \
	    h_wait_for 8 rtp_in "$B" $MP
	h_ok "$n: ... and RTP from B reaches A through referd" \
	    h_wait_for 3 rtp_in "$A" $MP
	sipp_ok "$n: A hangs up (BYE, 200)" "$n-a" "$apid"
	sipp_ok "$n: B gets A's BYE and answers 200" "$n-b" "$bpid"
	h_is "$n: referdSgpTransfersFailed counts it" "$(sget "$STATS.5.1")" \
	    $((fails + 1))
	h_ok "$n: a referdTransferFailed trap reaches snmptrapd" \
	    h_wait_for 5 sh -c "[ \$(grep -c '$R.0.1\\b' '$H_TRAPLOG') -gt $traps ]"
	trap=$(grep "$R.0.1\b" "$H_TRAPLOG" | tail -n 1)
	h_like "$n: the trap carries status $code" "$trap" \
	    "$RO.9.5.0 = Gauge32: $code\b"
	h_like "$n: the trap names the target" "$trap" \
	    "$RO.9.4.0 = STRING: \"$target\""
	h_ok "$n: the call is over" h_wait_for 5 calls_idle
}

failed f1 "sip:nobody@$DEAD_UDP:5060" 408 "Request Timeout" 2

h_template "$SC/uas-ring-reject.xml.in" "$H_TMP/r488.xml" CODE=488 \
	"REASON=Not Acceptable Here"
h_sipp f2-c "$C" 5060 -sf "$H_TMP/r488.xml" -d 500 -m 1 \
	-trace_msg -message_file "$H_TMP/f2-c.msg"
cpid=$H_PID
failed f2 "sip:carol@$C:5060" 488 "Not Acceptable Here" 3
sipp_ok "f2: C rang, refused 488 and got referd's ACK" f2-c "$cpid"

failed f3 "sip:nobody@$DEAD_TCP:5060" 503 "Service Unavailable" 2

h_is "referdSgpReferAccepted: the three were accepted" "$(sget "$STATS.2.1")" 3
h_is "referdSgpTransfersCompleted: none" "$(sget "$STATS.4.1")" 0

# 4. A failure like f3's (the INVITE cannot even be sent), then at once a
#    second REFER in the same dialog, to a target that rings 1.5 s: each
#    provisional response restarts inviteTimeout (2 s), so C is not
#    cancelled, answers, and the second transfer completes.  (Before a
#    fix, f3's path left the first transfer's timer running, and the
#    second REFER reset it while armed: C was cancelled 2 s after the
#    REFER whatever it sent, and referd leaked the first target's URI.)
h_sipp f4-c "$C" 5060 -sf "$SC/uas-ring-answer.xml" -d 1500 -mp $MP -m 1 \
	-trace_msg -message_file "$H_TMP/f4-c.msg"
cpid=$H_PID
peer f4-b "$B" -sf "$SC/uas-refer-again.xml" \
	-set target "sip:nobody@$DEAD_TCP:5060" -set target2 "sip:carol@$C:5060" \
	-set pending 0 -m 1
bpid=$H_PID
h_sipp f4-a "$A" 5060 -sn uac -d 6000 -s 5551000 -m 1 "$H_ADDR:5060"
apid=$H_PID
sipp_ok "f4: B's two REFERs: 202 each, NOTIFYs with Event: refer, then refer;id=9" \
	f4-b "$bpid"
h_grep "f4: the first transfer failed 503" "$H_TMP/f4-b.log" \
	'^B: first final SIP/2.0 503 Service Unavailable terminated'
h_grep "f4: the second one reports C's ringing" "$H_TMP/f4-b.log" \
	'^B: second NOTIFY SIP/2.0 180 Ringing active Event:refer;id=9$'
h_grep "f4: ... and completes: NOTIFY 200 OK" "$H_TMP/f4-b.log" \
	'^B: second final SIP/2.0 200 OK terminated'
h_not "f4: C, ringing 1.5 s, was not cancelled" grep -q '^CANCEL' "$H_TMP/f4-c.msg"
sipp_ok "f4: C answered and got A's BYE" f4-c "$cpid"
sipp_ok "f4: A, now with C, hangs up" f4-a "$apid"
h_is "f4: referdSgpTransfersCompleted" "$(sget "$STATS.4.1")" 1
h_is "f4: referdSgpTransfersFailed" "$(sget "$STATS.5.1")" 4

# 5. C rings; after inviteTimeout (2 s) referd CANCELs it and reports 408;
#    C answers the CANCEL and then the INVITE 200 anyway (its answer
#    crossing the CANCEL).  referd no longer wants that dialog: it ACKs
#    the 200 and ends the dialog with a BYE (RFC 3261 15), and the call
#    A-B goes on.
h_sipp f5-c "$C" 5060 -sf "$SC/uas-answer-after-cancel.xml" -m 1 \
	-trace_logs -log_file "$H_TMP/f5-c.log" -trace_msg -message_file "$H_TMP/f5-c.msg"
cpid=$H_PID
failed f5 "sip:carol@$C:5060" 408 "Request Timeout" 3
sipp_ok "f5: C's late 200 got an ACK and a BYE, and C answered the BYE" f5-c "$cpid"
h_grep "f5: the ACK is for the INVITE's CSeq" "$H_TMP/f5-c.log" '^C: ACK CSeq *1 ACK$'
h_grep "f5: the BYE is in the dialog of C's 200 (C's To tag)" "$H_TMP/f5-c.log" \
	'^C: BYE To tag=[0-9]+C[0-9]+$'
h_grep "f5: referd logs it" "$H_TMP/referd.log" \
	'a 200 to an INVITE given up \(Call-ID [^)]*\): ACK and BYE'
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
