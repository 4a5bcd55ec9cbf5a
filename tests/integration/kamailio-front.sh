#!/bin/sh
# kamailio-front.sh: several referd behind Kamailio's dispatcher, with the
# shipped contrib/kamailio/referd-front.cfg run as it is (issue 19, 5-6).
# Two standalone referd "ref1" and "ref2", Kamailio with 2 UDP workers,
# peers A, B, C, D as tests/lib/front.sh lays them out.
#  1. 40 calls through the front: all succeed, both instances carried
#     some (referdSgpCallsIn of each), 40 in all.
#  2. B REFERs A to C (B's profile 1: Release REFER Session), and A
#     REFERs B to C (the front's profile 2: A hangs up itself): the
#     NOTIFYs and A's in-dialog requests cross the front.
#  3. Four times: D's Replaces names A's dialog (the caller's Call-ID):
#     it reaches the instance holding the call (its SDP, its counters).
#  4. Four times: D's Replaces names referd's own leg to B (Call-ID
#     INSTANCE~HEX@HOST): it reaches that instance.
#  5. Kamailio's main pid stopped: no child of it is left.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 88 kamailio-front
. "${REFERD_SRCDIR:-.}/tests/lib/front.sh"
front_start 2
KPID=$KAM_PID

# 1. Calls spread over both instances.
h_sipp s-b "$B" 5060 -sf "$SC/uas-answer-now.xml" -m 40
BPID=$H_PID
h_sipp s-a "$A" 5060 -sn uac -d 300 -r 10 -m 40 -s 5551000 "$FRONT:5060"
h_wait_exit "$H_PID" 60
h_is "1: A's 40 calls through the front all succeed" "$H_RC" 0
h_wait_exit "$BPID" 20
h_is "1: B answered all 40" "$H_RC" 0
in1=$(stat 1 "$STATS.9.2")
in2=$(stat 2 "$STATS.9.2")
echo "# calls in: ref1 $in1, ref2 $in2"
h_ok "1: ref1 carried some of them (referdSgpCallsIn $in1)" test "$in1" -gt 0
h_ok "1: ref2 carried some of them (referdSgpCallsIn $in2)" test "$in2" -gt 0
h_is "1: 40 in all" "$((in1 + in2))" 40
h_ok "1: no call is left" h_wait_for 10 idle

# 2. Blind transfers through the front.
TARGET="sip:carol@$C:5060"
h_sipp t1-c "$C" 5060 -sn uas -m 1
CPID=$H_PID
h_sipp t1-b "$B" 5060 -sf "$SC/uas-refer-released.xml" -set target "$TARGET" \
    -m 1 -trace_logs -log_file "$H_TMP/t1-b.log"
BPID=$H_PID
h_sipp t1-a "$A" 5060 -sn uac -d 3000 -s 5551000 -m 1 "$FRONT:5060"
APID=$H_PID
h_wait_exit "$BPID" 20
h_is "2: B REFERs A to C: 202, the NOTIFYs, then referd's BYE" "$H_RC" 0
h_wait_exit "$APID" 20
h_is "2: A, behind the front, talks to C and hangs up" "$H_RC" 0
h_wait_exit "$CPID" 20
h_is "2: C gets A's BYE through the front" "$H_RC" 0
h_sipp t2-c "$C" 5060 -sf "$SC/uas-answer-bye.xml" -d 1000 -m 1
CPID=$H_PID
h_sipp t2-b "$B" 5060 -sf "$SC/uas-answer-now.xml" -m 1
BPID=$H_PID
h_sipp t2-a "$A" 5060 -sf "$SC/uac-refer.xml" -set target "$TARGET" \
    -s 5551000 -m 1 -trace_logs -log_file "$H_TMP/t2-a.log" "$FRONT:5060"
APID=$H_PID
h_wait_exit "$APID" 20
h_is "2: A REFERs B to C through the front: 202, every NOTIFY, in order" \
    "$H_RC" 0
h_grep "2: A's last NOTIFY is the final 200" "$H_TMP/t2-a.log" \
    'NOTIFY SIP/2.0 200 OK terminated'
h_wait_exit "$CPID" 20
h_is "2: C talks to B and hangs up" "$H_RC" 0
h_wait_exit "$BPID" 20
h_is "2: B gets C's BYE" "$H_RC" 0
done1=$(both 1 4)
done2=$(both 2 4)
h_is "2: two transfers completed (referdSgpTransfersCompleted $done1 + $done2)" \
    "$((done1 + done2))" 2
h_ok "2: no call is left" h_wait_for 10 idle

# holder N1 N2: the instance (1 or 2) whose calls went up from N1 (ref1)
# or N2 (ref2) by one, the other's not; "none" otherwise.
holder() {
	local c1 c2
	c1=$(stat 1 "$RO.1.3.0")
	c2=$(stat 2 "$RO.1.3.0")
	if [ "$c1" = $(($1 + 1)) ] && [ "$c2" = "$2" ]; then
		echo 1
	elif [ "$c2" = $(($2 + 1)) ] && [ "$c1" = "$1" ]; then
		echo 2
	else
		echo none
	fi
}

# replaces ROUND KIND: A calls B through the front; D's INVITE with
# Replaces names A's dialog (KIND a) or referd's leg to B (KIND b).
replaces() {
	local n=$1 kind=$2 h addr before after cid ft tt rep n1 n2
	n1=$(stat 1 "$RO.1.3.0")
	n2=$(stat 2 "$RO.1.3.0")
	h_sipp "$n-b" "$B" 5060 -sf "$SC/uas-answer-now.xml" -m 1 \
	    -trace_logs -log_file "$H_TMP/$n-b.log"
	BPID=$H_PID
	h_sipp "$n-a" "$A" 5060 -sf "$SC/uac-call-wait-bye.xml" -s 5551000 \
	    -m 1 -trace_msg -message_file "$H_TMP/$n-a.msg" "$FRONT:5060"
	APID=$H_PID
	h_wait_for 10 grep -q 'B callid=' "$H_TMP/$n-b.log"
	h_wait_for 5 test "$(holder "$n1" "$n2")" != none
	h=$(holder "$n1" "$n2")
	if [ "$h" = 1 ]; then addr=$R1; else addr=$R2; fi
	if [ "$kind" = a ]; then
		cid=$(sed -n 's/^Call-ID: *//p' "$H_TMP/$n-a.msg" | head -n 1 | tr -d '\r')
		ft=$(sed -n 's/^From:.*;tag=\([^;]*\).*/\1/p' "$H_TMP/$n-a.msg" |
		    head -n 1 | tr -d '\r')
		tt=$(awk '/^SIP\/2.0 200/ { m = 1 } m && /^To:/ { print; exit }' \
		    "$H_TMP/$n-a.msg" | sed 's/.*;tag=\([^;]*\).*/\1/' | tr -d '\r')
		rep="$cid;to-tag=$tt;from-tag=$ft"
	else
		set -- $(sed -n 's/.*B callid=\([^ ]*\) fromtag=\([^ ]*\) totag=\([^ ]*\).*/\1 \2 \3/p' \
		    "$H_TMP/$n-b.log" | head -n 1)
		cid=$1
		rep="$1;to-tag=$2;from-tag=$3"
	fi
	before=$(both "$h" 7)
	h_sipp "$n-d" "$D" 5060 -sf "$SC/uac-replaces.xml" -s 5551000 -m 1 \
	    -set replaces "$rep" -set peer_ip "$addr" \
	    -trace_logs -log_file "$H_TMP/$n-d.log" "$FRONT:5060"
	DPID=$H_PID
	h_wait_exit "$DPID" 20
	h_is "$n: D's INVITE with Replaces ($cid) is answered 200 and ends well" \
	    "$H_RC" 0
	h_grep "$n: D's 200 has the SDP of ref$h, the instance holding the dialog" \
	    "$H_TMP/$n-d.log" "C: 200 with c=IN IP4 $addr .*wrong: false"
	after=$(both "$h" 7)
	h_is "$n: ref$h counted the Replaces completed (referdSgpReplacesCompleted)" \
	    "$after" "$((before + 1))"
	h_wait_exit "$APID" 20
	h_is "$n: A's call ends well" "$H_RC" 0
	h_wait_exit "$BPID" 20
	h_is "$n: B's call ends well" "$H_RC" 0
	h_ok "$n: no call is left" h_wait_for 10 idle
}

# 3. Replaces naming the caller's dialog.
for r in 1 2 3 4; do
	replaces "r$r" a
done
# 4. Replaces naming referd's own leg (its Call-ID carries the instance).
# A referd without instance names (its log: "Unknown token:
# instanceName") has no such Call-IDs: that part is skipped, said so.
if grep -q 'Unknown token: instanceName' "$H_TMP/ref1.log"; then
	H_N=$((H_N + 1))
	echo "ok $H_N # SKIP 4: this referd has no instanceName (Call-IDs without the instance)"
else
	for r in 1 2 3 4; do
		replaces "o$r" b
	done
	h_grep "4: referd's Call-IDs carry the instance name (INSTANCE~HEX@HOST)" \
	    "$H_TMP/o1-b.log" 'B callid=ref[12]~[0-9a-f]{32}@'
fi

# 5. Kamailio stops its children with its main process.
kids=$(h_children "$KPID")
h_ok "5: Kamailio runs children ($(echo $kids))" test -n "$kids"
h_stop "$KPID"
left=
for k in $kids; do
	h_alive "$k" && left="$left $k"
done
h_is "5: none is left once its main pid is stopped" "$left" ""
h_done
