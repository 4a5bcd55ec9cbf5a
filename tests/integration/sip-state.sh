#!/bin/sh
# sip-state.sh: what the engine publishes through the MIB while a call is
# up and after it ends (referdActiveCalls, referdCallTable, the per-profile
# counters), and referdSignalingStatusChange when an endpoint comes up or
# cannot bind.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 27 sip-state
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 in
profile 2 out
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060 profile 2
route 1 555 2
EOF2
h_referd_subagent "$conf"
h_ok "endpoint 1 coming up raised referdSignalingStatusChange up(1)" \
	h_wait_for 5 grep -q "$SIG.8.1 = INTEGER: 1" "$H_TRAPLOG"

h_sipp b "$B" 5060 -sn uas
h_sipp a "$A" 5060 -sn uac -s 5551234 -m 1 -d 4000 "$H_ADDR:5060"
apid=$H_PID
h_ok "the call is up" h_wait_for 5 sh -c "[ \"\$(snmpget -v2c -c public -Oqv -t 1 -r 0 $H_AGENT $RO.1.3.0)\" = 1 ]"
sleep 2      # the table is published at most 0.5 s late; duration >= 1
walk=$(h_walk "$CALLS")
h_like "referdCallTable has the call, connected(4)" "$walk" "$CALLS\\.2\\.[0-9]+ = INTEGER: 4"
h_like "... with the caller's URI" "$walk" "$CALLS\\.3\\.[0-9]+ = STRING: \".*sip:sipp@$A"
h_like "... the dialled number" "$walk" "$CALLS\\.4\\.[0-9]+ = STRING: \"sip:5551234@"
h_like "... no transfer target" "$walk" "$CALLS\\.5\\.[0-9]+ = \"\"\$"
h_like "... a duration of at least 1 s" "$walk" "$CALLS\\.6\\.[0-9]+ = Gauge32: [1-9]"
h_like "... the caller's profile (the endpoint's, 1)" "$walk" "$CALLS\\.7\\.[0-9]+ = Gauge32: 1\$"
h_like "... the called side's profile (its gateway's, 2)" "$walk" "$CALLS\\.8\\.[0-9]+ = Gauge32: 2\$"
h_wait_exit "$apid" 20
h_is "the call completes" "$H_RC" 0
sleep 1
h_is "referdActiveCalls is 0 after it" "$(sget "$RO.1.3.0")" 0
h_is "referdCallTable is empty after it" "$(h_walk "$CALLS" | grep -cE "^$CALLS\.[0-9]+\.[0-9]+ = ")" 0
h_is "referdSgpCallsIn of profile 1 counts the call" "$(sget "$STATS.9.1")" 1
h_is "referdSgpCallsOut of profile 2 counts the call" "$(sget "$STATS.10.2")" 1
h_is "referdSgpCallsOut of profile 1 is 0" "$(sget "$STATS.10.1")" 0

# An endpoint that cannot bind (B's own port): down(2), and a trap.
h_set_ok "a signaling row on an address and port in use" \
	"$SIG.7.3" i 4 "$SIG.2.3" s "$B" "$SIG.3.3" u 5060
h_ok "its referdSigOperStatus is down(2)" \
	h_wait_for 3 sh -c "[ \"\$(snmpget -v2c -c public -Oqv -t 1 -r 0 $H_AGENT $SIG.8.3)\" = 2 ]"
h_ok "referdSignalingStatusChange says down(2) for it" \
	h_wait_for 5 grep -q "$SIG.8.3 = INTEGER: 2" "$H_TRAPLOG"
h_grep "the log says why" "$H_TMP/referd.log" \
	"signaling 3: cannot bind $B:5060 udp: Address already in use"
h_done
