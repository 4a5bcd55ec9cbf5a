#!/bin/sh
# sip-keepalive.sh: a party that vanishes mid-call without a BYE is found
# by referd's dialog keepalive (dialogKeepalive, in-dialog OPTIONS) and
# the call is released by timers: B answering the keepalive 481 (its
# dialog is gone), and B killed (-9: no answer until Timer F).  A, who
# answers every keepalive with 200, stays in the call until then and gets
# referd's BYE; nothing is left afterwards.  B over TCP, killed: the
# keepalive's connection is refused, a transport error, and B's dialog
# ends then, not after Timer F.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 43 sip-keepalive
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
dialogKeepalive 2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
signaling 2 $H_ADDR port 5060 transport tcp profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 b-tcp $B port 5070 transport tcp
route 1 555 2
route 2 556 3
EOF2
h_referd_subagent "$conf"

active() { [ "$(sget "$RO.1.3.0")" = "$1" ]; }

# 1. B answers the keepalive 481: released at once, A gets a BYE.
h_sipp k1-b "$B" 5060 -sf "$SC/uas-answer-481.xml" -m 1 \
	-trace_logs -log_file "$H_TMP/k1-b.log" -trace_msg -message_file "$H_TMP/k1-b.msg"
bpid=$H_PID
h_sipp k1-a "$A" 5060 -sf "$SC/uac-call-keepalive.xml" -s 5551000 -m 1 \
	-trace_logs -log_file "$H_TMP/k1-a.log" -trace_msg -message_file "$H_TMP/k1-a.msg" \
	"$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$bpid" 20
h_is "k1: B got an in-dialog OPTIONS and answered 481" "$H_RC" 0
h_grep "k1: the OPTIONS is in B's dialog (B's tag as To tag)" "$H_TMP/k1-b.log" \
	'B got OPTIONS CSeq [0-9]+ OPTIONS To tag=[0-9]+B[0-9]+'
h_grep "k1: the OPTIONS is addressed to B's Contact" "$H_TMP/k1-b.msg" \
	"^OPTIONS sip:b@$B:5060 SIP/2.0"
h_wait_exit "$apid" 20
h_is "k1: A, who answered its own keepalives, got referd's BYE" "$H_RC" 0
h_grep "k1: A's keepalives were answered while B was there" "$H_TMP/k1-a.log" \
	'A got OPTIONS CSeq [0-9]+ OPTIONS To tag=[0-9]+A[0-9]+'
h_grep "k1: referd logs why" "$H_TMP/referd.log" \
	'call [0-9]+: the called party answered 481 to the keepalive OPTIONS: its dialog is ended'
h_ok "k1: no call is left" h_wait_for 3 active 0

# vanish K NUMBER LIMIT WHY: A calls NUMBER (B started before, its pid
# in bpid), the call comes up, B is killed (-9); A must get referd's BYE
# within LIMIT seconds (WHY says what bounds it), and nothing is left.
vanish() {
	local k=$1 number=$2 limit=$3 why=$4 apid t0 t
	h_sipp "$k-a" "$A" 5060 -sf "$SC/uac-call-keepalive.xml" -s "$number" -m 1 \
		-timeout 60s -trace_logs -log_file "$H_TMP/$k-a.log" "$H_ADDR:5060"
	apid=$H_PID
	h_ok "$k: the call is up" h_wait_for 5 active 1
	kill -KILL "$bpid"
	t0=$(date +%s)
	h_wait_exit "$apid" $((limit + 10))
	h_is "$k: A gets referd's BYE after B vanished" "$H_RC" 0
	t=$(( $(date +%s) - t0 ))
	h_ok "$k: within $why (took ${t}s, at most $limit)" test "$t" -le "$limit"
	h_grep "$k: referd logs that B did not answer" "$H_TMP/referd.log" \
		'call [0-9]+: the called party did not answer the keepalive OPTIONS: its dialog is ended'
	h_ok "$k: no call is left" h_wait_for 3 active 0
}

# 2. B vanishes (killed): no answer to the keepalive; Timer F (32 s)
#    ends B's dialog and A gets the BYE.
h_sipp k2-b "$B" 5060 -sn uas -m 1
bpid=$H_PID
vanish k2 5551000 45 "keepalive + Timer F + slack"

# 3. B over TCP vanishes (killed): its connection closes, and the next
#    keepalive's connection is refused: a transport error, which ends B's
#    dialog then, not after Timer F.
h_sipp k3-b "$B" 5070 -sn uas -t t1 -m 1
bpid=$H_PID
h_wait_for 5 sh -c "ss -Htln 'src $B:5070' | grep -q ." ||
	h_bail "SIPp B did not listen on TCP $B:5070"
vanish k3 5561000 10 "two keepalive intervals and slack, not Timer F"
h_done
