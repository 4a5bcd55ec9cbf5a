#!/bin/sh
# kamailio-front-kill.sh: one referd instance killed under load behind
# the shipped contrib/kamailio/referd-front.cfg (issue 19, 6): no new call
# fails.  Layout: tests/lib/front.sh (ref1, ref2, Kamailio with 2 UDP
# workers probing every second, fr_timer 1.5 s).
#  - A1 (.2) places 8 calls at 8 a second, each held 3 s; 1.5 s after it
#    starts (all 8 set up, none ended yet), ref2 is killed (SIGKILL, by
#    pid) while holding some.
#  - A2 (.6) starts right after the kill: 200 calls at 20 a second, each
#    held 0.1 s (each instance has 25 RTP port pairs of the slot's 100
#    ports, 2 per call: ref1 alone then holds A1's and A2's calls).  Every one succeeds: the front fails an INVITE that ref2
#    does not answer within 1.5 s over to ref1, and stops sending to ref2
#    once a probe goes unanswered.  ref1 took all 200 (and A1's calls
#    after the kill).
#  - How calls in progress at the kill are counted: they are A1's (A1
#    starts no call after it, A2 none before it).  Those ref2 held are
#    lost (nothing is replicated between instances): A1's failed calls
#    are exactly the calls ref2 held just before the kill (its
#    referdActiveCalls), and every other A1 call succeeds.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 89 kamailio-front-kill
. "${REFERD_SRCDIR:-.}/tests/lib/front.sh"
A2=$H_NET.6
front_start 2

h_sipp b "$B" 5060 -sf "$SC/uas-answer-now.xml" -timeout 60s
BPID=$H_PID
h_sipp a1 "$A" 5060 -sn uac -d 3000 -r 8 -m 8 -s 5551000 "$FRONT:5060"
A1PID=$H_PID
sleep 1.5
held=$(stat 2 "$RO.1.3.0")
in1=$(both 1 9)
kill -KILL "$REF2_PID"
wait "$REF2_PID" 2>/dev/null
h_forget "$REF2_PID"
echo "# ref2 killed holding $held calls"
h_sipp a2 "$A2" 5060 -sn uac -d 100 -r 20 -m 200 -s 5551000 "$FRONT:5060"
A2PID=$H_PID
h_wait_exit "$A2PID" 40
h_is "A2: 200 new calls started after the kill, none failed (SIPp's status)" \
    "$H_RC" 0
h_is "A2: 200 successful calls in its statistics" \
    "$(sipp_count a2 Successful)" 200
h_is "A2: 0 failed calls" "$(sipp_count a2 Failed)" 0
got=$(($(both 1 9) - in1))
h_ok "ref1 took all 200 (referdSgpCallsIn went up by $got: A2's and A1's last)" \
    test "$got" -ge 200
h_wait_exit "$A1PID" 60
ok1=$(sipp_count a1 Successful)
bad1=$(sipp_count a1 Failed)
echo "# A1: $ok1 successful, $bad1 failed; ref2 held $held at the kill"
h_is "A1: all 8 calls ended (successful $ok1 + failed $bad1)" \
    "$((ok1 + bad1))" 8
h_is "A1: the calls that failed are the $held ref2 held at the kill" \
    "$bad1" "$held"
h_ok "A1: ref2 held some, ref1 the others" test "$held" -gt 0 -a "$ok1" -gt 0
fo=$(grep -c 'failover of ' "$H_TMP/front.out")
echo "# the front failed $fo INVITEs over from ref2 to ref1"
h_ok "ref1 is still up, its calls ended" h_wait_for 10 \
    test "$(stat 1 "$RO.1.3.0")" = 0
h_stop "$BPID"
h_done
