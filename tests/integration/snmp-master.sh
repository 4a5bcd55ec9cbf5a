#!/bin/sh
# snmp-master.sh: the master snmpd goes away and comes back: referd keeps
# working, logs the loss once, and re-registers within the AgentX ping
# interval of the master's return.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 10 snmp-master
conf=$H_TMP/referd.conf
printf 'agentxPingInterval 2\nprofile 1 base\n' >"$conf"
h_referd_subagent "$conf"
log=$H_TMP/referd.log
h_set_ok "a SET through the master" "$SGP.4.2" i 4 "$SGP.2.2" s two

h_stop "$H_SNMPD_PID"
H_SNMPD_PID=
sleep 9     # more than four ping intervals without a master
lost=$(grep -c 'AgentX: master agent lost; calls go on; reconnecting every 2 s' "$log")
h_is "the loss of the master is logged once" "$lost" 1
retries=$(grep -ci 'failed to connect to the agentx master' "$log")
h_is "the failed reconnections are not logged one by one" "$retries" 0
h_ok "referd keeps running without a master" h_alive "$H_REFERD_PID"

# The engine thread is not held up: a reload still reaches it.
printf 'profile 3 three\n' >>"$conf"
kill -HUP "$H_REFERD_PID"
h_ok "without a master, a reload still reaches the engine" \
	h_wait_for 5 grep -q 'configuration [0-9]* applied: 3 profiles' "$log"

h_snmpd_start
start=$(date +%s)
h_ok "after the master returns referd answers within the ping interval (2 s) plus 3 s" \
	h_wait_for 5 h_answers
took=$(( $(date +%s) - start ))
echo "# referd answered again after ${took} s"
h_is "the rows are all there" "$(sget "$SGP.2.2") $(sget "$SGP.2.3")" "two three"
h_grep "referd logs that it is connected again" "$log" \
	'AgentX subagent connected'
h_set_ok "SETs work again" "$SGP.2.2" s two-again
h_is "... and took effect" "$(sget "$SGP.2.2")" two-again
h_done
