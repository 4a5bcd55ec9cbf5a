#!/bin/sh
# harness.sh: the shared test helpers themselves: a private snmpd master
# on loopback, snmptrapd receiving a trap, SIPp peers on their own
# addresses completing calls, and every process stopped by pid on every
# exit path, a failed assertion and a signal included.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 4 harness
ROOT=.1.3.6.1.4.1.8072.9999.9999.5060

# --- snmpd master --------------------------------------------------------
h_snmptrapd_start
h_snmpd_start
out=$(snmpget -v2c -c public -On "$H_ADDR:$H_SNMP_PORT" .1.3.6.1.2.1.1.3.0 2>&1)
h_like "the private snmpd answers on $H_ADDR:$H_SNMP_PORT" "$out" \
	'^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks'
h_ok "its AgentX socket is in the test's temp dir" test -S "$H_AGENTX"
out=$(snmpget -v2c -c wrong -t 0.5 -r 0 "$H_ADDR:$H_SNMP_PORT" .1.3.6.1.2.1.1.3.0 2>&1)
h_like "an unknown community gets no answer" "$out" 'Timeout'
h_not "nothing listens on the standard SNMP port of this address" \
	snmpget -v2c -c public -t 0.3 -r 0 "$H_ADDR:161" .1.3.6.1.2.1.1.3.0

# --- snmptrapd -------------------------------------------------------------
h_ok "a v2c trap is sent to the private snmptrapd" \
	snmptrap -v2c -c public "$H_ADDR:$H_TRAP_PORT" '' "$ROOT.0.4" \
	"$ROOT.1.9.6" o "$ROOT.1.2.1.4.7" "$ROOT.1.9.7" i 1
h_ok "snmptrapd logs the trap's OID" \
	h_wait_for 5 grep -q "$ROOT.0.4" "$H_TRAPLOG"
h_grep "snmptrapd logs the trap's varbinds" "$H_TRAPLOG" \
	"$ROOT.1.9.6 = OID: $ROOT.1.2.1.4.7"
h_not "a trap with a wrong community is not logged" sh -c "
	snmptrap -v2c -c wrong $H_ADDR:$H_TRAP_PORT '' $ROOT.0.3 &&
	sleep 0.5 && grep -q '$ROOT.0.3' '$H_TRAPLOG'"

# --- SIPp peers --------------------------------------------------------------
h_sipp uas "$H_NET.3" 5060 -sn uas
uas=$H_PID
h_sipp uac "$H_NET.2" 5060 -sn uac -m 3 -r 10 -d 100 "$H_NET.3:5060"
uac=$H_PID
h_wait_exit "$uac" 30
h_is "SIPp A ($H_NET.2) completes 3 calls with SIPp B ($H_NET.3)" "$H_RC" 0
h_grep "A's statistics count 3 successful calls" "$H_TMP/uac.screen" \
	'Successful call +\| +[0-9]+ +\| +3 '
h_ok "B is still running until the test stops it" h_alive "$uas"

# --- cleanup on a failed assertion and on a signal -----------------------
# A child test starts two processes and then fails (bail out) or is
# killed; afterwards neither process may exist.
child=$H_TMP/child.sh
cat >"$child" <<EOF2
. "$REFERD_SRCDIR/tests/lib/harness.sh"
h_init 5 harness-child
h_spawn sleeper1 sleep 300
echo \$H_PID >"$H_TMP/child.pids"
h_spawn sleeper2 sh -c 'trap "" TERM; exec sleep 300'
echo \$H_PID >>"$H_TMP/child.pids"
[ "\$1" = bail ] && h_bail "deliberate failure"
while :; do sleep 0.1; done
EOF2
sh "$child" bail >"$H_TMP/child-bail.out" 2>&1
h_grep "the child test bails out" "$H_TMP/child-bail.out" '^Bail out! deliberate failure'
gone=1
for p in $(cat "$H_TMP/child.pids"); do h_alive "$p" && gone=0; done
h_is "after a failed assertion every process it started is gone (one ignored SIGTERM)" "$gone" 1

sh "$child" wait >"$H_TMP/child-term.out" 2>&1 &
cpid=$!
H_PIDS="$cpid $H_PIDS"
h_wait_for 5 sh -c "[ \$(wc -l <'$H_TMP/child.pids') = 2 ] && [ \$(cat '$H_TMP/child.pids' | head -1) != '' ]"
sleep 0.5
kill -TERM $cpid
h_wait_exit $cpid 10
h_is "a test ends within 10 s of SIGTERM, with status 130" "$H_RC" 130
gone=1
for p in $(cat "$H_TMP/child.pids"); do h_alive "$p" && gone=0; done
h_is "after SIGTERM to a test every process it started is gone" "$gone" 1

h_done
