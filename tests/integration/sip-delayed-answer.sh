#!/bin/sh
# sip-delayed-answer.sh: Delayed Answer (SPEC section 5; the seed's
# "Delayed Answer Support"): B answers referd but A gets 183 with B's
# media; A is answered (200) only when the transfer target C answers, or
# when the Delayed Answer Timer expires (the real 1-minute minimum here),
# which counts and raises referdDelayedAnswerTimeout; the 183 is
# refreshed while A waits; CANCEL from A during the wait releases B.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 32 sip-delayed-answer
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
profile 1 a-side
profile 2 ivr
refer 2 support enabled delayedAnswer enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060 profile 2
gateway 3 c-side $C port 5060 profile 1
route 1 555 2
EOF2
h_referd_subagent "$conf"
TARGET="sip:carol@$C:5060"
h_is "the timer is 1 minute, the default when Delayed Answer is enabled" \
	"$(sget "$REFER.4.2")" 1

# 1. B transfers A to C during the wait: A is answered when C answers.
h_sipp t1-c "$C" 5060 -sn uas -m 1 -trace_msg -message_file "$H_TMP/t1-c.msg"
cpid=$H_PID
h_sipp t1-b "$B" 5060 -sf "$SC/uas-refer.xml" -set target "$TARGET" -m 1 \
	-trace_logs -log_file "$H_TMP/t1-b.log"
bpid=$H_PID
h_sipp t1-a "$A" 5060 -sf "$SC/uac-delayed.xml" -s 5551000 -m 1 \
	-trace_logs -log_file "$H_TMP/t1-a.log" \
	-trace_msg -message_file "$H_TMP/t1-a.msg" "$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$apid" 30
h_is "t1: A hears 183, is answered, talks and hangs up" "$H_RC" 0
h_grep "t1: A's 183 carries SDP (B's early media, relayed)" "$H_TMP/t1-a.log" \
	'A: 183 with SDP \(m=audio [0-9]+\)'
h_grep "t1: A's 183 SDP is referd's" "$H_TMP/t1-a.msg" "^c=IN IP4 $H_ADDR"
n200=$(grep -n '^SIP/2.0 200' "$H_TMP/t1-a.msg" | head -n 1 | cut -d: -f1)
h_ok "t1: A's 200 came after its 183" sh -c \
	"[ \$(grep -n '^SIP/2.0 183' '$H_TMP/t1-a.msg' | head -n 1 | cut -d: -f1) -lt ${n200:-0} ]"
h_wait_exit "$bpid" 20
h_is "t1: B transferred the call and hung up" "$H_RC" 0
h_wait_exit "$cpid" 20
h_is "t1: C answered and got A's BYE" "$H_RC" 0
h_is "t1: the transfer completed" "$(sget "$STATS.4.2")" 1
h_is "t1: no Delayed Answer timeout" "$(sget "$STATS.8.2")" 0

# 2. CANCEL from A during the wait releases B.
h_sipp t2-b "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1
bpid=$H_PID
h_sipp t2-a "$A" 5060 -sf "$SC/uac-delayed-cancel.xml" -s 5551000 -m 1 \
	"$H_ADDR:5060"
h_wait_exit "$H_PID" 20
h_is "t2: A cancels during the wait: 200 to the CANCEL, 487" "$H_RC" 0
h_wait_exit "$bpid" 20
h_is "t2: B, which had answered, gets a BYE" "$H_RC" 0

# 3. Nobody transfers: after the (real) minute referd answers A itself.
h_sipp t3-b "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1 \
	-timeout 100s
bpid=$H_PID
start=$(date +%s)
h_sipp t3-a "$A" 5060 -sf "$SC/uac-delayed.xml" -s 5551000 -m 1 \
	-timeout 100s -trace_logs -log_file "$H_TMP/t3-a.log" \
	-trace_msg -message_file "$H_TMP/t3-a.msg" "$H_ADDR:5060"
apid=$H_PID
h_wait_exit "$apid" 90
took=$(( $(date +%s) - start ))
h_is "t3: A is answered by the timer, talks and hangs up" "$H_RC" 0
h_ok "t3: the answer came after the 1-minute timer (${took} s)" \
	test "$took" -ge 60 -a "$took" -le 70
# A refresh carries the same SDP as the first 183, and so the same origin
# (RFC 3264 8): SIPp takes it for a retransmission and its scenario does
# not see it again; its message trace shows every one on the wire.
n183=$(grep -c '^SIP/2.0 183' "$H_TMP/t3-a.msg")
h_ok "t3: the 183 was refreshed while A waited ($n183 times)" test "$n183" -ge 2
h_is "t3: every 183 and the 200 carry one origin and version (one body)" \
    "$(awk '/^SIP\/2.0 (183|200)/ { r = 1 } /^o=/ && r { print $1, $2, $3; r = 0 }' \
    "$H_TMP/t3-a.msg" | sort -u | wc -l)" 1
h_wait_exit "$bpid" 20
h_is "t3: A was connected to B, who gets A's BYE" "$H_RC" 0
h_is "t3: referdSgpDelayedAnswerTimeouts counts it" "$(sget "$STATS.8.2")" 1
h_ok "t3: referdDelayedAnswerTimeout reaches snmptrapd" \
	h_wait_for 5 grep -q "$R.0.2" "$H_TRAPLOG"
h_grep "t3: the trap names the profile" "$H_TRAPLOG" "$RO.9.1.0 = Gauge32: 2"
h_done
