#!/bin/sh
# sip-refer-more.sh: REFER with referd as transferee, the transferor's
# side of the subscription (SPEC section 5, REFER steps 4, 5 and 10;
# RFC 3515, RFC 6665), and Replaces naming an ended dialog:
#   t1: a REFER while a transfer runs gets 491 (ReferRejected counts it);
#       a second REFER in the same dialog after the first transfer failed
#       is accepted, and its NOTIFYs carry "Event: refer;id=<its CSeq>"
#       while the first one's carry "Event: refer" alone;
#   t2: the transferor answers a NOTIFY 481: no NOTIFY follows, the
#       transfer still completes;
#   t3: the transferor hangs up right after its 202: the BYE gets 200, no
#       NOTIFY follows, the transfer completes (RTP both ways between A
#       and C through referd); meanwhile an INVITE with Replaces naming the
#       transferor's ended dialog gets 603;
#   t4: after a completed transfer, the survivor's own REFER gets 403.
# B is the transferor, A the survivor, C and C2 transfer targets, D the
# sender of the Replaces INVITE.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 34 sip-refer-more
SC=$(cd "${REFERD_SRCDIR:-.}/tests/scenarios" && pwd)
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
C2=$H_NET.5
D=$H_NET.6
MP=6000
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
inviteTimeout 10
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 5060
gateway 4 c2-side $C2 port 5060
gateway 5 d-side $D port 0
route 1 555 2
EOF2
h_referd_subagent "$conf"
h_rtp_setup
TARGET="sip:carol@$C:5060"
TARGET2="sip:dave@$C2:5060"

# stat N: referdSgp counter column N of profile 1.
stat() {
	sget "$STATS.$1.1"
}

# calls_to NAME: how many INVITE transactions (Call-IDs) peer NAME got.
calls_to() {
	awk '/^INVITE /{i=1} i&&/^Call-ID:/{print $2; i=0}' "$H_TMP/$1.msg" |
		sort -u | wc -l
}

# notifies NAME: how many NOTIFYs peer NAME received.
notifies() {
	grep -c '^NOTIFY ' "$H_TMP/$1.msg"
}

# 1. REFER during a transfer (491), then a second REFER after a failure.
h_template "$SC/uas-ring-reject.xml.in" "$H_TMP/busy.xml" CODE=486 \
	"REASON=Busy Here"
h_sipp t1-c "$C" 5060 -sf "$H_TMP/busy.xml" -d 1000 -m 1 \
	-trace_msg -message_file "$H_TMP/t1-c.msg"
cpid=$H_PID
h_sipp t1-c2 "$C2" 5060 -sf "$SC/uas-ring-answer.xml" -d 300 -mp $MP -m 1 \
	-trace_msg -message_file "$H_TMP/t1-c2.msg"
c2pid=$H_PID
peer t1-b "$B" -sf "$SC/uas-refer-again.xml" -set target "$TARGET" \
	-set target2 "$TARGET2" -set pending 1 -m 1
bpid=$H_PID
h_sipp t1-a "$A" 5060 -sn uac -d 8000 -s 5551000 -m 1 "$H_ADDR:5060"
apid=$H_PID
sipp_ok "t1: B's REFERs: 202, 491 during the transfer, 202 again; every NOTIFY's Event as expected" \
	t1-b "$bpid"
h_grep "t1: the REFER sent while the transfer ran got 491" "$H_TMP/t1-b.log" \
	'REFER 3 to .* during the transfer answered 491'
h_grep "t1: first REFER: NOTIFY 100 Trying with Event: refer (no id)" \
	"$H_TMP/t1-b.log" '^B: first NOTIFY SIP/2.0 100 Trying active Event:refer$'
h_grep "t1: first REFER: final NOTIFY carries C's 486" "$H_TMP/t1-b.log" \
	'^B: first final SIP/2.0 486 Busy Here terminated'
h_grep "t1: second REFER: NOTIFY 100 Trying with Event: refer;id=9" \
	"$H_TMP/t1-b.log" '^B: second NOTIFY SIP/2.0 100 Trying active Event:refer;id=9$'
h_grep "t1: second REFER: final NOTIFY 200 OK with Event: refer;id=9" \
	"$H_TMP/t1-b.log" '^B: second NOTIFY SIP/2.0 200 OK terminated Event:refer;id=9$'
h_is "t1: on the wire, three NOTIFYs with exactly 'Event: refer' (100, 180, 486)" \
	"$(grep -ciE '^Event: *refer[[:space:]]*$' "$H_TMP/t1-b.msg")" 3
h_is "t1: ... and three with exactly 'Event: refer;id=9' (100, 180, 200)" \
	"$(grep -ciE '^Event: *refer;id=9[[:space:]]*$' "$H_TMP/t1-b.msg")" 3
h_is "t1: B received six NOTIFYs in all" "$(notifies t1-b)" 6
h_grep "t1: the second INVITE went to the second target" "$H_TMP/t1-c2.msg" \
	"^INVITE $TARGET2 SIP/2.0"
h_is "t1: the REFER refused 491 called no one: C got one call, C2 one" \
	"$(calls_to t1-c) $(calls_to t1-c2)" "1 1"
sipp_ok "t1: C rang and refused 486" t1-c "$cpid"
sipp_ok "t1: A, now with C2, hangs up" t1-a "$apid"
sipp_ok "t1: C2 answered and got A's BYE" t1-c2 "$c2pid"
h_is "t1: referdSgpReferReceived counts the three REFERs" "$(stat 1)" 3
h_is "t1: referdSgpReferAccepted counts two" "$(stat 2)" 2
h_is "t1: referdSgpReferRejected counts the 491" "$(stat 3)" 1
h_is "t1: referdSgpTransfersCompleted" "$(stat 4)" 1
h_is "t1: referdSgpTransfersFailed" "$(stat 5)" 1

# 2. B answers the NOTIFY 100 with 481: no more NOTIFYs; C still answers.
h_sipp t2-c "$C" 5060 -sf "$SC/uas-ring-answer.xml" -d 500 -mp $MP -m 1 \
	-trace_msg -message_file "$H_TMP/t2-c.msg"
cpid=$H_PID
peer t2-b "$B" -sf "$SC/uas-refer-481.xml" -set target "$TARGET" -m 1
bpid=$H_PID
h_sipp t2-a "$A" 5060 -sn uac -d 7000 -s 5551000 -m 1 "$H_ADDR:5060"
apid=$H_PID
sipp_ok "t2: B answered NOTIFY 100 with 481, got no NOTIFY in 4 s, hung up" \
	t2-b "$bpid"
h_is "t2: B received one NOTIFY only (100 Trying)" "$(notifies t2-b)" 1
h_grep "t2: B sent the 481" "$H_TMP/t2-b.msg" '^SIP/2.0 481 '
h_grep "t2: B's hang-up after the transfer got 200" "$H_TMP/t2-b.log" \
	'BYE answered 200'
sipp_ok "t2: C answered (the transfer went on) and got A's BYE" t2-c "$cpid"
sipp_ok "t2: A, connected to C, hangs up" t2-a "$apid"
h_is "t2: referdSgpTransfersCompleted counts it" "$(stat 4)" 2
h_is "t2: referdSgpTransfersFailed did not move" "$(stat 5)" 1
h_ok "t2: referd is still running" h_alive "$H_REFERD_PID"

# 3. B hangs up right after its 202; A (RTP from its ACK on) ends with C.
#    Meanwhile D's INVITE with Replaces naming B's ended dialog: 603.
h_sipp t3-c "$C" 5060 -sf "$SC/uas-ring-answer.xml" -d 1000 -mp $MP -m 1 \
	-trace_msg -message_file "$H_TMP/t3-c.msg"
cpid=$H_PID
peer t3-b "$B" -sf "$SC/uas-refer-bye.xml" -set target "$TARGET" -m 1
bpid=$H_PID
h_sipp t3-a "$A" 5060 -sf "$SC/uac-rtp.xml" -mp $MP -s 5551000 -m 1 \
	-trace_msg -message_file "$H_TMP/t3-a.msg" "$H_ADDR:5060"
apid=$H_PID
h_ok "t3: B's BYE (sent right after the 202 and NOTIFY 100) got 200" \
	h_wait_for 5 grep -q 'BYE answered 200' "$H_TMP/t3-b.log"
# referd's dialog with B: Call-ID, referd's tag (From of the INVITE to
# B) and B's tag (To of B's 200).
cid=$(sed -n 's/^Call-ID: *//p' "$H_TMP/t3-b.msg" | head -n 1 | tr -d '\r')
rtag=$(sed -n 's/^From:.*;tag=\([^;]*\).*/\1/p' "$H_TMP/t3-b.msg" | head -n 1 | tr -d '\r')
btag=$(sed -n 's/^To:.*;tag=\([^;]*\).*/\1/p' "$H_TMP/t3-b.msg" | head -n 1 | tr -d '\r')
h_ok "t3: B's dialog identifiers were read ($cid $rtag $btag)" \
	test -n "$cid" -a -n "$rtag" -a -n "$btag"
replaced=$(sget "$STATS.6.1")
sed -e "s|@REPLACES_HEADERS@|      Replaces: $cid;to-tag=$rtag;from-tag=$btag|" \
	"$SC/uac-replaces-reject.xml.in" >"$H_TMP/t3-d.xml"
h_sipp t3-d "$D" 5060 -sf "$H_TMP/t3-d.xml" -set expect_code 603 -s 5551000 \
	-m 1 -trace_msg -message_file "$H_TMP/t3-d.msg" "$H_ADDR:5060"
sipp_ok "t3: INVITE with Replaces naming B's ended dialog: 603" t3-d "$H_PID" 20
h_grep "t3: ... 603 Decline on the wire" "$H_TMP/t3-d.msg" '^SIP/2.0 603 '
h_is "t3: referdSgpReplacesReceived counts it" "$(sget "$STATS.6.1")" \
	$((replaced + 1))
h_is "t3: referdSgpReplacesCompleted does not" "$(sget "$STATS.7.1")" 0
h_ok "t3: C answered: RTP from A reaches C's media port through referd" \
	h_wait_for 8 rtp_in "$C" "$MP"
h_ok "t3: RTP from C reaches A's media port through referd" \
	h_wait_for 5 rtp_in "$A" "$MP"
sipp_ok "t3: B got no NOTIFY in the 4 s after its BYE" t3-b "$bpid"
h_is "t3: B received one NOTIFY only (100 Trying, before its BYE)" \
	"$(notifies t3-b)" 1
sipp_ok "t3: A, connected to C, hangs up" t3-a "$apid"
h_is "t3: A's dialog never changed (one INVITE, no re-INVITE)" \
	"$(grep -c '^INVITE ' "$H_TMP/t3-a.msg")" 1
sipp_ok "t3: C gets A's BYE" t3-c "$cpid"
h_is "t3: referdSgpTransfersCompleted counts it" "$(stat 4)" 3
h_is "t3: referdSgpTransfersFailed did not move" "$(stat 5)" 1

# t4: after B transferred A to C, A's own REFER in the same dialog gets
# 403 (a call holds three dialogs: it is transferred at most once) and
# the call with C goes on; A's BYE reaches C.
h_sipp t4-c "$C" 5060 -sn uas -m 1 -trace_msg -message_file "$H_TMP/t4-c.msg"
cpid=$H_PID
h_sipp t4-b "$B" 5060 -sf "$SC/uas-refer.xml" -set target "sip:carol@$C:5060" -m 1
bpid=$H_PID
h_sipp t4-a "$A" 5060 -sf "$SC/uac-refer-after.xml" -set target "sip:carol@$C2:5060" \
	-s 5551000 -m 1 -trace_logs -log_file "$H_TMP/t4-a.log" "$H_ADDR:5060"
apid=$H_PID
rejected=$(stat 3)
sipp_ok "t4: B transfers A to C" t4-b "$bpid"
sipp_ok "t4: A's REFER after the transfer gets 403, then A hangs up" t4-a "$apid"
h_grep "t4: ... 403 logged by A" "$H_TMP/t4-a.log" 'second REFER to .* answered 403'
sipp_ok "t4: C, still with A, gets A's BYE" t4-c "$cpid"
h_is "t4: referdSgpReferRejected counts it" "$(stat 3)" $((rejected + 1))
h_ok "no call is left" h_wait_for 5 calls_idle
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
