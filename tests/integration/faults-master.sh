#!/bin/sh
# faults-master.sh: the master snmpd frozen (SIGSTOP) for 30 s, then
# killed (-9) and restarted, while SIPp places 200 calls/s through
# referd: not one call fails, and referd serves its MIB through the
# restarted master afterwards (SPEC section 8: a master agent that is
# stopped, restarted or frozen costs no call).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 44 faults-master
A=$H_NET.2
B=$H_NET.3
RATE=200
SECONDS_OF_LOAD=50
CALLS=$((RATE * SECONDS_OF_LOAD))
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
agentxPingInterval 2
rtpPortRange $RTP_LO $((RTP_LO + 999))
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2
h_referd_subagent "$conf"

h_sipp b "$B" 5060 -sn uas -timeout 120s
h_sipp a "$A" 5060 -sn uac -s 5551000 -r "$RATE" -m "$CALLS" -timeout 120s \
	-trace_stat -stf "$H_TMP/a.csv" -fd 1 "$H_ADDR:5060"
apid=$H_PID
sleep 5
kill -STOP "$H_SNMPD_PID"
h_ok "with snmpd frozen, referd's MIB does not answer (the fault is real)" \
	sh -c "! snmpget -v2c -c public -t 1 -r 0 $H_AGENT $RO.1.1.0 >/dev/null 2>&1"
sleep 29
kill -CONT "$H_SNMPD_PID"
h_ok "after SIGCONT referd answers through the master again" h_wait_for 15 h_answers
h_ok "the load is still running (the faults happen under load)" h_alive "$apid"
kill -KILL "$H_SNMPD_PID"
h_wait_exit "$H_SNMPD_PID" 5
H_SNMPD_PID=
h_snmpd_start
h_ok "after snmpd was killed and restarted, referd answers through the new master" \
	h_wait_for 15 h_answers
h_ok "... while the load still runs" h_alive "$apid"
h_wait_exit "$apid" 90
h_is "SIPp A ends with every call successful (exit 0)" "$H_RC" 0
h_is "all $CALLS calls were placed and none failed (SuccessfulCall, FailedCall)" \
	"$(awk -F';' 'NR==1{for(i=1;i<=NF;i++){if($i=="SuccessfulCall(C)")s=i;if($i=="FailedCall(C)")f=i}} END{print $s" "$f}' "$H_TMP/a.csv")" \
	"$CALLS 0"
h_grep "referd logged that it lost the master" "$H_TMP/referd.log" "master agent lost; calls go on"
h_done
