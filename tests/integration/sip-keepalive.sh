#!/bin/sh
# sip-keepalive.sh: a party that vanishes mid-call without a BYE is found
# by referd's dialog keepalive (dialogKeepalive, in-dialog OPTIONS) and
# the call is released by timers: B answering the keepalive 481 (its
# dialog is gone), and B killed (-9: no answer until Timer F).  A, who
# answers every keepalive with 200, stays in the call until then and gets
# referd's BYE; nothing is left afterwards.
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
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 555 2
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

# 2. B vanishes (killed): no answer to the keepalive; Timer F (32 s)
#    ends B's dialog and A gets the BYE.
h_sipp k2-b "$B" 5060 -sn uas -m 1
bpid=$H_PID
h_sipp k2-a "$A" 5060 -sf "$SC/uac-call-keepalive.xml" -s 5551000 -m 1 \
	-timeout 60s -trace_logs -log_file "$H_TMP/k2-a.log" "$H_ADDR:5060"
apid=$H_PID
h_ok "k2: the call is up" h_wait_for 5 active 1
kill -KILL "$bpid"
t0=$(date +%s)
h_wait_exit "$apid" 50
h_is "k2: A gets referd's BYE after B vanished" "$H_RC" 0
t=$(( $(date +%s) - t0 ))
h_ok "k2: within keepalive + Timer F + slack (took ${t}s, at most 45)" \
	test "$t" -le 45
h_grep "k2: referd logs that B did not answer" "$H_TMP/referd.log" \
	'call [0-9]+: the called party did not answer the keepalive OPTIONS: its dialog is ended'
h_ok "k2: no call is left" h_wait_for 3 active 0
h_done
